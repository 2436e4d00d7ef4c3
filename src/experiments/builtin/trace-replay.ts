/**
 * trace-replay: the trace pipeline end to end inside an experiment. Read a trace (the bundled
 * Azure excerpt by default), sample a representative subset, take a time window, map functions to
 * proxies (a mapping file) or let `synthetic` stand in with each function's own percentiles,
 * deploy one function per trace function, replay the window open-loop, and compare what ran with
 * what the trace says: calls per function, cold starts, and duration against the trace's median.
 */
import { z } from 'zod';
import { CallTally } from '../../analysis/call-tally.ts';
import { LatencyAccumulator } from '../../analysis/latency-accumulator.ts';
import { ARRIVAL_MODES } from '../../trace/arrivals.ts';
import { openTraceStream } from '../../trace/azure-trace-reader.ts';
import { readMapping } from '../../trace/mapping-file.ts';
import { parseProxyId, SYNTHETIC } from '../../trace/mapping.ts';
import { replayTargets } from '../../trace/replay-targets.ts';
import { sampleTrace } from '../../trace/sampler.ts';
import { cappedNotes, syntheticMemoryMb, syntheticTimeout } from '../../trace/synthetic-sizing.ts';
import { batchesToPlan, describeSchedule, unitBatches, type ScheduleInput } from '../../trace/schedule.ts';
import { totalInvocations, type TraceFunction } from '../../trace/trace-function.ts';
import type { JsonValue } from '../../store/index.ts';
import type { Bench } from '../bench.ts';
import { defineExperiment, type ExperimentResult } from '../define.ts';
import { installPath } from '../../core/install-path.ts';

const BUNDLED_TRACE = installPath('../../../traces/azure-example-4fn', import.meta.url);
/** The synthetic package's own timeout (functions/synthetic/function.json): never deployed shorter. */
const SYNTHETIC_TIMEOUT_S = 60;

const params = z.object({
  trace: z.string().default(BUNDLED_TRACE),
  /** Functions to sample; 0 takes them all. */
  size: z.number().int().min(0).default(0),
  tries: z.number().int().min(1).default(10),
  /** First and last minute label of the window (inclusive). */
  from: z.number().int().default(6),
  to: z.number().int().default(7),
  arrivals: z.enum(ARRIVAL_MODES).default('uniform'),
  shift: z.boolean().default(true),
  mapping: z.string().nullable().default(null),
  /**
   * Replays the window this many times faster (offsets divided by it; durations and memory as the
   * trace says): 4 sends a minute in 15 s at four times its rate. 1 is the trace's own time.
   */
  speed: z.number().positive().default(1),
});

type Params = z.output<typeof params>;

export default defineExperiment({
  name: 'trace-replay',
  description: 'Replays a window of an Azure-format trace (sampled, mapped to proxies or synthetic) and compares calls, cold starts and durations with the trace.',
  params,
  async run(bench, p) {
    const functions = await chooseFunctions(bench, p);
    const inputs = replayTargets(functions, p.mapping ? readMapping(p.mapping) : null);
    const schedule = describeSchedule(inputs, { unit: 'minute', seed: bench.seed, arrivals: { mode: p.arrivals, shift: p.shift }, sampling: 'bracket' });
    await deployAll(bench, inputs);
    bench.log(`replaying minutes ${p.from}-${p.to}: ${schedule.count} calls of ${inputs.length} functions (${p.arrivals}${p.shift ? ', shifted' : ''}${p.speed === 1 ? '' : `, ${p.speed}x speed`})`);
    const load = await bench.runLoad(batchesToPlan(schedule, () => unitBatches(inputs, schedule), p.speed), { progressLabel: 'calls answered' });
    const rows = await compare(bench, inputs);
    await bench.record('replay', JSON.parse(JSON.stringify({ planned: schedule.count, ...load.summary })) as JsonValue);
    return resultOf(rows.map(replayRow), schedule.count, load.summary.total);
  },
});

async function chooseFunctions(bench: Bench, p: Params): Promise<readonly TraceFunction[]> {
  const stream = await openTraceStream(p.trace, { minutes: { from: p.from, to: p.to } });
  for (const note of stream.notes) bench.log(`note: ${note}`);
  if (p.size === 0) {
    const all: TraceFunction[] = [];
    for await (const fn of stream.functions()) all.push(fn);
    return all;
  }
  const sample = await sampleTrace(stream, { size: p.size, tries: p.tries, seed: bench.seed });
  bench.log(`sampled ${sample.functions.length} of ${sample.functionsTotal} functions (score ${sample.score.toFixed(4)}, try ${sample.best})`);
  return sample.functions;
}

/**
 * One deployment per trace function. synthetic gets the memory its largest draw needs and no CPU
 * cap: it stands in for a function whose duration the trace already measured, so a quota sized for
 * its memory would stretch that duration instead of reproducing it (cpuModel is the local
 * platform's setting; other providers ignore it).
 */
