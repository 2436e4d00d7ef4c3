/**
 * The CPU limit the local platform applied to one instance, for experiments whose answer depends
 * on it (cpu-share, memory-sweep). The platform states it per call (`X-Faasbench-Cpu-Vcpus`),
 * but InvocationRecord does not carry that header, so this reads the same fact where the platform
 * wrote it: the cpu cgroup named after the instance id (the id measure's `inst_id` and lab's
 * `identifier` also read from /proc/self/cgroup). Only meaningful for the local provider on this
 * host; any other provider's limit is not observable from here and reads as unknown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';

export type CpuLimit =
  /** A cpu cgroup holds the instance; vcpus null when it has no quota (cpuModel none). */
  | { readonly kind: 'cgroup-v1' | 'cgroup-v2'; readonly vcpus: number | null }
  /** Local provider, and no cpu cgroup holds the instance: the cpu cgroup is not writable here, or cgroups are off. */
  | { readonly kind: 'none' }
  /** Not the local provider, or no instance id. */
  | { readonly kind: 'unknown' };

export function cpuLimitOf(providerName: string, instanceId: string | null, root = ROOT): CpuLimit {
  if (providerName !== 'local' || instanceId === null || !/^[A-Za-z0-9_-]+$/.test(instanceId)) return { kind: 'unknown' };
  // v1: <root>/cpu/<platform group>/<instance>/cpu.cfs_quota_us
  for (const parent of subdirs(path.join(root, 'cpu'))) {
    const quota = readText(path.join(parent, instanceId, 'cpu.cfs_quota_us'));
    if (quota === null) continue;
    const period = Number(readText(path.join(parent, instanceId, 'cpu.cfs_period_us')));
    const q = Number(quota);
    return { kind: 'cgroup-v1', vcpus: q > 0 && period > 0 ? q / period : null };
  }
  // v2: <root>/<platform group>/<instance>/cpu.max, "max 100000" or "7236 100000"
  for (const parent of subdirs(root)) {
    const max = readText(path.join(parent, instanceId, 'cpu.max'));
    if (max === null) continue;
    const [quota, period] = max.split(/\s+/);
    return { kind: 'cgroup-v2', vcpus: quota !== 'max' && Number(period) > 0 ? Number(quota) / Number(period) : null };
  }
  return { kind: 'none' };
}

/** For a table cell: the vCPUs, `unlimited`, `none` or `unknown`. */
export function cpuLimitCell(limit: CpuLimit): string {
  if (limit.kind === 'none' || limit.kind === 'unknown') return limit.kind;
  return limit.vcpus === null ? 'unlimited' : limit.vcpus.toFixed(4);
}

/** What the instances of a run had, as one word for a summary: the mechanism, `none`, `unknown` or `mixed`. */
export function cpuLimitKind(limits: readonly CpuLimit[]): string {
  const kinds = [...new Set(limits.map((l) => l.kind))];
  return kinds.length === 1 ? kinds[0]! : kinds.length === 0 ? 'unknown' : 'mixed';
}

/** The note a result carries about the CPU limit behind its numbers. */
export function cpuLimitNote(limits: readonly CpuLimit[], providerName: string): string {
  const kind = cpuLimitKind(limits);
  if (kind === 'none') return 'no CPU limit applied: the instances had no cpu cgroup (the cpu cgroup is not writable on this host, or the platform runs with cgroups off), so CPU does not follow memory here';
  if (kind === 'unknown') return `CPU limit of ${providerName} instances: not observable from here`;
  if (kind === 'mixed') return 'CPU limit: not the same for every size (see the vCPUs column)';
  const limited = limits.some((l) => 'vcpus' in l && l.vcpus !== null);
  return limited ? `CPU limit applied through the ${kind} cpu quota: vCPUs = memory / 1,769 MB` : `CPU limit: ${kind} groups without a quota (cpuModel none)`;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(dir, d.name));
  } catch {
    return [];
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}
