/**
 * sb's `spikes`: occasional extreme bursts over a base load. The base is R/2; four spikes of
 * 21R/2 (21 times the base), each D/80 long, start at D/8, 3D/8, 5D/8 and 7D/8 (mean R: the
 * spikes carry 52.5% of the calls in 5% of the time). At the default 20 minutes: 15 s spikes
 * at 2:30, 7:30, 12:30 and 17:30.
 */
import { hold } from '../rate-curve.ts';
import { sbPattern, type Curve } from './serverless-benchmarker.ts';

export const SPIKES = 4;

export const spikesCurve: Curve = (rate, durationUs) => {
  const base = rate / 2;
  const peak = rate * 10.5;
  const widthUs = durationUs / 80;
  const segments = [hold(durationUs / 8, base)];
  for (let i = 0; i < SPIKES; i++) {
    const untilNextUs = i < SPIKES - 1 ? durationUs / 4 : durationUs / 8;
    segments.push(hold(widthUs, peak), hold(untilNextUs - widthUs, base));
  }
  return segments;
};

export const spikes = sbPattern('spikes', 'Serverless Benchmarker spikes: R/2 with four 21R/2 spikes, each D/80 long', spikesCurve);
