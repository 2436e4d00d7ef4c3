/**
 * `--workers N` for a load run (invoke, trace replay): how many worker threads send the plan, said
 * on stderr before the run, and the threads started (ready before offset 0) when there are more
 * than one. With one, nothing is started: the plan is sent from this thread as it always was.
 */
import { availableParallelism } from 'node:os';
import type { LoadPlan } from '../core/load-plan.ts';
import { startShardThreads, type ShardThreads, type ShardThreadsSetup } from '../invoker-threads/shard-threads.ts';
import { targetOnThisHost, workerCount, type WorkerCount } from '../invoker-threads/worker-count.ts';
import { positiveInt } from './option-parsers.ts';

export const WORKERS_HELP = 'worker threads that send the plan, each a shard of it (default: the host\'s cores, less one when the target runs on this host: the local platform, or a loopback address)';

export function parseWorkers(text: string | undefined): number | undefined {
  return text === undefined ? undefined : positiveInt(text, '--workers');
}

export interface WorkersQuestion {
  readonly requested: number | undefined;
  readonly provider: string;
  /** The provider options as given: `url`, `endpoint` or `ingress` says where the target runs. */
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** The process's plan (its shard, with --shard). */
  readonly plan: LoadPlan;
  readonly spans: boolean;
  readonly maxInFlight: number;
}

/** The count and why; throws (a usage error naming --workers) for a count the run cannot use. */
export function chooseWorkers(q: WorkersQuestion): WorkerCount {
  return workerCount({
    requested: q.requested,
    cores: availableParallelism(),
    localTarget: targetOnThisHost(q.provider, q.providerOptions),
    closedLoop: q.plan.closedLoop !== undefined,
    spans: q.spans,
    maxInFlight: q.maxInFlight,
  });
}

/** Said with the progress line: a sequential plan has nothing to choose, so nothing is said for it. */
export function sayWorkers(choice: WorkerCount, plan: LoadPlan, show: boolean): void {
  if (!show || plan.closedLoop !== undefined) return;
  console.error(`faasbench: sending from ${choice.count} worker${choice.count === 1 ? '' : 's'} (${choice.why})`);
}

/** The threads for more than one worker, ready; null for one. */
export async function workerThreads(choice: WorkerCount, setup: Omit<ShardThreadsSetup, 'workers'>): Promise<ShardThreads | null> {
  return choice.count > 1 ? startShardThreads({ ...setup, workers: choice.count }) : null;
}
