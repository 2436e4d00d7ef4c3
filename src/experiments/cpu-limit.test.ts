import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuLimitCell, cpuLimitKind, cpuLimitNote, cpuLimitOf } from './cpu-limit.ts';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fake /sys/fs/cgroup with one instance group holding `files`. */
function fakeRoot(groupDir: string, files: Record<string, string>): string {
  root = mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
  const dir = path.join(root, groupDir);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), `${text}\n`);
  return root;
}

describe('cpuLimitOf', () => {
  it('cgroup v1: the quota over the period of the group named after the instance', () => {
    const r = fakeRoot('cpu/faasbench-1-abc/inst-1', { 'cpu.cfs_quota_us': '7236', 'cpu.cfs_period_us': '100000' });
    expect(cpuLimitOf('local', 'inst-1', r)).toEqual({ kind: 'cgroup-v1', vcpus: 0.07236 });
    expect(cpuLimitOf('local', 'inst-2', r)).toEqual({ kind: 'none' });
  });

  it('cgroup v1 without a quota (-1) and v2 with "max": a group, unlimited', () => {
    expect(cpuLimitOf('local', 'i', fakeRoot('cpu/p/i', { 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' }))).toEqual({ kind: 'cgroup-v1', vcpus: null });
    rmSync(root, { recursive: true, force: true });
    expect(cpuLimitOf('local', 'i', fakeRoot('faasbench-9-x/i', { 'cpu.max': 'max 100000' }))).toEqual({ kind: 'cgroup-v2', vcpus: null });
  });

  it('cgroup v2: cpu.max quota over period', () => {
    expect(cpuLimitOf('local', 'i', fakeRoot('faasbench-9-x/i', { 'cpu.max': '200000 100000' }))).toEqual({ kind: 'cgroup-v2', vcpus: 2 });
  });

  it('a memory group only (cpu not writable) is no CPU limit; other providers and odd ids are unknown', () => {
    const r = fakeRoot('memory/faasbench-1-abc/inst-1', { 'memory.limit_in_bytes': '134217728' });
    expect(cpuLimitOf('local', 'inst-1', r)).toEqual({ kind: 'none' });
    expect(cpuLimitOf('aws-lambda', 'inst-1', r)).toEqual({ kind: 'unknown' });
    expect(cpuLimitOf('local', null, r)).toEqual({ kind: 'unknown' });
    expect(cpuLimitOf('local', '../inst-1', r)).toEqual({ kind: 'unknown' });
  });
});

describe('cpu limit cells and notes', () => {
  it('say the vCPUs, unlimited, none or unknown, and one kind for a run', () => {
    expect([{ kind: 'cgroup-v1', vcpus: 128 / 1769 } as const, { kind: 'cgroup-v2', vcpus: null } as const, { kind: 'none' } as const, { kind: 'unknown' } as const].map(cpuLimitCell)).toEqual(['0.0724', 'unlimited', 'none', 'unknown']);
    expect(cpuLimitKind([{ kind: 'none' }, { kind: 'none' }])).toBe('none');
    expect(cpuLimitKind([{ kind: 'none' }, { kind: 'cgroup-v1', vcpus: 1 }])).toBe('mixed');
    expect(cpuLimitKind([])).toBe('unknown');
    expect(cpuLimitNote([{ kind: 'cgroup-v2', vcpus: 0.5 }], 'local')).toBe('CPU limit applied through the cgroup-v2 cpu quota: vCPUs = memory / 1,769 MB');
    expect(cpuLimitNote([{ kind: 'unknown' }], 'aws-lambda')).toBe('CPU limit of aws-lambda instances: not observable from here');
  });
});
