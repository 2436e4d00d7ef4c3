/**
 * sb's `bursty` (`fluctuating` in sb's README and experiment plans): a base load with short
 * bursts that keep coming. 20 equal cycles; each holds R/2 for its first three quarters and
 * 5R/2 for the last quarter (mean R). At the default 20 minutes: 45 s at R/2, then a 15 s
 * burst, every minute.
 */
import { hold } from '../rate-curve.ts';
import { sbPattern, type Curve } from './serverless-benchmarker.ts';

export const BURSTY_CYCLES = 20;

export const burstyCurve: Curve = (rate, durationUs) => {
  const cycleUs = durationUs / BURSTY_CYCLES;
  return Array.from({ length: BURSTY_CYCLES }, () => [hold(cycleUs * 0.75, rate / 2), hold(cycleUs * 0.25, rate * 2.5)]).flat();
};

export const bursty = sbPattern('bursty', 'Serverless Benchmarker bursty: R/2 with a 5R/2 burst in the last quarter of each of 20 cycles', burstyCurve);
