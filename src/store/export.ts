/**
 * Streams a run's invocations out as CSV or JSON Lines, a page at a time, honouring the writer's
 * back-pressure. Values are printed from the decoded records, never from driver output, so a run
 * exports to the same bytes from SQLite and from PostgreSQL:
 * - CSV (RFC 4180): a header of the invocations table's columns, CRLF line ends, fields quoted only
 *   when they hold a comma, quote or line break; null is an empty field and an empty string `""`;
 *   booleans true/false; numbers in JavaScript's shortest round-trip form (1.5, 1784000000000000.2).
 * - JSONL: one object per invocation with the InvocationRecord field names, in column order.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { INVOCATION_COLUMNS } from './schema.ts';
import type { Store } from './store.ts';

export type ExportFormat = 'csv' | 'jsonl';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl'];

const CHUNK_CHARS = 64 * 1024;

/** Writes the run to `out` (which stays open) and resolves with the number of invocations written. */
export async function exportRun(store: Store, runId: string, format: ExportFormat, out: Writable): Promise<number> {
  if (!EXPORT_FORMATS.includes(format)) {
    throw new FaasbenchError('InvalidParameterValue', `export format ${JSON.stringify(format)}: expected ${EXPORT_FORMATS.join(' or ')}`);
  }
  if ((await store.getRun(runId)) === undefined) throw new FaasbenchError('ResourceNotFound', `no run ${runId} in the store`);
  const line = format === 'csv' ? csvLine : jsonLine;
  let chunk = format === 'csv' ? csvHeader() : '';
  let count = 0;
  for await (const record of store.records(runId)) {
    chunk += line(record);
    count++;
    if (chunk.length >= CHUNK_CHARS) {
      await write(out, chunk);
      chunk = '';
    }
  }
  if (chunk !== '') await write(out, chunk);
  return count;
}

async function write(out: Writable, text: string): Promise<void> {
  // once() rejects if the stream errors while we wait, so a closed pipe cannot hang the export.
  if (!out.write(text)) await once(out, 'drain');
}

export function csvHeader(): string {
  return INVOCATION_COLUMNS.map(([column]) => column).join(',') + '\r\n';
}

export function csvLine(record: InvocationRecord): string {
  return INVOCATION_COLUMNS.map(([, field]) => csvField(record[field])).join(',') + '\r\n';
}

export function jsonLine(record: InvocationRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const [, field] of INVOCATION_COLUMNS) ordered[field] = record[field] ?? null;
  return JSON.stringify(ordered) + '\n';
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return canonicalNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  if (text === '' || /[",\r\n]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** Shortest text that reads back to the same double; -0 prints as 0. Non-finite numbers are never stored. */
export function canonicalNumber(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}
