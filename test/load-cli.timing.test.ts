// Load runs from the command line, as a user runs them: a no-op endpoint in its own process, the
// invoker in another, a real SQLite file and a real PostgreSQL; Ctrl-C and kill -9 mid-run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { pgSchemaUrl, SKIP_PG } from './support/postgres.ts';
import { REPO, scratchDir, sleep } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);
const invokeArgs = (store: string, ...pattern: string[]): string[] => [BIN, 'invoke', 'noop', '--no-deploy', '--provider', 'http', '-o', `url=${endpointUrl}`, '--store', store, ...pattern];

let endpoint: ChildProcess;
let endpointUrl: string;

// A bare node:http server answering {"ok":true}, in its own process like any remote endpoint.
const NOOP_SERVER = `
  const http = require('node:http');
  const s = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"ok":true}')); });
  s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

beforeAll(async () => {
  endpoint = spawn(process.execPath, ['-e', NOOP_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => createInterface({ input: endpoint.stdout! }).once('line', resolve));
  endpointUrl = `http://127.0.0.1:${port}/`;
  // A freshly started server answers slowly until its own code is compiled, and slow answers
  // make the invoker open more connections mid-run: one untimed run warms it, as any load test
  // warms its target before measuring the generator.
  await run(process.execPath, [...invokeArgs(path.join(scratchDir('load-warm-up'), 'runs.db'), 'constant', '--rate', '1000', '--duration', '3s'), '--json'], { maxBuffer: 1 << 24 });
}, 30_000);
afterAll(() => {
  endpoint.kill();
});


interface Summary {
  runId: string;
  status: string;
  summary: { total: number; byStatus: Record<string, number>; latenessMs: { p99: number } };
}

/** Polls the store (WAL: readers never block the writer) until a run holds `count` records; bounded at 20 s. */
async function recordsReach(store: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await sleep(100);
    // Opening creates the file: leave that, and its migrations, to the run.
    if (!existsSync(store)) continue;
    const db = await openStore(store).catch(() => null);
    if (!db) continue;
    try {
      const [runRow] = await db.listRuns();
      if (runRow && (await db.countRecords(runRow.id)) >= count) return;
    } finally {
      await db.close();
    }
  }
  throw new Error(`${store}: fewer than ${count} records after 20 s`);
}

