/** `concurrent N`: a burst of N calls all planned at offset 0 (k6's shared-iterations, at once). */
import { z } from 'zod';
import { callOptions, countOption } from '../options.ts';
import { atZero, definePattern, invocationsAt } from '../pattern.ts';

export const concurrent = definePattern({
  name: 'concurrent',
  usage: 'concurrent N',
  description: 'N calls sent at once (a burst)',
  schema: z.strictObject({ count: countOption(), ...callOptions() }),
  plan: (options, target) => ({
    pattern: 'concurrent',
    functions: [target.fn],
    count: options.count,
    durationUs: 0,
    [Symbol.iterator]: () => invocationsAt(atZero(options.count), target, options),
  }),
});
