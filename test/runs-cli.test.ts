// Runs you can find, as a user meets them: `runs` shows what each run ran and its label, `runs
// --filter` narrows the list, `runs delete` removes runs with their records, a store path that
// does not exist is an error for every command that only reads (and is not created), a command
// that creates runs says where it created the store, and a replay's mapping is found by `report`
// from any folder. Runs are written straight into a scratch store; one real invoke checks --label
// and the "created store" line end to end.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/index.ts';
import { makeRecords } from '../src/store/testing/records.ts';
import { runCli, type CliResult } from './support/cli-process.ts';
import { scratchDir } from './support/platform.ts';

interface ListedRun {
  id: string;
  kind: string;
  name: string;
  provider: string;
  status: string;
  label: string | null;
  load: string | null;
  records: number;
}

const dir = scratchDir('runs-cli');
const db = path.join(dir, 'runs.db');
const ids = { baseline: '', tuned: '', experiment: '', failed: '', running: '', replay: '' };
let store: Store;

const MAPPING = {
  version: 1,
  method: 'nearest',
  maxError: null,
  entries: [10, 200, 3000].map((ms, i) => ({
    key: { owner: 'o', app: `a${i}`, fn: `f${i}` },
    trigger: 'http',
    traceDurationP75Ms: ms,
    traceMemoryP75Mb: 100 + i * 50,
    proxy: 'synthetic',
    proxyDurationP75Ms: ms,
    proxyMemoryP75Mb: 100 + i * 50,
    durationError: 0,
    memoryError: 0,
    distance: 0,
  })),
};

async function listed(args: string[] = []): Promise<ListedRun[]> {
  const out = await runCli(['runs', '--store', db, '--json', ...args]);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as ListedRun[];
}

const idsOf = (runs: ListedRun[]): string[] => runs.map((r) => r.id).sort();
const sorted = (...runIds: string[]): string[] => [...runIds].sort();

beforeAll(async () => {
  store = await openStore(db);
  const invoke = { kind: 'invoke', name: 'hello', provider: 'local', toolVersion: 'test' };
  ids.baseline = await store.createRun({ ...invoke, label: 'baseline', params: { pattern: 'constant', options: { rate: '20', duration: '5s' }, shard: null } });
  ids.tuned = await store.createRun({ ...invoke, label: 'tuned', params: { pattern: 'sequential', options: { count: '10' }, shard: null } });
  ids.experiment = await store.createRun({ kind: 'experiment', name: 'memory-sweep', provider: 'local', toolVersion: 'test', label: 'baseline', params: { experiment: 'memory-sweep', values: { memories: [128, 256], calls: 20 } } });
  ids.failed = await store.createRun({ ...invoke, provider: 'aws-lambda', params: { pattern: 'concurrent', options: { count: '4' }, shard: null } });
  ids.running = await store.createRun({ ...invoke, params: { pattern: 'constant', options: { rate: '1', duration: '1h' }, shard: null } });
  // Started in `dir` with a relative mapping: report must find it from elsewhere.
  ids.replay = await store.createRun({ kind: 'trace-replay', name: 'azure-example-4fn', provider: 'local', toolVersion: 'test', host: { cwd: dir }, params: { mapping: 'mapping.json', functions: 3, minutes: '0-1' } });
  writeFileSync(path.join(dir, 'mapping.json'), JSON.stringify(MAPPING));
  await store.writeRecords([...makeRecords(ids.baseline, 0, 40), ...makeRecords(ids.tuned, 0, 10), ...makeRecords(ids.replay, 0, 30)]);
  await store.addRecord(ids.experiment, 'result', { cheapest: 128 });
  for (const id of [ids.baseline, ids.tuned, ids.experiment, ids.replay]) await store.finishRun(id, 'completed');
  await store.finishRun(ids.failed, 'failed');
  // Its writer promised a beat every hour: fresh, so still running.
  await store.heartbeat(ids.running, 3_600_000);
}, 30_000);

afterAll(async () => {
  await store?.close();
});

describe('faasbench runs', () => {
  it('shows each run\'s load and label, in the table and in --json', async () => {
    const runs = await listed();
    const byId = new Map(runs.map((r) => [r.id, r]));
    expect(byId.get(ids.baseline)).toMatchObject({ label: 'baseline', load: 'constant 20/s 5s', records: 40, status: 'completed' });
    expect(byId.get(ids.tuned)).toMatchObject({ label: 'tuned', load: 'sequential 10' });
    expect(byId.get(ids.experiment)).toMatchObject({ label: 'baseline', load: 'memories=128,256 calls=20' });
    expect(byId.get(ids.replay)).toMatchObject({ label: null, load: 'trace 3 fns, minutes 0-1' });
    const table = await runCli(['runs', '--store', db]);
    expect(table.code).toBe(0);
    const line = table.stdout.split('\n').find((l) => l.includes(ids.baseline))!;
    expect(line).toMatch(/│ hello +│ constant 20\/s 5s +│ baseline +│ local +│ completed /);
  });

  it('--filter: fields AND, one field twice OR, status as shown; an unknown field is refused naming the allowed ones', async () => {
    // One CLI process each, at once: most of each is start-up.
    const [label, labelAndKind, statuses, provider, limited, bad] = await Promise.all([
      listed(['--filter', 'label=baseline']),
      listed(['--filter', 'label=baseline', '--filter', 'kind=experiment']),
      listed(['--filter', 'status=failed', '--filter', 'status=running']),
      listed(['--filter', 'provider=aws-lambda']),
      listed(['--filter', 'name=hello', '--filter', 'provider=local', '--limit', '2']),
      runCli(['runs', '--store', db, '--filter', 'colour=red']),
    ]);
    expect(idsOf(label)).toEqual(sorted(ids.baseline, ids.experiment));
    expect(idsOf(labelAndKind)).toEqual([ids.experiment]);
    expect(idsOf(statuses)).toEqual(sorted(ids.failed, ids.running));
    expect(idsOf(provider)).toEqual([ids.failed]);
    expect(limited).toHaveLength(2);
    expect(bad).toMatchObject({ code: 3, stdout: '', stderr: 'faasbench: --filter "colour=red": no field "colour"; the fields are kind, name, provider, status, label\n' });
  });
});

