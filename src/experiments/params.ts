/**
 * Experiment parameters from the command line (`--param k=v`) to the experiment's zod schema. A
 * value is read as the parameter's type asks: a number or `true`/`false` as such, a list as
 * comma-separated items (`sizes=128,256`, `runtimes=measure-node`), `null` for a nullable one, and
 * JSON (`[128,256]`, objects) wherever JSON is given; text stays text. Every failure names the
 * parameter and what was expected.
 */
import type { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import type { AnyParams } from './define.ts';

/** `key=value` pairs, values as typed; resolveParams reads each as its parameter's type. */
export function parseParamPairs(pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FaasbenchError('InvalidParameterValue', `--param: expected key=value, got "${pair}"`, { reason: 'usage' });
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return values;
}

/** What a zod type is underneath its defaults, optionals and refinements (zod 4's `def`). */
interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly in?: z.ZodType;
}

const defOf = (t: z.ZodType): Def => (t as unknown as { def: Def }).def;

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nonoptional', 'nullable', 'readonly', 'catch']);

function unwrap(t: z.ZodType): { def: Def; nullable: boolean } {
  let nullable = false;
  for (let def = defOf(t); ; ) {
    if (def.type === 'nullable') nullable = true;
    if (WRAPPERS.has(def.type) && def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else return { def, nullable };
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** One command-line value read as the type `t` asks; what does not fit is left for zod to refuse by name. */
export function coerceParam(t: z.ZodType, text: string): unknown {
  const { def, nullable } = unwrap(t);
  if (nullable && text === 'null') return null;
  const types = def.type === 'union' ? (def.options ?? []).map((o) => unwrap(o).def.type) : [def.type];
  if (types.includes('number') && NUMBER.test(text.trim())) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.some((k) => k === 'string' || k === 'enum' || k === 'literal' || k === 'template_literal')) {
    // A JSON string ("text", quotes included) is taken as its text.
    const json = /^".*"$/s.test(text) ? parseJson(text) : text;
    return typeof json === 'string' ? json : text;
  }
  if (def.type === 'array' && def.element && !text.trimStart().startsWith('[')) {
    return text.trim() === '' ? [] : text.split(',').map((item) => coerceParam(def.element!, item.trim()));
  }
  return parseJson(text);
}

export function resolveParams(experiment: string, schema: AnyParams, values: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(values).filter((k) => !known.includes(k));
  if (unknown.length) throw new FaasbenchError('InvalidParameterValue', `experiment ${experiment}: unknown parameter ${unknown.join(', ')} (it takes: ${known.join(', ') || 'none'})`);
  // Text from the command line is read as each parameter's type; stored values (a rerun's) are typed already.
  const shape = schema.shape as Record<string, z.ZodType>;
  const typed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? coerceParam(shape[k]!, v) : v]));
  const parsed = schema.safeParse(typed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FaasbenchError('InvalidParameterValue', `experiment ${experiment}: parameter ${issue.path.join('.') || '(all)'}: ${issue.message}`);
  }
  return parsed.data as Record<string, unknown>;
}
