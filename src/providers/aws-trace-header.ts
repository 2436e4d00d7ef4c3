/**
 * A call's trace context on the AWS SDK's requests. The SDK builds its own HTTP requests, so the
 * headers go in through its middleware stack: one middleware on each call's command (the client
 * stays shared; a middleware on the client would need the call's headers from elsewhere).
 *
 * Besides `traceparent` (and B3 when the call has it), `X-Amzn-Trace-Id` carries the same trace in
 * X-Ray's form (spans/xray-trace.ts): Lambda reads only that one, so a function with X-Ray active
 * joins the caller's trace. Set in the build step, before the SDK's recursion detection (which
 * fills X-Amzn-Trace-Id from _X_AMZN_TRACE_ID inside a Lambda) and which leaves a header present.
 */
import type { InvokeCommand } from '@aws-sdk/client-lambda';
import { callerSpanContext } from '../spans/trace-context.ts';
import { xrayTraceHeader } from '../spans/xray-trace.ts';

export const TRACE_HEADERS_MIDDLEWARE = 'faasbenchTraceHeaders';

/** The headers an AWS call carries for this trace context: as given, plus X-Amzn-Trace-Id from its traceparent. */
export function awsTraceHeaders(traceHeaders: Readonly<Record<string, string>>): Record<string, string> {
  const context = callerSpanContext(traceHeaders);
  return context ? { ...traceHeaders, 'x-amzn-trace-id': xrayTraceHeader(context) } : { ...traceHeaders };
}

/** Makes the command's request carry the trace headers; the command is this call's only. */
export function sendTraceHeaders(command: InvokeCommand, traceHeaders: Readonly<Record<string, string>>): void {
  const headers = awsTraceHeaders(traceHeaders);
  command.middlewareStack.add(
    (next) => async (args) => {
      // An HttpRequest by the build step; checked by shape, as @smithy/protocol-http is the SDK's own dependency.
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (request?.headers) Object.assign(request.headers, headers);
      return next(args);
    },
    { step: 'build', name: TRACE_HEADERS_MIDDLEWARE },
  );
}
