/**
 * Lambda's Invoke: RequestResponse, Event and DryRun, on `$LATEST`, a version or an alias, with
 * the headers Lambda answers (X-Amz-Executed-Version, X-Amz-Function-Error, X-Amz-Log-Result).
 */
import { FaasbenchError, isFaasbenchError } from '../core/errors.ts';
import { callerSpanContext } from '../spans/trace-context.ts';
import { checkClientContext } from './client-context.ts';
import { groundTruthHeaders } from './ground-truth.ts';
import { readBody, parseJsonBody } from './http-io.ts';
import { logTail } from './lambda-log.ts';
import { sendLambdaError } from './lambda-errors.ts';
import type { ResponseSink } from './invocation.ts';
import { MAX_PAYLOAD_BYTES, type InvocationType, type InvokeOptions } from './platform-api.ts';
import { invokeComplete, payloadChunk } from './response-event-stream.ts';
import type { RouteContext } from './route-context.ts';

export async function invoke({ platform, req, res, name, url, requestId }: RouteContext): Promise<void> {
  const type = invocationType(req.headers['x-amz-invocation-type']);
  const payload = await readBody(req, MAX_PAYLOAD_BYTES);
  parseJsonBody(payload, 'request body');
  const options = { ...callOptions(req, url, requestId), type };
  const result = await platform.invoke(name, payload.length ? payload : Buffer.from('{}'), options).catch((err: unknown) => {
    // Lambda answers an Event payload over its 1 MB limit as RequestEntityTooLargeException.
    if (type === 'Event' && isFaasbenchError(err, 'RequestTooLarge')) return err;
    throw err;
  });
  if (result instanceof FaasbenchError) {
    sendLambdaError(res, result, 'RequestEntityTooLargeException');
    return;
  }
  if (!result) {
    res.writeHead(type === 'Event' ? 202 : 204).end();
    return;
  }
  const headers: Record<string, string> = { ...groundTruthHeaders(result), 'x-amz-executed-version': result.executedVersion };
  if (result.outcome.kind === 'function-error') headers['x-amz-function-error'] = 'Unhandled';
  if (req.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = logTail(result.log);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': result.outcome.payload.length, ...headers });
  res.end(result.outcome.payload);
}

/**
 * InvokeWithResponseStream: the response as an event stream, each chunk sent on as the runtime
 * streams it (a function that does not stream arrives as one chunk), then InvokeComplete with the
 * error, if any, and the log tail when asked.
 */
export async function invokeWithResponseStream({ platform, req, res, name, url, requestId }: RouteContext): Promise<void> {
  const type = invocationType(req.headers['x-amz-invocation-type']);
  if (type === 'Event') throw new FaasbenchError('InvalidParameterValue', 'header X-Amz-Invocation-Type: InvokeWithResponseStream takes RequestResponse or DryRun');
  const payload = await readBody(req, MAX_PAYLOAD_BYTES);
  parseJsonBody(payload, 'request body');
  let started = false;
  const begin = (version: string): void => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amz-executed-version': version });
  };
  const stream: ResponseSink = { start: (_contentType, version) => begin(version), chunk: (bytes) => void res.write(payloadChunk(bytes)) };
  const result = await platform.invoke(name, payload.length ? payload : Buffer.from('{}'), { ...callOptions(req, url, requestId), type, stream });
  if (!result) {
    res.writeHead(204).end();
    return;
  }
  begin(result.executedVersion);
  const { outcome } = result;
  if (outcome.kind === 'success' && outcome.payload.length > 0) res.write(payloadChunk(outcome.payload));
  const failed = outcome.kind === 'function-error' ? { ErrorCode: outcome.errorType, ErrorDetails: outcome.payload.toString('utf8') } : {};
  const tail = req.headers['x-amz-log-type'] === 'Tail' ? { LogResult: logTail(result.log) } : {};
  res.end(invokeComplete({ ...failed, ...tail }));
}

/** What every invoke takes from the request besides its type and body. */
function callOptions(req: RouteContext['req'], url: URL, requestId: string): InvokeOptions {
  const clientContext = header(req.headers['x-amz-client-context']);
  checkClientContext(clientContext);
  const traceId = header(req.headers['x-amzn-trace-id']);
  const qualifier = url.searchParams.get('Qualifier') ?? undefined;
  const caller = callerSpanContext(req.headers);
  return { requestId, ...(clientContext ? { clientContext } : {}), ...(traceId ? { traceId } : {}), ...(qualifier ? { qualifier } : {}), ...(caller ? { caller } : {}) };
}

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function invocationType(value: string | string[] | undefined): InvocationType {
  if (value === undefined) return 'RequestResponse';
  if (value === 'RequestResponse' || value === 'Event' || value === 'DryRun') return value;
  throw new FaasbenchError('InvalidParameterValue', `header X-Amz-Invocation-Type: expected RequestResponse, Event or DryRun, got "${String(value)}"`);
}
