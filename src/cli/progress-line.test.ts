// The live progress line of `faasbench invoke`: what it says for given counts, and how often and in
// what form it reaches stderr on a terminal and in a CI log. Fake timers drive the interval, so no
// assertion depends on the machine's speed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Progress, type ProgressSnapshot } from '../invoker/progress.ts';
import { estimateEtaMs, formatProgress, formatSpan, ProgressClock, startProgress } from './progress-line.ts';

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

describe('elapsed and ETA', () => {
  it('formats spans as whole seconds, minutes and seconds, or hours and minutes', () => {
    expect([0, 499, 500, 42_000, 59_499, 60_000, 65_000, 3_599_000, 3_600_000, 3_725_000].map(formatSpan)).toEqual(['0s', '0s', '1s', '42s', '59s', '1m00s', '1m05s', '59m59s', '1h00m', '1h02m']);
  });

  it('an open-loop plan ends with its schedule; a closed loop at the pace of the calls done; unknown until something tells', () => {
    const open = { durationUs: 120e6 };
    expect(estimateEtaMs(snapshot({ planned: 100, sent: 10, done: 9 }), open, 30_000)).toBe(90_000);
    // Behind the schedule, it is still the schedule that ends the sends.
    expect(estimateEtaMs(snapshot({ planned: 100, sent: 99, done: 90 }), open, 130_000)).toBe(0);
    // All sent: what is left is the answers in flight, of unknown length.
    expect(estimateEtaMs(snapshot({ planned: 100, sent: 100, done: 97 }), open, 121_000)).toBeNull();
    expect(estimateEtaMs(snapshot({ planned: 100, sent: 98, done: 98, dropped: 2 }), open, 121_000)).toBe(0);
    const closed = { closedLoop: { gapUs: 0 } };
    expect(estimateEtaMs(snapshot({ planned: 100, sent: 26, done: 25 }), closed, 10_000)).toBe(30_000);
    expect(estimateEtaMs(snapshot({ planned: 100, sent: 1, done: 0 }), closed, 10_000)).toBeNull();
    expect(estimateEtaMs(snapshot({ sent: 5, done: 5 }), {}, 10_000)).toBeNull();
  });

  it('puts elapsed and ETA first on the line', () => {
    expect(formatProgress(snapshot({ planned: 100, sent: 50, done: 49, inFlight: 1 }), { elapsedMs: 65_000, etaMs: 61_000 })).toBe(
      'elapsed 1m05s  ETA 1m01s  sent 50/100  done 49  errors 0  in-flight 1  dropped 0  lateness p99 -',
    );
    expect(formatProgress(snapshot({ sent: 5, done: 5 }), { elapsedMs: 5000, etaMs: null })).toBe('elapsed 5s  ETA -  sent 5  done 5  errors 0  in-flight 0  dropped 0  lateness p99 -');
  });

  it("a clock counts from the run start, or from when offset 0 of a shard's plan falls (never below 0)", () => {
    let now = 1_000_000;
    const clock = new ProgressClock({ durationUs: 60e6 }, undefined, () => now);
    now += 15_000;
    expect(clock.timing(snapshot({ planned: 60, sent: 15, done: 15 }))).toEqual({ elapsedMs: 15_000, etaMs: 45_000 });
    const shard = new ProgressClock({ durationUs: 60e6 }, now + 5000, () => now);
    expect(shard.timing(snapshot({ planned: 60 }))).toEqual({ elapsedMs: 0, etaMs: 60_000 });
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

  it('with a clock, each line (every 5 s in a CI log) says the time elapsed and the time left', () => {
    setTTY(false);
    const stop = startProgress(counting(), true, new ProgressClock({ durationUs: 20e6 }));
    vi.advanceTimersByTime(10_000);
    stop();
    expect(written).toEqual([
      'elapsed 5s  ETA 15s  sent 1/100  done 0  errors 0  in-flight 1  dropped 0  lateness p99 -\n',
      'elapsed 10s  ETA 10s  sent 2/100  done 0  errors 0  in-flight 2  dropped 0  lateness p99 -\n',
      'elapsed 10s  ETA 10s  sent 3/100  done 0  errors 0  in-flight 3  dropped 0  lateness p99 -\n',
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
