/**
 * `sequential N [--gap D]`: N calls, one at a time, each sent when the previous one has completed
 * (k6's per-vu-iterations with one VU). The one closed-loop pattern: its pace comes from the
 * responses, so its offsets are all 0 and the invoker follows `closedLoop` (see WorkloadPlan).
 */
import { z } from 'zod';
import { callOptions, countOption, durationOption } from '../options.ts';
import { atZero, definePattern, invocationsAt } from '../pattern.ts';

export const sequential = definePattern({
  name: 'sequential',
  usage: 'sequential N [--gap D]',
  description: 'N calls, each sent when the previous one has completed (closed loop), D apart',
  schema: z.strictObject({ count: countOption(), gap: durationOption(false).default(0), ...callOptions() }),
  plan: (options, target) => ({
    pattern: 'sequential',
    functions: [target.fn],
    count: options.count,
    closedLoop: { gapUs: options.gap },
    [Symbol.iterator]: () => invocationsAt(atZero(options.count), target, options),
  }),
});
