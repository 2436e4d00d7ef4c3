/**
 * ClientContext: the Lambda API takes it base64-encoded (X-Amz-Client-Context), the Runtime API hands
 * it to the runtime decoded (Lambda-Runtime-Client-Context), as JSON that AWS's clients parse into
 * `context.clientContext` (Node) and `context.client_context` (Python).
 */
import { FaasbenchError } from '../core/errors.ts';

/** Lambda's words for a context it cannot decode, answered as 400 InvalidRequestContentException. */
export const INVALID_CLIENT_CONTEXT = 'Client context must be a valid Base64-encoded JSON object.';

/** Standard base64, padded or not (a decoder that ignores junk, as Buffer's does, would accept anything). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * The JSON the runtime is given for `header`, or undefined when it is not base64 of a JSON object.
 * Re-serialised with every non-ASCII character escaped: an HTTP header holds neither line breaks
 * (which the caller's JSON may have between tokens) nor characters beyond Latin-1, and the runtime's
 * JSON.parse reads the escapes back to the same value.
 */
export function runtimeClientContext(header: string): string | undefined {
  if (!BASE64.test(header)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** For the Lambda API's Invoke: refuses, as Lambda does, a ClientContext the runtime could not be given. */
export function checkClientContext(header: string | undefined): void {
  if (header !== undefined && runtimeClientContext(header) === undefined) throw new FaasbenchError('InvalidRequestContent', INVALID_CLIENT_CONTEXT);
}
