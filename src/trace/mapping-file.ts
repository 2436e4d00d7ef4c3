/**
 * mapping.json on disk: `trace map` writes it, `trace plan`/`replay`/`export`/`plot` read it.
 * Validated field by field, so a hand-edited file fails with the path of what is wrong.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import type { Mapping } from './mapping.ts';

const nonNegative = z.number().nonnegative();

const entrySchema = z.strictObject({
  key: z.strictObject({ owner: z.string().min(1), app: z.string().min(1), fn: z.string().min(1) }),
  trigger: z.string(),
  traceDurationP75Ms: nonNegative,
  traceMemoryP75Mb: nonNegative,
  proxy: z.string().regex(/^(synthetic|.+:.+)$/, 'expected name:input or synthetic'),
  proxyDurationP75Ms: nonNegative,
  proxyMemoryP75Mb: nonNegative,
  durationError: nonNegative.nullable(),
  memoryError: nonNegative.nullable(),
  distance: nonNegative,
});

const mappingSchema = z.strictObject({
  version: z.literal(1),
  method: z.string(),
  maxError: nonNegative.nullable(),
  entries: z.array(entrySchema),
});

export function readMapping(file: string): Mapping {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FaasbenchError('InvalidParameterValue', `${file}: ${code ? `cannot read the mapping (${code})` : `not JSON: ${(err as Error).message}`}; write one with faasbench trace map`);
  }
  const parsed = mappingSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new FaasbenchError('InvalidParameterValue', `${file}: field ${field || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Pretty JSON through a temporary name, so a reader never sees half a file. */
export function writeMapping(file: string, mapping: Mapping): void {
  const temporary = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(temporary, `${JSON.stringify(mapping, null, 2)}\n`);
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