describe('faasbench invoke with a pattern', () => {
  it('constant 1000/s for 10 s: 10,000 calls, p99 lateness under 10 ms, all stored, runs and export agree', async () => {
    // A pause of the whole machine can spoil one run (on this 2-core machine the first timed run after
    // the warm-up often shows p99 3-4 ms, the next ones 0.8-1.0 ms): up to three runs are allowed, and
    // each must store every call.
    const store = path.join(scratchDir('load'), 'runs.db');
    const outs: Summary[] = [];
    for (let attempt = 0; attempt < 3 && !((outs.at(-1)?.summary.latenessMs.p99 ?? Infinity) < 10); attempt++) {
      const { stdout } = await run(process.execPath, [...invokeArgs(store, 'constant', '--rate', '1000', '--duration', '10s'), '--json'], { maxBuffer: 1 << 24 });
      const out = JSON.parse(stdout) as Summary;
      expect(out.status).toBe('completed');
      expect(out.summary.total).toBe(10_000);
      expect(out.summary.byStatus).toEqual({ ok: 10_000 });
      outs.push(out);
    }
    const out = outs.at(-1) as Summary;
    // On time, with a margin a busy CI machine keeps: this machine has measured p99 2.1-3.8 ms here
    // through the CLI on the code before and after the record sink alike, and 1.2-2.0 ms in
    // bench/invoker-capacity (BENCHMARKS.md holds the figure; a late schedule shows in tens of ms).
    expect(out.summary.latenessMs.p99).toBeLessThan(10);
    const runs = JSON.parse((await run(process.execPath, [BIN, 'runs', '--store', store, '--json'])).stdout) as Array<{ id: string; status: string; records: number }>;
    expect(runs.map((r) => [r.status, r.records])).toEqual(outs.map(() => ['completed', 10_000]));
    expect(runs[0]?.id).toBe(out.runId);
    const csv = (await run(process.execPath, [BIN, 'export', out.runId, '--store', store, '--format', 'csv'], { maxBuffer: 1 << 26 })).stdout.trimEnd().split(/\r?\n/);
    expect(csv[0]).toMatch(/^run_id,seq,fn,phase,/);
    expect(csv).toHaveLength(10_001);
  }, 90_000);

  it('Ctrl-C marks the run interrupted and keeps every sent call', async () => {
    const store = path.join(scratchDir('sigint'), 'runs.db');
    const child = spawn(process.execPath, [...invokeArgs(store, 'constant', '--rate', '200', '--duration', '60s'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    // Wait on the store, not the clock: a loaded machine may take seconds just to start the process.
    await recordsReach(store, 300);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(130);
    const out = JSON.parse(stdout) as Summary;
    expect(out.status).toBe('interrupted');
    const db = await openStore(store);
    try {
      expect((await db.getRun(out.runId))?.status).toBe('interrupted');
      const seqs: number[] = [];
      for await (const r of db.records(out.runId)) seqs.push(r.seq);
      expect(seqs.length).toBeGreaterThanOrEqual(300);
      expect(seqs.length).toBe(out.summary.total);
      expect(seqs).toEqual([...Array(seqs.length).keys()]);
    } finally {
      await db.close();
    }
  }, 30_000);

  it('kill -9 mid-run leaves a store that opens and holds the records of all but the last second', async () => {
    const store = path.join(scratchDir('kill9'), 'runs.db');
    const child = spawn(process.execPath, invokeArgs(store, 'constant', '--rate', '200', '--duration', '60s'), { stdio: 'ignore' });
    await recordsReach(store, 400);
    const killedUs = Date.now() * 1000;
    child.kill('SIGKILL');
    await once(child, 'exit');
    const db = await openStore(store);
    try {
      const [runRow] = await db.listRuns();
      expect(runRow?.status).toBe('running');
      let lastSentUs = 0;
      const seqs: number[] = [];
      for await (const r of db.records(runRow!.id)) {
        lastSentUs = Math.max(lastSentUs, r.sentUs ?? 0);
        seqs.push(r.seq);
      }
      // The newest stored call was sent within the last second before the kill...
      expect(killedUs - lastSentUs).toBeLessThan(1_000_000);
      // ...and everything before it is there: records reach the store in whole batches, in the
      // order calls were answered, so what a kill leaves is calls 0..n-1 with no hole. (Calls go
      // out 5 ms apart and a no-op answers in well under that, so answers come in send order.)
      seqs.sort((a, b) => a - b);
      expect(seqs.length).toBeGreaterThanOrEqual(400);
      expect(seqs).toEqual([...Array(seqs.length).keys()]);
    } finally {
      await db.close();
    }
  }, 30_000);
});

describe.skipIf(SKIP_PG)('sharding into one PostgreSQL store', () => {
  it('constant 1000/s for 10 s as 2 shards records the same 10,000 planned invocations, none twice', async () => {
    const pg = await pgSchemaUrl();
    const schemaUrl = pg.url;
    const runId = `shards-${process.pid}-${Date.now()}`;
    const startAt = String(Date.now() + 4000);
    const shard = (i: number) =>
      run(process.execPath, [...invokeArgs(schemaUrl, 'constant', '--rate', '1000', '--duration', '10s'), '--shard', `${i}/2`, '--run-id', runId, '--start-at', startAt, '--json'], { maxBuffer: 1 << 24 });
    const outs = (await Promise.all([shard(0), shard(1)])).map((r) => JSON.parse(r.stdout) as Summary);
    expect(outs.map((o) => o.summary.total)).toEqual([5000, 5000]);
    const db = await openStore(schemaUrl);
    try {
      const seqs: number[] = [];
      for await (const r of db.records(runId)) seqs.push(r.seq);
      expect(seqs).toEqual([...Array(10_000).keys()]);
      expect((await db.getRun(runId))?.status).toBe('completed');
    } finally {
      await db.close();
      await pg.drop();
    }
  }, 60_000);
});
