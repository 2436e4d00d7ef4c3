# Monolith mode: one named compute kernel, run from its args and a seed alone. Inputs come from
# mulberry32, written bit for bit as in ../lab-node/kernels.mjs, and every digest is taken over
# bytes both languages produce alike, so the two labs give the same digest for the same event.
# Imported only in monolith mode: the other modes do not pay for hashlib, re and zlib on a cold start.
import hashlib
import json
import re
import struct
import time
import zlib

from lab_errors import InvalidInput, show

MAX_U32 = 0xFFFFFFFF
MAX_JSON_LEAVES = 1_000_000
DEFAULT_PATTERN = r"\b[aeiou][a-z]*[aeiou]\b"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
VOCABULARY_SIZE = 512


def mulberry32(seed):
    """mulberry32: 32 bits of state; masks stand in for JavaScript's 32-bit integer arithmetic."""
    state = seed & MAX_U32

    def next_u32():
        nonlocal state
        state = (state + 0x6D2B79F5) & MAX_U32
        t = ((state ^ (state >> 15)) * (state | 1)) & MAX_U32
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & MAX_U32)) & MAX_U32) ^ t
        return (t ^ (t >> 14)) & MAX_U32

    return next_u32


class SeededRandom:
    def __init__(self, seed):
        self.u32 = mulberry32(seed)

    def float(self):
        return self.u32() / 4294967296

    def below(self, k):
        # Integer modulo, not float scaling, so both languages pick the same index without rounding doubt.
        return self.u32() % k


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def doubles_bytes(values):
    return struct.pack(f"<{len(values)}d", *values)


def seeded_floats(rng, n):
    return [rng.float() for _ in range(n)]


def seeded_bytes(rng, n):
    """n bytes: each u32 written little-endian, the last one cut short."""
    words = (n + 3) // 4
    return struct.pack(f"<{words}I", *(rng.u32() for _ in range(words)))[:n]


def seeded_word(rng):
    length = 2 + rng.below(8)
    return "".join(LETTERS[rng.below(26)] for _ in range(length))


def seeded_text(rng, n):
    """n characters of words drawn from a seeded vocabulary: compressible, and regex-friendly."""
    vocabulary = [seeded_word(rng) for _ in range(VOCABULARY_SIZE)]
    parts = []
    length = 0
    while length < n:
        word = vocabulary[rng.below(VOCABULARY_SIZE)]
        parts.append(word)
        parts.append("\n" if rng.below(16) == 0 else " ")
        length += len(word) + 1
    return "".join(parts)[:n]


def seeded_leaf(rng):
    kind = rng.below(4)
    if kind == 0:
        return rng.u32()
    if kind == 1:
        return seeded_word(rng)
    if kind == 2:
        return rng.below(2) == 1
    return None


def seeded_tree(rng, depth, breadth):
    """Objects on even levels, arrays on odd ones; integers and ASCII only, which both JSON libraries print alike."""
    if depth == 0:
        return seeded_leaf(rng)
    if depth % 2 == 1:
        return [seeded_tree(rng, depth - 1, breadth) for _ in range(breadth)]
    return {f"k{i}": seeded_tree(rng, depth - 1, breadth) for i in range(breadth)}


def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)


def sieve(n):
    composite = bytearray(n + 1)
    for i in range(2, int(n**0.5) + 1):
        if not composite[i]:
            composite[i * i :: i] = b"\x01" * len(range(i * i, n + 1, i))
    return [i for i in range(2, n + 1) if not composite[i]]


def multiply(a, b, n):
    """C = A·B, each element summed in ascending k from 0, the order the node lab uses too (not sum(),
    which compensates its rounding from python 3.12 on)."""
    c = []
    for i in range(n):
        row = [0.0] * n
        for k in range(n):
            aik = a[i * n + k]
            b_row = b[k * n : (k + 1) * n]
            row = [acc + aik * bkj for acc, bkj in zip(row, b_row)]
        c.extend(row)
    return c


def chained_sha256(data, rounds):
    digest = hashlib.sha256(data).digest()
    for _ in range(1, rounds):
        h = hashlib.sha256(digest)
        h.update(data)
        digest = h.digest()
    return digest.hex()


def compile_regex(pattern):
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise InvalidInput(f'field "args.pattern": not a valid regular expression ({exc})') from None


def json_text(value):
    return json.dumps(value, separators=(",", ":"))


def check_json(args):
    leaves = args["breadth"] ** args["depth"]
    if leaves > MAX_JSON_LEAVES:
        raise InvalidInput(
            f'field "args": depth {args["depth"]} and breadth {args["breadth"]} make {leaves} leaves; at most {MAX_JSON_LEAVES}'
        )


def compute_fibonacci(args, _input):
    value = fibonacci(args["n"])
    return value, sha256(str(value).encode())


def compute_primes(args, _input):
    primes = sieve(args["n"])
    return len(primes), sha256(",".join(map(str, primes)).encode())


def compute_matmul(args, matrices):
    a, b = matrices
    return None, sha256(doubles_bytes(multiply(a, b, args["n"])))


def compute_sort(_args, values):
    return None, sha256(doubles_bytes(sorted(values)))


def compute_regex(_args, prepared):
    regex, text = prepared
    matches = [m.group(0) for m in regex.finditer(text)]
    return len(matches), sha256("\n".join(matches).encode())


