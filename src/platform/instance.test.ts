import { describe, expect, it } from 'vitest';
import { instancePaths } from './instance.ts';

describe('instance paths', () => {
  it('are /var/task and /var/runtime with namespace isolation, as on Lambda', () => {
    expect(instancePaths('namespace', '/data/code/k/fn', '/data/runtime', () => true)).toEqual({ taskRoot: '/var/task', runtimeDir: '/var/runtime' });
  });

  it("are the host's paths without isolation (no namespace to bind in), or where the mount points could not be made", () => {
    let asked = false;
    expect(instancePaths('none', '/data/code/k/fn', '/data/runtime', () => (asked = true))).toEqual({ taskRoot: '/data/code/k/fn', runtimeDir: '/data/runtime' });
    expect(asked).toBe(false);
    expect(instancePaths('namespace', '/data/code/k/fn', '/data/runtime', () => false)).toEqual({ taskRoot: '/data/code/k/fn', runtimeDir: '/data/runtime' });
  });
});
