/**
 * The one query layer behind Store, for both dialects: everything here is Kysely's portable SQL,
 * and the few differences in what comes back are undone by the decoders in schema.ts and below.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql, type CompiledQuery, type Kysely, type Selectable } from './kysely.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import type { Dialect } from './migrations.ts';
import { decodeInvocation, encodeInvocation, arrayLayout, decodeInvocationArray, INVOCATION_COLUMNS, type ArrayLayout, type Database, type InvocationRow, type RunsTable } from './schema.ts';
import {
  FINAL_RUN_STATUSES,
  type DeletedRun,
  type ExperimentRow,
  type FinalRunStatus,
  type InvocationField,
  type InvocationFields,
  type JsonValue,
  type ListRunsOptions,
  type ReadOptions,
  type Run,
  type RunMeta,
  type RunStatus,
  type Store,
  type StoreOptions,
  type WriteOptions,
  type WriteResult,
} from './store.ts';
import { isLabel, LABEL_RULE } from './run-label.ts';
import { shownRunStatus } from './run-status.ts';
import { InsertCache } from './insert-cache.ts';
import { newRunId } from './run-id.ts';
import { WriteBuffer } from './write-buffer.ts';

const DEFAULT_FLUSH_INTERVAL_MS = 250;
const DEFAULT_BATCH_SIZE = 2_000;
const DEFAULT_PAGE_SIZE = 1_000;
/**
 * Rows per INSERT. Compiling, preparing and running one costs ~7 µs a row of the caller's thread
 * (better-sqlite3 is synchronous), so statements stay small and the event loop gets a turn between
 * them: the invoker's timers never wait more than about a millisecond for a flush.
 */
/** Small enough that one synchronous SQLite statement blocks the invoker for well under 0.5 ms. */
const ROWS_PER_INSERT = 25;

/**
 * Runs a SELECT compiled by Kysely and hands back its rows as arrays of values in the select's
 * column order. Kysely's drivers build an object per row; each backend's own driver can skip
 * that (better-sqlite3's raw mode, pg's rowMode 'array'), and for a million rows of a dozen
 * columns that is most of the read's cost. The SQL itself still comes from the one query layer.
 */
export type ReadArrays = (query: CompiledQuery) => Promise<unknown[][]>;

/** What a backend opens: the Kysely instance and its array reader over the same connection(s). */
export interface SqlBackend {
  readonly db: Kysely<Database>;
  readonly readArrays: ReadArrays;
  /** Store.location: where openStore finds this store again. */
  readonly location: string;
}

/** The status of a provisional row: sent, answer not yet recorded. */
const UNKNOWN = 'unknown';
/** Every column but the key, replaced when a final record overwrites an 'unknown' row. */
const REPLACED_COLUMNS = INVOCATION_COLUMNS.map(([column]) => column).filter((column) => column !== 'run_id' && column !== 'seq');

export class SqlStore implements Store {
  readonly dialect: Dialect;
  readonly location: string;
  readonly #db: Kysely<Database>;
  readonly #readArrays: ReadArrays;
  readonly #options: StoreOptions;
  readonly #buffer: WriteBuffer<InvocationRow>;
  readonly #inserts = new InsertCache();
  #totalRows = 0;
  /**
   * Runs seen to exist. A record of an unknown run is refused when appended, where the caller can
   * see which one, rather than failing a whole background batch on the foreign key.
   */
  readonly #knownRuns = new Set<string>();
  #closed = false;

