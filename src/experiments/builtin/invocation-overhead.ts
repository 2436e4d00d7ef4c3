/**
 * invocation-overhead: what moving a payload costs (after SeBS's invocation-overhead). Warm calls
 * with request bodies of 1 KB up to 5 MB; per size the client's latency, the platform's billed
 * duration and their difference, the overhead the platform does not bill: the request's way in,
 * the answer's way out, the API in between. The default function, `hello`, echoes its event, so
 * the payload travels both ways, as a function returning what it was given does.
 *
 * A size past the platform's request limit (6 MB on Lambda and locally) is asked for like any
 * other and reported as a row of refused calls with the platform's error class.
 */
import { z } from 'zod';
import { FaasbenchError } from '../../core/errors.ts';
import type { InvocationRecord } from '../../core/invocation-record.ts';
import type { Bench } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { median, roundMs } from '../../analysis/percentile.ts';

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 * 1024 };
/**
 * The smallest body: `{"cmds":{},"pad":""}`. An empty `cmds` makes measure-node run nothing and
 * answer small (the payload travels one way); hello echoes the whole event (both ways).
 */
const MIN_BYTES = JSON.stringify({ cmds: {}, pad: '' }).length;

/** `1024`, `64KB`, `1MB`, `5.5MB` (KB and MB are powers of 1024) to bytes. */
export function parseSize(value: number | string): number {
  const match = typeof value === 'number' ? null : /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB)?\s*$/i.exec(value);
  const bytes = typeof value === 'number' ? value : match ? Math.round(Number(match[1]) * UNITS[(match[2] ?? 'B').toUpperCase()]!) : NaN;
  if (!Number.isInteger(bytes) || bytes < MIN_BYTES) {
    throw new FaasbenchError('InvalidParameterValue', `parameter sizes: expected a size of at least ${MIN_BYTES} bytes such as 1024, 64KB or 5MB, got ${JSON.stringify(value)}`);
  }
  return bytes;
}

export function sizeLabel(bytes: number): string {
  // Tenths of a MB read as MB (5.5 MB); anything finer falls to KB or bytes.
  if (bytes >= UNITS.MB! && Number.isInteger((bytes * 10) / UNITS.MB!)) return `${bytes / UNITS.MB!} MB`;
  if (bytes >= UNITS.KB! && bytes % UNITS.KB! === 0) return `${bytes / UNITS.KB!} KB`;
  return `${bytes} B`;
}

/** An event whose JSON text is exactly `bytes` long: the function ignores the pad, or echoes it. */
export function paddedEvent(bytes: number): { cmds: Record<string, never>; pad: string } {
  return { cmds: {}, pad: 'x'.repeat(bytes - MIN_BYTES) };
}

const params = z.object({
  fn: z.string().default('hello'),
  sizes: z.array(z.union([z.number(), z.string()])).min(1).default(['1KB', '64KB', '1MB', '5MB']),
  /** Warm calls per size. */
  calls: z.number().int().min(1).max(10_000).default(10),
  memoryMb: z.number().int().min(128).max(10_240).nullable().default(null),
});

type Params = z.output<typeof params>;

export interface SizeRow {
  readonly bytes: number;
  readonly ok: number;
  readonly failed: number;
  readonly errorClass: string | null;
  readonly latencyMs: number | null;
  readonly durationMs: number | null;
  /** Median over calls of latency - duration. */
  readonly overheadMs: number | null;
  readonly maxOverheadMs: number | null;
  /** Median size of the answer's JSON: about the request's when the function echoes it. */
  readonly answerBytes: number | null;
}

export default defineExperiment({
  name: 'invocation-overhead',
  description: 'Latency against request size (1 KB to 5 MB; past the 6 MB limit is an error row): median latency, platform duration and the overhead between them.',
  params,
  async run(bench, p) {
    const sizes = p.sizes.map(parseSize);
    const name = await bench.deploy(p.fn, { as: `${p.fn}-overhead`, ...(p.memoryMb === null ? {} : { memoryMb: p.memoryMb }) });
    // The first call starts the instance; its cold start belongs to no size.
    await bench.invoke(name, { event: paddedEvent(MIN_BYTES) }, { tag: 'warmup' });
    const rows: SizeRow[] = [];
    for (const [i, bytes] of sizes.entries()) {
      if (bench.signal.aborted) break;
      const row = summarise(bytes, await callsOf(bench, name, bytes, p.calls));
      rows.push(row);
      await bench.record('size', { ...row });
      bench.progress(i + 1, sizes.length, sizeLabel(bytes));
    }
    return resultOf(rows, p);
  },
});

