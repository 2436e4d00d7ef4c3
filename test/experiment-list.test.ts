// `faasbench experiment list` against the registry itself: every built-in, in registry order, with
// its description and its parameters' defaults, as a table and as --json.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, builtinExperiments } from '../src/experiments/registry.ts';
import { REPO } from './support/platform.ts';

const run = promisify(execFile);

const list = async (...args: string[]): Promise<string> => (await run(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'experiment', 'list', ...args], { maxBuffer: 1 << 24 })).stdout;

/** What the registry says each built-in is: name, description and defaults (as JSON carries them). */
async function expected(): Promise<Array<{ name: string; description: string; params: unknown }>> {
  return (await builtinExperiments()).map((e) => ({ name: e.name, description: e.description, params: JSON.parse(JSON.stringify(e.params.parse({}))) as unknown }));
}

/** The table's rows, each cell's wrapped lines joined back: one string per column. */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let current: string[][] | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('│')) {
      if (current) rows.push(current.map((parts) => parts.join(' ').replace(/\s+/g, ' ').trim()));
      current = null;
      continue;
    }
    const cells = line.split('│').slice(1, -1);
    current ??= cells.map(() => []);
    cells.forEach((cell, i) => current![i]!.push(cell.trim()));
  }
  return rows;
}

describe('faasbench experiment list', () => {
  it('--json lists every registered built-in with its description and defaults', async () => {
    const want = await expected();
    expect(want.map((e) => e.name)).toEqual(BUILTIN_NAMES);
    expect(JSON.parse(await list('--json'))).toEqual(want);
  }, 30_000);

  it('the table has one row per built-in: name, description and each default as key=value', async () => {
    const [header, ...rows] = tableRows(await list());
    expect(header).toEqual(['experiment', 'what it measures', 'parameters (defaults)']);
    const want = await expected();
    expect(rows.map((r) => r[0])).toEqual(want.map((e) => e.name));
    for (const [i, e] of want.entries()) {
      expect(rows[i]![1]).toBe(e.description.replace(/\s+/g, ' '));
      // A default longer than the column (an event, a path) is split over lines: compared with whitespace left out.
      const params = Object.entries(e.params as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('');
      expect(rows[i]![2]!.replace(/\s+/g, '')).toBe(params.replace(/\s+/g, ''));
    }
  }, 30_000);
});
