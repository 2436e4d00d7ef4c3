# The python runtime (started by python_bootstrap.py): a Lambda Runtime API client that imports
# _HANDLER from LAMBDA_TASK_ROOT and serves invocations as AWS's client (awslambdaric) does: its
# context, error bodies, logging setup. Standard library only, and few modules: every import here
# is paid on every cold start (http.client alone costs more than the rest of this file), so the
# client speaks the little HTTP/1.1 the Runtime API needs over a socket (the platform's channel at
# `--runtime-fd=N` first, then TCP), and what only some
# functions use (logging, the context's client and identity objects, tracebacks) is set up when
# first used.
import importlib
import json
import os
import socket
import sys
import time
from _thread import get_ident

ENV = os.environ
API = ENV.get("AWS_LAMBDA_RUNTIME_API", "")
HOST_PORT, _, PREFIX = API.partition("/")
HOST, _, PORT = HOST_PORT.partition(":")
BASE = ("/" + PREFIX if PREFIX else "") + "/2018-06-01/runtime"
CONCURRENCY = max(1, int(ENV.get("AWS_LAMBDA_MAX_CONCURRENCY", "1")))
# The request each serving thread is on, for the request id in log records.
REQUEST_IDS = {}




def _channel_fd():
    """The platform's private channel to this instance's Runtime API (`--runtime-fd=N`), or None."""
    for arg in sys.argv[1:]:
        if arg.startswith("--runtime-fd="):
            fd = arg[len("--runtime-fd="):]
            return int(fd) if fd.isdigit() and int(fd) > 2 else None
    return None


# Taken by the first client: a socket pair the platform made at spawn, so no TCP connection to open
# and no check of who connected on the cold start. Further clients (one per thread) use TCP.
_CHANNEL = [_channel_fd()]


class Client:
    """One keep-alive connection; each serving thread owns one."""

    def __init__(self):
        fd = _CHANNEL.pop() if _CHANNEL else None
        if fd is None:
            self.sock = socket.create_connection((HOST, int(PORT)))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            self.sock = socket.socket(fileno=fd)
        self.reader = self.sock.makefile("rb")

    def call(self, method, route, body=None, headers=None):
        body = body or b""
        head = f"{method} {BASE}{route} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nContent-Length: {len(body)}\r\n"
        for key, value in (headers or {}).items():
            head += f"{key}: {value}\r\n"
        self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        status = int(self.reader.readline().split(b" ", 2)[1])
        response_headers = {}
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            key, _, value = line.decode("latin-1").partition(":")
            response_headers[key.strip().lower()] = value.strip()
        # The platform always sends Content-Length; chunked bodies never reach this client.
        length = int(response_headers.get("content-length", "0"))
        return status, response_headers, self.reader.read(length) if length else b""

    def post(self, route, body, content_type="application/json", error_type=None):
        headers = {"Content-Type": content_type}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        return self.call("POST", route, body, headers)


class Context:
    """The context awslambdaric hands a handler (its lambda_context.py), same names and types."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.log_group_name = ENV.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = ENV.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = ENV.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = ENV.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = ENV.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self._headers = headers
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))

    # Built on first use: few handlers read them, and most calls carry neither header.
    @property
    def client_context(self):
        value = self._headers.get("lambda-runtime-client-context")
        if not value:
            return None
        data = json.loads(value)
        context = _record("ClientContext", ("custom", "env", "client"), data)
        context.client = _record("Client", ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"), context.client)
        return context

    @property
    def identity(self):
        value = self._headers.get("lambda-runtime-cognito-identity")
        data = json.loads(value) if value else {}
        identity = _record("CognitoIdentity", ("cognito_identity_id", "cognito_identity_pool_id"), {})
        identity.cognito_identity_id = data.get("cognitoIdentityId")
        identity.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")
        return identity

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


_RECORDS = {}


def _record(name, fields, data):
    """An object with exactly `fields` (None where `data` lacks one), or None for no data."""
    if data is None:
        return None
    cls = _RECORDS.get(name)
    if cls is None:
        cls = _RECORDS[name] = type(name, (), {"__slots__": fields, "__repr__": lambda self: f"{name}([{','.join(f'{f}={getattr(self, f)}' for f in fields)}])"})
    obj = cls()
    for field in fields:
        setattr(obj, field, data.get(field))
    return obj


class Fault(Exception):
    """An error of the runtime's own (Runtime.*), with awslambdaric's message and trace."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.trace = trace or []