  constructor({ db, readArrays, location }: SqlBackend, dialect: Dialect, options: StoreOptions = {}) {
    this.location = location;
    this.#db = db;
    this.#readArrays = readArrays;
    this.dialect = dialect;
    this.#options = options;
    const batchSize = positiveInt('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.#buffer = new WriteBuffer((batch) => this.#writeBuffered(batch), {
      intervalMs: positiveInt('flushIntervalMs', options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS),
      batchSize,
      highWater: batchSize * 10,
    });
  }

  async createRun(meta: RunMeta): Promise<string> {
    this.#open();
    const id = meta.id ?? newRunId();
    const result = await this.#db
      .insertInto('runs')
      .values({
        id: text('run id', id),
        kind: text('kind', meta.kind),
        name: text('name', meta.name),
        provider: text('provider', meta.provider),
        params: json('params', meta.params ?? {}),
        seed: seed(meta.seed),
        host: json('host', meta.host ?? {}),
        tool_version: text('toolVersion', meta.toolVersion),
        status: 'running',
        started_at: meta.startedAt === undefined ? nowIso() : isoInstant(meta.startedAt),
        duplicates: 0,
        label: runLabel(meta.label !== undefined ? meta.label : (this.#options.runLabel ?? null)),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) {
      throw new FaasbenchError('ResourceConflict', `run ${id} already exists in the store`);
    }
    this.#knownRuns.add(id);
    return id;
  }

  async appendRecords(records: readonly InvocationRecord[]): Promise<void> {
    this.#open();
    await this.#buffer.add(await this.#encode(records));
  }

  async writeRecords(records: readonly InvocationRecord[], options: WriteOptions = {}): Promise<WriteResult> {
    this.#open();
    return this.#writeRows(await this.#encode(records), options.countDuplicates ?? true);
  }

  async flush(): Promise<void> {
    await this.#buffer.flush();
  }

  async finishRun(runId: string, status: FinalRunStatus, summary?: JsonValue): Promise<void> {
    this.#open();
    if (!FINAL_RUN_STATUSES.includes(status)) {
      throw new FaasbenchError('InvalidParameterValue', `run status ${JSON.stringify(status)}: expected one of ${FINAL_RUN_STATUSES.join(', ')}`);
    }
    await this.flush();
    const result = await this.#db
      .updateTable('runs')
      .set({ status, finished_at: nowIso(), ...(summary === undefined ? {} : { summary: json('summary', summary) }) })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) return;
    const run = await this.getRun(runId);
    if (run === undefined) throw notFound(runId);
    throw new FaasbenchError('ResourceConflict', `run ${runId} is already ${run.status}; a run finishes once`);
  }

  async updateProgress(runId: string, progress: JsonValue): Promise<void> {
    this.#open();
    const result = await this.#db
      .updateTable('runs')
      .set({ progress: json('progress', progress), progress_at: nowIso() })
      .where('id', '=', runId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound(runId);
  }

  async heartbeat(runId: string, intervalMs: number): Promise<void> {
    this.#open();
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new FaasbenchError('InvalidParameterValue', `heartbeat interval must be a positive integer of ms, got ${intervalMs}`);
    const result = await this.#db
      .updateTable('runs')
      .set({ heartbeat_at: nowIso(), heartbeat_ms: intervalMs })
      .where('id', '=', runId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound(runId);
  }

  async listRuns(options: ListRunsOptions = {}): Promise<Run[]> {
    this.#open();
    const filter = options.filter ?? {};
    const limit = options.limit === undefined ? undefined : positiveInt('limit', options.limit);
    // A field given with no values matches nothing (and SQL has no empty `in ()`).
    if (Object.values(filter).some((values: readonly string[] | undefined) => values?.length === 0)) return [];
    let query = this.#db.selectFrom('runs').selectAll().orderBy('started_at', 'desc').orderBy('id', 'desc');
    for (const field of ['kind', 'name', 'provider', 'label'] as const) {
      const values = filter[field];
      if (values !== undefined) query = query.where(field, 'in', [...values]);
    }
    const shown = filter.status;
    if (shown !== undefined) query = query.where('status', 'in', [...new Set(shown.map((status) => (status === 'abandoned' ? 'running' : status)))]);
    // 'running' and 'abandoned' are both stored as running and told apart by the heartbeat when
    // read, so the limit applies after that; running runs are few.
    const derived = shown !== undefined && (shown.includes('running') || shown.includes('abandoned'));
    if (limit !== undefined && !derived) query = query.limit(limit);
    const runs = (await query.execute()).map(decodeRun);
    const matching = derived ? runs.filter((run) => shown.includes(run.status)) : runs;
    return limit === undefined ? matching : matching.slice(0, limit);
  }

  async getRun(id: string): Promise<Run | undefined> {
    this.#open();
    const row = await this.#db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : decodeRun(row);
  }

  async deleteRun(id: string): Promise<DeletedRun | undefined> {
    this.#open();
    // Buffered records of the run would reach the database after it is gone and fail their batch.
    await this.flush();
    const deleted = await this.#transaction(async (trx) => {
      const run = await trx.selectFrom('runs').select('id').where('id', '=', id).executeTakeFirst();
      if (run === undefined) return undefined;
      const invocations = await trx.deleteFrom('invocations').where('run_id', '=', id).executeTakeFirst();
      const records = await trx.deleteFrom('records').where('run_id', '=', id).executeTakeFirst();
      await trx.deleteFrom('runs').where('id', '=', id).execute();
      return { runId: id, invocations: Number(invocations.numDeletedRows), records: Number(records.numDeletedRows) };
    });
    this.#knownRuns.delete(id);
    return deleted;
  }

  /** Keyset pages on the primary key: each page is an index range scan, whatever the run's size. */
  async *records(runId: string, options: ReadOptions = {}): AsyncGenerator<InvocationRecord> {
    this.#open();
    const pageSize = positiveInt('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE);
    await this.flush();
    let after = -1;
    for (;;) {
      const page = await this.#db
        .selectFrom('invocations')
        .selectAll()
        .where('run_id', '=', runId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(pageSize)
        .execute();
      for (const row of page) yield decodeInvocation(row);
      const last = page.at(-1);
      if (page.length < pageSize || last === undefined) return;
      after = Number(last.seq);
    }
  }

  /** records()' keyset pages over the chosen columns, seq added when not asked for (the pages need it). */
  async *recordPages<F extends InvocationField>(runId: string, fields: readonly F[], options: ReadOptions = {}): AsyncGenerator<InvocationFields<F>[]> {
    this.#open();
    const pageSize = positiveInt('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE);
    const page = pageReader(fields);
    await this.flush();
    let after = -1;
    for (;;) {
      const query = this.#db
        .selectFrom('invocations')
        .select(page.columns)
        .where('run_id', '=', runId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(pageSize)
        .compile();
      // Not run through Kysely, so not seen by its log hook: reported the same way by hand.
      this.#options.onQuery?.(query.sql, query.parameters);
      const rows = await this.#readArrays(query);
      // Fields not asked for are undefined, which Pick<> leaves out of the type.
      if (rows.length > 0) yield page.decode(rows) as InvocationFields<F>[];
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1]![page.seqAt]);
    }
  }

  async countRecords(runId: string): Promise<number> {
    this.#open();
    await this.flush();
    const row = await this.#db
      .selectFrom('invocations')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async addRecord(runId: string, kind: string, row: JsonValue): Promise<void> {
    this.#open();
    if (!this.#knownRuns.has(runId)) await this.#requireRun(runId);
    await this.#db
      .insertInto('records')
      .values({ run_id: runId, kind: text('record kind', kind), at: nowIso(), row: json('record row', row) })
      .execute();
  }

  async *experimentRows(runId: string, options: ReadOptions & { kind?: string } = {}): AsyncGenerator<ExperimentRow> {
    this.#open();
    const pageSize = positiveInt('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE);
    let after = 0;
    for (;;) {
      let query = this.#db.selectFrom('records').selectAll().where('run_id', '=', runId).where('id', '>', after);
      if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
      const page = await query.orderBy('id').limit(pageSize).execute();
      for (const r of page) yield { runId: r.run_id, kind: r.kind, at: r.at, row: JSON.parse(r.row) as JsonValue };
      const last = page.at(-1);
      if (page.length < pageSize || last === undefined) return;
      after = Number(last.id);
    }
  }

  async kvGet(namespace: string, key: string): Promise<JsonValue | undefined> {
    this.#open();
    const row = await this.#db.selectFrom('kv').select('value').where('namespace', '=', namespace).where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.value) as JsonValue);
  }

  async kvSet(namespace: string, key: string, value: JsonValue): Promise<void> {
    this.#open();
    const encoded = json(`kv ${namespace}/${key}`, value);
    const updatedAt = nowIso();
    await this.#db
      .insertInto('kv')
      .values({ namespace: text('kv namespace', namespace), key: text('kv key', key), value: encoded, updated_at: updatedAt })
      .onConflict((oc) => oc.columns(['namespace', 'key']).doUpdateSet({ value: encoded, updated_at: updatedAt }))
      .execute();
  }

  async kvDelete(namespace: string, key: string): Promise<void> {
    this.#open();
    await this.#db.deleteFrom('kv').where('namespace', '=', namespace).where('key', '=', key).execute();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#buffer.flush();
    } finally {
      this.#buffer.stop();
      await this.#db.destroy();
    }
  }

  async #encode(records: readonly InvocationRecord[]): Promise<InvocationRow[]> {
    const booleans = this.dialect === 'sqlite' ? 'integer' : 'boolean';
    const rows = records.map((r) => encodeInvocation(r, booleans));
    for (const row of rows) if (!this.#knownRuns.has(row.run_id)) await this.#requireRun(row.run_id);
    return rows;
  }

  async #requireRun(runId: string): Promise<void> {
    const row = await this.#db.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
    if (row === undefined) throw notFound(runId);
    this.#knownRuns.add(runId);
  }

  #open(): void {
    if (this.#closed) throw new FaasbenchError('ServiceUnavailable', 'the store is closed');
  }

  async #writeBuffered(batch: InvocationRow[]): Promise<void> {
    const { duplicates } = await this.#writeRows(batch, true);
    this.#totalRows += batch.length;
    this.#options.onFlush?.({ rows: batch.length, duplicates, totalRows: this.#totalRows });
  }

  /**
   * One transaction per batch. A final row is inserted, or replaces a provisional 'unknown' row of
   * its (run, seq); offered over a final row it is a duplicate, kept out and counted on its run,
   * so a retried batch is harmless and an overlap of shards visible. An 'unknown' row is inserted
   * only where nothing is stored.
   */
  async #writeRows(batch: InvocationRow[], countDuplicates: boolean): Promise<WriteResult> {
    let stored = 0;
    let duplicates = 0;
    await this.#transaction(async (trx) => {
      for (const [runId, rows] of groupByRun(batch)) {
        const { finals, unknowns, repeated } = oncePerSeq(rows);
        let storedFinals = 0;
        for (let i = 0; i < finals.length; i += ROWS_PER_INSERT) storedFinals += await this.#insertFinals(trx, finals.slice(i, i + ROWS_PER_INSERT));
        for (let i = 0; i < unknowns.length; i += ROWS_PER_INSERT) stored += await this.#insertUnknowns(trx, unknowns.slice(i, i + ROWS_PER_INSERT));
        stored += storedFinals;
        const skipped = repeated + finals.length - storedFinals;
        if (countDuplicates && skipped > 0) {
          await trx
            .updateTable('runs')
            .set((eb) => ({ duplicates: eb('duplicates', '+', skipped) }))
            .where('id', '=', runId)
            .execute();
        }
        duplicates += skipped;
      }
    });
    return { rows: batch.length, stored, duplicates };
  }

  async #insertFinals(trx: Kysely<Database>, chunk: InvocationRow[]): Promise<number> {
    const query = this.#inserts.compiled('final', chunk, () =>
      trx
        .insertInto('invocations')
        .values(chunk)
        .onConflict((oc) =>
          oc
            .columns(['run_id', 'seq'])
            .doUpdateSet((eb) => Object.fromEntries(REPLACED_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)])))
            .where('invocations.status', '=', UNKNOWN),
        )
        .compile(),
    );
    const result = await trx.executeQuery(query);
    await this.#yield();
    return Number(result.numAffectedRows ?? 0);
  }

  async #insertUnknowns(trx: Kysely<Database>, chunk: InvocationRow[]): Promise<number> {
    const query = this.#inserts.compiled('unknown', chunk, () =>
      trx
        .insertInto('invocations')
        .values(chunk)
        .onConflict((oc) => oc.columns(['run_id', 'seq']).doNothing())
        .compile(),
    );
    const result = await trx.executeQuery(query);
    await this.#yield();
    return Number(result.numAffectedRows ?? 0);
  }

  /** better-sqlite3 is synchronous: let the invoker's timers run between statements. */
  async #yield(): Promise<void> {
    if (this.dialect === 'sqlite') await yieldToEventLoop();
  }

  /**
   * begin / commit on one connection, by hand rather than Kysely's transaction(): SQLite ends a
   * transaction itself on some errors (a full disk: SQLITE_FULL), and the rollback that follows
   * then fails with "cannot rollback - no transaction is active", which Kysely reports instead of
   * the error that says what happened. Here the first error is the one thrown.
   */
  async #transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.#db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        const result = await work(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
  }
}

