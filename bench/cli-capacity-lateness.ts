/**
 * faasbench's lateness per second of a stored run: where a run's first seconds are late and the
 * rest on time, the run's overall p99 hides it, so the bench shows each second's own.
 */
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
  return bySecond.map((values, second) => {
    const sorted = (values ?? []).sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    return { second, calls: sorted.length, p50Ms: at(50), p99Ms: at(99) };
  });
}
