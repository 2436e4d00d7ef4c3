// bench.kv is kept per experiment across runs: what one run sets, a later run of the same
// experiment reads (each run its own CLI process, so only the SQLite file carries it), and an
// experiment of another name never sees it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

/** Reads what earlier runs left, then leaves its own run id (or forgets it with forget=true). */
const visitor = (name: string): string => `import { defineExperiment, z } from 'faasbench/experiments';
export default defineExperiment({
  name: '${name}',
  description: 'reads and writes its kv',
  params: z.object({ forget: z.boolean().default(false) }),
  async run(bench, params) {
    const visits = (await bench.kv.get('visits')) ?? null;
    const last = (await bench.kv.get('lastRun')) ?? null;
    if (params.forget) {
      await bench.kv.delete('visits');
      await bench.kv.delete('lastRun');
    } else {
      await bench.kv.set('visits', ((visits as number | null) ?? 0) + 1);
      await bench.kv.set('lastRun', { id: bench.runId });
    }
    return { columns: ['visits before', 'last run before'], rows: [[visits, last === null ? null : (last as { id: string }).id]] };
  },
});
`;

interface RunJson {
  runId: string;
  status: string;
  result: { rows: unknown[][] } | null;
}

describe('bench.kv', () => {
  it('a value one run sets is read by later runs of the same experiment, never by another experiment', async () => {
    const dir = scratchDir('experiment-kv');
    writeFileSync(path.join(dir, 'counter.ts'), visitor('kv-counter'));
    writeFileSync(path.join(dir, 'other.ts'), visitor('kv-other'));
    const store = path.join(dir, 'runs.db');
    // The runs call no function: the http provider (nothing to start, nothing contacted) keeps each
    // run to the CLI's own start-up, where local would start a platform per run.
    const experiment = async (file: string, ...params: string[]): Promise<{ runId: string; row: unknown[] }> => {
      const args = [BIN, 'experiment', 'run', file, '--provider', 'http', '-o', 'url=http://127.0.0.1:9', '--store', store, '--json', ...params.flatMap((p) => ['-p', p])];
      const { stdout } = await run(process.execPath, args, { cwd: dir, maxBuffer: 1 << 24 });
      const [out] = JSON.parse(stdout) as RunJson[];
      expect(out!.status).toBe('completed');
      return { runId: out!.runId, row: out!.result!.rows[0]! };
    };
    const kv = async (): Promise<unknown[]> => {
      const db = await openStore(store);
      try {
        return [await db.kvGet('kv-counter', 'visits'), await db.kvGet('kv-counter', 'lastRun'), await db.kvGet('kv-other', 'visits'), await db.kvGet('kv-other', 'lastRun')];
      } finally {
        await db.close();
      }
    };

    const first = await experiment('./counter.ts');
    expect(first.row).toEqual([null, null]);
    // Same store, same code, another name: a namespace of its own, empty.
    const other = await experiment('./other.ts');
    expect(other.row).toEqual([null, null]);
    const second = await experiment('./counter.ts');
    expect(second.row).toEqual([1, first.runId]);
    expect(await kv()).toEqual([2, { id: second.runId }, 1, { id: other.runId }]);

    // delete is kept too, and leaves the other experiment's values alone.
    expect((await experiment('./counter.ts', 'forget=true')).row).toEqual([2, second.runId]);
    expect(await kv()).toEqual([undefined, undefined, 1, { id: other.runId }]);
  }, 90_000);
});
