/**
 * The record sink against real stores: an SQLite file, and PostgreSQL behind a TCP proxy the test
 * cuts (the shared server itself is never touched).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { openStore } from './open.ts';
import { RecordSink, RecordsWaitingError, type SendInFlight } from './record-sink.ts';
import { recoverJournal } from './recover.ts';
import type { Store, WriteOptions } from './store.ts';
import { SKIP_PG } from './testing/postgres.ts';
import { makeRecord } from './testing/records.ts';
import { RUN } from './testing/run-meta.ts';
import { usePgBehindProxy } from './testing/pg-behind-proxy.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Record `seq`'s provisional row: sent, outcome unknown (what the sink builds for a call in flight). */
function provisional(runId: string, seq: number): InvocationRecord {
  const { fn, phase, tag, plannedUs, sentUs } = makeRecord(runId, seq);
  return {
    runId, seq, fn, phase, tag, plannedUs, sentUs, receivedUs: null, latencyMs: null, status: 'unknown', httpStatus: null, errorClass: null,
    requestId: null, instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null,
  };
}

/** A runner's table of calls in flight, as the invoker keeps it, watched by the sink. */
function sends(sink: RecordSink, runId: string): { send(seq: number): void; answer(seq: number): void } {
  const inFlight = new Map<number, SendInFlight & { recorded: boolean }>();
  sink.watchSends(() => inFlight.values());
  return {
    send(seq) {
      const { fn, phase, tag, plannedUs, sentUs } = makeRecord(runId, seq);
      inFlight.set(seq, { call: { seq, fn, phase, tag: tag ?? undefined }, plannedUs, sentUs: sentUs!, recorded: false });
    },
    answer(seq) {
      inFlight.get(seq)!.recorded = true;
      sink.write(makeRecord(runId, seq));
      inFlight.delete(seq);
    },
  };
}

/** The records in a journal file now (what a kill -9 at this moment would leave). */
function journaled(file: string): number[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('{"record":'));
  return lines.map((line) => (JSON.parse(line) as { record: InvocationRecord }).record.seq);
}

/**
 * A real store whose writes go through `around` (a slow store, or one whose answer is lost after
 * the commit); everything else is the store itself.
 */
function withWrites(store: Store, around: (write: () => Promise<unknown>, call: number) => Promise<void>): Store {
  let calls = 0;
  const writeRecords = async (records: readonly InvocationRecord[], options?: WriteOptions) => {
    let result: Awaited<ReturnType<Store['writeRecords']>> | undefined;
    await around(async () => (result = await store.writeRecords(records, options)), calls++);
    return result!;
  };
  return new Proxy(store, { get: (target, key) => (key === 'writeRecords' ? writeRecords : (Reflect.get(target, key, target) as unknown)) });
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
      const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, journalPlaces: [dir], onRecord: (r) => seen.push(r.seq) });
      const calls = sends(sink, runId);
      // 0 answers before any flush; 1 stays in flight across flushes.
      calls.send(0);
      calls.send(1);
      calls.answer(0);
      await until(async () => (await store.countRecords(runId)) === 2);
      expect(await stored(store, runId)).toEqual([makeRecord(runId, 0), provisional(runId, 1)]);
      calls.answer(1);
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

  it('waits at close for a store that takes every write, however long its backlog (no journal)', async () => {
    const real = await openStore(path.join(dir, 'slow.db'));
    try {
      const runId = await real.createRun(RUN);
      // Each write takes 150 ms: the 20 batches take 3 s, three times closeWaitMs (which is far above one write).
      const store = withWrites(real, async (write) => {
        await sleep(150);
        await write();
      });
      const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, batchSize: 5, closeWaitMs: 1_000, journalPlaces: [path.join(dir, 'slow')] });
      for (let seq = 0; seq < 100; seq++) sink.write(makeRecord(runId, seq));
      // Closed while a flush is writing the backlog, as at the end of a run.
      await until(() => sink.waiting < 100);
      const outcome = await sink.close({ status: 'completed' });
      expect(outcome).toEqual({ written: 100, waiting: 0, journals: [], unjournaled: 0, storeError: null, refusedPlaces: [] });
      expect(existsSync(path.join(dir, 'slow'))).toBe(false);
      expect(await real.countRecords(runId)).toBe(100);
    } finally {
      await real.close();
    }
  });

  it('with no journal place and the store failing, says so once and calls onOverflow once past memoryLimit', async () => {
    const real = await openStore(path.join(dir, 'nowhere.db'));
    try {
      const runId = await real.createRun(RUN);
      const store = withWrites(real, () => Promise.reject(new Error('SQLITE_FULL: database or disk is full')));
      // A file where the journal's folder should be: no place can take it.
      const notAFolder = path.join(dir, 'nowhere.db');
      const notices: string[] = [];
      let overflows = 0;
      const sink = new RecordSink(store, {
        runId, run: RUN, flushIntervalMs: 20, retryFirstMs: 20, retryMaxMs: 20, closeWaitMs: 100, memoryLimit: 50,
        journalPlaces: [path.join(notAFolder, 'journals')], onNotice: (m) => notices.push(m), onOverflow: () => overflows++,
      });
      for (let seq = 0; seq < 100; seq++) sink.write(makeRecord(runId, seq));
      await until(() => overflows === 1);
      // Ten more flushes: nothing said or called again.
      await sleep(200);
      const outcome = await sink.close();
      expect(overflows).toBe(1);
      expect(notices.filter((n) => n.startsWith('the journal could not be written: '))).toHaveLength(1);
      expect(notices.filter((n) => n === '100 records are in memory with no journal place and the store failing: the run stops')).toHaveLength(1);
      expect(outcome).toMatchObject({ written: 0, waiting: 100, journals: [], unjournaled: 100, storeError: 'SQLITE_FULL: database or disk is full' });
      expect(new RecordsWaitingError(outcome, real.location, runId).message).toContain('100 records could not be written to any journal');
    } finally {
      await real.close();
    }
  });

  it('does not count a retried batch whose first write committed (its answer lost) as duplicates', async () => {
    const real = await openStore(path.join(dir, 'lost-answer.db'));
    try {
      const runId = await real.createRun(RUN);
      // The first write commits, then fails as a connection cut before the answer would.
      const store = withWrites(real, async (write, call) => {
        await write();
        if (call === 0) throw new Error('Connection terminated unexpectedly');
      });
      const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, retryFirstMs: 50, journalPlaces: [path.join(dir, 'lost-answer')] });
      for (let seq = 0; seq < 20; seq++) sink.write(makeRecord(runId, seq));
      await until(() => sink.waiting === 0);
      expect(await sink.close()).toMatchObject({ waiting: 0, journals: [] });
      expect(await stored(real, runId)).toEqual(Array.from({ length: 20 }, (_, seq) => makeRecord(runId, seq)));
      expect((await real.getRun(runId))?.duplicates).toBe(0);
    } finally {
      await real.close();
    }
  });
});

