/**
 * One shard of a run, in a worker thread (started by shard-threads.ts through shard-entry.mjs):
 * builds its own provider and its part of the plan, says it is ready, and on `start` runs
 * runPlan at the run's shared offset 0, posting records and counts to the main thread in batches.
 * `abort` stops sending as Ctrl-C does on one thread: calls in flight are awaited and recorded.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { epochMicros } from '../core/clock.ts';
import { isFaasbenchError } from '../core/errors.ts';
import type { LoadPlan, PlannedInvocation } from '../core/load-plan.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';
import { runPlan } from '../invoker/invoker.ts';
import { currentThreadId } from '../invoker/thread-priority.ts';
import { createProvider } from '../providers/index.ts';
import { ShardBatches } from './shard-batches.ts';
import { payloadsOf } from './shard-payloads.ts';
import { shardPlan } from './shard-plan.ts';
import type { FromShard, ShardWorkerData, ToShard } from './shard-protocol.ts';

const port = parentPort as MessagePort;
const data = workerData as ShardWorkerData;
const post = (message: FromShard): void => port.postMessage(message);
const controller = new AbortController();

port.on('message', (message: ToShard) => {
  if (message.kind === 'abort') controller.abort();
  else void send(message).catch(failed);
});

let provider: Provider | undefined;
let plan: LoadPlan | undefined;
try {
  provider = await createProvider(data.provider.name, { ...data.provider.options });
  plan = await shardPlan(data.source, data.shard);
  post({ kind: 'ready', threadId: currentThreadId() });
} catch (err) {
  failed(err);
}

async function send(start: Extract<ToShard, { kind: 'start' }>): Promise<void> {
  // 'start' comes only after 'ready': both are set.
  const [p, shard] = [provider!, plan!];
  const batches = new ShardBatches(shard.count, start.watchSends, (batch) => port.postMessage(batch));
  // The last answer, for a run of one call to print; kept in variables, not an object per answer.
  let lastCall: PlannedInvocation | null = null;
  let lastResult: InvokeResult | null = null;
  let lastUs = 0;
  try {
    const outcome = await runPlan({
      runId: start.runId,
      plan: shard,
      provider: p,
      payloadOf: payloadsOf(data.payloads),
      sink: batches,
      maxInFlight: data.maxInFlight,
      startUs: start.startUs,
      signal: controller.signal,
      progress: batches.progress,
      // The main thread lowers the threads that do not send, knowing every one that does.
      lowerOtherThreads: false,
      // And holds the heap setting for all shards: one shard's end must not give it back for the others.
      holdOldGeneration: false,
      ...(data.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: data.drainTimeoutMs }),
      onAnswer: (call, result) => {
        lastCall = call;
        lastResult = result;
        lastUs = epochMicros();
      },
    });
    batches.close();
    post({ kind: 'done', status: outcome.status, last: lastCall && lastResult ? { call: lastCall, result: lastResult, receivedUs: lastUs } : null });
  } finally {
    batches.close();
    // After 'done': the main thread may end this thread at any moment from now, which closes the sockets anyway.
    await p.close().catch(() => undefined);
  }
}

function failed(err: unknown): void {
  void provider?.close().catch(() => undefined);
  post({ kind: 'failed', error: { code: isFaasbenchError(err) ? err.code : null, message: err instanceof Error ? err.message : String(err), reason: isFaasbenchError(err) ? err.reason : undefined } });
}
