// The 5-function day (invitro-5fn-1440min, every count divided by 1,000 and rounded up, so a full
// 1,440-minute day stays a few thousand calls a function) through the export and import paths
// `trace export` and `trace import` drive, twice: the second round trip must change no byte.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace } from '../trace/azure-trace-reader.ts';
import { openPlanFile, planHeader, PlanWriter, type PlanHeader } from '../trace/plan-file.ts';
import { replayTargets } from '../trace/replay-targets.ts';
import { describeSchedule, unitBatches, type CallBatch } from '../trace/schedule.ts';
import { readVswarmLoad, VswarmLoadWriter } from '../trace/vswarm-load.ts';
import { writeCalls } from './write-calls.ts';

const DAY = new URL('../../../shared/traces/invitro-5fn-1440min', import.meta.url).pathname;

async function exportLoad(file: string, header: PlanHeader, batches: Iterable<CallBatch>): Promise<Buffer> {
  const outcome = await writeCalls(batches, new VswarmLoadWriter(file, header), header.count, false);
  expect(outcome.status).toBe('completed');
  return readFileSync(file);
}

async function importLoad(load: string, plan: string): Promise<Buffer> {
  const { schedule, batches, notes } = readVswarmLoad(load, 'minute');
  expect(notes).toEqual([]);
  const outcome = await writeCalls(batches(), new PlanWriter(plan, planHeader(schedule, [])), schedule.count, false);
  expect(outcome.status).toBe('completed');
  return readFileSync(plan);
}

function callsOf(batches: Iterable<CallBatch>, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const b of batches) for (let i = 0; i < b.fns.length; i++) out.push(`${b.offsetsUs[i]} ${names[b.fns[i]!]}`);
  return out;
}

describe('the 5-function day through vSwarm load.json', () => {
  it('exported and imported back gives a byte-identical plan, with every planned call at its µs', async () => {
    const read = await readTrace(DAY);
    const functions = read.functions.map((fn) => ({ ...fn, counts: fn.counts.map((c) => Math.ceil(c / 1000)) }));
    const inputs = replayTargets(functions, null);
    const schedule = describeSchedule(inputs, { unit: 'minute', seed: 42, arrivals: { mode: 'exponential', shift: true }, sampling: 'bracket' });
    expect([functions.length, schedule.units, schedule.count]).toEqual([5, 1440, 28_603]);
    const dir = mkdtempSync(join(tmpdir(), 'faasbench-round-trip-'));

    const load = await exportLoad(join(dir, 'load.json'), planHeader(schedule, read.labels), unitBatches(inputs, schedule));
    const plan = await importLoad(join(dir, 'load.json'), join(dir, 'imported.fbplan'));
    const imported = openPlanFile(join(dir, 'imported.fbplan'));
    const loadAgain = await exportLoad(join(dir, 'again.json'), imported.header, imported.batches());
    const planAgain = await importLoad(join(dir, 'again.json'), join(dir, 'again.fbplan'));

    expect(loadAgain.equals(load)).toBe(true);
    expect(planAgain.equals(plan)).toBe(true);
    const planned = callsOf(unitBatches(inputs, schedule), schedule.functions.map((f) => f.name));
    expect(callsOf(imported.batches(), imported.header.functions.map((f) => f.name))).toEqual(planned);
  }, 30_000);
});
