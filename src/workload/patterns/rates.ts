/** `rates --rates file.csv`: a rate per minute or per second from a file (format in rates-csv.ts). */
import { z } from 'zod';
import { isFaasbenchError } from '../../core/errors.ts';
import { rateOptions } from '../options.ts';
import { definePattern, ratePlan } from '../pattern.ts';
import { readRatesCsv } from '../rates-csv.ts';
import type { RateSegment } from '../rate-curve.ts';

/** The file is read here, while options are parsed, so planning stays free of I/O. */
const ratesFile = z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be the path of a CSV file') }).transform((file, ctx): RateSegment[] => {
  try {
    return readRatesCsv(file);
  } catch (err) {
    if (!isFaasbenchError(err)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
    return z.NEVER;
  }
});

export const rates = definePattern({
  name: 'rates',
  usage: 'rates --rates file.csv [--arrivals uniform|poisson]',
  description: 'the rate of each minute or second, from a CSV file (minute,rate / second,rate / InvocationsPerMinute)',
  schema: z.strictObject({ rates: ratesFile, ...rateOptions() }),
  plan: (options, target) => ratePlan('rates', options.rates, options, target),
});
