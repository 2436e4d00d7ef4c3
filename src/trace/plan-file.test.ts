import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPlanFile, planHeader, PlanWriter, writePlanFile } from './plan-file.ts';
import type { CallBatch, Schedule } from './schedule.ts';

const SCHEDULE: Schedule = {
  unit: 'minute',
  seed: 5,
  arrivals: { mode: 'uniform', shift: false },
  sampling: 'linear',
  units: 2,
  count: 4,
  functions: [
    { name: 'trace-a', key: { owner: 'o', app: 'a', fn: 'fa' }, proxy: '110.dynamic-html:small', payload: { kind: 'input', input: 'small' } },
    { name: 'trace-b', key: { owner: 'o', app: 'a', fn: 'fb' }, proxy: 'synthetic', payload: { kind: 'synthetic' } },
  ],
};

const BATCHES: CallBatch[] = [
  { offsetsUs: Float64Array.of(0, 0, 59_999_999), fns: Uint32Array.of(0, 1, 1), durationMs: Float64Array.of(Number.NaN, 12.345, 0.5), memoryMb: Float64Array.of(Number.NaN, 128, 64.5) },
  { offsetsUs: Float64Array.of(2 ** 40), fns: Uint32Array.of(0), durationMs: Float64Array.of(Number.NaN), memoryMb: Float64Array.of(Number.NaN) },
];

const scratch = (): string => mkdtempSync(join(tmpdir(), 'faasbench-planfile-'));

describe('plan file', () => {
  it('round-trips offsets (past 2^32 µs), functions and synthetic specs (µs and KiB precision)', () => {
    const file = join(scratch(), 'p.fbplan');
    const written = writePlanFile(file, planHeader(SCHEDULE, ['1', '2']), BATCHES);
    expect(written.calls).toBe(4);
    const plan = openPlanFile(file);
    expect(plan.header.labels).toEqual(['1', '2']);
    expect(plan.header.functions[1]!.payload).toEqual({ kind: 'synthetic' });
    const [batch] = [...plan.batches()];
    expect([...batch!.offsetsUs]).toEqual([0, 0, 59_999_999, 2 ** 40]);
    expect([...batch!.fns]).toEqual([0, 1, 1, 0]);
    expect([...batch!.durationMs]).toEqual([Number.NaN, 12.345, 0.5, Number.NaN]);
    expect([...batch!.memoryMb]).toEqual([Number.NaN, 128, 64.5, Number.NaN]);
    // Two passes read the same calls.
    expect([...plan.batches()][0]!.offsetsUs).toEqual(batch!.offsetsUs);
  });

  it('an aborted writer leaves no file, not even a partial one', () => {
    const dir = scratch();
    const writer = new PlanWriter(join(dir, 'p.fbplan'), planHeader(SCHEDULE, []));
    writer.write(BATCHES[0]!);
    writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a writer given fewer calls than its header promises refuses to finish and leaves nothing', () => {
    const dir = scratch();
    expect(() => writePlanFile(join(dir, 'p.fbplan'), planHeader(SCHEDULE, []), BATCHES.slice(0, 1))).toThrow('plan writer: 3 calls written, the header says 4');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names what is wrong with a file that is not a plan, truncated, or has a bad header', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'text.fbplan'), 'hello world, not a plan');
    expect(() => openPlanFile(join(dir, 'text.fbplan'))).toThrow('text.fbplan: not a faasbench plan file (it does not start with FBPLAN1; write one with faasbench trace plan)');
    writePlanFile(join(dir, 'good.fbplan'), planHeader(SCHEDULE, []), BATCHES);
    const good = readFileSync(join(dir, 'good.fbplan'));
    writeFileSync(join(dir, 'cut.fbplan'), good.subarray(0, good.length - 3));
    expect(() => [...openPlanFile(join(dir, 'cut.fbplan')).batches()]).toThrow('cut.fbplan: truncated after 3 of 4 calls');
    const badHeader = Buffer.from(good);
    const at = badHeader.indexOf('"minute"');
    badHeader.write('"hourly"', at);
    writeFileSync(join(dir, 'bad.fbplan'), badHeader);
    expect(() => openPlanFile(join(dir, 'bad.fbplan'))).toThrow(/^bad\.fbplan: header field unit: /);
    expect(() => openPlanFile(join(dir, 'missing.fbplan'))).toThrow(/missing\.fbplan: cannot read the plan file \(ENOENT\)/);
  });
});