describe.skipIf(SKIP_PG)('RecordSink on PostgreSQL that goes away', () => {
  const db = usePgBehindProxy();

  /** Writes `count` records, one every 5 ms, each sent first. */
  async function feed(sink: RecordSink, runId: string, from: number, count: number): Promise<void> {
    const calls = sends(sink, runId);
    for (let seq = from; seq < from + count; seq++) {
      calls.send(seq);
      calls.answer(seq);
      await sleep(5);
    }
  }

  it('journals every record at the next flush while the store fails, memory bound or not (a kill -9 loses none)', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    try {
      const runId = await store.createRun(RUN);
      // The default bufferLimit (100,000): memory alone would hold all 30.
      const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, retryFirstMs: 50, retryMaxMs: 200, journalPlaces: [path.join(dir, 'at-once')] });
      await db.proxy.cut();
      await feed(sink, runId, 0, 30);
      const journalFile = path.join(dir, 'at-once', `faasbench-journal.${runId}.${process.pid}.jsonl`);
      await until(() => journaled(journalFile).length === 30);
      expect(journaled(journalFile)).toEqual(Array.from({ length: 30 }, (_, seq) => seq));
      await db.proxy.restore();
      await until(() => sink.waiting === 0);
      expect(await sink.close()).toMatchObject({ written: 30, waiting: 0, journals: [] });
      expect(await stored(store, runId)).toEqual(Array.from({ length: 30 }, (_, seq) => makeRecord(runId, seq)));
    } finally {
      await store.close();
    }
  });

  it('fails a statement the server does not answer within the query timeout (a write never hangs the sink)', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema, queryTimeoutMs: 300 });
    try {
      const runId = await store.createRun(RUN);
      db.proxy.freeze();
      const err = await store.writeRecords([makeRecord(runId, 0)]).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/timeout/i);
    } finally {
      await db.proxy.restore();
      await store.close();
    }
  });

  it('keeps every record through an outage: memory, then the journal, drained when the store answers again', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    try {
      const runId = await store.createRun(RUN);
      const notices: string[] = [];
      const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, bufferLimit: 40, retryFirstMs: 50, retryMaxMs: 200, journalPlaces: [path.join(dir, 'outage')], onNotice: (m) => notices.push(m) });
      await feed(sink, runId, 0, 50);
      await db.proxy.cut();
      await feed(sink, runId, 50, 200);
      // Beyond the 40 kept in memory, the records went to the journal while the store was away.
      expect(sink.waiting).toBeGreaterThan(40);
      expect(sink.backlog).toBe(sink.waiting);
      const journalFile = path.join(dir, 'outage', `faasbench-journal.${runId}.${process.pid}.jsonl`);
      expect(existsSync(journalFile)).toBe(true);
      await db.proxy.restore();
      await feed(sink, runId, 250, 50);
      await until(() => sink.waiting === 0);
      const outcome = await sink.close();
      expect(outcome.waiting).toBe(0);
      expect(outcome.journals).toEqual([]);
      expect(existsSync(journalFile)).toBe(false);
      expect(await stored(store, runId)).toEqual(Array.from({ length: 300 }, (_, seq) => makeRecord(runId, seq)));
      expect((await store.getRun(runId))?.duplicates).toBe(0);
      expect(notices[0]).toMatch(new RegExp(`^the store ${escape(store.location)} failed \\(.+\\): the run goes on, records go to a journal file until the store answers again, and the write is retried$`));
      expect(notices).toContain(`records the store has not taken go to the journal ${journalFile}`);
      expect(notices.some((n) => n.startsWith(`the store ${store.location} answers again after `))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('leaves what a store that never comes back did not take in the journal, which recover loads once, marking the run', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    const runId = await store.createRun(RUN);
    const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, retryFirstMs: 50, retryMaxMs: 200, closeWaitMs: 600, journalPlaces: [path.join(dir, 'gone')] });
    await feed(sink, runId, 0, 40);
    await until(() => sink.waiting === 0);
    await db.proxy.cut();
    await feed(sink, runId, 40, 60);
    const outcome = await sink.close({ status: 'completed', summary: { total: 100 } });
    await store.close();
    const file = path.join(dir, 'gone', `faasbench-journal.${runId}.${process.pid}.jsonl`);
    expect(outcome).toMatchObject({ written: 40, waiting: 60, journals: [{ path: file, records: 60, drained: 0 }], unjournaled: 0 });
    expect(outcome.storeError).toMatch(/ECONNREFUSED/);
    const error = new RecordsWaitingError(outcome, store.location, runId);
    expect(error.message.split('\n').at(-1)).toBe(`60 records wait in the journal: 60 in ${file}; load them with: faasbench store recover ${file}`);
    expect(readFileSync(file, 'utf8').trimEnd().split('\n').at(-1)).toBe(JSON.stringify({ end: { status: 'completed', summary: { total: 100 } } }));

    await db.proxy.restore();
    const first = await recoverJournal(file);
    expect(first).toEqual({ journal: file, store: store.location, runId, records: 60, stored: 60, alreadyStored: 0, runCreated: false, runStatus: 'completed', marked: 'completed', partialLastLine: false });
    const again = await recoverJournal(file);
    expect(again).toMatchObject({ records: 60, stored: 0, alreadyStored: 60, runStatus: 'completed', marked: null });
    const check = await openStore(db.url, { schema: db.pg.schema });
    try {
      expect(await stored(check, runId)).toEqual(Array.from({ length: 100 }, (_, seq) => makeRecord(runId, seq)));
      expect(await check.getRun(runId)).toMatchObject({ status: 'completed', summary: { total: 100 }, duplicates: 0 });
    } finally {
      await check.close();
    }
  });

  it('does not wait past closeWaitMs for a write that hangs: the batch in hand is journaled too', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    const runId = await store.createRun(RUN);
    const sink = new RecordSink(store, { runId, run: RUN, flushIntervalMs: 50, closeWaitMs: 800, journalPlaces: [path.join(dir, 'hung')] });
    await feed(sink, runId, 0, 10);
    await until(() => sink.waiting === 0);
    db.proxy.freeze();
    await feed(sink, runId, 10, 30);
    const closing = Date.now();
    const outcome = await sink.close({ status: 'completed' });
    // Bounded by closeWaitMs (800 ms), not by the hung write; wide margin for a busy machine.
    expect(Date.now() - closing).toBeLessThan(5_000);
    expect(outcome).toMatchObject({ written: 10, waiting: 30, unjournaled: 0 });
    await db.proxy.restore();
    expect(await recoverJournal(outcome.journals[0]!.path)).toMatchObject({ records: 30, marked: 'completed' });
    const check = await openStore(db.url, { schema: db.pg.schema });
    try {
      expect(await stored(check, runId)).toEqual(Array.from({ length: 40 }, (_, seq) => makeRecord(runId, seq)));
    } finally {
      await check.close();
      await store.close();
    }
  });

  it('recovers into another store, creating the run from the journal', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    const run = { ...RUN, params: { rate: 5 }, seed: 9 };
    const runId = await store.createRun(run);
    // Cut before the sink starts: the journal's header has the run from the sink's options.
    await db.proxy.cut();
    const sink = new RecordSink(store, { runId, run, flushIntervalMs: 50, retryFirstMs: 50, closeWaitMs: 300, journalPlaces: [path.join(dir, 'elsewhere')] });
    await feed(sink, runId, 0, 20);
    const outcome = await sink.close({ status: 'interrupted' });
    await store.close();
    await db.proxy.restore();
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
