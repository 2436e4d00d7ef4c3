/**
 * A function URL with InvokeMode RESPONSE_STREAM: the response goes to the client as the function
 * streams it. A function that wrote with `awslambda.HttpResponseStream.from(stream, prelude)` sends
 * its status, headers and cookies first (JSON, then eight NUL bytes); anything else is a 200 with
 * the stream's content type. A function that does not stream is answered whole, as BUFFERED is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationResult, ResponseSink } from './invocation.ts';
import type { InvokeOptions } from './platform-api.ts';

export const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
const SEPARATOR = Buffer.alloc(8);

/** What a streamed URL call needs, given by function-url-serve.ts (which owns the URL's shapes). */
export interface StreamedUrlCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly invoke: (options: InvokeOptions) => Promise<InvocationResult | null>;
  /** Headers every answer carries (CORS, request id, trace id). */
  readonly headers: Record<string, string>;
  /** Answers a result that was not streamed, as BUFFERED would. */
  readonly whole: (result: InvocationResult) => void;
  /** Answers a refused call (throttle, function gone) before anything was sent. */
  readonly refused: (err: FaasbenchError) => void;
}

export async function respondStreamed(call: StreamedUrlCall): Promise<void> {
  const { res } = call;
  let prelude: Buffer | null = null;
  let started = false;
  const begin = (status: number, headers: Record<string, string | string[]>): void => {
    started = true;
    res.writeHead(status, { ...headers, ...call.headers });
  };
  const stream: ResponseSink = {
    start(contentType) {
      if (contentType === HTTP_INTEGRATION) prelude = Buffer.alloc(0);
      else begin(200, { 'content-type': contentType });
    },
    chunk(bytes) {
      if (started) return void res.write(bytes);
      prelude = Buffer.concat([prelude ?? Buffer.alloc(0), bytes]);
      const end = prelude.indexOf(SEPARATOR);
      if (end < 0) return;
      const { status, headers } = preludeOf(prelude.subarray(0, end));
      begin(status, headers);
      const rest = prelude.subarray(end + SEPARATOR.length);
      if (rest.length > 0) res.write(rest);
    },
  };
  let result: InvocationResult;
  try {
    result = (await call.invoke({ stream })) as InvocationResult;
  } catch (err) {
    if (!(err instanceof FaasbenchError) || started) throw err;
    return call.refused(err);
  }
  if (!started && prelude === null) return call.whole(result);
  // Lambda cuts a stream that fails midway: the client sees the body end early.
  if (result.outcome.kind === 'function-error') return void res.destroy();
  if (!started) begin(200, {});
  res.end();
}

/** The prelude's statusCode, headers and cookies (Set-Cookie), as Lambda reads them. */
function preludeOf(bytes: Buffer): { status: number; headers: Record<string, string | string[]> } {
  let parsed: { statusCode?: unknown; headers?: unknown; cookies?: unknown } = {};
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    /* a prelude that is not JSON gives the defaults */
  }
  const status = Number(parsed.statusCode ?? 200);
  const headers: Record<string, string | string[]> = {};
  if (typeof parsed.headers === 'object' && parsed.headers !== null) {
    for (const [k, v] of Object.entries(parsed.headers)) headers[k.toLowerCase()] = String(v);
  }
  if (Array.isArray(parsed.cookies) && parsed.cookies.length > 0) headers['set-cookie'] = parsed.cookies.map(String);
  return { status: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200, headers };
}
