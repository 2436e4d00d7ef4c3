/**
 * profile.json: how each candidate proxy behaves on a provider, in vSwarm's shape. `trace profile`
 * writes it, `trace map` reads it:
 *
 *   { "<name>:<input>": { "duration": [p0, p1, ..., p100] (ms), "memory": [p0, ..., p100] (MB) } }
 *
 * 101 numbers each, non-decreasing. Other fields of an entry (vSwarm's profiles carry more
 * metrics) are accepted and ignored.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import type { ProxyId } from './mapping.ts';

/** p0..p100. */
export const PROFILE_POINTS = 101;

export interface ProxyProfile {
  /** Duration percentiles p0..p100, ms. */
  readonly duration: readonly number[];
  /** Max-memory-used percentiles p0..p100, MB. */
  readonly memory: readonly number[];
}

export type Profile = Readonly<Record<ProxyId, ProxyProfile>>;

/**
 * Percentiles 0..100 by linear interpolation between closest ranks (Hyndman-Fan type 7, numpy's
 * default, the one vSwarm's tools use): p lies at rank p/100 * (n - 1) of the sorted values, so
 * p0 is the minimum and p100 the maximum and a profile of 20 calls still varies smoothly.
 */
export function percentiles(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentiles of no values');
  const sorted = Float64Array.from(values).sort();
  const last = sorted.length - 1;
  const out: number[] = [];
  for (let p = 0; p < PROFILE_POINTS; p++) {
    // p * last first: exact in integers, so p25 of five values is exactly the second.
    const rank = (p * last) / 100;
    const below = Math.floor(rank);
    const above = Math.min(below + 1, last);
    const fraction = rank - below;
    out.push(sorted[below]! + (sorted[above]! - sorted[below]!) * fraction);
  }
  return out;
}

/** The figure the mapper compares. */
export function p75(series: readonly number[]): number {
  return series[75]!;
}

const series = z
  .array(z.number('expected a number').nonnegative('expected a number >= 0'), `expected ${PROFILE_POINTS} numbers`)
  .length(PROFILE_POINTS, `expected ${PROFILE_POINTS} numbers`)
  .superRefine((values, ctx) => {
    for (let p = 1; p < values.length; p++) {
      if (values[p]! < values[p - 1]!) {
        ctx.addIssue({ code: 'custom', path: [p], message: `expected percentiles in non-decreasing order, got p${p} ${values[p]} below p${p - 1} ${values[p - 1]}` });
        return;
      }
    }
  });

const entrySchema = z.object({ duration: series, memory: series }, 'expected an object with duration and memory');

const profileSchema = z
  .record(z.string().regex(/^[^:]+:[^:]+$/), entrySchema, 'expected an object of proxy id -> { duration, memory }')
  .refine((profile) => Object.keys(profile).length > 0, 'expected at least one proxy; write a profile with faasbench trace profile');

export function readProfile(file: string): Profile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FaasbenchError('InvalidParameterValue', `${file}: ${code ? `cannot read the profile (${code})` : `not JSON: ${(err as Error).message}`}; write one with faasbench trace profile`);
  }
  const parsed = profileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // zod reports a bad key as "Invalid key in record"; say what a key should be.
    const message = issue.code === 'invalid_key' ? 'expected a proxy id name:input, e.g. 210.thumbnailer:small' : issue.message;
    throw new FaasbenchError('InvalidParameterValue', `${basename(file)}: ${jsonPath(issue.path)}: ${message}`);
  }
  return parsed.data;
}

/** `"210.thumbnailer:small".duration[3]`: proxy ids hold dots, so they are quoted. */
function jsonPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  const [proxy, ...rest] = path;
  return JSON.stringify(String(proxy)) + rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** 0.1 µs and 0.0001 MB: far below what one call's figures mean, and no 1.7850000000000001 noise. */
const DECIMALS = 1e4;

/**
 * Each series on one line (a person can diff two profiles), rounded to DECIMALS (rounding keeps
 * the order), written through a temporary name so a reader never sees half a file.
 */
export function writeProfile(file: string, profile: Profile): void {
  const ids = Object.keys(profile);
  const line = (values: readonly number[]): string => JSON.stringify(values.map((v) => Math.round(v * DECIMALS) / DECIMALS));
  const body = ids.map((id, i) => {
    const { duration, memory } = profile[id]!;
    return `  ${JSON.stringify(id)}: {\n    "duration": ${line(duration)},\n    "memory": ${line(memory)}\n  }${i < ids.length - 1 ? ',' : ''}\n`;
  });
  const temporary = `${file}.partial-${process.pid}`;
  writeFileSync(temporary, `{\n${body.join('')}}\n`);
  renameSync(temporary, file);
}
