// `faasbench trace sample` as a user runs it: real processes, the files it writes, exit codes.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/platform.ts';

const SET = path.join(new URL('../../shared/traces/', import.meta.url).pathname, 'invitro-100fn-480min');
const FILES = ['invocations.csv', 'durations.csv', 'memory.csv'];

const faasbench = (...args: string[]): Promise<{ stdout: string; stderr: string }> => promisify(execFile)(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), ...args]);
const scratch = (): string => mkdtempSync(path.join(tmpdir(), 'faasbench-sample-'));

interface SampleJson {
  size: number;
  functionsTotal: number;
  tries: Array<{ index: number; score: number }>;
  best: number;
  score: number;
  invocations: { sample: number; whole: number };
  window: { first: string; last: string; units: number };
  chosen: Array<{ fn: string; invocations: number }>;
}

async function sample(out: string, ...more: string[]): Promise<SampleJson> {
  return JSON.parse((await faasbench('trace', 'sample', SET, '--size', '10', '--out', out, '--json', ...more)).stdout) as SampleJson;
}

function rows(dir: string, file: string): string[][] {
  return readFileSync(path.join(dir, file), 'utf8').trimEnd().split('\n').map((line) => line.split(','));
}

const keysOf = (table: string[][]): string[] => table.slice(1).map((cells) => cells.slice(0, 3).join(','));

describe('faasbench trace sample', () => {
  it('writes 10 functions of the 100-function set as a trace, same seed, same bytes', async () => {
    const [a, b, c] = [scratch(), scratch(), scratch()].map((dir) => path.join(dir, 'out'));
    const result = await sample(a!);
    expect([result.size, result.functionsTotal, result.tries.length]).toEqual([10, 100, 10]);
    expect(result.score).toBe(Math.min(...result.tries.map((t) => t.score)));
    expect(result.tries[result.best]!.score).toBe(result.score);
    expect(result.window).toEqual({ first: '480', last: '959', units: 480 });
    expect(result.invocations.whole).toBe(339_657);
    expect(result.invocations.sample).toBe(result.chosen.reduce((sum, fn) => sum + fn.invocations, 0));

    const invocations = rows(a!, 'invocations.csv');
    expect(invocations[0]).toEqual(['HashOwner', 'HashApp', 'HashFunction', 'Trigger', ...Array.from({ length: 480 }, (_, i) => String(480 + i))]);
    const keys = keysOf(invocations);
    expect(keys).toHaveLength(10);
    expect(keysOf(rows(a!, 'durations.csv'))).toEqual(keys);
    expect(keysOf(rows(a!, 'memory.csv'))).toEqual(keys);
    expect(keys.map((k) => k.split(',')[2])).toEqual(result.chosen.map((fn) => fn.fn));
    // Each row as the original file has it.
    const original = new Map(readFileSync(path.join(SET, 'invocations.csv'), 'utf8').trimEnd().split('\n').map((line) => [line.split(',').slice(0, 3).join(','), line]));
    expect(invocations.slice(1).map((cells) => cells.join(','))).toEqual(keys.map((k) => original.get(k)));

    await sample(b!);
    for (const file of FILES) expect(readFileSync(path.join(b!, file))).toEqual(readFileSync(path.join(a!, file)));
    const other = await sample(c!, '--seed', '2');
    expect(other.chosen.map((fn) => fn.fn)).not.toEqual(result.chosen.map((fn) => fn.fn));
  });

  it('keeps the labels of a --minutes window and prints a table of tries without --json', async () => {
    const out = path.join(scratch(), 'window');
    const { stdout } = await faasbench('trace', 'sample', SET, '--size', '3', '--tries', '2', '--minutes', '500-509', '--out', out);
    expect(rows(out, 'invocations.csv')[0]!.slice(4)).toEqual(['500', '501', '502', '503', '504', '505', '506', '507', '508', '509']);
    expect(rows(out, 'invocations.csv')).toHaveLength(4);
    expect(stdout).toMatch(/│ try │ score\s+│ invocations │ resource\s+│/);
    expect(stdout).toContain('functions: 3 of 100 (3.0%), minutes 500..509');
    expect(stdout).toMatch(/invocations: [\d,]+ of [\d,]+ \(\d+\.\d%\)/);
  });

  it('exits 3 naming the size when it exceeds the trace, and writes nothing', async () => {
    const out = path.join(scratch(), 'none');
    await expect(faasbench('trace', 'sample', SET, '--size', '1000', '--out', out)).rejects.toMatchObject({
      code: 3,
      stderr: expect.stringContaining('sample size 1000 is larger than the trace'),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('exits 3 for a bad --minutes, and for an existing sample without --overwrite, which it leaves alone', async () => {
    const dir = scratch();
    await expect(faasbench('trace', 'sample', SET, '--size', '2', '--out', path.join(dir, 'x'), '--minutes', '9-1')).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining('--minutes: the window 9-1 starts after it ends') });
    writeFileSync(path.join(dir, 'memory.csv'), 'mine');
    await expect(faasbench('trace', 'sample', SET, '--size', '2', '--out', dir)).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining('already holds memory.csv; choose another folder or pass --overwrite') });
    expect(readFileSync(path.join(dir, 'memory.csv'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(dir, 'invocations.csv'))).toBe(false);
  });
});
