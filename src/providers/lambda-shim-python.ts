/**
 * The part of a generated Python entry point that is Lambda's runtime as a handler sees it: the
 * handler loaded once (a load failure kept to answer every call), the context object, an error as
 * Lambda's JSON. The gcp-functions and azure-functions entry points (gcp-entry-python.ts,
 * azure-entry-python.ts) put it in their source; it reads the HANDLER, FUNCTION_NAME, MEMORY_MB,
 * INSTANCE_ID, TIMEOUT_MS and _LOAD_STARTED names they define.
 */
export const LAMBDA_SHIM_PYTHON = String.raw`def _load_handler():
    module_name, _, attr = HANDLER.rpartition(".")
    module = importlib.import_module(module_name.replace("/", "."))
    return getattr(module, attr)


# A load failure answers every call with it, as Lambda does, instead of stopping.
try:
    _handler, _load_error = _load_handler(), None
except Exception as err:  # noqa: BLE001
    _handler, _load_error = None, err
INIT_MS = (time.perf_counter() - _LOAD_STARTED) * 1000
_calls = 0


class LambdaContext:
    def __init__(self, request_id, started):
        self.aws_request_id = request_id
        self.function_name = FUNCTION_NAME
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = str(MEMORY_MB)
        self.invoked_function_arn = FUNCTION_NAME
        self.log_group_name = FUNCTION_NAME
        self.log_stream_name = INSTANCE_ID
        self._deadline = started + TIMEOUT_MS / 1000

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.time()) * 1000))


def _error_body(err):
    return {"errorType": type(err).__name__, "errorMessage": str(err), "stackTrace": traceback.format_exception(err)}
`;