def compute_json(args, tree):
    text = json_text(tree)
    for _ in range(args["rounds"]):
        text = json_text(json.loads(text))
    return len(text), sha256(text.encode())


def compute_compression(args, data):
    # The digest covers the restored data: deflate's bytes differ between Node's zlib and python's.
    packed = zlib.compress(data, args["level"])
    restored = zlib.decompress(packed)
    if restored != data:
        raise RuntimeError("compression: inflate did not restore the input")
    return len(packed), sha256(restored)


def integer(fallback, low, high):
    return {"kind": "integer", "fallback": fallback, "min": low, "max": high}


def string(fallback):
    return {"kind": "string", "fallback": fallback}


# Each kernel: its arguments, whether it draws inputs from the seed, `prepare` (input generation,
# timed apart) and `compute` (the timed work, returning a value or None, and a digest).
KERNELS = {
    "fibonacci": {"args": {"n": integer(25, 0, 40)}, "seeded": False, "compute": compute_fibonacci},
    "primes": {"args": {"n": integer(100_000, 2, 50_000_000)}, "seeded": False, "compute": compute_primes},
    "matmul": {
        "args": {"n": integer(64, 1, 1000)},
        "seeded": True,
        "prepare": lambda args, rng: (seeded_floats(rng, args["n"] ** 2), seeded_floats(rng, args["n"] ** 2)),
        "compute": compute_matmul,
    },
    "sort": {
        "args": {"n": integer(100_000, 1, 20_000_000)},
        "seeded": True,
        "prepare": lambda args, rng: seeded_floats(rng, args["n"]),
        "compute": compute_sort,
    },
    "hash": {
        "args": {"n": integer(65_536, 1, 64 * 1024 * 1024), "rounds": integer(16, 1, 100_000)},
        "seeded": True,
        "prepare": lambda args, rng: seeded_bytes(rng, args["n"]),
        "compute": lambda args, data: (None, chained_sha256(data, args["rounds"])),
    },
    "regex": {
        "args": {"n": integer(100_000, 1, 20_000_000), "pattern": string(DEFAULT_PATTERN)},
        "seeded": True,
        "prepare": lambda args, rng: (compile_regex(args["pattern"]), seeded_text(rng, args["n"])),
        "compute": compute_regex,
    },
    "json": {
        "args": {"depth": integer(4, 1, 8), "breadth": integer(6, 1, 50), "rounds": integer(3, 1, 1000)},
        "seeded": True,
        "check": check_json,
        "prepare": lambda args, rng: seeded_tree(rng, args["depth"], args["breadth"]),
        "compute": compute_json,
    },
    "compression": {
        "args": {"n": integer(262_144, 1, 64 * 1024 * 1024), "level": integer(6, 0, 9)},
        "seeded": True,
        "prepare": lambda args, rng: seeded_text(rng, args["n"]).encode("latin-1"),
        "compute": compute_compression,
    },
}


def is_integer(value):
    # JSON's 64.0 arrives as a float here but as an integer in JavaScript: accept it alike.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def read_argument(key, spec, raw, present):
    if not present:
        return spec["fallback"]
    if spec["kind"] == "string":
        if not isinstance(raw, str):
            raise InvalidInput(f'field "args.{key}": expected a string, got {show(raw)}')
        return raw
    if not is_integer(raw) or not spec["min"] <= raw <= spec["max"]:
        raise InvalidInput(f'field "args.{key}": expected an integer from {spec["min"]} to {spec["max"]}, got {show(raw)}')
    return int(raw)


def read_arguments(name, specs, raw):
    if not isinstance(raw, dict):
        raise InvalidInput(f'field "args": expected an object of arguments for kernel {name}, got {show(raw)}')
    for key in raw:
        if key not in specs:
            raise InvalidInput(f'field "args.{key}": unknown argument for kernel {name}; expected {", ".join(specs)}')
    return {key: read_argument(key, spec, raw.get(key), key in raw) for key, spec in specs.items()}


def read_seed(event):
    if "seed" not in event:
        return 42
    seed = event["seed"]
    if not is_integer(seed) or not 0 <= seed <= MAX_U32:
        raise InvalidInput(f'field "seed": expected an integer from 0 to {MAX_U32}, got {show(seed)}')
    return int(seed)


def run_kernel(event):
    """Runs {run_function, args, seed}: returns the kernel's digest, its value if it has one, and timings."""
    name = event.get("run_function")
    if not isinstance(name, str) or name not in KERNELS:
        raise InvalidInput(f'field "run_function": unknown kernel {show(name)}; expected one of {", ".join(KERNELS)}')
    kernel = KERNELS[name]
    args = read_arguments(name, kernel["args"], event.get("args", {}))
    if "check" in kernel:
        kernel["check"](args)
    seed = read_seed(event)
    t0 = time.perf_counter()
    prepared = kernel["prepare"](args, SeededRandom(seed)) if "prepare" in kernel else None
    t1 = time.perf_counter()
    value, digest = kernel["compute"](args, prepared)
    t2 = time.perf_counter()
    result = {"kernel": name, "args": args, "seed": seed if kernel["seeded"] else None}
    if value is not None:
        result["value"] = value
    result.update({"result_digest": digest, "setup_ms": (t1 - t0) * 1000, "compute_ms": (t2 - t1) * 1000})
    return result