/**
 * A batch's rows with one row per seq, so no statement touches a row twice (PostgreSQL refuses
 * that for an upsert): the first final row of a seq, else its first 'unknown' row. Further final
 * rows of a seq are counted as `repeated` (duplicates); further 'unknown' rows just go.
 */
function oncePerSeq(rows: InvocationRow[]): { finals: InvocationRow[]; unknowns: InvocationRow[]; repeated: number } {
  const finals = new Map<number, InvocationRow>();
  const unknowns = new Map<number, InvocationRow>();
  let repeated = 0;
  for (const row of rows) {
    if (row.status === UNKNOWN) {
      if (!unknowns.has(row.seq)) unknowns.set(row.seq, row);
    } else if (finals.has(row.seq)) repeated++;
    else finals.set(row.seq, row);
  }
  for (const seq of finals.keys()) unknowns.delete(seq);
  return { finals: [...finals.values()], unknowns: [...unknowns.values()], repeated };
}

/**
 * The columns to select for `fields` and the decoding of a page of array rows. Refuses an unknown
 * or repeated field, naming it, before any query runs.
 */
function pageReader(fields: readonly string[]): { columns: (keyof InvocationRow)[]; seqAt: number; decode: (rows: readonly unknown[][]) => Partial<InvocationRecord>[] } {
  if (fields.length === 0) throw new FaasbenchError('InvalidParameterValue', 'recordPages needs at least one field');
  const twice = fields.find((field, i) => fields.indexOf(field) !== i);
  if (twice !== undefined) throw new FaasbenchError('InvalidParameterValue', `recordPages: field ${JSON.stringify(twice)} asked for twice`);
  const found = arrayLayout(fields);
  if ('unknown' in found) throw new FaasbenchError('InvalidParameterValue', `recordPages: no invocation field ${JSON.stringify(found.unknown)}`);
  const { columns } = found;
  const layout: ArrayLayout = found.layout;
  let seqAt = columns.indexOf('seq');
  if (seqAt === -1) seqAt = columns.push('seq') - 1;
  return {
    columns,
    seqAt,
    decode: (rows) => {
      const out = new Array<Partial<InvocationRecord>>(rows.length);
      for (let r = 0; r < rows.length; r++) out[r] = decodeInvocationArray(rows[r]!, layout);
      return out;
    },
  };
}

