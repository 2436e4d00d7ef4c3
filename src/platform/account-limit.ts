/**
 * The default account limit (concurrent executions across all functions) of the local platform,
 * derived from the host it runs on; `--account-limit` overrides it. Lambda's own default, 1,000,
 * assumes a fleet: on a 2-core, 24 GB host, 100 calls/s to `hello` under it started 194 instances
 * within 10 s and drove the load average to 128, each cold start slowing the others so that ever
 * more calls found no free instance.
 *
 * The rule, smallest of:
 * - 1,000, Lambda's default;
 * - half the memory over 128 MiB, Lambda's smallest memory size: every execution may use its memory
 *   size, and the other half stays for the platform, the runtimes' launchers and the page cache;
 * - 32 per CPU: at Lambda's CPU share (1,769 MB buys one vCPU) a CPU serves 13.8 busy executions at
 *   128 MB; most executions in faasbench's experiments sleep or wait on I/O, so about twice that,
 *   rounded to a power of two, still leaves every busy one near its share.
 * On the 2-core reference host that is 64: the built-ins ask for at most 16 at their defaults
 * (concurrency-scaling's largest burst, load-spikes' tallest spike; nested-chain's trees hold 15),
 * `npm start` for 8.
 */
import os from 'node:os';

export interface HostCapacity {
  readonly memoryBytes: number;
  readonly cpus: number;
}

const LAMBDA_ACCOUNT_LIMIT = 1000;
const SMALLEST_MEMORY_BYTES = 128 * 2 ** 20;
const EXECUTIONS_PER_CPU = 32;

export function defaultAccountLimit(host: HostCapacity = thisHost()): number {
  const byMemory = Math.floor(host.memoryBytes / 2 / SMALLEST_MEMORY_BYTES);
  const byCpu = host.cpus * EXECUTIONS_PER_CPU;
  return Math.max(1, Math.min(LAMBDA_ACCOUNT_LIMIT, byMemory, byCpu));
}

/** The memory a cgroup grants the platform when it is less than the machine's (a container). */
export function thisHost(): HostCapacity {
  const constrained = process.constrainedMemory();
  const total = os.totalmem();
  return { memoryBytes: constrained > 0 && constrained < total ? constrained : total, cpus: os.availableParallelism() };
}
