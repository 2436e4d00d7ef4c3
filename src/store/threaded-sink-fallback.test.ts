/**
 * A threaded record sink whose writer thread cannot start (node:worker_threads' Worker replaced by
 * one that fails at once): the records and the run row are written on the caller's thread,
 * through the RunStore it was given, which opens the store there only now.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { openStore } from './open.ts';
import { RunStore } from './run-store.ts';
import { makeRecords } from './testing/records.ts';
import { RUN } from './testing/run-meta.ts';
import { openRecordSink, ThreadedRecordSink } from './threaded-sink.ts';

vi.mock('node:worker_threads', async (original) => ({
  ...(await original<typeof import('node:worker_threads')>()),
  Worker: class FailingWorker extends EventEmitter {
    constructor() {
      super();
      setImmediate(() => this.emit('error', new Error('no thread here')));
    }
    postMessage(): void {}
    ref(): void {}
    unref(): void {}
    terminate(): Promise<number> {
      return Promise.resolve(1);
    }
  },
}));

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-fallback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('creates the run, writes its records and finishes it on the caller thread, opening the store there once', async () => {
  const file = path.join(dir, 'fallback.db');
  const handle = new RunStore(file);
  const open = vi.spyOn(handle, 'open');
  const run = { ...RUN, id: 'fallback-1' };
  const notices: string[] = [];
  const sink = openRecordSink(handle, { runId: run.id, run, flushIntervalMs: 50, onNotice: (m) => notices.push(m) });
  try {
    expect(sink).toBeInstanceOf(ThreadedRecordSink);
    expect(await sink.runRows!.createRun(run)).toBe('fallback-1');
    for (const record of makeRecords(run.id, 0, 5)) sink.write(record);
    expect(await sink.drain({ status: 'completed' })).toMatchObject({ written: 5, waiting: 0 });
    await sink.runRows!.finishRun(run.id, 'completed');
    await sink.close();
    expect(notices).toEqual(['the store writer thread could not start (no thread here): records are written on this thread']);
    // Opened here at the first write and kept for the rest: one store, one connection.
    expect(new Set(await Promise.all(open.mock.results.map((r) => r.value as Promise<unknown>))).size).toBe(1);
  } finally {
    await handle.close();
  }
  const store = await openStore(file);
  try {
    expect(await store.getRun(run.id)).toMatchObject({ status: 'completed' });
    expect(await store.countRecords(run.id)).toBe(5);
  } finally {
    await store.close();
  }
});
