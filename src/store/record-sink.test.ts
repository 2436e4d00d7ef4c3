/**
 * The record sink against real stores: an SQLite file, and PostgreSQL behind a TCP proxy the test
 * cuts (the shared server itself is never touched).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { openStore } from './open.ts';
import { RecordSink, RecordsWaitingError } from './record-sink.ts';
import { recoverJournal } from './recover.ts';
import type { Store } from './store.ts';
import { createTestSchema, PG_TEST_URL, SKIP_PG, type TestSchema } from './testing/postgres.ts';
import { makeRecord } from './testing/records.ts';
import { RUN } from './testing/run-meta.ts';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Record `seq` as the invoker sends it first: sent, outcome unknown. */
function provisional(runId: string, seq: number): InvocationRecord {
  return { ...makeRecord(runId, seq), status: 'unknown', receivedUs: null, latencyMs: null, httpStatus: null, errorClass: null };
}

async function stored(store: Store, runId: string): Promise<InvocationRecord[]> {
  const out: InvocationRecord[] = [];
  for await (const r of store.records(runId)) out.push(r);
  return out;
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); !(await check()); await sleep(25)) {
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
  }
}

describe('RecordSink on an SQLite store', () => {
  it('writes a provisional row for a call unanswered at a flush, replaced by its outcome; the caller sees each record', async () => {
    const store = await openStore(path.join(dir, 'sends.db'));
    try {
      const runId = await store.createRun(RUN);
      const seen: number[] = [];
      const sink = new RecordSink(store, { runId, flushIntervalMs: 50, journalPlaces: [dir], onRecord: (r) => seen.push(r.seq) });
      // 0 answers before any flush; 1 stays in flight across flushes.
      sink.sent(provisional(runId, 0));
      sink.sent(provisional(runId, 1));
      sink.write(makeRecord(runId, 0));
      await until(async () => (await store.countRecords(runId)) === 2);
      expect((await stored(store, runId)).map((r) => [r.seq, r.status])).toEqual([
        [0, makeRecord(runId, 0).status],
        [1, 'unknown'],
      ]);
      sink.write(makeRecord(runId, 1));
      // Waiting for the next flush is not a backlog: a progress line shows none.
      expect(sink.waiting).toBe(1);
      expect(sink.backlog).toBe(0);
      const outcome = await sink.close();
      expect(outcome).toEqual({ written: 3, waiting: 0, journals: [], unjournaled: 0, storeError: null, refusedPlaces: [] });
      expect(await stored(store, runId)).toEqual([makeRecord(runId, 0), makeRecord(runId, 1)]);
      expect(seen).toEqual([0, 1]);
      expect((await store.getRun(runId))?.duplicates).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(SKIP_PG)('RecordSink on PostgreSQL that goes away', () => {
  let pg: TestSchema;
  let proxy: TcpProxy;
  let url: string;
  beforeAll(async () => {
    pg = await createTestSchema();
    proxy = await startTcpProxy({ host: new URL(PG_TEST_URL).hostname, port: Number(new URL(PG_TEST_URL).port || 5432) });
    url = proxy.through(PG_TEST_URL);
  });
  afterAll(async () => {
    await proxy?.close();
    await pg?.drop();
  });

  /** Writes `count` records, one every 5 ms, each sent first. */
  async function feed(sink: RecordSink, runId: string, from: number, count: number): Promise<void> {
    for (let seq = from; seq < from + count; seq++) {
      sink.sent(provisional(runId, seq));
      sink.write(makeRecord(runId, seq));
      await sleep(5);
    }
  }

  it('keeps every record through an outage: memory, then the journal, drained when the store answers again', async () => {
    await proxy.restore();
    const store = await openStore(url, { schema: pg.schema });
    try {
      const runId = await store.createRun(RUN);
      const notices: string[] = [];
      const sink = new RecordSink(store, { runId, flushIntervalMs: 50, bufferLimit: 40, retryFirstMs: 50, retryMaxMs: 200, journalPlaces: [path.join(dir, 'outage')], onNotice: (m) => notices.push(m) });
      await feed(sink, runId, 0, 50);
      await proxy.cut();
      await feed(sink, runId, 50, 200);
      // Beyond the 40 kept in memory, the records went to the journal while the store was away.
      expect(sink.waiting).toBeGreaterThan(40);
      expect(sink.backlog).toBe(sink.waiting);
      const journalFile = path.join(dir, 'outage', `faasbench-journal.${runId}.${process.pid}.jsonl`);
      expect(existsSync(journalFile)).toBe(true);
      await proxy.restore();
      await feed(sink, runId, 250, 50);
      await until(() => sink.waiting === 0);
      const outcome = await sink.close();
      expect(outcome.waiting).toBe(0);
      expect(outcome.journals).toEqual([]);
      expect(existsSync(journalFile)).toBe(false);
      expect(await stored(store, runId)).toEqual(Array.from({ length: 300 }, (_, seq) => makeRecord(runId, seq)));
      expect((await store.getRun(runId))?.duplicates).toBe(0);
      expect(notices[0]).toMatch(new RegExp(`^the store ${escape(store.location)} failed \\(.+\\): the run goes on, records wait in memory \\(up to 40\\) and then in a journal file, and the write is retried$`));
      expect(notices).toContain(`records the store has not taken go to the journal ${journalFile}`);
      expect(notices.some((n) => n.startsWith(`the store ${store.location} answers again after `))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('leaves what a store that never comes back did not take in the journal, which recover loads once, marking the run', async () => {
    await proxy.restore();
    const store = await openStore(url, { schema: pg.schema });
    const runId = await store.createRun(RUN);
    const sink = new RecordSink(store, { runId, flushIntervalMs: 50, retryFirstMs: 50, retryMaxMs: 200, closeWaitMs: 600, journalPlaces: [path.join(dir, 'gone')] });
    await feed(sink, runId, 0, 40);
    await until(() => sink.waiting === 0);
    await proxy.cut();
    await feed(sink, runId, 40, 60);
    const outcome = await sink.close({ status: 'completed', summary: { total: 100 } });
    await store.close();
    const file = path.join(dir, 'gone', `faasbench-journal.${runId}.${process.pid}.jsonl`);
    expect(outcome).toMatchObject({ written: 40, waiting: 60, journals: [{ path: file, records: 60, drained: 0 }], unjournaled: 0 });
    expect(outcome.storeError).toMatch(/ECONNREFUSED/);
    const error = new RecordsWaitingError(outcome, store.location, runId);
    expect(error.message.split('\n').at(-1)).toBe(`60 records wait in the journal: 60 in ${file}; load them with: faasbench store recover ${file}`);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)).toBe(JSON.stringify({ end: { status: 'completed', summary: { total: 100 } } }));

    await proxy.restore();
    const first = await recoverJournal(file);
    expect(first).toEqual({ journal: file, store: store.location, runId, records: 60, stored: 60, alreadyStored: 0, runCreated: false, runStatus: 'completed', marked: 'completed', partialLastLine: false });
    const again = await recoverJournal(file);
    expect(again).toMatchObject({ records: 60, stored: 0, alreadyStored: 60, runStatus: 'completed', marked: null });
    const check = await openStore(url, { schema: pg.schema });
    try {
      expect(await stored(check, runId)).toEqual(Array.from({ length: 100 }, (_, seq) => makeRecord(runId, seq)));
      expect(await check.getRun(runId)).toMatchObject({ status: 'completed', summary: { total: 100 }, duplicates: 0 });
    } finally {
      await check.close();
    }
  });

  it('does not wait past closeWaitMs for a write that hangs: the batch in hand is journaled too', async () => {
    await proxy.restore();
    const store = await openStore(url, { schema: pg.schema });
    const runId = await store.createRun(RUN);
    const sink = new RecordSink(store, { runId, flushIntervalMs: 50, closeWaitMs: 800, journalPlaces: [path.join(dir, 'hung')] });
    await feed(sink, runId, 0, 10);
    await until(() => sink.waiting === 0);
    proxy.freeze();
    await feed(sink, runId, 10, 30);
    const closing = Date.now();
    const outcome = await sink.close({ status: 'completed' });
    // Bounded by closeWaitMs (800 ms), not by the hung write; wide margin for a busy machine.
    expect(Date.now() - closing).toBeLessThan(5_000);
    expect(outcome).toMatchObject({ written: 10, waiting: 30, unjournaled: 0 });
    await proxy.restore();
    expect(await recoverJournal(outcome.journals[0]!.path)).toMatchObject({ records: 30, marked: 'completed' });
    const check = await openStore(url, { schema: pg.schema });
    try {
      expect(await stored(check, runId)).toEqual(Array.from({ length: 40 }, (_, seq) => makeRecord(runId, seq)));
    } finally {
      await check.close();
      await store.close();
    }
  });

  it('recovers into another store, creating the run from the journal', async () => {
    await proxy.restore();
    const store = await openStore(url, { schema: pg.schema });
    const runId = await store.createRun({ ...RUN, params: { rate: 5 }, seed: 9 });
    const sink = new RecordSink(store, { runId, flushIntervalMs: 50, retryFirstMs: 50, closeWaitMs: 300, journalPlaces: [path.join(dir, 'elsewhere')] });
    await sleep(100);
    await proxy.cut();
    await feed(sink, runId, 0, 20);
    const outcome = await sink.close({ status: 'interrupted' });
    await store.close();
    await proxy.restore();
    const other = path.join(dir, 'other.db');
    const result = await recoverJournal(outcome.journals[0]!.path, other);
    expect(result).toMatchObject({ store: other, records: 20, stored: 20, runCreated: true, marked: 'interrupted' });
    const check = await openStore(other);
    try {
      expect(await check.getRun(runId)).toMatchObject({ kind: RUN.kind, name: RUN.name, params: { rate: 5 }, seed: 9, status: 'interrupted' });
      expect(await check.countRecords(runId)).toBe(20);
    } finally {
      await check.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
