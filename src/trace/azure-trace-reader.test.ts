import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTraceStream, readTrace } from './azure-trace-reader.ts';
import { totalInvocations } from './trace-function.ts';

const TRACES = new URL('../../../shared/traces/', import.meta.url).pathname;

const DURATIONS_HEADER = 'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100';
const MEMORY_COLUMNS = 'SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100';

interface Files {
  invocations: string;
  durations: string;
  memory: string;
}

const GOOD: Files = {
  invocations: ['HashOwner,HashApp,HashFunction,Trigger,10,11,12', 'o1,a1,f1,http,1,0,2', 'o1,a1,f2,timer,0,3,0', 'o2,a2,f3,queue,5,5,5'].join('\n'),
  // Rows in another order than invocations.csv, as in the published sets.
  durations: [DURATIONS_HEADER, 'o2,a2,f3,30,3,1,60,1,2,10,20,30,50,60', 'o1,a1,f1,10,3,1,20,1,2,5,8,10,15,20', 'o1,a1,f2,0,3,0,0,0,0,0,0,0,0,0'].join('\n'),
  // Columns in another order, as in invitro-100fn-480min.
  memory: [`HashFunction,HashOwner,HashApp,${MEMORY_COLUMNS}`, 'f1,o1,a1,10,100,90,91,95,100,105,110,120,130', 'f2,o1,a1,10,50,40,41,45,50,55,60,65,70', 'f3,o2,a2,10,200,190,191,195,200,205,210,220,230'].join('\n'),
};

function traceDir(files: Partial<Files> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'faasbench-trace-'));
  const all = { ...GOOD, ...files };
  for (const [name, text] of Object.entries(all)) writeFileSync(join(dir, `${name}.csv`), text);
  return dir;
}

describe('readTrace on the published sample sets', () => {
  it.each([
    ['invitro-example-4fn-1440min', 4, '1', '1440', 4525],
    ['invitro-5fn-1440min', 5, '1', '1440', 25_268_396],
    ['invitro-10fn-1440min', 10, '1', '1440', 13_037_064],
    ['invitro-100fn-480min', 100, '480', '959', 339_657],
  ])('%s: %i functions, labels %s..%s, %i invocations', async (set, functions, first, last, invocations) => {
    const trace = await readTrace(join(TRACES, set));
    expect(trace.unit).toBe('minute');
    expect(trace.functions).toHaveLength(functions);
    expect([trace.labels[0], trace.labels.at(-1)]).toEqual([first, last]);
    expect(trace.functions.reduce((sum, fn) => sum + totalInvocations(fn), 0)).toBe(invocations);
  });

  it('reports the zero 75th percentiles of the 100-function set with their lines', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-100fn-480min'));
    expect(trace.notes).toEqual(['durations.csv: 6 row(s) with a 75th percentile of 0 (lines 9, 42, 47, 48, 60, 69); kept: mapping treats 0 as the smallest measurable value']);
  });

  it('selects a window by label, not by position', async () => {
    const trace = await readTrace(join(TRACES, 'invitro-100fn-480min'), { minutes: { from: 500, to: 509 } });
    expect(trace.labels).toEqual(['500', '501', '502', '503', '504', '505', '506', '507', '508', '509']);
    const line = readFileSync(join(TRACES, 'invitro-100fn-480min', 'invocations.csv'), 'utf8').split('\n')[1]!.split(',');
    expect([...trace.functions[0]!.counts]).toEqual(line.slice(4 + 20, 4 + 30).map(Number));
  });
});

