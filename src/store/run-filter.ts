/**
 * `field=value` filters on the runs list, as `runs --filter` and the dashboard's filter box give
 * them: parsed once here so both accept the same fields and refuse the same mistakes.
 */
import { FaasbenchError } from '../core/errors.ts';
import { FINAL_RUN_STATUSES, type RunFilter, type ShownRunStatus } from './store.ts';

/** The fields a filter can name, in the order the help lists them. */
export const RUN_FILTER_FIELDS = ['kind', 'name', 'provider', 'status', 'label'] as const;
export type RunFilterField = (typeof RUN_FILTER_FIELDS)[number];

export const SHOWN_RUN_STATUSES: readonly ShownRunStatus[] = ['running', ...FINAL_RUN_STATUSES, 'abandoned'];

function isField(name: string): name is RunFilterField {
  return (RUN_FILTER_FIELDS as readonly string[]).includes(name);
}

function isStatus(value: string): value is ShownRunStatus {
  return (SHOWN_RUN_STATUSES as readonly string[]).includes(value);
}

/**
 * `['kind=experiment', 'status=failed', 'status=abandoned']` -> { kind: ['experiment'], status:
 * ['failed', 'abandoned'] }. A field given twice takes either value; different fields must all
 * match. `flag` names where the text came from in errors.
 */
export function parseRunFilters(texts: readonly string[], flag = '--filter'): RunFilter {
  const filter: Partial<Record<RunFilterField, string[]>> = {};
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new FaasbenchError('InvalidParameterValue', `${flag} ${JSON.stringify(text)}: expected field=value, one of the fields ${RUN_FILTER_FIELDS.join(', ')}`);
    const field = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (!isField(field)) throw new FaasbenchError('InvalidParameterValue', `${flag} ${JSON.stringify(text)}: no field "${field}"; the fields are ${RUN_FILTER_FIELDS.join(', ')}`);
    if (value === '') throw new FaasbenchError('InvalidParameterValue', `${flag} ${JSON.stringify(text)}: expected a value after "${field}="`);
    if (field === 'status' && !isStatus(value)) throw new FaasbenchError('InvalidParameterValue', `${flag} ${JSON.stringify(text)}: a status is one of ${SHOWN_RUN_STATUSES.join(', ')}`);
    (filter[field] ??= []).push(value);
  }
  return filter as RunFilter;
}
