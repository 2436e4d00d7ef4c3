/**
 * A worker's part of the plan. A LoadPlan is a generator and cannot cross threads, so each worker
 * builds the whole plan again from where it comes from (a pattern, a plan file: both pure, the
 * same calls on every iteration) and keeps its shard.
 */
import { shardOf, type LoadPlan } from '../core/load-plan.ts';

export type PlanSource =
  /** A load pattern with its options as given (seed included) for one function (`invoke`). */
  | { readonly kind: 'pattern'; readonly name: string; readonly options: Readonly<Record<string, string>>; readonly fn: string }
  /** A plan file (`trace plan`, or the one `trace replay` writes for its workers). */
  | { readonly kind: 'plan-file'; readonly file: string };

/** Loads only what the source needs: a worker thread starts by compiling every module it imports. */
export async function planFrom(source: PlanSource): Promise<LoadPlan> {
  if (source.kind === 'pattern') {
    const { planPattern } = await import('../workload/registry.ts');
    return planPattern(source.name, source.options, { fn: source.fn, payload: { event: null } });
  }
  const [{ openPlanFile }, { batchesToPlan }] = await Promise.all([import('../trace/plan-file.ts'), import('../trace/schedule.ts')]);
  const file = openPlanFile(source.file);
  return batchesToPlan(file.header, () => file.batches());
}

/**
 * The shard of the whole plan worker `w` of `workers` sends, within this process's own shard i/n
 * (--shard; 0/1 without it): seq mod n*workers = i + w*n. The workers' shards together are
 * exactly the process's, each call in one of them, whatever n and the worker count.
 */
export function workerShard(process: { readonly index: number; readonly total: number } | undefined, w: number, workers: number): { index: number; total: number } {
  const index = process?.index ?? 0;
  const total = process?.total ?? 1;
  return { index: index + w * total, total: total * workers };
}

export async function shardPlan(source: PlanSource, shard: { readonly index: number; readonly total: number }): Promise<LoadPlan> {
  return shardOf(await planFrom(source), shard.index, shard.total);
}
