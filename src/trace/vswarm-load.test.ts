import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace } from './azure-trace-reader.ts';
import { planHeader, writePlanFile, openPlanFile } from './plan-file.ts';
import { replayTargets } from './replay-targets.ts';
import { describeSchedule, unitBatches, type CallBatch } from './schedule.ts';
import { jsonArrayElements } from './json-array-file.ts';
import { readVswarmLoad, VswarmLoadWriter } from './vswarm-load.ts';

const TRACES = new URL('../../../shared/traces/', import.meta.url).pathname;
const scratch = (): string => mkdtempSync(join(tmpdir(), 'faasbench-vswarm-'));

function calls(batches: Iterable<CallBatch>, names: readonly string[]): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const b of batches) for (let i = 0; i < b.fns.length; i++) out.push([b.offsetsUs[i]!, names[b.fns[i]!]!]);
  return out;
}

describe("vSwarm's load.json", () => {
  it('exports one object per minute with in-minute µs timestamps, and imports back to the same calls', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-example-4fn-1440min'), { minutes: { from: 1, to: 30 } });
    const inputs = replayTargets(trace.functions, null);
    const schedule = describeSchedule(inputs, { unit: 'minute', seed: 3, arrivals: { mode: 'exponential', shift: true }, sampling: 'bracket' });
    const header = planHeader(schedule, trace.labels);
    const dir = scratch();
    const writer = new VswarmLoadWriter(join(dir, 'load.json'), header);
    for (const batch of unitBatches(inputs, schedule)) writer.write(batch);
    expect(writer.finish().calls).toBe(schedule.count);

    const units = JSON.parse(readFileSync(join(dir, 'load.json'), 'utf8')) as Array<{ timestamp: number[]; endpoint: string[] }>;
    expect(units).toHaveLength(30);
    const perMinute = units.map((u) => u.timestamp.length);
    expect(perMinute).toEqual(Array.from({ length: 30 }, (_, m) => trace.functions.reduce((sum, fn) => sum + fn.counts[m]!, 0)));
    expect(units.every((u) => u.timestamp.every((t) => t >= 0 && t < 60_000_000))).toBe(true);

    const imported = readVswarmLoad(join(dir, 'load.json'), 'minute');
    expect(imported.schedule.count).toBe(schedule.count);
    const original = calls(unitBatches(inputs, schedule), schedule.functions.map((f) => f.name));
    const back = calls(imported.batches(), imported.schedule.functions.map((f) => f.name));
    expect(back).toEqual(original);
    expect(imported.schedule.functions.every((f) => f.payload.kind === 'event')).toBe(true);

    // And through a plan file: import writes what replay reads.
    writePlanFile(join(dir, 'imported.fbplan'), planHeader(imported.schedule, []), imported.batches());
    const plan = openPlanFile(join(dir, 'imported.fbplan'));
    expect(calls(plan.batches(), plan.header.functions.map((f) => f.name))).toEqual(original);
  });

  it.each([
    ['not JSON', '[{"timestamp":[1,],"endpoint":["a"]}]', /^load\.json: \[0\]: not JSON: /],
    ['a truncated file', '[{"timestamp":[1],"endpoint":["a"]},{"timestamp"', /^load\.json: not JSON: the file ends before the list closes \(after 1 element\(s\)\); truncated\?/],
    ['text after the list', '[{"timestamp":[1],"endpoint":["a"]}] x', /^load\.json: text after the list's closing "\]"/],
    ['an empty file', '', /^load\.json: empty: expected a list with one \{timestamp, endpoint\} object per unit/],
    ['not a list', '{"timestamp":[]}', /^load\.json: expected a list with one \{timestamp, endpoint\} object per unit/],
    ['unpaired lists', '[{"timestamp":[1,2],"endpoint":["a"]}]', /^load\.json: \[0\]: 2 timestamps but 1 endpoints/],
    ['a timestamp past the unit', '[{"timestamp":[],"endpoint":[]},{"timestamp":[60000001],"endpoint":["a"]}]', /^load\.json: \[1\]\.timestamp\[0\]: expected whole µs in \[0, 60000000\] \(one minute\), got 60000001/],
    ['a negative timestamp', '[{"timestamp":[-1],"endpoint":["a"]}]', /^load\.json: \[0\]\.timestamp\[0\]: expected whole µs in \[0, 60000000\]/],
    ['a text timestamp', '[{"timestamp":["1"],"endpoint":["a"]}]', /^load\.json: \[0\]\.timestamp: expected a list of numbers/],
  ])('rejects %s naming the entry', (_name, text, message) => {
    const file = join(scratch(), 'load.json');
    writeFileSync(file, text);
    expect(() => [...readVswarmLoad(file, 'minute').batches()]).toThrow(message);
  });

  it("takes vSwarm's exponential-mode timestamps of exactly one minute, 1 µs inside the minute, and counts them in a note", () => {
    const file = join(scratch(), 'load.json');
    writeFileSync(file, '[{"timestamp":[60000000,5],"endpoint":["a","b"]},{"timestamp":[],"endpoint":[]},{"timestamp":[60000000,60000000],"endpoint":["b","a"]}]');
    const imported = readVswarmLoad(file, 'minute');
    expect(imported.notes).toEqual([
      "load.json: 3 timestamp(s) of exactly one minute (60000000 µs, the minute's end, as vSwarm's exponential mode writes), each placed 1 µs before that end (in minutes 0, 2, counted from 0)",
    ]);
    expect(calls(imported.batches(), imported.schedule.functions.map((f) => f.name))).toEqual([[5, 'b'], [59_999_999, 'a'], [179_999_999, 'b'], [179_999_999, 'a']]);
  });

  it('reads the file in chunks: units, strings and multi-byte names split across chunk boundaries parse the same', () => {
    const file = join(scratch(), 'load.json');
    const units = [
      { timestamp: [3, 1, 2], endpoint: ['fn-é', 'fn-"q"', 'fn-\\'] },
      { timestamp: [], endpoint: [] },
      { timestamp: [59_999_999], endpoint: ['fn-日本'] },
    ];
    writeFileSync(file, ` [\n${units.map((u) => JSON.stringify(u, null, 1)).join(' ,\n')}\n ]\n`);
    const expected = [...jsonArrayElements(file, 'of units')];
    expect(expected).toEqual(units);
    for (const chunk of [1, 2, 3, 7, 64]) expect([...jsonArrayElements(file, 'of units', chunk)]).toEqual(units);
    expect(calls(readVswarmLoad(file, 'minute').batches(), ['fn-"q"', 'fn-\\', 'fn-é', 'fn-日本'])).toEqual([[1, 'fn-"q"'], [2, 'fn-\\'], [3, 'fn-é'], [179_999_999, 'fn-日本']]);
  });
});
