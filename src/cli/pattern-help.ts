/**
 * The load patterns section of `invoke --help`, made from the pattern registry: each pattern's
 * usage and description, and the options it takes beyond those its usage shows. A new pattern
 * appears here by being registered.
 */
import { PATTERNS } from '../workload/registry.ts';
import { flagOf } from '../workload/options.ts';
import type { Pattern } from '../workload/pattern.ts';

/** Options its usage line does not show (`count` is the positional N). */
function otherOptions(pattern: Pattern): string[] {
  return pattern.optionNames.filter((key) => key !== 'count' && !new RegExp(`${flagOf(key)}(?![a-z-])`).test(pattern.usage)).map(flagOf);
}

/** Durations are kept in µs: shown as typed. */
const DURATION_KEYS = new Set(['duration', 'gap', 'warmup']);

function shownValue(key: string, value: number): string {
  if (!DURATION_KEYS.has(key)) return String(value);
  const s = value / 1e6;
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** `defaults: --rate 20 --duration 20m` for the optional options its usage shows, when the pattern plans with no option at all. */
function defaultsOf(pattern: Pattern): string | null {
  let parsed: Record<string, unknown>;
  try {
    parsed = pattern.parse({}) as Record<string, unknown>;
  } catch {
    return null;
  }
  const shown = pattern.optionNames.filter((key) => new RegExp(`\\[${flagOf(key)} `).test(pattern.usage) && typeof parsed[key] === 'number');
  return shown.length ? `defaults: ${shown.map((key) => `${flagOf(key)} ${shownValue(key, parsed[key] as number)}`).join(' ')}` : null;
}

export function patternHelp(): string {
  const lines = ['', 'Load patterns (after <function>; default: sequential --times):'];
  for (const pattern of Object.values(PATTERNS) as Pattern[]) {
    const other = otherOptions(pattern);
    const defaults = defaultsOf(pattern);
    lines.push(`  ${pattern.usage}`, `      ${pattern.description}`, ...(defaults ? [`      ${defaults}`] : []), ...(other.length ? [`      also: ${other.join(' ')}`] : []));
  }
  lines.push(
    'Options most patterns share: --warmup-calls N (the first N calls are warm-up: stored, left out of the figures), --warmup D (calls planned',
    'before D are warm-up too), --seed N (poisson arrivals; default: --seed), --tag T (a tag on every call). Durations: 500ms, 10s, 2m, 1h.',
    "Example: faasbench invoke hello constant --rate 100 --duration 10s --threshold 'p99<300ms'",
  );
  return lines.join('\n');
}
