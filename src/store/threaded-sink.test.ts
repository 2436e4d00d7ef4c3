/**
 * The threaded record sink against real stores: an SQLite file and PostgreSQL (behind a TCP proxy
 * the test cuts; the shared server itself is never touched). Its writer thread opens its own
 * connection, and the caller's thread sees what RecordSink's would: outcomes, notices, records.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { openStore } from './open.ts';
import { RecordSink, type SendInFlight } from './record-sink.ts';
import { RunStore } from './run-store.ts';
import type { Store } from './store.ts';
import { SKIP_PG } from './testing/postgres.ts';
import { makeRecord, makeRecords } from './testing/records.ts';
import { RUN } from './testing/run-meta.ts';
import { usePgBehindProxy } from './testing/pg-behind-proxy.ts';
import { openRecordSink, ThreadedRecordSink, type RunRecordSink } from './threaded-sink.ts';
import { WRITE_BLOCK_ENV } from './writer-protocol.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-threaded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function stored(store: Store, runId: string): Promise<InvocationRecord[]> {
  const out: InvocationRecord[] = [];
  for await (const r of store.records(runId)) out.push(r);
  return out;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  for (const started = Date.now(); !(await check()); await sleep(25)) {
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
  }
}

function provisional(runId: string, seq: number): InvocationRecord {
  const { fn, phase, tag, plannedUs, sentUs } = makeRecord(runId, seq);
  return {
    runId, seq, fn, phase, tag, plannedUs, sentUs, receivedUs: null, latencyMs: null, status: 'unknown', httpStatus: null, errorClass: null,
    requestId: null, instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null,
  };
}

/** A runner's table of calls in flight, as the invoker keeps it. */
function sends(sink: RunRecordSink, runId: string): { send(seq: number): void; answer(seq: number): void; unwatch: () => void } {
  const inFlight = new Map<number, SendInFlight & { recorded: boolean }>();
  const unwatch = sink.watchSends(() => inFlight.values());
  return {
    unwatch,
    send(seq) {
      const { fn, phase, tag, plannedUs, sentUs } = makeRecord(runId, seq);
      inFlight.set(seq, { call: { seq, fn, phase, ...(tag === null ? {} : { tag }) }, plannedUs, sentUs: sentUs!, recorded: false });
    },
    answer(seq) {
      inFlight.get(seq)!.recorded = true;
      sink.write(makeRecord(runId, seq));
      inFlight.delete(seq);
    },
  };
}

