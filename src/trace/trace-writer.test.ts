import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace } from './azure-trace-reader.ts';
import type { TraceFunction, TraceWindow } from './trace-function.ts';
import { assertTraceTarget, writeTrace } from './trace-writer.ts';

const TRACES = new URL('../../../shared/traces/', import.meta.url).pathname;

const scratch = (): string => mkdtempSync(join(tmpdir(), 'faasbench-writer-'));

function fn(owner: string, app: string, name: string, counts: number[], averageMs = 10.5, averageMb = 128.25): TraceFunction {
  return {
    key: { owner, app, fn: name },
    trigger: 'http',
    counts: Uint32Array.from(counts),
    duration: { averageMs, count: 7, minimumMs: 1, maximumMs: 99.125, percentilesMs: { 0: 1, 1: 1.5, 25: 5, 50: 9, 75: 12, 99: 90, 100: 99.125 } },
    memory: { sampleCount: 3, averageMb, percentilesMb: { 1: 100, 5: 101, 25: 110, 50: 120, 75: 130, 95: 140, 99: 150, 100: 1 / 3 } },
    line: 2,
  };
}

const WINDOW: TraceWindow = { unit: 'minute', labels: ['480', '481'] };

describe('writeTrace', () => {
  it('writes the three files in the documented layout', async () => {
    const dir = join(scratch(), 'new', 'nested');
    const written = await writeTrace(dir, WINDOW, [fn('o1', 'a1', 'f1', [3, 0]), fn('o2', 'a2', 'f2', [0, 4294967295], 0, 0.1)]);
    expect(written).toEqual(['invocations.csv', 'durations.csv', 'memory.csv'].map((f) => join(dir, f)));
    expect(readFileSync(join(dir, 'invocations.csv'), 'utf8')).toBe('HashOwner,HashApp,HashFunction,Trigger,480,481\no1,a1,f1,http,3,0\no2,a2,f2,http,0,4294967295\n');
    expect(readFileSync(join(dir, 'durations.csv'), 'utf8')).toBe(
      'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\n' +
        'o1,a1,f1,10.5,7,1,99.125,1,1.5,5,9,12,90,99.125\no2,a2,f2,0,7,1,99.125,1,1.5,5,9,12,90,99.125\n',
    );
    expect(readFileSync(join(dir, 'memory.csv'), 'utf8')).toBe(
      'HashOwner,HashApp,HashFunction,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n' +
        'o1,a1,f1,3,128.25,100,101,110,120,130,140,150,0.3333333333333333\no2,a2,f2,3,0.1,100,101,110,120,130,140,150,0.3333333333333333\n',
    );
    expect(readdirSync(dir).sort()).toEqual(['durations.csv', 'invocations.csv', 'memory.csv']);
  });

  it('reads back to the same functions', async () => {
    const functions = [fn('o1', 'a1', 'f1', [3, 0]), fn('o2', 'a2', 'f2', [0, 9], 0.1 + 0.2, 1e-7)];
    const dir = scratch();
    await writeTrace(dir, WINDOW, functions);
    const back = await readTrace(dir);
    expect(back.labels).toEqual(WINDOW.labels);
    expect(back.functions).toEqual(functions.map((f, i) => ({ ...f, line: i + 2 })));
  });

  it('quotes a Trigger holding a comma or a quote, as RFC 4180 does, and reads it back', async () => {
    const functions = [{ ...fn('o1', 'a1', 'f1', [3, 0]), trigger: 'timer,queue "main"' }];
    const dir = scratch();
    await writeTrace(dir, WINDOW, functions);
    expect(readFileSync(join(dir, 'invocations.csv'), 'utf8')).toBe('HashOwner,HashApp,HashFunction,Trigger,480,481\no1,a1,f1,"timer,queue ""main""",3,0\n');
    expect((await readTrace(dir)).functions).toEqual(functions);
  });

  it.each([
    ['invitro-example-4fn-1440min', undefined],
    ['invitro-5fn-1440min', undefined],
    ['invitro-10fn-1440min', undefined],
    ['invitro-100fn-480min', undefined],
    ['invitro-100fn-480min', { from: 500, to: 509 }],
  ])('round-trips the published set %s (minutes %j)', async (set, minutes) => {
    const original = await readTrace(join(TRACES, set), minutes ? { minutes } : {});
    const dir = scratch();
    await writeTrace(dir, original, original.functions);
    const again = await readTrace(dir);
    expect(again.unit).toBe(original.unit);
    expect(again.labels).toEqual(original.labels);
    expect(again.functions).toEqual(original.functions);
  });

  it('refuses to replace an existing trace unless told to, and leaves it as it was', async () => {
    const dir = scratch();
    await writeTrace(dir, WINDOW, [fn('o1', 'a1', 'f1', [1, 2])]);
    const before = readFileSync(join(dir, 'invocations.csv'), 'utf8');
    await expect(writeTrace(dir, WINDOW, [fn('o1', 'a1', 'f1', [5, 6])])).rejects.toThrow(`${dir}: already holds invocations.csv, durations.csv, memory.csv; choose another folder or pass --overwrite`);
    expect(readFileSync(join(dir, 'invocations.csv'), 'utf8')).toBe(before);
    await writeTrace(dir, WINDOW, [fn('o1', 'a1', 'f1', [5, 6])], { overwrite: true });
    expect(readFileSync(join(dir, 'invocations.csv'), 'utf8')).toBe('HashOwner,HashApp,HashFunction,Trigger,480,481\no1,a1,f1,http,5,6\n');
    expect(readdirSync(dir).sort()).toEqual(['durations.csv', 'invocations.csv', 'memory.csv']);
  });

  it('names any one trace file already present, and a target that is a file', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'memory.csv'), 'x');
    await expect(assertTraceTarget(dir)).rejects.toThrow(`${dir}: already holds memory.csv;`);
    await expect(assertTraceTarget(dir, { overwrite: true })).resolves.toBeUndefined();
    await expect(assertTraceTarget(join(dir, 'memory.csv'))).rejects.toThrow(`${join(dir, 'memory.csv')}: exists and is not a folder`);
  });

  it('removes its temporary files when a rename fails', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'invocations.csv'));
    await expect(writeTrace(dir, WINDOW, [fn('o1', 'a1', 'f1', [1, 2])], { overwrite: true })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['invocations.csv']);
  });

  it.each([
    ['a key with a comma', [fn('o,1', 'a1', 'f1', [1, 2])], 'writeTrace: function HashFunction=f1 (HashApp=a1, line 2): column HashOwner "o,1": expected a non-empty value without commas'],
    ['an empty key', [fn('o1', 'a1', '', [1, 2])], 'column HashFunction "": expected a non-empty value'],
    ['two rows with one key', [fn('o1', 'a1', 'f1', [1, 2]), fn('o1', 'a1', 'f1', [1, 2])], 'the same key as the function of line 2'],
    ['counts that do not fit the window', [fn('o1', 'a1', 'f1', [1])], '1 counts for the window\'s 2 labels'],
    ['a non-finite figure', [fn('o1', 'a1', 'f1', [1, 2], Number.NaN)], 'column Average: expected a finite number, got NaN'],
  ])('writes nothing for %s', async (_what, functions, message) => {
    const dir = join(scratch(), 'out');
    await expect(writeTrace(dir, WINDOW, functions)).rejects.toThrow(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('writes nothing for a label that is not an integer', async () => {
    const dir = join(scratch(), 'out');
    await expect(writeTrace(dir, { unit: 'minute', labels: ['1', 'x'] }, [fn('o1', 'a1', 'f1', [1, 2])])).rejects.toThrow('writeTrace: unit label "x": expected an integer');
    expect(existsSync(dir)).toBe(false);
  });
});
