import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultAccountLimit, thisHost } from './account-limit.ts';

const GiB = 2 ** 30;

describe('defaultAccountLimit', () => {
  it('is 64 on the 2-core 24 GB reference host: bound by CPUs', () => {
    expect(defaultAccountLimit({ memoryBytes: 24 * GiB, cpus: 2 })).toBe(64);
  });

  it('is bound by half the memory at 128 MiB each on a small host', () => {
    expect(defaultAccountLimit({ memoryBytes: 4 * GiB, cpus: 8 })).toBe(16);
  });

  it('never passes Lambda\'s 1,000, and never falls below one', () => {
    expect(defaultAccountLimit({ memoryBytes: 1024 * GiB, cpus: 128 })).toBe(1000);
    expect(defaultAccountLimit({ memoryBytes: 100 * 2 ** 20, cpus: 1 })).toBe(1);
  });

  it('reads this host, leaving at least what the built-in experiments ask for at their defaults here', () => {
    const host = thisHost();
    expect(host.cpus).toBe(os.availableParallelism());
    expect(host.memoryBytes).toBeLessThanOrEqual(os.totalmem());
    expect(defaultAccountLimit()).toBe(defaultAccountLimit(host));
    if (host.cpus >= 1 && host.memoryBytes >= 4 * GiB) expect(defaultAccountLimit()).toBeGreaterThanOrEqual(16);
  });
});
