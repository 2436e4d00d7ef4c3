/**
 * Load patterns by name. Adding a pattern is one file in patterns/ and one line here.
 *
 * The CLI hands over what follows the function name, e.g. `constant --rate 100 --duration 10s`
 * or `sequential 10`: `splitPatternArgs` turns it into a name and options, `planPattern` checks
 * them and returns the plan. Every failure is a FaasbenchError('InvalidParameterValue') naming
 * the pattern and option.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { Pattern, PlanTarget, WorkloadPlan } from './pattern.ts';
import { bursty } from './patterns/bursty.ts';
import { concurrent } from './patterns/concurrent.ts';
import { constant } from './patterns/constant.ts';
import { jump } from './patterns/jump.ts';
import { ramp } from './patterns/ramp.ts';
import { rates } from './patterns/rates.ts';
import { sequential } from './patterns/sequential.ts';
import { spikes } from './patterns/spikes.ts';
import { steady } from './patterns/steady.ts';

export const PATTERNS = {
  sequential,
  concurrent,
  constant,
  ramp,
  steady,
  bursty,
  spikes,
  jump,
  rates,
} as const satisfies Record<string, Pattern>;

export type PatternName = keyof typeof PATTERNS;

export function isPatternName(name: string): name is PatternName {
  return Object.hasOwn(PATTERNS, name);
}

export function patternNamed(name: string): Pattern {
  if (!isPatternName(name)) throw new FaasbenchError('InvalidParameterValue', `unknown load pattern "${name}" (known: ${Object.keys(PATTERNS).join(', ')})`);
  // Options are erased here: callers pass a pattern's own parse() result to its plan(), as planPattern does.
  return PATTERNS[name];
}

/** Checks `options` against the pattern's schema and plans calls of `target`. */
export function planPattern(name: string, options: Record<string, unknown>, target: PlanTarget): WorkloadPlan {
  const pattern = patternNamed(name);
  return pattern.plan(pattern.parse(options), target);
}

/**
 * `['constant', '--rate', '100', '--duration=10s']` -> { name: 'constant', options: { rate: '100', duration: '10s' } }.
 * Flags become camelCase keys (`--warmup-calls` -> warmupCalls); one positional after the name is `count` (`sequential 10`).
 */
export function splitPatternArgs(args: readonly string[]): { name: string; options: Record<string, string> } {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-')) {
    throw new FaasbenchError('InvalidParameterValue', `expected a load pattern name first (${Object.keys(PATTERNS).join(', ')}), got ${name === undefined ? 'nothing' : `"${name}"`}`);
  }
  const options: Record<string, string> = {};
  const set = (key: string, value: string, shown: string): void => {
    if (Object.hasOwn(options, key)) throw new FaasbenchError('InvalidParameterValue', `${name}: ${shown} given twice`);
    options[key] = value;
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      set('count', arg, `the positional count (${arg})`);
      continue;
    }
    const [flag, inline] = splitFlag(arg);
    const value = inline ?? rest[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new FaasbenchError('InvalidParameterValue', `${name}: ${flag} needs a value`);
    if (inline === undefined) i++;
    set(flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value, flag);
  }
  return { name, options };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}
