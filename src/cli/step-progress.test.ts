// The step progress of an experiment: what a line says, and that a CI log gets one every 5 s even
// while no step ends. Fake timers drive the interval and the clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatSteps, startStepProgress, stepEtaMs } from './step-progress.ts';

describe('formatSteps', () => {
  it('says elapsed, ETA at the pace of the steps done, and the step', () => {
    expect(formatSteps('memory-sweep', { done: 2, total: 6, label: 'size' }, 60_000)).toBe('memory-sweep: elapsed 1m00s  ETA 2m00s  size 2/6');
    expect(formatSteps('cold-start', { done: 0, total: 4, label: undefined }, 5000)).toBe('cold-start: elapsed 5s  ETA -  step 0/4');
    expect(formatSteps('cold-start', null, 5000)).toBe('cold-start: elapsed 5s  ETA -  starting');
    expect([stepEtaMs({ done: 4, total: 4, label: undefined }, 9000), stepEtaMs({ done: 1, total: 0, label: undefined }, 9000)]).toEqual([0, null]);
  });
});

describe('startStepProgress', () => {
  let written: string[];
  const wasTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');

  beforeEach(() => {
    vi.useFakeTimers();
    written = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
    if (wasTTY) Object.defineProperty(process.stderr, 'isTTY', wasTTY);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  });

  it('outside a terminal: a line every 5 s through a quiet stretch, and a last line when stopped', () => {
    const progress = startStepProgress(true, 'idle-timeout');
    vi.advanceTimersByTime(5000);
    progress.update(1, 4, 'probe');
    vi.advanceTimersByTime(10_000);
    progress.stop();
    vi.advanceTimersByTime(60_000);
    expect(written).toEqual([
      'idle-timeout: elapsed 5s  ETA -  starting\n',
      'idle-timeout: elapsed 10s  ETA 30s  probe 1/4\n',
      'idle-timeout: elapsed 15s  ETA 45s  probe 1/4\n',
      'idle-timeout: elapsed 15s  ETA 45s  probe 1/4\n',
    ]);
  });

  it('writes nothing when disabled', () => {
    const progress = startStepProgress(false, 'x');
    progress.update(1, 2);
    vi.advanceTimersByTime(20_000);
    progress.stop();
    expect(written).toEqual([]);
  });
});
