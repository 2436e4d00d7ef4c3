/**
 * The local platform's in-function measurements (src/platform/measurement.ts), as the local
 * provider receives them in each answer's X-Faasbench-Measurement header. The Provider contract
 * carries a call's PlatformFacts only, so each measurement waits here by request id until a runner
 * in this process (the memory, disk-io and counters experiments) takes it and stores it with the
 * call's seq. Kept as the header's text, parsed only when taken: a load that stores none pays a
 * map entry per call, and the bound keeps a long one from growing without end.
 */
import { z } from 'zod';
import type { IncomingHttpHeaders } from 'node:http';
import type { FunctionMeasurement } from '../platform/measurement.ts';

export const MEASUREMENT_HEADER = 'x-faasbench-measurement';
/** Measurements kept untaken; past it the oldest go (a run's calls are taken as they answer). */
const KEPT = 10_000;

const bytes = z.number().nonnegative();
const schema = z.object({
  cpu: z.object({ source: z.enum(['cgroup-v1-cpuacct', 'cgroup-v2-cpu', 'proc-stat']), userMs: bytes, systemMs: bytes }),
  io: z.object({ readBytes: bytes, writtenBytes: bytes, storageReadBytes: bytes, storageWrittenBytes: bytes }).nullable(),
  blockIo: z.object({ source: z.enum(['cgroup-v1-blkio', 'cgroup-v2-io']), readBytes: bytes, writtenBytes: bytes }).nullable(),
  memory: z.object({ source: z.enum(['cgroup-v1-memory', 'cgroup-v2-memory', 'proc-status']), peakBytes: bytes, startBytes: bytes, endBytes: bytes, intervalMs: z.number().positive(), samples: z.array(bytes) }),
  counters: z.object({
    kind: z.enum(['hardware', 'software', 'none']),
    reason: z.enum(['not-requested', 'hardware-unsupported', 'perf-not-found', 'perf-not-permitted', 'perf-failed']).nullable(),
    detail: z.string().nullable(),
    values: z.record(z.string(), z.number()),
  }),
  shared: z.boolean(),
});

/** The header's measurement, or null when it is absent or not one (a platform of another version). */
export function parseMeasurement(text: string | undefined): FunctionMeasurement | null {
  if (text === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const waiting = new Map<string, string>();

/** Keeps an answer's measurement under its request id (called by the local provider for each answer). */
export function keepMeasurement(requestId: string | null, headers: IncomingHttpHeaders): void {
  const text = headers[MEASUREMENT_HEADER];
  if (requestId === null || typeof text !== 'string') return;
  waiting.set(requestId, text);
  if (waiting.size > KEPT) waiting.delete(waiting.keys().next().value as string);
}

/** The measurement of the call with this request id, once; null when none came (another provider, or taken). */
export function takeMeasurement(requestId: string | null): FunctionMeasurement | null {
  if (requestId === null) return null;
  const text = waiting.get(requestId);
  waiting.delete(requestId);
  return parseMeasurement(text);
}
