# The `io` command: dd if=/dev/urandom of=<temp file> bs=SIZE count=CNT oflag=dsync conv=fdatasync,
# without dd, so it runs where no dd binary is shipped.
import os
import re
import tempfile
import time
import uuid

from .args import CommandFailed

IO_FILE_PREFIX = "faasbench-measure-io-"

_UNITS = {"": 1, "kB": 1000, "K": 1024, "MB": 1000**2, "M": 1024**2, "GB": 1000**3, "G": 1024**3}
_SIZE = re.compile(r"^([1-9][0-9]*)(kB|K|MB|M|GB|G)?$")
_SI_PREFIXES = ["k", "M", "G", "T", "P", "E"]


def parse_size(value):
    """dd's block sizes: plain bytes, kB/MB/GB (powers of 1000), K/M/G (powers of 1024). None if not one."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    match = _SIZE.match(value) if isinstance(value, str) else None
    return int(match.group(1)) * _UNITS[match.group(2) or ""] if match else None


def format_rate(bytes_per_second):
    """A rate as dd prints it (coreutils' human_readable, SI, autoscaled): at least kB, one decimal
    below 100, none from 100. The leading space is kept because faas_measure recorded dd's output
    split at commas, and results stay comparable with its data."""
    if bytes_per_second == float("inf"):
        return " Infinity B/s"
    scaled = bytes_per_second / 1000
    exponent = 0
    while scaled >= 1000 and exponent < len(_SI_PREFIXES) - 1:
        scaled /= 1000
        exponent += 1
    digits = "%.1f" % scaled
    if len(digits) > 4:
        digits = "%.0f" % scaled
    return f" {digits} {_SI_PREFIXES[exponent]}B/s"


def _write_round(path, size, cnt):
    """One round: `cnt` blocks of fresh random bytes, each made durable before the next is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        start = time.perf_counter()
        for _ in range(cnt):
            block = memoryview(os.urandom(size))
            while block:
                block = block[os.write(fd, block):]
            os.fdatasync(fd)
        seconds = time.perf_counter() - start
    finally:
        os.close(fd)
    return {"time": seconds, "speed": format_rate(size * cnt / seconds if seconds > 0 else float("inf"))}


def io(args):
    path = os.path.join(tempfile.gettempdir(), f"{IO_FILE_PREFIX}{uuid.uuid4()}")
    rounds = []
    try:
        for _ in range(args["rd"]):
            rounds.append(_write_round(path, args["size"], args["cnt"]))
    except OSError as err:
        raise CommandFailed(f"io: writing {path} failed in round {len(rounds) + 1}: {err.strerror or err}") from err
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return rounds
