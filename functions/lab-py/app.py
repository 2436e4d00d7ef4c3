# The lab function (after faas-benchmarker): sleeps, computes and invokes nested functions as the
# event asks, and answers with a tree of nodes saying which instance served each call, whether it
# was cold, and when it ran. `run_function` switches to monolith mode (lab_kernels.py).
# The same events and answers as ../lab-node; standard library only.
import itertools
import json
import math
import os
import time

from lab_errors import MISSING, InvalidInput, show

LAB_FIELDS = ("sleep", "throughput_time", "invoke_nested")
MONOLITH_FIELDS = ("run_function", "args", "seed")
NESTED_FIELDS = ("function_name", "invoke_payload")
# Iterations between clock reads in the throughput loop: reading the clock costs more than one.
THROUGHPUT_BATCH = 100


def process_age_s():
    """Seconds since this process started, from /proc (10 ms resolution); 0 where there is no /proc."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rpartition(")")[2].split()  # the command name may hold spaces
        with open("/proc/uptime") as f:
            since_boot_s = float(f.read().split()[0])
        return max(0.0, since_boot_s - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def cgroup_leaf():
    try:
        with open("/proc/self/cgroup") as f:
            lines = [line.split(":", 2) for line in f.read().splitlines() if line]
    except OSError:
        return ""
    memory = [path for _, controllers, path in lines if "memory" in controllers.split(",")]
    unified = [path for hid, controllers, path in lines if hid == "0" and controllers == ""]
    path = (memory or unified or [""])[0]
    segments = [s for s in path.split("/") if s]
    return segments[-1] if segments else ""


def instance_identifier():
    """The instance's id: the last segment of its memory cgroup (cgroup v1) or unified cgroup (v2) in
    /proc/self/cgroup: the instance id on the local platform, and the sandbox's name wherever each
    sandbox gets a cgroup of its own. Where that path is the root (a microVM per instance, as on
    Lambda today), the boot id names the VM; the hostname is added for hosts that share a kernel."""
    leaf = cgroup_leaf()
    if leaf:
        return leaf
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot_id = f.read().strip()
    except OSError:
        boot_id = "no-boot-id"
    return f"{boot_id}-{os.uname().nodename}"


PROCESS_START = time.monotonic() - process_age_s()
IDENTIFIER = instance_identifier()
# next() on a count is atomic in CPython, so only one of several concurrent first calls is cold.
INVOCATIONS = itertools.count()
lambda_client = None


def now_ms():
    return time.time() * 1000


def handler(event, context):
    start = now_ms()
    head = {
        "function_name": getattr(context, "function_name", None) or os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "identifier": IDENTIFIER,
        "cold": next(INVOCATIONS) == 0,
        "uptime": time.monotonic() - PROCESS_START,
        "start": start,
    }
    request = read_event({} if event is None else event)
    if "monolith" in request:
        from lab_kernels import run_kernel

        result = run_kernel(request["monolith"])
        return {**head, "end": now_ms(), **result}
    check_time_budget(request, context)
    work = {}
    if request["sleep"] is not None:
        t0 = time.perf_counter()
        time.sleep(request["sleep"])
        work.update(sleep=request["sleep"], sleep_time=time.perf_counter() - t0)
    if request["throughput_time"] is not None:
        work.update(compute_for(request["throughput_time"]))
    nested = invoke_all(request["nested"])
    return {**head, "end": now_ms(), **work, "nested": nested}


def read_event(event):
    if not isinstance(event, dict):
        raise InvalidInput(f"the event must be a JSON object, got {show(event)}")
    monolith = "run_function" in event
    for key in event:
        if monolith and key in LAB_FIELDS:
            raise InvalidInput(f'field "{key}": cannot be combined with run_function (monolith mode runs one kernel alone)')
        if key not in LAB_FIELDS and key not in MONOLITH_FIELDS:
            raise InvalidInput(f'field "{key}": not a lab field; expected {", ".join(LAB_FIELDS)}, or run_function with args and seed')
        if not monolith and key in MONOLITH_FIELDS:
            raise InvalidInput(f'field "{key}": only used with run_function')
    if monolith:
        return {"monolith": event}
    return {
        "sleep": read_seconds(event, "sleep"),
        "throughput_time": read_seconds(event, "throughput_time"),
        "nested": read_nested(event.get("invoke_nested", MISSING)),
    }


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_seconds(event, key):
    if key not in event:
        return None
    value = event[key]
    if not is_number(value) or value < 0:
        raise InvalidInput(f'field "{key}": expected a number of seconds >= 0, got {show(value)}')
    return value


def check_time_budget(request, context):
    """Work that cannot end before the timeout is bad input, not a reason to lose the instance."""
    sleep, throughput = request["sleep"] or 0, request["throughput_time"] or 0
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    left_s = remaining() / 1000 if remaining else math.inf
    if sleep + throughput <= left_s:
        return
    names = [name for name, value in (('"sleep"', sleep), ('"throughput_time"', throughput)) if value]
    raise InvalidInput(
        f'{"fields" if len(names) > 1 else "field"} {" and ".join(names)}: {sleep + throughput} s of work '
        f"does not fit in the {left_s:.1f} s left before the function times out"
    )


def read_nested(items):
    if items is MISSING:
        return []
    if not isinstance(items, list):
        raise InvalidInput(f'field "invoke_nested": expected a list of {{function_name, invoke_payload}}, got {show(items)}')
    calls = []
    for i, item in enumerate(items):
        at = f"invoke_nested[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f'field "{at}": expected {{function_name, invoke_payload}}, got {show(item)}')
        for key in item:
            if key not in NESTED_FIELDS:
                raise InvalidInput(f'field "{at}.{key}": unknown; expected {", ".join(NESTED_FIELDS)}')
        name = item.get("function_name", MISSING)
        payload = item.get("invoke_payload", {})
        if not isinstance(name, str) or name == "":
            raise InvalidInput(f'field "{at}.function_name": expected a function name, got {show(name)}')
        if not isinstance(payload, dict):
            raise InvalidInput(f'field "{at}.invoke_payload": expected an object (the nested function\'s event), got {show(payload)}')
        calls.append((name, payload))
    return calls


def compute_for(seconds):
    """Busy arithmetic for `seconds` of wall time; the count is comparable within one language only."""
    cpu_before = time.process_time()
    t0 = time.perf_counter()
    until = t0 + seconds
    count = 0
    x = 1.0
    while time.perf_counter() < until:
        for i in range(THROUGHPUT_BATCH):
            x = math.sqrt(x * 1.000001 + i)
        count += THROUGHPUT_BATCH
    return {
        "throughput": count,
        "throughput_time": time.perf_counter() - t0,
        "throughput_process_time": time.process_time() - cpu_before,
    }


def invoke_all(calls):
    """The children, concurrently, in the order asked. Their clients load here, on first use, so a
    lab that nests nothing does not pay for them on its cold start."""
    if not calls:
        return []
    if not os.environ.get("FAASBENCH_INVOKE_URL"):
        aws_lambda()  # boto3 builds clients unsafely across threads: build it before them
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(invoke_nested, calls))


def invoke_nested(call):
    """One child's tree, or a node carrying the error that kept it from giving one."""
    name, payload = call
    try:
        base = os.environ.get("FAASBENCH_INVOKE_URL")
        outcome = invoke_local(base, name, payload) if base else invoke_aws(name, payload)
        if "error" in outcome:
            return {"function_name": name, "error": outcome["error"], "nested": []}
        return json.loads(outcome["payload"])
    except Exception as exc:  # a child that cannot be reached is reported in the tree, not raised
        return {"function_name": name, "error": {"errorType": type(exc).__name__, "errorMessage": str(exc)}, "nested": []}


