/**
 * The gRPC acceptance load: `constant` 200/s for 5 s through a provider, every record kept: 1,000
 * calls over one channel, where a longer run only repeats what its first seconds showed.
 */
import type { InvocationRecord } from '../../src/core/invocation-record.ts';
import type { Provider } from '../../src/core/provider.ts';
import { runPlan } from '../../src/invoker/invoker.ts';
import { planPattern } from '../../src/workload/registry.ts';

export const RATE = 200;
export const SECONDS = 5;

export async function constantRun(provider: Provider, fn: string, event: unknown): Promise<InvocationRecord[]> {
  const plan = planPattern('constant', { rate: String(RATE), duration: `${SECONDS}s` }, { fn, payload: { event } });
  const records: InvocationRecord[] = [];
  const body = Buffer.from(JSON.stringify(event));
  await runPlan({ runId: `grpc-${fn}`, plan, provider, payloadOf: () => body, sink: { write: (r) => void records.push(r) } });
  return records.sort((a, b) => a.seq - b.seq);
}

/** Lateness (sent - planned) in ms, recorded for the log, never asserted: the machine may be busy. */
export function latenessSummary(records: readonly InvocationRecord[]): string {
  const late = records.map((r) => ((r.sentUs ?? r.plannedUs) - r.plannedUs) / 1000).sort((a, b) => a - b);
  const at = (q: number): string => (late[Math.min(late.length - 1, Math.floor(q * late.length))] ?? 0).toFixed(3);
  return `lateness ms p50 ${at(0.5)} p99 ${at(0.99)} max ${at(1)}`;
}
