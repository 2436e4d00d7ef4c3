/**
 * sb's `jump`: a sudden change of load held for minutes, then back to the base: R/2 for the
 * first third of D, 2R for the second, R/2 for the last (mean R). At the default 20 minutes the
 * jump lasts 6 min 40 s.
 */
import { hold } from '../rate-curve.ts';
import { sbPattern, type Curve } from './serverless-benchmarker.ts';

export const jumpCurve: Curve = (rate, durationUs) => [hold(durationUs / 3, rate / 2), hold(durationUs / 3, rate * 2), hold(durationUs / 3, rate / 2)];

export const jump = sbPattern('jump', 'Serverless Benchmarker jump: R/2, then 2R for the middle third of D, then R/2', jumpCurve);