def invoke_local(base, name, payload):
    """Through the local platform's Lambda API, one connection per call."""
    import http.client
    from urllib.parse import quote, urlsplit

    url = urlsplit(base)
    headers = {"Content-Type": "application/json"}
    token = os.environ.get("FAASBENCH_INVOKE_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # As the AWS SDK does inside Lambda: the invocation's trace passed on, so the child joins it.
    trace = os.environ.get("_X_AMZN_TRACE_ID")
    if trace:
        headers["X-Amzn-Trace-Id"] = trace
    path = f"{url.path.rstrip('/')}/2015-03-31/functions/{quote(name, safe='')}/invocations"
    connection = http.client.HTTPConnection(url.hostname, url.port or 80)
    try:
        connection.request("POST", path, json.dumps(payload).encode(), headers)
        response = connection.getresponse()
        text = response.read().decode()
        return lambda_outcome(response.status, response.getheader("x-amzn-errortype"), response.getheader("x-amz-function-error"), text)
    finally:
        connection.close()


def parse_or_empty(text):
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def lambda_outcome(status, api_error, function_error, text):
    """The API refused the call (status), or the function failed (X-Amz-Function-Error), or its payload."""
    body = parse_or_empty(text)
    if status != 200:
        return {"error": {"errorType": api_error or f"HTTP {status}", "errorMessage": body.get("Message") or body.get("message") or text}}
    if function_error:
        return {"error": {"errorType": body.get("errorType") or function_error, "errorMessage": body.get("errorMessage") or text}}
    return {"payload": text}


def aws_lambda():
    """On Lambda, where boto3 is part of the runtime: imported only on this path, never locally."""
    global lambda_client
    if lambda_client is None:
        import boto3

        lambda_client = boto3.client("lambda")
    return lambda_client


def invoke_aws(name, payload):
    out = aws_lambda().invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    text = out["Payload"].read().decode()
    if "FunctionError" not in out:
        return {"payload": text}
    body = parse_or_empty(text)
    return {"error": {"errorType": body.get("errorType") or out["FunctionError"], "errorMessage": body.get("errorMessage") or text}}
