import { describe, expect, it } from 'vitest';
import { callInstance, instanceSource, reportedIdentity } from './reported-identity.ts';

describe('reportedIdentity', () => {
  it("reads measure's stat ids: equal ids are the instance's first call", () => {
    expect(reportedIdentity({ stat: { exist_id: 'a', new_id: 'a', inst_id: 'x' } })).toEqual({ id: 'a', fresh: true });
    expect(reportedIdentity({ stat: { exist_id: 'a', new_id: 'b' } })).toEqual({ id: 'a', fresh: false });
  });

  it("reads lab's identifier and cold flag", () => {
    expect(reportedIdentity({ identifier: 'cg-1', cold: false, nested: [] })).toEqual({ id: 'cg-1', fresh: false });
    expect(reportedIdentity({ identifier: 'cg-1' })).toEqual({ id: 'cg-1', fresh: null });
  });

  it('finds none in other answers', () => {
    for (const answer of [null, 'text', 42, {}, { stat: { exist_id: '' , new_id: '' } }, { durationMs: 3 }, { identifier: '' }]) expect(reportedIdentity(answer)).toBeNull();
  });
});

describe('callInstance', () => {
  const ok = { instanceId: null, cold: null, status: 'ok' as const };
  it("takes the platform's id and cold flag first, the function's where the record has none", () => {
    expect(callInstance({ ...ok, instanceId: 'p1', cold: false }, { id: 'f1', fresh: true })).toEqual({ id: 'p1', cold: false, source: 'platform' });
    expect(callInstance({ ...ok, cold: true }, { id: 'f1', fresh: false })).toEqual({ id: 'f1', cold: true, source: 'function' });
    expect(callInstance(ok, { id: 'f1', fresh: true })).toEqual({ id: 'f1', cold: true, source: 'function' });
    expect(callInstance(ok, null)).toEqual({ id: null, cold: null, source: 'none' });
  });

  it("ignores what a failed call's answer says", () => {
    expect(callInstance({ ...ok, status: 'function-error' }, { id: 'f1', fresh: true })).toEqual({ id: null, cold: null, source: 'none' });
  });

  it('reports the platform as the source when any call used it', () => {
    expect(instanceSource([{ source: 'none' }, { source: 'function' }])).toBe('function');
    expect(instanceSource([{ source: 'function' }, { source: 'platform' }])).toBe('platform');
    expect(instanceSource([])).toBe('none');
  });
});
