/**
 * kill -9 of a writer mid-run: the store opens again and holds every record appended more than a
 * second before the kill, and at least what the writer was told was flushed, as a gapless prefix.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open.ts';
import type { StoreOptions } from './store.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG } from './testing/postgres.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WRITER = 'src/store/testing/kill-writer.ts';
const RUN_FOR_MS = 1_500;
const AT_MOST_LOST_MS = 1_000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface WriterReport {
  runId: string;
  flushed: number;
  /** [records appended, at epoch ms] as the writer reported them. */
  appended: [number, number][];
  killedAt: number;
}

/** Runs the writer, kills it with SIGKILL RUN_FOR_MS after its run starts, and returns what it said. */
async function runAndKill(args: string[]): Promise<WriterReport> {
  const child = spawn(process.execPath, ['bin/run-ts.mjs', WRITER, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const started = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = (): void => {
        if (/^run /m.test(stdout)) resolve(true);
        else setTimeout(check, 10);
      };
      check();
    }),
    exited.then(() => false),
  ]);
  if (!started) throw new Error(`the writer exited before starting a run: ${stderr}`);
  await new Promise((resolve) => setTimeout(resolve, RUN_FOR_MS));
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
  const lines = stdout.split('\n');
  const runId = /^run (\S+)$/m.exec(stdout)?.[1] ?? '';
  const flushed = Math.max(0, ...lines.filter((l) => l.startsWith('flushed ')).map((l) => Number(l.split(' ')[1])));
  const appended = lines.filter((l) => l.startsWith('appended ')).map((l) => l.split(' ').slice(1).map(Number) as [number, number]);
  return { runId, flushed, appended, killedAt };
}

async function checkSurvivors(target: string, options: StoreOptions, report: WriterReport): Promise<void> {
  const promisedBefore = report.appended.filter(([, at]) => at <= report.killedAt - AT_MOST_LOST_MS).map(([n]) => n);
  const mustHave = Math.max(report.flushed, ...promisedBefore);
  // The writer appended for well over a second and flushed several times: the check is not vacuous.
  expect(promisedBefore.length).toBeGreaterThan(0);
  expect(report.flushed).toBeGreaterThan(0);

  const store = await openStore(target, options);
  try {
    const seqs: number[] = [];
    for await (const record of store.records(report.runId)) seqs.push(record.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(mustHave);
    // Batches commit in order, so what survives is a prefix: 0, 1, ... without holes.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    // Never finished: still running, or shown abandoned (this writer keeps no heartbeat) when the machine was slow to get here.
    expect(['running', 'abandoned']).toContain((await store.getRun(report.runId))?.status);
  } finally {
    await store.close();
  }
}

describe('kill -9 of a writer', () => {
  it('leaves an SQLite file that opens and holds what was flushed', async () => {
    const file = path.join(dir, 'killed.db');
    const report = await runAndKill([file]);
    const db = new BetterSqlite3(file);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    await checkSurvivors(file, {}, report);
  });

  it.skipIf(SKIP_PG)('leaves a PostgreSQL store that opens and holds what was flushed', async () => {
    const pg = await createTestSchema();
    try {
      const report = await runAndKill([PG_TEST_URL, pg.schema]);
      await checkSurvivors(PG_TEST_URL, { schema: pg.schema }, report);
    } finally {
      await pg.drop();
    }
  });
});
