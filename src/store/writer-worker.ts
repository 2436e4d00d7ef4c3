/**
 * The store writer: runs in a worker thread (started by threaded-sink.ts through writer-entry.mjs)
 * with its own connection to the run's store, and the RecordSink logic as it is (batches, retries,
 * journal, provisional rows), fed batches of records and the calls in flight by the sending
 * thread. A commit, a retry or a journal append here never holds a send there. It also writes the
 * run row (created, heartbeat, progress, finished), so the sending thread needs no connection.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { giveUpNoDetachAssumption } from '../core/detach-protector.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { HeapKeeper } from './heap-keeper.ts';
import { decodeBatch, type EncodedBatch } from './record-codec.ts';
import { RecordSink, type SendInFlight } from './record-sink.ts';
import { ReopenedStore } from './reopened-store.ts';
import { toWriterError, WRITE_BLOCK_ENV, type FromWriter, type ToWriter, type WriterData, type WriterState } from './writer-protocol.ts';

// Before the writer's path is compiled: its first 'state' message transfers rows back, in the run's first second.
giveUpNoDetachAssumption();

const port = parentPort as MessagePort;
const data = workerData as WriterData;
const post = (message: FromWriter, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const store = new ReopenedStore(data.store, data.location, {
  blockMs: Number(process.env[WRITE_BLOCK_ENV] ?? 0),
  onBlocked: (fromMs, ms) => post({ kind: 'blocked', fromMs, ms }),
});
const sink = new RecordSink(store, {
  ...data.sink,
  timed: false,
  onNotice: (message) => post({ kind: 'notice', message }),
  onOverflow: () => post({ kind: 'overflow' }),
});
/** The sending thread's calls in flight as of its last batch, by seq. */
const sends = new Map<number, SendInFlight>();
sink.watchSends(() => sends.values());
let received = 0;
let said: WriterState | undefined;
/** A batch came since the last tick of the timer: the batches drive the flushes. */
let batched = false;

port.on('message', (message: ToWriter) => void handle(message));
// With no batch in an interval and no call in flight (while calls are in flight the sending thread
// sends a batch every interval, late only on a busy machine) the timer flushes, so a failed write
// is retried; flushing before that batch would journal provisional rows its outcomes make moot.
// The state moves as writes finish: said when it changed, for the progress line.
const heap = new HeapKeeper();
const timer = setInterval(() => {
  if (!batched && sends.size === 0) sink.nudge();
  batched = false;
  sayState(null);
  heap.check();
}, data.sink.flushIntervalMs ?? 200);
// A first connection before the first batch, so the first records wait for no connect.
await store.connect().catch(() => undefined);
post({ kind: 'ready' });

async function handle(message: ToWriter): Promise<void> {
  if (message.kind === 'batch') {
    if (message.records !== null) take(decodeBatch(message.records));
    replaceSends(message.sends);
    batched = true;
    sink.nudge();
    sayState(message.records?.rows ?? null);
  } else if (message.kind === 'flush') {
    await sink.flush();
    sayState(null);
    post({ kind: 'flushed', id: message.id });
  } else if (message.kind === 'close') {
    clearInterval(timer);
    const outcome = await sink.close(message.end);
    sayState(null);
    post({ kind: 'closed', id: message.id, outcome });
  } else if (message.kind === 'end') {
    await store.close().catch(() => undefined);
    post({ kind: 'ended', id: message.id });
    port.close();
  } else {
    const error = await writeRunRow(message).then(() => null, toWriterError);
    post({ kind: 'written', id: message.id, error });
  }
}

async function writeRunRow(message: Extract<ToWriter, { kind: 'create-run' | 'heartbeat' | 'progress' | 'finish-run' }>): Promise<void> {
  const connected = await store.connect();
  if (message.kind === 'create-run') await connected.createRun(message.run);
  else if (message.kind === 'heartbeat') await connected.heartbeat(message.runId, message.intervalMs);
  else if (message.kind === 'progress') await connected.updateProgress(message.runId, message.progress);
  else await connected.finishRun(message.runId, message.status, message.summary);
}

function take(records: readonly InvocationRecord[]): void {
  for (const record of records) {
    sends.delete(record.seq);
    sink.write(record);
  }
  received += records.length;
}

/** The calls in flight now; one whose record came in the same batch is answered, not in flight. */
function replaceSends(batch: EncodedBatch): void {
  sends.clear();
  for (const { seq, fn, phase, tag, plannedUs, sentUs } of decodeBatch(batch)) {
    sends.set(seq, { call: { seq, fn, phase, ...(tag === null ? {} : { tag }) }, plannedUs, sentUs: sentUs!, recorded: false });
  }
}

/** The writer's counts, when they changed (or with a row buffer to hand back). */
function sayState(rows: ArrayBuffer | null): void {
  const state: WriterState = { received, written: sink.written, waiting: sink.waiting, backlog: sink.backlog };
  if (rows === null && said !== undefined && sameState(said, state)) return;
  said = state;
  post({ kind: 'state', rows, ...state }, rows === null ? [] : [rows]);
}

function sameState(a: WriterState, b: WriterState): boolean {
  return a.received === b.received && a.written === b.written && a.waiting === b.waiting && a.backlog === b.backlog;
}