function groupByRun(rows: InvocationRow[]): Map<string, InvocationRow[]> {
  const groups = new Map<string, InvocationRow[]>();
  for (const row of rows) {
    const group = groups.get(row.run_id);
    if (group === undefined) groups.set(row.run_id, [row]);
    else group.push(row);
  }
  return groups;
}

function decodeRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    provider: row.provider,
    params: JSON.parse(row.params) as JsonValue,
    seed: row.seed === null ? null : Number(row.seed),
    host: JSON.parse(row.host) as JsonValue,
    toolVersion: row.tool_version,
    status: shownRunStatus({ status: row.status as RunStatus, startedAt: row.started_at, progressAt: row.progress_at, heartbeatAt: row.heartbeat_at, heartbeatMs: row.heartbeat_ms === null ? null : Number(row.heartbeat_ms) }, Date.now()),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as JsonValue),
    progress: row.progress === null ? null : (JSON.parse(row.progress) as JsonValue),
    progressAt: row.progress_at,
    duplicates: Number(row.duplicates),
    heartbeatAt: row.heartbeat_at,
    heartbeatMs: row.heartbeat_ms === null ? null : Number(row.heartbeat_ms),
    label: row.label ?? null,
  };
}

function nowIso(): string {
  // The wall clock, as readers judge heartbeats by it: the monotonic clock under epochMicros drifts
  // from it in a long-lived process (a dashboard left running) and would misjudge liveness.
  return new Date().toISOString();
}

