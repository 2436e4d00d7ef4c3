/**
 * The part of a generated Node.js entry point that is Lambda's runtime as a handler sees it: the
 * context object, both handler styles (async, callback), an error as Lambda's JSON. The
 * gcp-functions and azure-functions entry points (gcp-entry-node.ts, azure-entry-node.ts) put it
 * in their source; it reads the FUNCTION_NAME, MEMORY_MB, INSTANCE_ID and TIMEOUT_MS constants
 * they define.
 */
export const LAMBDA_SHIM_NODE = String.raw`function lambdaContext(requestId, startedAt) {
  return {
    awsRequestId: requestId,
    functionName: FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: String(MEMORY_MB),
    invokedFunctionArn: FUNCTION_NAME,
    logGroupName: FUNCTION_NAME,
    logStreamName: INSTANCE_ID,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, startedAt + TIMEOUT_MS - Date.now()),
  };
}

/** Calls a handler written either way Lambda accepts: async, or with a callback as third argument. */
function callHandler(fn, event, context) {
  if (fn.length < 3) return Promise.resolve().then(() => fn(event, context));
  return new Promise((resolve, reject) => {
    const done = (err, result) => (err ? reject(err) : resolve(result));
    Promise.resolve(fn(event, context, done)).then((r) => (r === undefined ? undefined : resolve(r)), reject);
  });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack ?? '').split('\n') };
}

`;
