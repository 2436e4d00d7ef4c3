/**
 * The tables as Kysely sees them, and the mapping between an InvocationRecord and its row. Values
 * come back differently from the two databases (SQLite's 0/1 for booleans, PostgreSQL's strings for
 * bigint counts), so every read goes through decode* here and both backends hand out equal objects.
 */
import type { Generated } from 'kysely';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord, InvocationStatus } from '../core/invocation-record.ts';
import type { Phase } from '../core/load-plan.ts';

export interface RunsTable {
  id: string;
  kind: string;
  name: string;
  provider: string;
  params: string;
  seed: number | null;
  host: string;
  tool_version: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  summary: string | null;
  progress: string | null;
  progress_at: string | null;
  duplicates: number;
  /** When a writer of the run last said it is alive (ISO 8601), and how often it promised to. */
  heartbeat_at: string | null;
  heartbeat_ms: number | null;
  /** The user's name for the run (`--label`); null when none was given. */
  label: string | null;
}

/** Booleans are written as 0/1 to SQLite (it has no boolean) and as booleans to PostgreSQL. */
export type StoredBoolean = boolean | number;

export interface InvocationsTable {
  run_id: string;
  seq: number;
  fn: string;
  phase: string;
  tag: string | null;
  planned_us: number;
  sent_us: number | null;
  received_us: number | null;
  latency_ms: number | null;
  status: string;
  http_status: number | null;
  error_class: string | null;
  request_id: string | null;
  instance_id: string | null;
  cold: StoredBoolean | null;
  init_ms: number | null;
  duration_ms: number | null;
  billed_ms: number | null;
  memory_mb: number | null;
  max_memory_mb: number | null;
}

export interface RecordsTable {
  id: Generated<number>;
  run_id: string;
  kind: string;
  at: string;
  row: string;
}