describe('readTrace joins by key', () => {
  it('joins rows and columns given in any order', async () => {
    const trace = await readTrace(traceDir());
    expect(trace.labels).toEqual(['10', '11', '12']);
    const [f1, f2, f3] = trace.functions;
    expect(f1!.key).toEqual({ owner: 'o1', app: 'a1', fn: 'f1' });
    expect([...f1!.counts]).toEqual([1, 0, 2]);
    expect(f1!.duration.percentilesMs[75]).toBe(10);
    expect(f1!.memory.percentilesMb[75]).toBe(105);
    expect(f2!.trigger).toBe('timer');
    expect(f3!.duration.averageMs).toBe(30);
    expect(f3!.memory).toEqual({ sampleCount: 10, averageMb: 200, percentilesMb: { 1: 190, 5: 191, 25: 195, 50: 200, 75: 205, 95: 210, 99: 220, 100: 230 } });
    expect(f3!.line).toBe(4);
  });

  it('splits a per-app memory file evenly among the app functions and says so', async () => {
    const memory = [`HashOwner,HashApp,${MEMORY_COLUMNS}`, 'o1,a1,10,100,90,92,94,96,98,100,102,104', 'o2,a2,10,200,190,191,195,200,205,210,220,230'].join('\n');
    const trace = await readTrace(traceDir({ memory }));
    const [f1, f2, f3] = trace.functions;
    expect(f1!.memory).toEqual({ sampleCount: 10, averageMb: 50, percentilesMb: { 1: 45, 5: 46, 25: 47, 50: 48, 75: 49, 95: 50, 99: 51, 100: 52 }, splitAmong: 2 });
    expect(f2!.memory).toEqual(f1!.memory);
    expect(f3!.memory.splitAmong).toBe(1);
    // Each app's own functions are counted (a1 has 2, a2 has 1), not the file's 3.
    expect(trace.notes).toContain("memory.csv is per app (raw Azure): each app's memory was split evenly among that app's own functions in invocations.csv (1 to 2 per app; HashApp=a1: 2, HashApp=a2: 1)");
  });

  it('infers seconds from a file with more columns than a day has minutes', async () => {
    const labels = Array.from({ length: 1500 }, (_, i) => i + 1);
    const invocations = [`HashOwner,HashApp,HashFunction,Trigger,${labels.join(',')}`, `o1,a1,f1,http,${labels.map(() => 1).join(',')}`].join('\n');
    const durations = [DURATIONS_HEADER, 'o1,a1,f1,10,3,1,20,1,2,5,8,10,15,20'].join('\n');
    const memory = [`HashFunction,HashOwner,HashApp,${MEMORY_COLUMNS}`, 'f1,o1,a1,10,100,90,91,95,100,105,110,120,130'].join('\n');
    const dir = traceDir({ invocations, durations, memory });
    const read = await readTrace(dir);
    expect(read.unit).toBe('second');
    expect(read.notes).toEqual(["invocations.csv: counts read as per second (inferred: 1500 count columns, more than a day's 1440 minutes); pass --unit minute if they count minutes"]);
    // Second labels 1..60 are minute 1, 61..120 minute 2 (Azure counts from 1).
    const window = await readTrace(dir, { minutes: { from: 2, to: 2 } });
    expect([window.labels[0], window.labels.at(-1), window.labels.length]).toEqual(['61', '120', 60]);
  });

  it('says so when labels above a day of minutes make it read seconds, and --unit minute overrides', async () => {
    // The second day of a per-minute trace: 3 columns labelled 1441..1443 are read as seconds, 60x the rate.
    const invocations = GOOD.invocations.replace('Trigger,10,11,12', 'Trigger,1441,1442,1443');
    const dir = traceDir({ invocations });
    const read = await readTrace(dir);
    expect(read.unit).toBe('second');
    expect(read.notes[0]).toBe("invocations.csv: counts read as per second (inferred: labels run 1441..1443, above a day's 1440 minutes); pass --unit minute if they count minutes");
    const told = await readTrace(dir, { unit: 'minute' });
    expect([told.unit, told.notes.filter((note) => note.startsWith('invocations.csv'))]).toEqual(['minute', []]);
  });

  it('reads a trailing comma on every line, or on every row, as an empty last column', async () => {
    const everyLine = GOOD.invocations.split('\n').map((line) => `${line},`).join('\n');
    const everyRow = GOOD.invocations.split('\n').map((line, i) => (i === 0 ? line : `${line},`)).join('\n');
    for (const invocations of [everyLine, everyRow]) {
      const trace = await readTrace(traceDir({ invocations }));
      expect(trace.labels).toEqual(['10', '11', '12']);
      expect(trace.functions.map((fn) => [...fn.counts])).toEqual([[1, 0, 2], [0, 3, 0], [5, 5, 5]]);
    }
  });

  it('reads RFC 4180 quoting: a quoted comma and a doubled quote in Trigger, quoted counts', async () => {
    const invocations = GOOD.invocations.replace('o1,a1,f2,timer,0,3,0', 'o1,a1,f2,"timer,queue ""main""","0",3,"0"');
    const trace = await readTrace(traceDir({ invocations }));
    expect(trace.functions[1]!.trigger).toBe('timer,queue "main"');
    expect([...trace.functions[1]!.counts]).toEqual([0, 3, 0]);
  });

  it('reports non-monotone and negative percentiles with file and line, and keeps the rows', async () => {
    // f1's 25th percentile (9) above its 50th (8), on line 3 of durations.csv; f2's 1st memory percentile negative, line 3 of memory.csv.
    const durations = GOOD.durations.replace('o1,a1,f1,10,3,1,20,1,2,5,8,', 'o1,a1,f1,10,3,1,20,1,2,9,8,');
    const memory = GOOD.memory.replace('f2,o1,a1,10,50,40,', 'f2,o1,a1,10,50,-1,');
    const trace = await readTrace(traceDir({ durations, memory }));
    expect(trace.notes).toEqual([
      'durations.csv: 1 row(s) with a 75th percentile of 0 (line 4); kept: mapping treats 0 as the smallest measurable value',
      'durations.csv: 1 row(s) whose percentiles decrease or are negative (line 3); kept as written',
      'memory.csv: 1 row(s) whose percentiles decrease or are negative (line 3); kept as written',
    ]);
    expect(trace.functions[0]!.duration.percentilesMs).toMatchObject({ 25: 9, 50: 8 });
    expect(trace.functions[1]!.memory.percentilesMb[1]).toBe(-1);
  });

  it('notes rows no invocation refers to, after a full pass', async () => {
    const durations = `${GOOD.durations}\no9,a9,f9,1,1,1,1,1,1,1,1,1,1,1`;
    const stream = await openTraceStream(traceDir({ durations }));
    expect(stream.notes).toEqual(['durations.csv: 1 row(s) with a 75th percentile of 0 (line 4); kept: mapping treats 0 as the smallest measurable value']);
    for await (const fn of stream.functions()) expect(fn.key.owner).not.toBe('o9');
    expect(stream.notes).toContain('durations.csv: 1 row(s) for functions not in invocations.csv (ignored)');
  });
});

