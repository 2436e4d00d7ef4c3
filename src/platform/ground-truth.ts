/**
 * The `X-Faasbench-*` headers: the platform's own account of an invocation, against which
 * client-side inference (cold starts from latency, instance identity) is checked.
 */
import type { InvocationResult } from './invocation.ts';

export function groundTruthHeaders(r: InvocationResult): Record<string, string> {
  return {
    'x-faasbench-request-id': r.requestId,
    'x-faasbench-instance-id': r.instanceId,
    'x-faasbench-cold': String(r.cold),
    'x-faasbench-init-ms': r.initMs === undefined ? '' : r.initMs.toFixed(3),
    'x-faasbench-duration-ms': r.durationMs.toFixed(3),
    'x-faasbench-billed-ms': String(r.billedMs),
    'x-faasbench-memory-mb': String(r.memoryMb),
    'x-faasbench-max-memory-mb': String(r.maxMemoryMb),
    'x-faasbench-queue-ms': r.queueMs.toFixed(3),
    'x-faasbench-cpu-vcpus': r.cpuVcpus === null ? 'unlimited' : r.cpuVcpus.toFixed(4),
    // What failed, where an API's own answer hides it (the HTTP trigger's 502, as API Gateway's).
    ...(r.outcome.kind === 'function-error' ? { 'x-faasbench-error-type': r.outcome.errorType } : {}),
    // JSON of numbers and fixed words: no character a header may not carry (measurement.ts).
    ...(r.measurement ? { 'x-faasbench-measurement': JSON.stringify(r.measurement) } : {}),
  };
}
