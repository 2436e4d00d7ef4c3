/**
 * The measured side of bench/trace-pipeline.bench.ts, one job per process so each peak RSS is
 * that job's alone. Prints one JSON line: seconds, peak RSS (MB) and what the job counted.
 *
 *   plan <traceDir> <out>          trace plan (uniform arrivals, shift, synthetic proxies)
 *   read <traceDir>                stream every function of a trace, summing invocations
 *   raw-read <file>                read a file's bytes, nothing else (the disk/page-cache floor)
 *   floor-plan <calls> <bytes> <out>  draw 2 uniforms per call and write as many bytes (the plan's floor)
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { createPrng } from '../src/core/prng.ts';
import { openTraceStream, readTrace } from '../src/trace/azure-trace-reader.ts';
import { planHeader, writePlanFile } from '../src/trace/plan-file.ts';
import { replayTargets } from '../src/trace/replay-targets.ts';
import { describeSchedule, unitBatches } from '../src/trace/schedule.ts';

const [job, a, b, c] = process.argv.slice(2);
const started = performance.now();
const peakMb = (): number => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024;

async function run(): Promise<Record<string, number>> {
  if (job === 'plan') {
    const trace = await readTrace(a!);
    const inputs = replayTargets(trace.functions, null);
    const schedule = describeSchedule(inputs, { unit: trace.unit, seed: 1, arrivals: { mode: 'uniform', shift: true }, sampling: 'bracket' });
    const written = writePlanFile(b!, planHeader(schedule, trace.labels), unitBatches(inputs, schedule));
    return { calls: written.calls, bytes: written.bytes };
  }
  if (job === 'read') {
    const stream = await openTraceStream(a!);
    let functions = 0;
    let invocations = 0;
    for await (const fn of stream.functions()) {
      functions++;
      for (const count of fn.counts) invocations += count;
    }
    return { functions, invocations, columns: stream.labels.length };
  }
  if (job === 'raw-read') {
    let bytes = 0;
    for await (const chunk of createReadStream(a!, { highWaterMark: 1 << 20 })) bytes += (chunk as Buffer).length;
    return { bytes };
  }
  if (job === 'floor-plan') {
    const calls = Number(a);
    const prng = createPrng(1, 'floor');
    let sink = 0;
    for (let i = 0; i < calls * 2; i++) sink += prng.next();
    const fd = openSync(c!, 'w');
    const chunk = Buffer.alloc(1 << 20, 1);
    for (let left = Number(b); left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
    closeSync(fd);
    return { calls, bytes: Number(b), sink: sink > 0 ? 1 : 0 };
  }
  throw new Error(`unknown job ${job}`);
}

const result = await run();
console.log(JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000, peakRssMb: peakMb() }));