async function deployAll(bench: Bench, inputs: readonly ScheduleInput[]): Promise<void> {
  const capped: string[] = [];
  for (const { fn, target } of inputs) {
    if (target.payload.kind === 'synthetic') {
      // Sized as `trace replay` sizes it, from the trace's longest duration (no draw exceeds it).
      const longestMs = fn.duration.percentilesMs[100];
      const timeout = syntheticTimeout(longestMs, SYNTHETIC_TIMEOUT_S);
      if (timeout.capped) capped.push(`${target.name} (${(longestMs / 1000).toFixed(1)} s)`);
      await bench.deploy(SYNTHETIC, { as: target.name, memoryMb: syntheticMemoryMb(fn.memory.percentilesMb[100]), cpuModel: 'none', timeoutS: timeout.timeoutS });
    } else await bench.deploy(parseProxyId(target.proxy).fn, { as: target.name });
  }
  for (const note of cappedNotes(capped)) bench.log(`note: ${note}`);
}

interface Row {
  readonly fn: TraceFunction;
  readonly name: string;
  readonly proxy: string;
  /** Counts as analyze takes them: measured calls (warm-ups out), by status. */
  readonly tally: CallTally;
  /** Measured calls the platform reported cold. */
  cold: number;
  /** The platform's duration of measured calls answered ok, as analyze's durationMs. */
  readonly durationMs: LatencyAccumulator;
}

/** Per trace function, from the records this run stored. */
async function compare(bench: Bench, inputs: readonly ScheduleInput[]): Promise<Row[]> {
  const rows = new Map<string, Row>(inputs.map(({ fn, target }) => [target.name, { fn, name: target.name, proxy: target.proxy, tally: new CallTally({ keep: { lateness: false } }), cold: 0, durationMs: new LatencyAccumulator() }]));
  for await (const record of bench.records()) {
    const row = rows.get(record.fn);
    if (!row || !row.tally.add(record)) continue;
    if (record.cold === true) row.cold++;
    if (record.status === 'ok' && record.durationMs !== null) row.durationMs.add(record.durationMs);
  }
  return [...rows.values()];
}

/** One trace function's line of the result: what the trace says beside what the replay did. */
export interface ReplayRow {
  /** The trace function's hash, shortened. */
  readonly function: string;
  readonly proxy: string;
  readonly traceCalls: number;
  readonly recorded: number;
  readonly ok: number;
  readonly cold: number;
  readonly traceP50Ms: number;
  readonly replayP50Ms: number | null;
}

function replayRow(r: Row): ReplayRow {
  return {
    function: r.fn.key.fn.slice(0, 12),
    proxy: r.proxy,
    traceCalls: totalInvocations(r.fn),
    recorded: r.tally.calls,
    ok: r.tally.counts().ok,
    cold: r.cold,
    traceP50Ms: r.fn.duration.percentilesMs[50],
    replayP50Ms: r.durationMs.percentile(50),
  };
}

export function resultOf(rows: readonly ReplayRow[], planned: number, recorded: number): ExperimentResult {
  const ok = rows.reduce((sum, r) => sum + r.ok, 0);
  return {
    columns: ['function', 'proxy', 'trace calls', 'recorded', 'ok', 'cold', "trace p50 ms (the trace's percentile column)", 'replay p50 ms (nearest rank)'],
    rows: rows.map((r) => [r.function, r.proxy, r.traceCalls, r.recorded, r.ok, r.cold, r.traceP50Ms, r.replayP50Ms]),
    notes: [
      `planned ${planned} calls, recorded ${recorded}, ${ok} ok; each trace function deployed as trace-<hash prefix>`,
      // The trace carries percentiles, never its calls' durations: its p50 is whatever its
      // publisher computed, so the two columns agree only as closely as the definitions do.
      "trace p50: the trace's own percentile_Average_50 column (the trace gives only percentiles, by its publisher's definition); replay p50: nearest rank of the platform's duration of the measured calls answered ok (warm-ups and failed calls not timed)",
    ],
    summary: { planned, recorded, functions: rows.length },
    tables: [
      {
        name: 'trace vs replay',
        title: 'per function: what the trace says against what the replay did',
        columns: ['function', 'source', 'calls', 'p50 ms'],
        rows: rows.flatMap((r) => [
          [r.function, 'trace', r.traceCalls, r.traceP50Ms],
          [r.function, 'replay', r.recorded, r.replayP50Ms],
        ]),
      },
    ],
    charts: [
      { title: 'duration p50 per function: trace against replay', table: 'trace vs replay', mark: 'bar', x: { column: 'function', type: 'nominal' }, y: { column: 'p50 ms' }, series: 'source' },
      { title: 'calls per function: trace against replay', table: 'trace vs replay', mark: 'bar', x: { column: 'function', type: 'nominal' }, y: { column: 'calls' }, series: 'source' },
    ],
  };
}