describe('readTrace rejects bad traces naming file, line and column', () => {
  const cases: Array<[string, Partial<Files>, RegExp]> = [
    ['a missing column', { durations: GOOD.durations.replace('percentile_Average_75', 'p75') }, /^durations\.csv:1: missing column percentile_Average_75 \(the header has: HashOwner,HashApp/],
    ['a row missing from durations.csv', { durations: GOOD.durations.split('\n').filter((l) => !l.startsWith('o1,a1,f2')).join('\n') }, /^durations\.csv: no row for the function HashFunction=f2 \(HashApp=a1\) of invocations\.csv line 3/],
    ['text in a count cell', { invocations: GOOD.invocations.replace('o1,a1,f2,timer,0,3,0', 'o1,a1,f2,timer,0,three,0') }, /^invocations\.csv:3: column 11: expected an invocation count \(a decimal whole number >= 0\), got "three"/],
    ['an empty count cell', { invocations: GOOD.invocations.replace('o1,a1,f2,timer,0,3,0', 'o1,a1,f2,timer,0,,0') }, /^invocations\.csv:3: column 11: expected an invocation count/],
    ['a fractional count', { invocations: GOOD.invocations.replace('5,5,5', '5,5.5,5') }, /^invocations\.csv:4: column 11: expected an invocation count .* got "5\.5"/],
    ['an empty file', { memory: '' }, /^memory\.csv:1: empty file: expected a header line and one row per function/],
    ['a short row', { invocations: GOOD.invocations.replace('o2,a2,f3,queue,5,5,5', 'o2,a2,f3,queue,5,5') }, /^invocations\.csv:4: expected 7 cells as in the header, got 6/],
    ['text in a duration cell', { durations: GOOD.durations.replace('o1,a1,f1,10,', 'o1,a1,f1,ten,') }, /^durations\.csv:3: column Average: expected a number, got "ten"/],
    ['a duplicate function', { invocations: `${GOOD.invocations}\no1,a1,f1,http,1,1,1` }, /^invocations\.csv:5: a second row for the function of line 2/],
    ['a non-numeric unit label', { invocations: GOOD.invocations.replace('Trigger,10,', 'Trigger,ten,') }, /^invocations\.csv:1: column 5: expected a minute or second label \(a decimal integer\), got "ten"/],
    ['a hexadecimal count', { invocations: GOOD.invocations.replace('5,5,5', '5,0x10,5') }, /^invocations\.csv:4: column 11: expected an invocation count \(a decimal whole number >= 0\), got "0x10"/],
    ['a count in exponent form', { invocations: GOOD.invocations.replace('5,5,5', '1e3,5,5') }, /^invocations\.csv:4: column 10: expected an invocation count .* got "1e3"/],
    ['a count with a sign', { invocations: GOOD.invocations.replace('5,5,5', '5,5,+3') }, /^invocations\.csv:4: column 12: expected an invocation count .* got "\+3"/],
    ['a count with spaces', { invocations: GOOD.invocations.replace('5,5,5', '5, 5,5') }, /^invocations\.csv:4: column 11: expected an invocation count .* got " 5"/],
    ['a hexadecimal label', { invocations: GOOD.invocations.replace('Trigger,10,', 'Trigger,0xA,') }, /^invocations\.csv:1: column 5: expected a minute or second label \(a decimal integer\), got "0xA"/],
    ['labels out of order', { invocations: GOOD.invocations.replace('Trigger,10,11,12', 'Trigger,10,12,11') }, /^invocations\.csv:1: column 6: label "12" after "10": expected 11 \(labels count up one by one, each once\)/],
    ['a gap in the labels', { invocations: GOOD.invocations.replace('Trigger,10,11,12', 'Trigger,10,11,13') }, /^invocations\.csv:1: column 7: label "13" after "11": expected 12 /],
    ['a repeated label', { invocations: GOOD.invocations.replace('Trigger,10,11,12', 'Trigger,10,11,11') }, /^invocations\.csv:1: column 7: label "11" after "11": expected 12 /],
    ['a header-only invocations.csv', { invocations: GOOD.invocations.split('\n')[0]! }, /^invocations\.csv:2: no function rows after the header: expected one row per function/],
    ['an unclosed quote', { invocations: GOOD.invocations.replace('o1,a1,f2,timer', 'o1,a1,f2,"timer') }, /^invocations\.csv:3: a quoted cell with no closing quote/],
  ];
  it.each(cases)('%s', async (_name, files, message) => {
    await expect(readTrace(traceDir(files))).rejects.toThrow(message);
  });

  it('a window with no columns names the labels the file has', async () => {
    await expect(readTrace(traceDir(), { minutes: { from: 1, to: 5 } })).rejects.toThrow('--minutes 1-5: ');
    await expect(readTrace(traceDir(), { minutes: { from: 1, to: 5 } })).rejects.toThrow('has no minute columns in that window (its labels run 10..12)');
  });

  it('a missing folder says what a trace folder holds', async () => {
    await expect(readTrace('/nonexistent/trace')).rejects.toThrow('/nonexistent/trace: no such trace folder (expected invocations.csv, durations.csv and memory.csv in it)');
  });
});
