/**
 * Pattern options as the CLI hands them over (strings) or a program does (numbers), checked and
 * turned into plain values: rates in calls/s, durations and offsets in whole µs. Errors name the
 * option the way a person typed it (`--rate`), so a typo is found without reading code.
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';

const US_PER = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 } as const;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const NUMBER = /^\+?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** `500ms`, `10s`, `2m`, `1h` or a sum such as `1m30s`, in whole µs; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let us = 0;
  for (const [, amount, unit] of trimmed.matchAll(DURATION_PART)) us += Number(amount) * US_PER[unit as keyof typeof US_PER];
  return Math.round(us);
}

/** A non-negative decimal number written the plain way (no hex, no `Infinity`). */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !NUMBER.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** `--warmup-calls` for `warmupCalls`: the flag a person types. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const show = (input: unknown): string => (typeof input === 'string' ? `"${input}"` : String(input));

/** A number or string input, turned into a value by `check` or rejected with "must be <what>". */
function scalar<T>(what: string, check: (value: unknown) => T | undefined) {
  return z
    .union([z.number(), z.string()], { error: (iss) => (iss.input === undefined ? 'is required' : `must be ${what}, got ${show(iss.input)}`) })
    .transform((value, ctx): T => {
      const checked = check(value);
      if (checked === undefined) {
        ctx.addIssue({ code: 'custom', message: `must be ${what}, got ${show(value)}` });
        return z.NEVER;
      }
      return checked;
    });
}

const inRange = (min: number, minInclusive: boolean) => (value: unknown) => {
  const n = parseNumber(value);
  return n !== undefined && (minInclusive ? n >= min : n > min) ? n : undefined;
};

/** Calls per second, > 0. */
export const rateOption = () => scalar('a rate in calls/s greater than 0 (e.g. 100 or 0.5)', inRange(0, false));

/** Calls per second, >= 0 (a ramp may start or end at zero). */
export const rateOrZeroOption = () => scalar('a rate in calls/s of 0 or more', inRange(0, true));

/** A whole number of calls, at least `min`. */
export const countOption = (min = 1) =>
  scalar(`a whole number ${min === 0 ? 'of 0 or more' : `of at least ${min}`}`, (value) => {
    const n = parseNumber(value);
    return n !== undefined && Number.isSafeInteger(n) && n >= min ? n : undefined;
  });

/** A duration in µs; `positive` rejects `0s`. */
export const durationOption = (positive = true) =>
  scalar(`a duration such as 500ms, 10s, 2m or 1h${positive ? ' (more than 0)' : ''}`, (value) => {
    const us = typeof value === 'string' ? parseDuration(value) : undefined;
    return us !== undefined && (!positive || us > 0) ? us : undefined;
  });

export const seedOption = () =>
  scalar('an integer seed', (value) => {
    const n = typeof value === 'string' && /^-\d+$/.test(value.trim()) ? Number(value) : parseNumber(value);
    return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
  });

export const arrivalsOption = () =>
  z.enum(['uniform', 'poisson'], { error: (iss) => `must be uniform or poisson, got ${show(iss.input)}` }).default('uniform');

export const tagOption = () => z.string({ error: (iss) => `must be a text, got ${show(iss.input)}` }).min(1, 'must not be empty').optional();

/** Options every pattern takes: which calls are warm-up, and a tag on every call. */
export const callOptions = () => ({
  /** The first N calls are tagged `warmup`. */
  warmupCalls: countOption(0).default(0),
  tag: tagOption(),
});

/** Options every rate pattern takes besides its curve. */
export const rateOptions = () => ({
  arrivals: arrivalsOption(),
  seed: seedOption().default(42),
  /** Calls planned before this offset are tagged `warmup`. */
  warmup: durationOption(false).default(0),
  ...callOptions(),
});

/** Parses `raw` or throws an InvalidParameterValue naming each bad option. */
export function parseOptions<T>(pattern: string, schema: z.ZodType<T>, optionNames: readonly string[], raw: unknown): T {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown option ${issue.keys.map(flagOf).join(', ')} (${pattern} takes ${optionNames.map(flagOf).join(', ')})`;
    }
    const key = issue.path[0];
    return typeof key === 'string' ? `${flagOf(key)} ${issue.message}` : issue.message;
  });
  throw new FaasbenchError('InvalidParameterValue', `${pattern}: ${problems.join('; ')}`);
}