describe('faasbench runs delete', () => {
  it('deletes runs with their records, refuses an unknown or running run (deleting nothing), and deletes a running one with --force', async () => {
    const doomed = await store.createRun({ kind: 'invoke', name: 'doomed', provider: 'local', toolVersion: 'test' });
    await store.writeRecords(makeRecords(doomed, 0, 25));
    await store.addRecord(doomed, 'probe', { n: 1 });
    await store.finishRun(doomed, 'completed');

    const [unknown, running] = await Promise.all([
      runCli(['runs', 'delete', doomed, 'no-such-run', '--store', db]),
      runCli(['runs', 'delete', doomed, ids.running, '--store', db]),
    ]);
    expect(unknown).toMatchObject({ code: 3, stderr: 'faasbench: no run no-such-run in the store (see faasbench runs); nothing was deleted\n' });
    expect(running).toMatchObject({ code: 3, stderr: `faasbench: run ${ids.running} is still running (its writer's heartbeat is fresh): stop it first, or give --force; nothing was deleted\n` });
    expect(await store.countRecords(doomed)).toBe(25);

    const deleted = await runCli(['runs', '--store', db, 'delete', doomed, '--json']);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual([{ runId: doomed, invocations: 25, records: 1 }]);
    expect(await store.getRun(doomed)).toBeUndefined();
    expect(await store.countRecords(doomed)).toBe(0);

    const forced = await runCli(['runs', 'delete', ids.running, '--force', '--store', db]);
    expect(forced).toMatchObject({ code: 0, stdout: `deleted run ${ids.running}: 0 invocations, 0 experiment rows\n` });
    expect(idsOf(await listed())).not.toContain(ids.running);
    // The others are whole.
    expect(await store.countRecords(ids.baseline)).toBe(40);
  }, 30_000);
});

describe('a store path that does not exist', () => {
  it('is an error naming its absolute path for every command that only reads, and is not created', async () => {
    const cwd = scratchDir('runs-cli-missing');
    const missing = path.join(cwd, 'typo.db');
    const expected = `faasbench: no store at ${missing} (give --store or set FAASBENCH_STORE)\n`;
    const commands = [['runs'], ['analyze', 'x'], ['compare', 'x', 'y'], ['report', 'x'], ['serve', '--port', '0'], ['export', 'x'], ['results', 'x']];
    const outcomes: CliResult[] = await Promise.all([
      ...commands.map((args) => runCli([...args, '--store', 'typo.db'], { cwd })),
      // The same through FAASBENCH_STORE.
      runCli(['runs'], { cwd, env: { FAASBENCH_STORE: 'typo.db' } }),
    ]);
    for (const [i, outcome] of outcomes.entries()) {
      expect({ command: commands[i]?.[0] ?? 'env', code: outcome.code, stderr: outcome.stderr }).toEqual({ command: commands[i]?.[0] ?? 'env', code: 3, stderr: expected });
    }
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);

  it('is created by invoke, which says where, and the run keeps its --label; a bad label is a usage error', async () => {
    const cwd = scratchDir('runs-cli-invoke');
    const invoke = await runCli(['invoke', 'hello', '--label', 'first try', '--store', 'fresh.db', '--json'], { cwd });
    expect(invoke.stderr).toBe(`faasbench: created store ${path.join(cwd, 'fresh.db')}\n`);
    expect(invoke.code).toBe(0);
    const { runId } = JSON.parse(invoke.stdout) as { runId: string };
    const fresh = await openStore(path.join(cwd, 'fresh.db'));
    try {
      expect(await fresh.getRun(runId)).toMatchObject({ label: 'first try', kind: 'invoke', name: 'hello' });
    } finally {
      await fresh.close();
    }
    const again = await runCli(['runs', '--store', 'fresh.db', '--filter', 'label=first try'], { cwd });
    expect(again.stdout).toContain('│ first try │');

    const [badInvoke, badReplay, badExperiment] = await Promise.all([
      runCli(['invoke', 'hello', '--label', ' ', '--store', 'x.db'], { cwd }),
      runCli(['trace', 'replay', 'some-trace', '--label', 'two\nlines', '--store', 'x.db'], { cwd }),
      runCli(['experiment', 'run', 'cold-start', '--label', 'x'.repeat(101), '--store', 'x.db'], { cwd }),
    ]);
    for (const bad of [badInvoke, badReplay, badExperiment]) {
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("option '--label <text>' argument");
      expect(bad.stderr).toContain('is invalid. expected text of 1 to 100 characters on one line');
    }
    expect(existsSync(path.join(cwd, 'x.db'))).toBe(false);
  }, 90_000);
});

describe("a trace replay's mapping", () => {
  it('is found by report from another folder, relative to where the run was started', async () => {
    const elsewhere = scratchDir('runs-cli-elsewhere');
    mkdirSync(path.join(elsewhere, 'out'));
    const out = await runCli(['report', ids.replay, '--store', db, '--out', 'out/report', '--json'], { cwd: elsewhere });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const { files } = JSON.parse(out.stdout) as { files: string[] };
    const names = files.map((f) => path.basename(f));
    expect(names).toContain('trace-duration-histogram.svg');
    expect(names).toContain('trace-memory-duration.svg');
  }, 60_000);
});