async function callsOf(bench: Bench, name: string, bytes: number, calls: number): Promise<Array<{ record: InvocationRecord; answerBytes: number | null }>> {
  const event = paddedEvent(bytes);
  const out: Array<{ record: InvocationRecord; answerBytes: number | null }> = [];
  for (let i = 0; i < calls && !bench.signal.aborted; i++) {
    const { record, response } = await bench.invoke(name, { event }, { tag: `bytes-${bytes}` });
    out.push({ record, answerBytes: record.status === 'ok' ? Buffer.byteLength(typeof response === 'string' ? response : JSON.stringify(response)) : null });
  }
  return out;
}

export function summarise(bytes: number, calls: ReadonlyArray<{ record: InvocationRecord; answerBytes: number | null }>): SizeRow {
  const records = calls.map((c) => c.record);
  const ok = records.filter((r) => r.status === 'ok' && r.latencyMs !== null && r.durationMs !== null);
  const overheads = ok.map((r) => r.latencyMs! - r.durationMs!);
  const failed = records.filter((r) => r.status !== 'ok');
  const classes = [...new Set(failed.map((r) => r.errorClass ?? r.status))];
  return {
    bytes,
    ok: ok.length,
    failed: failed.length,
    errorClass: classes.length ? classes.join(', ') : null,
    latencyMs: roundMs(median(ok.map((r) => r.latencyMs!)), 2),
    durationMs: roundMs(median(ok.map((r) => r.durationMs!)), 2),
    overheadMs: roundMs(median(overheads), 2),
    maxOverheadMs: roundMs(overheads.length ? Math.max(...overheads) : null, 2),
    answerBytes: median(calls.flatMap((c) => (c.answerBytes === null ? [] : [c.answerBytes]))),
  };
}

/** Least squares of median overhead on MB: the fixed part of a call and what each MB adds. */
export function overheadFit(rows: readonly SizeRow[]): { fixedMs: number; perMbMs: number } | null {
  const points = rows.flatMap((r) => (r.overheadMs === null ? [] : [[r.bytes / UNITS.MB!, r.overheadMs] as const]));
  if (points.length < 2) return null;
  const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const perMbMs = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  return { fixedMs: my - perMbMs * mx, perMbMs };
}

export function resultOf(rows: readonly SizeRow[], p: Params): ExperimentResult {
  const fit = overheadFit(rows);
  const refused = rows.filter((r) => r.ok === 0 && r.failed > 0);
  const largest = rows.filter((r) => r.answerBytes !== null).at(-1);
  const direction = largest === undefined ? '' : largest.answerBytes! >= largest.bytes ? `; ${p.fn} echoes, so the payload travels both ways` : `; ${p.fn} answers small, so the payload travels one way`;
  const notes = [
    fit
      ? `overhead (latency - platform duration) ≈ ${fit.fixedMs.toFixed(2)} ms + ${fit.perMbMs.toFixed(2)} ms per MB (least squares over the sizes that succeeded${direction})`
      : 'too few sizes succeeded to fit the overhead against size',
    ...refused.map((r) => `${sizeLabel(r.bytes)}: every call refused (${r.errorClass}), past the platform's request limit or the function's`),
  ];
  return {
    columns: ['size', 'bytes', 'ok', 'errors', 'p50 latency ms', 'p50 duration ms', 'p50 overhead ms', 'max overhead ms', 'answer bytes', 'error class'],
    rows: rows.map((r) => [sizeLabel(r.bytes), r.bytes, r.ok, r.failed, r.latencyMs, r.durationMs, r.overheadMs, r.maxOverheadMs, r.answerBytes, r.errorClass]),
    notes,
    summary: { fit, sizes: rows.map((r) => ({ ...r })) },
    charts: [
      { title: 'overhead (latency - platform duration) against payload size', mark: 'line', x: { column: 'bytes', title: 'request bytes', scale: 'log' }, y: { column: 'p50 overhead ms' } },
      { title: 'latency against payload size', mark: 'line', x: { column: 'bytes', title: 'request bytes', scale: 'log' }, y: { column: 'p50 latency ms' } },
    ],
  };
}