describe('threaded record sink on an SQLite file', () => {
  it('writes from its own thread: provisional rows replaced by outcomes, each record seen on the caller thread', async () => {
    const store = await openStore(path.join(dir, 'sends.db'));
    try {
      const runId = await store.createRun(RUN);
      const seen: number[] = [];
      const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 50, journalPlaces: [dir], onRecord: (r) => seen.push(r.seq) });
      expect(sink).toBeInstanceOf(ThreadedRecordSink);
      await sink.ready();
      const calls = sends(sink, runId);
      calls.send(0);
      calls.send(1);
      calls.answer(0);
      await until(async () => (await store.countRecords(runId)) === 2);
      expect(await stored(store, runId)).toEqual([makeRecord(runId, 0), provisional(runId, 1)]);
      calls.answer(1);
      calls.unwatch();
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

  it('has every record stored once flush() resolves, in full batches and partial ones', async () => {
    const store = await openStore(path.join(dir, 'flush.db'));
    try {
      const runId = await store.createRun(RUN);
      // A long interval: only full batches (100) and flush() hand records over.
      const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 60_000, batchSize: 100 });
      for (const record of makeRecords(runId, 0, 1_050)) sink.write(record);
      expect(sink.waiting).toBe(1_050);
      await sink.flush();
      expect(sink.waiting).toBe(0);
      expect(await stored(store, runId)).toEqual(makeRecords(runId, 0, 1_050));
      expect(await sink.close()).toMatchObject({ written: 1_050, waiting: 0 });
    } finally {
      await store.close();
    }
  });

  it('keeps writing while its thread is blocked by the test hook, and says how long it was', async () => {
    const store = await openStore(path.join(dir, 'blocked.db'));
    process.env[WRITE_BLOCK_ENV] = '600';
    try {
      const runId = await store.createRun(RUN);
      const notices: string[] = [];
      const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 20, onNotice: (m) => notices.push(m) });
      delete process.env[WRITE_BLOCK_ENV];
      await sink.ready();
      for (let seq = 0; seq < 50; seq++) {
        sink.write(makeRecord(runId, seq));
        await sleep(20);
      }
      const outcome = await sink.close();
      expect(outcome).toMatchObject({ written: 50, waiting: 0, journals: [] });
      const blocked = notices.map((n) => /^test hook FAASBENCH_TEST_WRITE_BLOCK_MS: the store writer's thread was blocked for (\d+) ms from epoch ms \d+$/.exec(n)?.[1]);
      expect(blocked.filter((ms) => ms !== undefined).map(Number)).toEqual([expect.any(Number)]);
      expect(Number(blocked.find((ms) => ms !== undefined))).toBeGreaterThanOrEqual(590);
      expect(await stored(store, runId)).toEqual(makeRecords(runId, 0, 50));
    } finally {
      delete process.env[WRITE_BLOCK_ENV];
      await store.close();
    }
  });

  it("writes the run row's heartbeat and progress through its writer's connection, and through the caller's once closed", async () => {
    const store = await openStore(path.join(dir, 'run-row.db'));
    try {
      const runId = await store.createRun(RUN);
      const sink = openRecordSink(store, { runId, run: RUN });
      await sink.runRows!.heartbeat(runId, 7_000);
      await sink.runRows!.updateProgress(runId, { sent: 1 });
      expect(await store.getRun(runId)).toMatchObject({ heartbeatMs: 7_000, progress: { sent: 1 } });
      await sink.close();
      await sink.runRows!.updateProgress(runId, { sent: 2 });
      expect(await store.getRun(runId)).toMatchObject({ progress: { sent: 2 } });
    } finally {
      await store.close();
    }
  });

  it('creates, beats and finishes the run row of a RunStore through its writer, and the caller thread never opens it', async () => {
    const file = path.join(dir, 'run-store.db');
    const created: string[] = [];
    const handle = new RunStore(file, { runLabel: 'by the writer', onCreate: (where) => created.push(where) });
    const open = vi.spyOn(handle, 'open');
    const run = { ...RUN, id: 'run-store-1' };
    const sink = openRecordSink(handle, { runId: run.id, run, flushIntervalMs: 50 });
    expect(await sink.runRows!.createRun(run)).toBe('run-store-1');
    await sink.runRows!.heartbeat(run.id, 7_000);
    for (const record of makeRecords(run.id, 0, 10)) sink.write(record);
    expect(await sink.drain({ status: 'completed' })).toMatchObject({ written: 10, waiting: 0 });
    await sink.runRows!.finishRun(run.id, 'completed', { total: 10 });
    expect(await sink.close()).toMatchObject({ written: 10, waiting: 0 });
    expect(open).not.toHaveBeenCalled();
    expect(created).toEqual([file]);
    const store = await openStore(file);
    try {
      expect(await store.getRun(run.id)).toMatchObject({ status: 'completed', label: 'by the writer', heartbeatMs: 7_000, summary: { total: 10 } });
      expect(await stored(store, run.id)).toEqual(makeRecords(run.id, 0, 10));
    } finally {
      await store.close();
    }
  });

  it("gives the caller the store's refusals as the store gives them: a run created twice, or finished twice, is a ResourceConflict", async () => {
    const handle = new RunStore(path.join(dir, 'conflicts.db'));
    const run = { ...RUN, id: 'conflict-1' };
    const sink = openRecordSink(handle, { runId: run.id, run });
    try {
      const refusal = (write: Promise<unknown>): Promise<unknown> => write.then(() => 'written', (err: unknown) => (err instanceof FaasbenchError ? { code: err.code, message: err.message } : err));
      await sink.runRows!.createRun(run);
      expect(await refusal(sink.runRows!.createRun(run))).toEqual({ code: 'ResourceConflict', message: 'run conflict-1 already exists in the store' });
      await sink.runRows!.finishRun(run.id, 'interrupted');
      expect(await refusal(sink.runRows!.finishRun(run.id, 'completed'))).toEqual({ code: 'ResourceConflict', message: 'run conflict-1 is already interrupted; a run finishes once' });
    } finally {
      await sink.close();
    }
  });

  it('stays on the caller thread for a store no other thread can open (in memory)', async () => {
    const store = await openStore(':memory:');
    try {
      const runId = await store.createRun(RUN);
      const sink = openRecordSink(store, { runId, run: RUN });
      expect(sink).toBeInstanceOf(RecordSink);
      sink.write(makeRecord(runId, 0));
      expect(await sink.close()).toMatchObject({ written: 1, waiting: 0 });
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(SKIP_PG)('threaded record sink on PostgreSQL', () => {
  const db = usePgBehindProxy();

  it('writes through its own connection to the same schema', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    try {
      const runId = await store.createRun(RUN);
      const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 50 });
      expect(sink).toBeInstanceOf(ThreadedRecordSink);
      const calls = sends(sink, runId);
      for (let seq = 0; seq < 300; seq++) calls.send(seq);
      await until(async () => (await store.countRecords(runId)) === 300);
      expect((await stored(store, runId)).every((r) => r.status === 'unknown')).toBe(true);
      for (let seq = 0; seq < 300; seq++) calls.answer(seq);
      calls.unwatch();
      expect(await sink.close()).toMatchObject({ waiting: 0, journals: [], unjournaled: 0, storeError: null });
      expect(await stored(store, runId)).toEqual(makeRecords(runId, 0, 300));
    } finally {
      await store.close();
    }
  });

  it('journals through an outage and drains the journal when the store answers again', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    try {
      const runId = await store.createRun(RUN);
      const notices: string[] = [];
      const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 50, retryFirstMs: 50, retryMaxMs: 200, journalPlaces: [path.join(dir, 'outage')], onNotice: (m) => notices.push(m) });
      await sink.ready();
      for (let seq = 0; seq < 20; seq++) sink.write(makeRecord(runId, seq));
      await until(async () => (await store.countRecords(runId)) === 20);
      await db.proxy.cut();
      for (let seq = 20; seq < 120; seq++) sink.write(makeRecord(runId, seq));
      const journal = path.join(dir, 'outage', `faasbench-journal.${runId}.${process.pid}.jsonl`);
      await until(() => existsSync(journal) && sink.backlog > 0);
      await db.proxy.restore();
      await until(() => sink.waiting === 0);
      expect(await sink.close()).toMatchObject({ written: 120, waiting: 0, journals: [] });
      expect(existsSync(journal)).toBe(false);
      expect(await stored(store, runId)).toEqual(makeRecords(runId, 0, 120));
      expect(notices).toContain(`records the store has not taken go to the journal ${journal}`);
      expect(notices.some((n) => n.startsWith(`the store ${store.location} answers again after `))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('journals no provisional row of a call whose outcome came in the next batch, as RecordSink does', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    try {
      const runId = await store.createRun(RUN);
      // No timer hands a batch over: flush() alone does, so which batch holds what is fixed.
      const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 60_000, retryFirstMs: 60_000, closeWaitMs: 300, journalPlaces: [path.join(dir, 'answered')] });
      await sink.ready();
      await db.proxy.cut();
      const calls = sends(sink, runId);
      calls.send(0);
      calls.answer(0);
      await sink.flush();
      for (let seq = 1; seq <= 10; seq++) calls.send(seq);
      // Calls 1-10 in flight at this batch: provisional rows, kept one batch more.
      await sink.flush();
      for (let seq = 1; seq <= 10; seq++) calls.answer(seq);
      await sink.flush();
      calls.unwatch();
      const outcome = await sink.close();
      const journaled = readFileSync(outcome.journals[0]!.path, 'utf8').split('\n').filter((l) => l.startsWith('{"record":')).map((l) => (JSON.parse(l) as { record: InvocationRecord }).record);
      expect(journaled.map((r) => [r.seq, r.status])).toEqual(makeRecords(runId, 0, 11).map((r) => [r.seq, r.status]));
      expect(outcome).toMatchObject({ written: 0, waiting: 11, unjournaled: 0 });
    } finally {
      await db.proxy.restore();
      await store.close();
    }
  });

  it('leaves what a store that never comes back did not take in the journal, named by close()', async () => {
    await db.proxy.restore();
    const store = await openStore(db.url, { schema: db.pg.schema });
    const runId = await store.createRun(RUN);
    const sink = openRecordSink(store, { runId, run: RUN, flushIntervalMs: 50, retryFirstMs: 50, retryMaxMs: 200, closeWaitMs: 600, journalPlaces: [path.join(dir, 'gone')] });
    await sink.ready();
    await db.proxy.cut();
    for (let seq = 0; seq < 30; seq++) sink.write(makeRecord(runId, seq));
    const outcome = await sink.close({ status: 'completed' });
    await store.close();
    const file = path.join(dir, 'gone', `faasbench-journal.${runId}.${process.pid}.jsonl`);
    expect(outcome).toMatchObject({ written: 0, waiting: 30, journals: [{ path: file, records: 30, drained: 0 }], unjournaled: 0 });
    expect(outcome.storeError).toMatch(/ECONNREFUSED/);
    await db.proxy.restore();
  });
});