def error_body(exc, request_id=""):
    if isinstance(exc, Fault):
        return {"errorMessage": str(exc), "errorType": exc.error_type, "requestId": request_id, "stackTrace": exc.trace}
    import traceback  # only on the error path: it pulls in linecache and tokenize

    # Without this file's own frames, as awslambdaric leaves out its bootstrap's.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id, "stackTrace": traceback.format_list(traceback.extract_tb(tb))}


def log_error(err):
    """awslambdaric's error line: one record, its lines joined by carriage returns."""
    lines = [f"[ERROR] {err['errorType']}: {err['errorMessage']}" if err["errorMessage"] else f"[ERROR] {err['errorType']}", "Traceback (most recent call last):"]
    for entry in err["stackTrace"]:
        # Leading spaces as no-break spaces, which log viewers keep.
        lines += [line[: len(line) - len(line.lstrip(" "))].replace(" ", "\u00a0") + line.lstrip(" ") for line in entry.splitlines()] or [""]
    sys.stdout.write("\r".join(lines) + "\n")


def _json_default(obj):
    # boto3 hands DynamoDB numbers over as Decimal, which awslambdaric's encoder writes as numbers.
    if type(obj).__name__ == "Decimal":
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


# awslambdaric writes non-ASCII characters as they are from python3.12 on, escaped before.
ENCODER = json.JSONEncoder(default=_json_default, ensure_ascii=sys.version_info < (3, 12))


def marshal(result):
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return ENCODER.encode(result).encode(), "application/json"
    except Exception as exc:  # anything json cannot write: awslambdaric's MarshalError
        raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}")


def load_handler():
    handler = ENV.get("_HANDLER", "")
    sys.path.insert(0, ENV.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        module_name, fn_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}")
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except SyntaxError as exc:
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}'])
    fn = getattr(module, fn_name, None)
    if fn is None:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{fn_name}' missing on module '{module_name}'")
    return fn


class LambdaLogging:
    """
    Sets up the root logger as awslambdaric does (a handler writing `[LEVEL]\\ttime\\trequest
    id\\tmessage`, the level from AWS_LAMBDA_LOG_LEVEL, else logging's WARNING) the moment the
    function first imports logging: before its own code can log or call basicConfig, which on
    Lambda then finds a handler in place, and without the cost of logging for functions that
    never use it.
    """

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(LambdaLogging)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None:
                spec.loader = LambdaLogging.Loader(spec.loader)
                return spec
        return None

    class Loader:
        def __init__(self, loader):
            self.loader = loader

        def __getattr__(self, name):
            return getattr(self.loader, name)

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            self.loader.exec_module(module)
            setup_logging(module)


def setup_logging(logging):
    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            try:
                record.aws_request_id = REQUEST_IDS.get(get_ident(), "")
                sys.stdout.write(self.format(record))
            except Exception:  # logging's own contract: a failing handler reports, never raises
                self.handleError(record)

    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    level = {"TRACE": "DEBUG"}.get(ENV.get("AWS_LAMBDA_LOG_LEVEL", "").upper(), ENV.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    root = logging.getLogger()
    if level in logging._nameToLevel:
        root.setLevel(level)
    root.addHandler(handler)


def serve(handler, client):
    thread = get_ident()
    while True:
        _, headers, body = client.call("GET", "/invocation/next")
        request_id = headers.get("lambda-runtime-aws-request-id")
        REQUEST_IDS[thread] = request_id
        # As awslambdaric does: the invocation's trace for the X-Ray SDK, which reads it from here.
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            ENV["_X_AMZN_TRACE_ID"] = trace
        else:
            ENV.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(body) if body else {}
            result, content_type = marshal(handler(event, Context(headers)))
        except Exception as exc:  # a handler's exception is the function error Lambda reports
            err = error_body(exc, request_id)
            log_error(err)
            client.post(f"/invocation/{request_id}/error", json.dumps(err).encode(), error_type=err["errorType"])
        else:
            client.post(f"/invocation/{request_id}/response", result, content_type)


def main():
    if "logging" in sys.modules:  # imported already (a sitecustomize): set up now
        setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, LambdaLogging)
    try:
        handler = load_handler()
    except Exception as exc:  # any failure while loading user code is an init error
        err = error_body(exc)
        log_error(err)
        Client().post("/init/error", json.dumps(err).encode(), error_type=err["errorType"])
        sys.exit(1)
    # Every connection is open before any serves: the main loop's is the channel, the others TCP.
    clients = [Client() for _ in range(CONCURRENCY)]
    if CONCURRENCY > 1:
        import threading

        for client in clients[1:]:
            threading.Thread(target=serve, args=(handler, client), daemon=True).start()
    serve(handler, clients[0])

