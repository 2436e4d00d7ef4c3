/** sb's `steady`: stable load, the mean rate R throughout. */
import { hold } from '../rate-curve.ts';
import { sbPattern, type Curve } from './serverless-benchmarker.ts';

export const steadyCurve: Curve = (rate, durationUs) => [hold(durationUs, rate)];

export const steady = sbPattern('steady', 'Serverless Benchmarker steady: R calls/s throughout', steadyCurve);
