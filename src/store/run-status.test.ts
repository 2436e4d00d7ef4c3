import { describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_BEATS, HEARTBEAT_INTERVAL_MS, shownRunStatus, type RunLiveness } from './run-status.ts';

const START = Date.parse('2026-12-04T10:00:00.000Z');
const at = (ms: number): string => new Date(START + ms).toISOString();
const running: RunLiveness = { status: 'running', startedAt: at(0), progressAt: null, heartbeatAt: null, heartbeatMs: null };

describe('shownRunStatus', () => {
  it('shows a final status as stored, however old', () => {
    for (const status of ['completed', 'failed', 'interrupted'] as const) expect(shownRunStatus({ ...running, status }, START + 86_400_000)).toBe(status);
  });

  it('a running run is abandoned once its heartbeat is more than 3 of its promised intervals old', () => {
    const run = { ...running, heartbeatAt: at(10_000), heartbeatMs: 200 };
    expect(ABANDONED_AFTER_BEATS).toBe(3);
    expect(shownRunStatus(run, START + 10_600)).toBe('running');
    expect(shownRunStatus(run, START + 10_601)).toBe('abandoned');
  });

  it('judges by the newest sign of life: heartbeat, progress or start', () => {
    const limit = ABANDONED_AFTER_BEATS * HEARTBEAT_INTERVAL_MS;
    expect(shownRunStatus({ ...running, heartbeatAt: at(1_000), heartbeatMs: HEARTBEAT_INTERVAL_MS, progressAt: at(9_000) }, START + 9_000 + limit)).toBe('running');
    expect(shownRunStatus({ ...running, heartbeatAt: at(1_000), heartbeatMs: HEARTBEAT_INTERVAL_MS, progressAt: at(9_000) }, START + 9_001 + limit)).toBe('abandoned');
  });

  it('runs from before heartbeats: their progress, else their start, at the default interval', () => {
    const limit = ABANDONED_AFTER_BEATS * HEARTBEAT_INTERVAL_MS;
    expect(shownRunStatus(running, START + limit)).toBe('running');
    expect(shownRunStatus(running, START + limit + 1)).toBe('abandoned');
    expect(shownRunStatus({ ...running, progressAt: at(60_000) }, START + 60_000 + limit)).toBe('running');
    expect(shownRunStatus({ ...running, progressAt: at(60_000) }, START + 60_001 + limit)).toBe('abandoned');
  });

  it('a run seen dead comes back to running with its next heartbeat', () => {
    const run = { ...running, heartbeatAt: at(0), heartbeatMs: 1_000 };
    expect(shownRunStatus(run, START + 5_000)).toBe('abandoned');
    expect(shownRunStatus({ ...run, heartbeatAt: at(4_900) }, START + 5_000)).toBe('running');
  });
});
