/**
 * Experiment parameters from the command line (`--param k=v`) to the experiment's zod schema:
 * values that read as JSON (numbers, booleans, lists) are taken as such, anything else as text,
 * and every failure names the parameter and what was expected.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { AnyParams } from './define.ts';

export function parseParamPairs(pairs: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FaasbenchError('InvalidParameterValue', `--param: expected key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      // Plain text.
    }
    values[pair.slice(0, eq)] = value;
  }
  return values;
}

export function resolveParams(experiment: string, schema: AnyParams, values: Record<string, unknown>): Record<string, unknown> {
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(values).filter((k) => !known.includes(k));
  if (unknown.length) throw new FaasbenchError('InvalidParameterValue', `experiment ${experiment}: unknown parameter ${unknown.join(', ')} (it takes: ${known.join(', ') || 'none'})`);
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FaasbenchError('InvalidParameterValue', `experiment ${experiment}: parameter ${issue.path.join('.') || '(all)'}: ${issue.message}`);
  }
  return parsed.data as Record<string, unknown>;
}
