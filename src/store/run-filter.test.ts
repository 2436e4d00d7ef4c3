import { describe, expect, it } from 'vitest';
import { parseRunFilters } from './run-filter.ts';

describe('parseRunFilters', () => {
  it('groups values by field: a field given twice takes either value', () => {
    expect(parseRunFilters(['kind=experiment', 'status=failed', 'status=abandoned', 'label=a=b', 'name= hello '])).toEqual({
      kind: ['experiment'],
      status: ['failed', 'abandoned'],
      label: ['a=b'],
      name: ['hello'],
    });
    expect(parseRunFilters([])).toEqual({});
  });

  it('refuses an unknown field, a missing value or status, naming what it accepts', () => {
    expect(() => parseRunFilters(['colour=red'])).toThrow('--filter "colour=red": no field "colour"; the fields are kind, name, provider, status, label');
    expect(() => parseRunFilters(['kind'])).toThrow('--filter "kind": expected field=value, one of the fields kind, name, provider, status, label');
    expect(() => parseRunFilters(['label='], 'filter')).toThrow('filter "label=": expected a value after "label="');
    expect(() => parseRunFilters(['status=done'])).toThrow('--filter "status=done": a status is one of running, completed, failed, interrupted, abandoned');
  });
});
