// The live progress line of `faasbench invoke`: what it says for given counts, and how often and in
// what form it reaches stderr on a terminal and in a CI log. Fake timers drive the interval, so no
// assertion depends on the machine's speed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Progress, type ProgressSnapshot } from '../invoker/progress.ts';
import { formatProgress, startProgress } from './progress-line.ts';

const snapshot = (fields: Partial<ProgressSnapshot>): ProgressSnapshot => ({
  planned: undefined,
  sent: 0,
  done: 0,
  inFlight: 0,
  dropped: 0,
  errors: 0,
  byStatus: {},
  latenessP99Ms: null,
  latenessMaxMs: null,
  ...fields,
});

describe('formatProgress', () => {
  it('says sent (of planned), done, errors, in-flight, dropped and the current p99 lateness', () => {
    expect(formatProgress(snapshot({ planned: 10_000, sent: 2500, done: 2497, errors: 3, inFlight: 3, latenessP99Ms: 0.4567 }))).toBe(
      'sent 2500/10000  done 2497  errors 3  in-flight 3  dropped 0  lateness p99 0.46 ms',
    );
  });

  it('leaves out the planned total when the plan has no known count', () => {
    expect(formatProgress(snapshot({ sent: 7, done: 7 }))).toBe('sent 7  done 7  errors 0  in-flight 0  dropped 0  lateness p99 -');
  });

  it('says how many records wait for the store when some do, and nothing about it otherwise', () => {
    expect(formatProgress(snapshot({ sent: 7, done: 7, recordsWaiting: 1234 }))).toBe(
      'sent 7  done 7  errors 0  in-flight 0  dropped 0  lateness p99 -  records waiting for the store 1234',
    );
    expect(formatProgress(snapshot({ sent: 7, done: 7, recordsWaiting: 0 }))).toBe('sent 7  done 7  errors 0  in-flight 0  dropped 0  lateness p99 -');
  });

  it('reads the counts a real Progress keeps: errors are answered calls that were not ok, dropped calls are neither sent nor done', () => {
    const progress = new Progress(6);
    for (const latenessUs of [200, 1500, 900, 12_000]) progress.markSent(latenessUs);
    progress.markDone('ok');
    progress.markDone('function-error');
    progress.markDone('throttled');
    progress.markDone('dropped');
    // 4 sent, 3 answered (2 of them errors), 1 still in flight; the worst of 4 lateness samples is the p99.
    expect(formatProgress(progress.snapshot())).toBe('sent 4/6  done 3  errors 2  in-flight 1  dropped 1  lateness p99 12.00 ms');
  });

  it('reports the lateness of recent sends only, so an early hiccup does not stay on the line', () => {
    const progress = new Progress(undefined);
    progress.markSent(500_000);
    // The window holds the last 1000 sends: after 1000 on-time ones the 500 ms outlier is gone.
    for (let i = 0; i < 1000; i++) progress.markSent(100);
    expect(formatProgress(progress.snapshot())).toBe('sent 1001  done 0  errors 0  in-flight 1001  dropped 0  lateness p99 0.10 ms');
  });
});

describe('startProgress', () => {
  let written: string[];
  const wasTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  const setTTY = (value: boolean): void => void Object.defineProperty(process.stderr, 'isTTY', { value, configurable: true });

  beforeEach(() => {
    vi.useFakeTimers();
    written = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
    if (wasTTY) Object.defineProperty(process.stderr, 'isTTY', wasTTY);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
  });

  /** A run whose counter moves by one sent call per read. */
  const counting = (): (() => ProgressSnapshot) => {
    let sent = 0;
    return () => snapshot({ planned: 100, sent: ++sent, inFlight: sent });
  };

  it('outside a terminal (a CI log): a plain line every 5 s, no carriage returns or escape codes, and a final line', () => {
    setTTY(false);
    const stop = startProgress(counting(), true);
    vi.advanceTimersByTime(4999);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(5000);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(written).toEqual([
      'sent 1/100  done 0  errors 0  in-flight 1  dropped 0  lateness p99 -\n',
      'sent 2/100  done 0  errors 0  in-flight 2  dropped 0  lateness p99 -\n',
      'sent 3/100  done 0  errors 0  in-flight 3  dropped 0  lateness p99 -\n',
    ]);
  });

  it('on a terminal: the line is rewritten in place every 250 ms and ended with a newline when stopped', () => {
    setTTY(true);
    const stop = startProgress(counting(), true);
    vi.advanceTimersByTime(500);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(written).toEqual([
      '\rsent 1/100  done 0  errors 0  in-flight 1  dropped 0  lateness p99 -\x1b[K',
      '\rsent 2/100  done 0  errors 0  in-flight 2  dropped 0  lateness p99 -\x1b[K',
      '\rsent 3/100  done 0  errors 0  in-flight 3  dropped 0  lateness p99 -\x1b[K\n',
    ]);
  });

  it('writes nothing when disabled (--json keeps stderr for errors)', () => {
    setTTY(true);
    const stop = startProgress(counting(), false);
    vi.advanceTimersByTime(10_000);
    stop();
    expect(written).toEqual([]);
  });
});
