/** `constant --rate R --duration D`: R calls/s for D (k6's constant-arrival-rate): R·D calls. */
import { z } from 'zod';
import { durationOption, rateOption, rateOptions } from '../options.ts';
import { definePattern, ratePlan } from '../pattern.ts';
import { hold } from '../rate-curve.ts';

export const constant = definePattern({
  name: 'constant',
  usage: 'constant --rate R --duration D [--arrivals uniform|poisson]',
  description: 'R calls/s for D',
  schema: z.strictObject({ rate: rateOption(), duration: durationOption(), ...rateOptions() }),
  plan: (options, target) => ratePlan('constant', [hold(options.duration, options.rate)], options, target),
});
