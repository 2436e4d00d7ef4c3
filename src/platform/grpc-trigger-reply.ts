/**
 * A function's result as the method's reply: an object whose keys are all reply fields is the
 * reply; anything else goes, as text, into the reply's first string field (HelloReply.message), so
 * any function can answer SayHello.
 */
import type { GrpcMethod } from './grpc-method.ts';

export function replyOf(payload: Buffer, method: GrpcMethod): object {
  const text = payload.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  if (isReply(value, method)) return value;
  if (method.replyTextField === null) return {};
  return { [method.replyTextField]: typeof value === 'string' ? value : text };
}

function isReply(value: unknown, method: GrpcMethod): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => method.replyFields.has(key));
}
