/**
 * A shard other than 0 joins a run shard 0 creates: it waits for the run row before it sends
 * anything. Waiting, rather than creating the row itself (idempotently), keeps one writer of the
 * run's facts: shard 0's params, host and start are the run's, shard 0 alone finishes it, and a
 * joining shard with a mistyped --run-id never invents a run nobody finishes. Before, a shard
 * started ahead of shard 0 sent its whole share and lost every record to "no run ... in the store".
 */
import { FaasbenchError } from '../core/errors.ts';
import type { Run, Store } from '../store/index.ts';

/**
 * How long a shard waits for shard 0. Shards of an Indexed Job start within minutes of each other
 * (an image pull on a fresh node takes a few); past this shard 0 is not coming.
 */
export const RUN_WAIT_MS = 10 * 60_000;
/** One indexed SELECT per poll: nothing to the store, and a shard starts within 0.5 s of its run. */
const POLL_MS = 500;
/** How often the waiting shard says it still waits. */
const REMIND_MS = 10_000;

export interface RunWait {
  readonly store: Store;
  readonly runId: string;
  /** Aborted by Ctrl-C: the wait ends at once, returning false. */
  readonly signal: AbortSignal;
  readonly say: (message: string) => void;
  readonly timeoutMs?: number;
}

/**
 * The run once it exists, null when aborted; throws when it never came within the timeout. A store
 * that fails a poll (a restart, a dropped connection) is polled on: shard 0 may create the run
 * once it answers again.
 */
export async function awaitRun(wait: RunWait): Promise<Run | null> {
  const timeoutMs = wait.timeoutMs ?? RUN_WAIT_MS;
  const startedMs = performance.now();
  let remindedMs = -Infinity;
  let failed = false;
  for (;;) {
    if (wait.signal.aborted) return null;
    const found = await wait.store.getRun(wait.runId).catch((err: unknown) => {
      if (!failed) wait.say(`the store ${wait.store.location} failed while waiting for run ${wait.runId} (${(err as Error)?.message ?? String(err)}): still waiting`);
      failed = true;
      return undefined;
    });
    if (found !== undefined) return found;
    const waitedMs = performance.now() - startedMs;
    if (waitedMs >= timeoutMs) {
      throw new FaasbenchError('ResourceNotFound', `no run ${wait.runId} in the store after waiting ${Math.round(waitedMs / 1000)} s for shard 0 to create it: start shard 0 with --run-id ${wait.runId} and the same --store`);
    }
    if (waitedMs - remindedMs >= REMIND_MS) {
      remindedMs = waitedMs;
      wait.say(`waiting for shard 0 to create run ${wait.runId} (${Math.round(waitedMs / 1000)} s so far; Ctrl-C to stop)`);
    }
    await pause(Math.min(POLL_MS, timeoutMs - waitedMs), wait.signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
