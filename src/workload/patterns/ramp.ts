/**
 * `ramp --from R1 --to R2 --duration D`: the rate goes linearly from R1 to R2 calls/s over D
 * (one stage of k6's ramping-arrival-rate). It plans (R1 + R2)/2 · D calls, the area under the
 * ramp, at the times the cumulative rate passes each whole call.
 */
import { z } from 'zod';
import { durationOption, rateOptions, rateOrZeroOption } from '../options.ts';
import { definePattern, ratePlan } from '../pattern.ts';

export const ramp = definePattern({
  name: 'ramp',
  usage: 'ramp --from R1 --to R2 --duration D [--arrivals uniform|poisson]',
  description: 'rate rising (or falling) linearly from R1 to R2 calls/s over D',
  schema: z.strictObject({ from: rateOrZeroOption(), to: rateOrZeroOption(), duration: durationOption(), ...rateOptions() }),
  plan: (options, target) => ratePlan('ramp', [{ durationUs: options.duration, fromRate: options.from, toRate: options.to }], options, target),
});
