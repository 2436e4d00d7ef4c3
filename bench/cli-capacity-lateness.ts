/**
 * faasbench's lateness per second of a stored run: where a run's first seconds are late and the
 * rest on time, the run's overall p99 hides it, so the bench shows each second's own.
 */
import { percentile } from '../src/analysis/percentile.ts';
import { openStore } from '../src/store/index.ts';

export interface SecondLateness {
  /** Whole seconds from the run's first planned call. */
  readonly second: number;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function latenessBySecond(storePath: string, runId: string): Promise<SecondLateness[]> {
  const store = await openStore(storePath);
  const bySecond: number[][] = [];
  let first: number | undefined;
  try {
    for await (const r of store.records(runId)) {
      if (r.sentUs === null) continue;
      // Records come in seq order, which is plan order: the first is the earliest planned.
      first ??= r.plannedUs;
      const second = Math.floor((r.plannedUs - first) / 1e6);
      (bySecond[second] ??= []).push(Math.max(0, r.sentUs - r.plannedUs) / 1000);
    }
  } finally {
    await store.close();
  }
  return bySecond.map((values, second) => ({ second, calls: values.length, p50Ms: percentile(values, 50) ?? 0, p99Ms: percentile(values, 99) ?? 0 }));
}
