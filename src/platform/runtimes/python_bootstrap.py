# The python runtime: a Lambda Runtime API client that imports _HANDLER from LAMBDA_TASK_ROOT and
# serves invocations. Standard library only, and few modules: every import here is paid on every
# cold start (http.client alone costs more than the rest of this file), so the client speaks the
# little HTTP/1.1 the Runtime API needs over a socket.
import importlib
import json
import os
import socket
import sys
import time

ENV = os.environ
API = ENV.get("AWS_LAMBDA_RUNTIME_API", "")
HOST_PORT, _, PREFIX = API.partition("/")
HOST, _, PORT = HOST_PORT.partition(":")
BASE = ("/" + PREFIX if PREFIX else "") + "/2018-06-01/runtime"
CONCURRENCY = max(1, int(ENV.get("AWS_LAMBDA_MAX_CONCURRENCY", "1")))


class Client:
    """One keep-alive connection; each serving thread owns one."""

    def __init__(self):
        self.sock = socket.create_connection((HOST, int(PORT)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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

    def post(self, route, value, error_type=None):
        body = json.dumps(value).encode()
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        return self.call("POST", route, body, headers)


class Context:
    def __init__(self, headers):
        self.function_name = ENV.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = ENV.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.memory_limit_in_mb = int(ENV.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.log_group_name = ENV.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = ENV.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def error_body(exc, error_type=None):
    import traceback  # only on the error path: it pulls in linecache and tokenize

    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def load_handler():
    module_name, _, fn_name = ENV.get("_HANDLER", "").rpartition(".")
    sys.path.insert(0, ENV.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:  # any failure while importing user code is an init error
        raise InitError(error_body(exc, "Runtime.ImportModuleError"))
    fn = getattr(module, fn_name, None)
    if not callable(fn):
        raise InitError({"errorMessage": f"Handler '{fn_name}' missing on module '{module_name}'",
                         "errorType": "Runtime.HandlerNotFound", "stackTrace": []})
    return fn


class InitError(Exception):
    def __init__(self, body):
        super().__init__(body["errorMessage"])
        self.body = body


def serve(handler):
    client = Client()
    while True:
        _, headers, body = client.call("GET", "/invocation/next")
        request_id = headers.get("lambda-runtime-aws-request-id")
        try:
            event = json.loads(body) if body else {}
            result = handler(event, Context(headers))
            client.post(f"/invocation/{request_id}/response", result)
        except Exception as exc:  # a handler's exception is the function error Lambda reports
            err = error_body(exc)
            print(f"[ERROR] {err['errorType']}: {err['errorMessage']}", file=sys.stderr, flush=True)
            client.post(f"/invocation/{request_id}/error", err, err["errorType"])


def main():
    try:
        handler = load_handler()
    except InitError as exc:
        Client().post("/init/error", exc.body, exc.body["errorType"])
        sys.exit(1)
    if CONCURRENCY > 1:
        import threading

        for _ in range(CONCURRENCY - 1):
            threading.Thread(target=serve, args=(handler,), daemon=True).start()
    serve(handler)


main()
