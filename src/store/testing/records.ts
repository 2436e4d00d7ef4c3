/**
 * Test fixtures: deterministic invocation records that exercise every column's awkward values
 * (fractional epoch µs, nulls, booleans, text with commas, quotes, line breaks and non-ASCII).
 */
import { createPrng } from '../../core/prng.ts';
import type { InvocationRecord, InvocationStatus } from '../../core/invocation-record.ts';

const STATUSES: readonly InvocationStatus[] = ['ok', 'function-error', 'throttled', 'rejected', 'transport-error', 'dropped'];
const AWKWARD = ['plain', 'with,comma', 'with "quotes"', 'two\r\nlines', 'naïve ✓', '', ' padded '];

/** Record `seq` of run `runId`; the same arguments always give the same record. */
export function makeRecord(runId: string, seq: number): InvocationRecord {
  const rng = createPrng(seq, 'store-fixture');
  const status = STATUSES[seq % STATUSES.length] ?? 'ok';
  const plannedUs = 1_784_000_000_000_000 + seq * 1000 + rng.next();
  const sent = status !== 'dropped';
  const answered = status !== 'dropped' && status !== 'transport-error';
  const latencyMs = answered ? rng.exponential(5) : null;
  const cold = answered ? (seq % 3 === 0 ? null : seq % 3 === 1) : null;
  return {
    runId,
    seq,
    fn: seq % 2 === 0 ? 'noop' : 'sleep',
    phase: seq < 10 ? 'warmup' : 'measure',
    tag: seq % 5 === 0 ? (AWKWARD[seq % AWKWARD.length] ?? null) : null,
    plannedUs,
    sentUs: sent ? plannedUs + rng.next() * 2000 : null,
    receivedUs: latencyMs === null ? null : plannedUs + 2000 + latencyMs * 1000,
    latencyMs,
    status,
    httpStatus: answered ? [200, 500, 429, 400][STATUSES.indexOf(status)] ?? 200 : null,
    errorClass: status === 'ok' ? null : status === 'transport-error' ? 'ECONNRESET' : 'Error, "quoted"',
    requestId: answered ? `req-${seq}` : null,
    instanceId: answered ? AWKWARD[seq % AWKWARD.length] ?? null : null,
    cold,
    initMs: cold === true ? 100 + rng.next() * 50 : null,
    durationMs: answered ? Math.round(rng.next() * 1e6) / 1e3 : null,
    billedMs: answered ? seq % 100 : null,
    memoryMb: answered ? 128 : null,
    maxMemoryMb: answered ? 40 + (seq % 7) * 0.5 : null,
  };
}

export function makeRecords(runId: string, from: number, count: number): InvocationRecord[] {
  return Array.from({ length: count }, (_, i) => makeRecord(runId, from + i));
}
