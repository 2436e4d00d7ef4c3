/**
 * Request bodies, resolved before the run (a named input is never built while calls go out), in a
 * form that crosses threads: each worker gets a copy of the bytes and builds its own payloadOf.
 */
import type { PlannedInvocation } from '../core/load-plan.ts';

export type PayloadSpec =
  /** Every call sends this body (`invoke`). */
  | { readonly kind: 'one'; readonly body: Uint8Array }
  /** A body per function; a function without one sends its call's own event (`trace replay`'s synthetic calls). */
  | { readonly kind: 'by-function'; readonly bodies: ReadonlyArray<readonly [string, Uint8Array]> };

/** An exact-size copy: a pooled Buffer's clone would carry its whole 8 KiB pool. */
export function transferable(body: Buffer): Uint8Array {
  return new Uint8Array(body);
}

export function payloadsOf(spec: PayloadSpec): (call: PlannedInvocation) => Buffer {
  if (spec.kind === 'one') {
    const body = asBuffer(spec.body);
    return () => body;
  }
  return bodiesByFunction(new Map(spec.bodies.map(([fn, body]) => [fn, asBuffer(body)])));
}

/** The body of a call's function, else the call's own event as JSON. */
export function bodiesByFunction(bodies: ReadonlyMap<string, Buffer>): (call: PlannedInvocation) => Buffer {
  return (call) => bodies.get(call.fn) ?? Buffer.from(JSON.stringify('event' in call.payload ? call.payload.event : null));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