export interface KvTable {
  namespace: string;
  key: string;
  value: string;
  updated_at: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface Database {
  runs: RunsTable;
  invocations: InvocationsTable;
  records: RecordsTable;
  kv: KvTable;
  schema_migrations: SchemaMigrationsTable;
}

export type InvocationRow = InvocationsTable;

/** Column order of the invocations table, of CSV exports, and the record field each holds. */
export const INVOCATION_COLUMNS = [
  ['run_id', 'runId'],
  ['seq', 'seq'],
  ['fn', 'fn'],
  ['phase', 'phase'],
  ['tag', 'tag'],
  ['planned_us', 'plannedUs'],
  ['sent_us', 'sentUs'],
  ['received_us', 'receivedUs'],
  ['latency_ms', 'latencyMs'],
  ['status', 'status'],
  ['http_status', 'httpStatus'],
  ['error_class', 'errorClass'],
  ['request_id', 'requestId'],
  ['instance_id', 'instanceId'],
  ['cold', 'cold'],
  ['init_ms', 'initMs'],
  ['duration_ms', 'durationMs'],
  ['billed_ms', 'billedMs'],
  ['memory_mb', 'memoryMb'],
  ['max_memory_mb', 'maxMemoryMb'],
] as const satisfies readonly (readonly [keyof InvocationRow, keyof InvocationRecord])[];

function show(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}

function invalid(record: InvocationRecord, field: string, expected: string): FaasbenchError {
  return new FaasbenchError(
    'InvalidParameterValue',
    `invocation record ${record.runId}#${record.seq}: ${field} must be ${expected}, got ${show(record[field as keyof InvocationRecord])}`,
  );
}

/**
 * Non-finite numbers are refused rather than stored: SQLite turns NaN into NULL while PostgreSQL
 * keeps it, and the two stores must read back the same run.
 */
function num(record: InvocationRecord, field: keyof InvocationRecord): number | null {
  const value = record[field];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(record, field, 'a finite number or null');
  return value;
}

function int(record: InvocationRecord, field: keyof InvocationRecord): number | null {
  const value = num(record, field);
  if (value !== null && !Number.isSafeInteger(value)) throw invalid(record, field, 'an integer or null');
  return value;
}

function str(record: InvocationRecord, field: keyof InvocationRecord): string | null {
  const value = record[field];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw invalid(record, field, 'a string or null');
  return value;
}

function required<T>(record: InvocationRecord, field: keyof InvocationRecord, value: T | null, expected: string): T {
  if (value === null) throw invalid(record, field, expected);
  return value;
}

/** Seq is a 32-bit integer column in PostgreSQL; a plan of two billion calls is out of scope. */
const MAX_SEQ = 2 ** 31 - 1;

export function encodeInvocation(record: InvocationRecord, booleans: 'integer' | 'boolean'): InvocationRow {
  const seq = int(record, 'seq');
  if (seq === null || seq < 0 || seq > MAX_SEQ) throw invalid(record, 'seq', `an integer in 0..${MAX_SEQ}`);
  if (typeof record.cold !== 'boolean' && record.cold !== null && record.cold !== undefined) throw invalid(record, 'cold', 'a boolean or null');
  const cold = record.cold ?? null;
  return {
    run_id: required(record, 'runId', str(record, 'runId'), 'a string'),
    seq,
    fn: required(record, 'fn', str(record, 'fn'), 'a string'),
    phase: required(record, 'phase', str(record, 'phase'), 'a string'),
    tag: str(record, 'tag'),
    planned_us: required(record, 'plannedUs', num(record, 'plannedUs'), 'a finite number'),
    sent_us: num(record, 'sentUs'),
    received_us: num(record, 'receivedUs'),
    latency_ms: num(record, 'latencyMs'),
    status: required(record, 'status', str(record, 'status'), 'a string'),
    http_status: int(record, 'httpStatus'),
    error_class: str(record, 'errorClass'),
    request_id: str(record, 'requestId'),
    instance_id: str(record, 'instanceId'),
    cold: cold === null ? null : booleans === 'integer' ? Number(cold) : cold,
    init_ms: num(record, 'initMs'),
    duration_ms: num(record, 'durationMs'),
    billed_ms: num(record, 'billedMs'),
    memory_mb: num(record, 'memoryMb'),
    max_memory_mb: num(record, 'maxMemoryMb'),
  };
}

const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function decodeInvocation(row: InvocationRow): InvocationRecord {
  return {
    runId: row.run_id,
    seq: Number(row.seq),
    fn: row.fn,
    phase: row.phase as Phase,
    tag: row.tag,
    plannedUs: Number(row.planned_us),
    sentUs: numOrNull(row.sent_us),
    receivedUs: numOrNull(row.received_us),
    latencyMs: numOrNull(row.latency_ms),
    status: row.status as InvocationStatus,
    httpStatus: numOrNull(row.http_status),
    errorClass: row.error_class,
    requestId: row.request_id,
    instanceId: row.instance_id,
    cold: row.cold === null ? null : Boolean(row.cold),
    initMs: numOrNull(row.init_ms),
    durationMs: numOrNull(row.duration_ms),
    billedMs: numOrNull(row.billed_ms),
    memoryMb: numOrNull(row.memory_mb),
    maxMemoryMb: numOrNull(row.max_memory_mb),
  };
}

/**
 * An array row's layout: for each field in INVOCATION_COLUMNS order, its position in the row, or
 * -1 when it was not selected.
 */
export type ArrayLayout = Int32Array;

const FIELD_ORDER = new Map<string, number>(INVOCATION_COLUMNS.map(([, field], k) => [field, k]));

/** The layout of rows selecting `fields` in that order, or the first field that is not one. */
export function arrayLayout(fields: readonly string[]): { layout: ArrayLayout; columns: (keyof InvocationRow)[] } | { unknown: string } {
  const layout = new Int32Array(INVOCATION_COLUMNS.length).fill(-1);
  const columns: (keyof InvocationRow)[] = [];
  for (const field of fields) {
    const k = FIELD_ORDER.get(field);
    if (k === undefined) return { unknown: field };
    layout[k] = columns.push(INVOCATION_COLUMNS[k]![0]) - 1;
  }
  return { layout, columns };
}

const text = (row: readonly unknown[], i: number): string | null | undefined => (i < 0 ? undefined : ((row[i] ?? null) as string | null));
// PostgreSQL's drivers may hand a numeric column back as text: Number() as decodeInvocation does.
const number = (row: readonly unknown[], i: number): number | null | undefined => {
  if (i < 0) return undefined;
  const v = row[i];
  return v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v);
};

/**
 * An array row decoded as decodeInvocation decodes an object row, fields not selected left
 * undefined. Every result has the same 20 properties in the same order as decodeInvocation's, so
 * code reading either sees one object shape, and building it is a literal, not 20 keyed stores.
 */
export function decodeInvocationArray(row: readonly unknown[], at: ArrayLayout): Partial<InvocationRecord> {
  const cold = at[14]! < 0 ? undefined : row[at[14]!];
  return {
    runId: text(row, at[0]!) as string | undefined,
    seq: number(row, at[1]!) as number | undefined,
    fn: text(row, at[2]!) as string | undefined,
    phase: text(row, at[3]!) as Phase | undefined,
    tag: text(row, at[4]!),
    plannedUs: number(row, at[5]!) as number | undefined,
    sentUs: number(row, at[6]!),
    receivedUs: number(row, at[7]!),
    latencyMs: number(row, at[8]!),
    status: text(row, at[9]!) as InvocationStatus | undefined,
    httpStatus: number(row, at[10]!),
    errorClass: text(row, at[11]!),
    requestId: text(row, at[12]!),
    instanceId: text(row, at[13]!),
    // SQLite's 0/1, PostgreSQL's booleans.
    cold: cold === undefined ? undefined : cold === null ? null : Boolean(cold),
    initMs: number(row, at[15]!),
    durationMs: number(row, at[16]!),
    billedMs: number(row, at[17]!),
    memoryMb: number(row, at[18]!),
    maxMemoryMb: number(row, at[19]!),
  };
}
