/**
 * Shared shape of the Serverless Benchmarker's workload types (`steady`, `bursty`, `spikes`,
 * `jump`; docs/load-patterns.md has the curves and where they come from). Each is a rate curve
 * of the mean rate R and the duration D whose area is exactly R·D, so the four types plan the
 * same number of calls, as sb scales its traces to one mean rate to compare them. The defaults
 * are the size of sb's built-in traces: 20 minutes at 20 calls/s.
 */
import { z } from 'zod';
import { durationOption, rateOption, rateOptions } from '../options.ts';
import { definePattern, ratePlan, type Pattern, type RateOptions } from '../pattern.ts';
import type { RateSegment } from '../rate-curve.ts';

/** Segments for mean rate `rate` (calls/s) over `durationUs`. */
export type Curve = (rate: number, durationUs: number) => RateSegment[];

export const SB_DEFAULT_RATE = 20;
export const SB_DEFAULT_DURATION_US = 20 * 60e6;

type SbOptions = RateOptions & { rate: number; duration: number };

export function sbPattern(name: string, description: string, curve: Curve): Pattern<SbOptions> {
  return definePattern({
    name,
    usage: `${name} [--rate R] [--duration D] [--arrivals uniform|poisson]`,
    description,
    schema: z.strictObject({ rate: rateOption().default(SB_DEFAULT_RATE), duration: durationOption().default(SB_DEFAULT_DURATION_US), ...rateOptions() }),
    plan: (options, target) => ratePlan(name, curve(options.rate, options.duration), options, target),
  });
}