function notFound(runId: string): FaasbenchError {
  return new FaasbenchError('ResourceNotFound', `no run ${runId} in the store`);
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new FaasbenchError('InvalidParameterValue', `${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** Normalised to toISOString()'s form, so runs sort by start as text in both databases. */
function isoInstant(value: unknown): string {
  const at = typeof value === 'string' ? new Date(value) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) throw new FaasbenchError('InvalidParameterValue', `startedAt must be an ISO 8601 time, got ${JSON.stringify(value)}`);
  return at.toISOString();
}

function runLabel(value: unknown): string | null {
  if (value === null) return null;
  if (!isLabel(value)) throw new FaasbenchError('InvalidParameterValue', `label must be ${LABEL_RULE}, got ${JSON.stringify(value)}`);
  return value;
}

function seed(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new FaasbenchError('InvalidParameterValue', `seed must be a finite number or null, got ${JSON.stringify(value)}`);
  return value;
}

function json(field: string, value: unknown): string {
  const encoded = JSON.stringify(value);
  if (encoded === undefined) throw new FaasbenchError('InvalidParameterValue', `${field} must be JSON-serialisable, got ${typeof value}`);
  return encoded;
}

function positiveInt(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new FaasbenchError('InvalidParameterValue', `store option ${field} must be a positive integer, got ${value}`);
  return value;
}
