import { describe, expect, it } from 'vitest';
import { endLine, failureLine, failuresOf } from './failure-line.ts';

const counts = { calls: 400, warmupCalls: 0, failed: 12, byStatus: { ok: 388, 'function-error': 10, throttled: 2 }, errorClasses: { TooManyRequestsException: 2, 'Sandbox.Timedout': 10 } };

describe('the failure line', () => {
  it('says how many of how many failed, by error class, most first', () => {
    const f = failuresOf(counts);
    expect(f).toEqual({ failed: 12, of: 400, byClass: { 'Sandbox.Timedout': 10, TooManyRequestsException: 2 }, warmupCalls: 0 });
    expect(failureLine(f)).toBe('12 of 400 calls failed: 10 Sandbox.Timedout, 2 TooManyRequestsException');
    expect(endLine('r1', 'completed', f)).toBe('run r1 completed; 12 of 400 calls failed: 10 Sandbox.Timedout, 2 TooManyRequestsException');
  });

  it('names calls with no class: unknown (sent, never answered), else "no error class"; ties by name', () => {
    const f = failuresOf({ calls: 10, warmupCalls: 3, failed: 4, byStatus: { ok: 6, unknown: 2, 'function-error': 2 }, errorClasses: { 'Runtime.ExitError': 1 } });
    expect(f.byClass).toEqual({ unknown: 2, 'Runtime.ExitError': 1, 'no error class': 1 });
    expect(failureLine(f)).toBe('4 of 10 calls failed (3 warm-up calls not counted): 2 unknown, 1 no error class, 1 Runtime.ExitError');
  });

  it('no failure: no line, and the end line is the status alone', () => {
    const f = failuresOf({ calls: 1, warmupCalls: 1, failed: 0, byStatus: { ok: 1 }, errorClasses: {} });
    expect(failureLine(f)).toBeNull();
    expect(endLine('r1', 'completed', f)).toBe('run r1 completed');
    expect(endLine('r1', 'interrupted', null)).toBe('run r1 interrupted');
  });
});
