import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaasbenchError } from '../core/errors.ts';
import { readMapping, writeMapping } from './mapping-file.ts';
import type { Mapping } from './mapping.ts';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'faasbench-mappingfile-'));

const MAPPING: Mapping = {
  version: 1,
  method: 'unique',
  maxError: 0.5,
  entries: [
    { key: { owner: 'o1', app: 'a1', fn: 'f1' }, trigger: 'http', traceDurationP75Ms: 120, traceMemoryP75Mb: 150, proxy: '210.thumbnailer:small', proxyDurationP75Ms: 110.5, proxyMemoryP75Mb: 160, durationError: 0.0792, memoryError: 0.0667, distance: 0.061 },
    { key: { owner: 'o1', app: 'a1', fn: 'f2' }, trigger: 'timer', traceDurationP75Ms: 0, traceMemoryP75Mb: 0, proxy: 'synthetic', proxyDurationP75Ms: 0, proxyMemoryP75Mb: 0, durationError: null, memoryError: null, distance: 0 },
  ],
};

/** The mapping as JSON with one change made by `edit`, written to a fresh file. */
function fileWith(edit: (json: Record<string, unknown> & { entries: Record<string, unknown>[] }) => void): string {
  const json = structuredClone(MAPPING) as unknown as Record<string, unknown> & { entries: Record<string, unknown>[] };
  edit(json);
  const file = join(scratch(), 'mapping.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

function failure(file: string): FaasbenchError {
  try {
    readMapping(file);
  } catch (err) {
    if (err instanceof FaasbenchError) return err;
    throw err;
  }
  throw new Error(`${file} was read without complaint`);
}

describe('writeMapping and readMapping', () => {
  it('round-trip a mapping through pretty JSON with a trailing newline, leaving no temporary file', () => {
    const dir = scratch();
    const file = join(dir, 'mapping.json');
    writeMapping(file, MAPPING);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(MAPPING, null, 2)}\n`);
    expect(readMapping(file)).toEqual(MAPPING);
    writeMapping(file, { ...MAPPING, entries: [] });
    expect(readMapping(file).entries).toEqual([]);
    expect(readdirSync(dir)).toEqual(['mapping.json']);
  });

  it('leaves neither the file nor a temporary behind when the folder does not exist', () => {
    const dir = scratch();
    expect(() => writeMapping(join(dir, 'absent', 'mapping.json'), MAPPING)).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('readMapping complaints', () => {
  it('names the file and says how to make one when it is missing or not JSON', () => {
    const missing = join(scratch(), 'nope.json');
    expect(failure(missing)).toMatchObject({ code: 'InvalidParameterValue', message: `${missing}: cannot read the mapping (ENOENT); write one with faasbench trace map` });
    const garbled = join(scratch(), 'mapping.json');
    writeFileSync(garbled, '{"version": 1,');
    expect(failure(garbled).message).toMatch(new RegExp(`^${garbled}: not JSON: .+; write one with faasbench trace map$`));
  });

  it('names the field, with its entry index, and what was expected', () => {
    const cases: Array<[(json: Record<string, unknown> & { entries: Record<string, unknown>[] }) => void, string]> = [
      [(j) => (j.version = 2), 'field version: Invalid input: expected 1'],
      [(j) => delete j.method, 'field method: Invalid input: expected string, received undefined'],
      [(j) => (j.entries[1]!.proxyMemoryP75Mb = -1), 'field entries[1].proxyMemoryP75Mb: Too small: expected number to be >=0'],
      [(j) => (j.entries[0]!.traceDurationP75Ms = '120'), 'field entries[0].traceDurationP75Ms: Invalid input: expected number, received string'],
      [(j) => (j.entries[0]!.proxy = 'thumbnailer'), 'field entries[0].proxy: expected name:input or synthetic'],
      [(j) => (j.entries[1]!.key = { owner: 'o1', app: 'a1' }), 'field entries[1].key.fn: Invalid input: expected string, received undefined'],
      [(j) => (j.entries[0]!.extra = true), 'field entries[0]: Unrecognized key: "extra"'],
      [(j) => (j.entries = {} as never), 'field entries: Invalid input: expected array, received object'],
    ];
    for (const [edit, message] of cases) {
      const file = fileWith(edit);
      expect(failure(file).message).toBe(`${file}: ${message}`);
    }
    const top = join(scratch(), 'mapping.json');
    writeFileSync(top, '[]');
    expect(failure(top).message).toBe(`${top}: field (top level): Invalid input: expected object, received array`);
  });
});
