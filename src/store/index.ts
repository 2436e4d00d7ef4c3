/**
 * store/: persistence of runs and what they produced (DESIGN.md §8): runs, invocations (one row per
 * call), experiment records, kv, and the schema migrations, in an SQLite file by default or in
 * PostgreSQL, behind one Store interface and one Kysely query layer; plus CSV/JSONL export.
 * openStore(target?) opens `postgres://...` URLs in PostgreSQL and anything else as an SQLite
 * file; with no target it reads FAASBENCH_STORE, then falls back to ./faasbench.db. Runners write
 * through openRecordSink: a RecordSink, which keeps every record through a store failure (memory,
 * then a journal), run in a worker thread of its own so a commit never pauses a send. A load run's
 * sending thread holds a RunStore (run-store.ts), which that thread connects to: importing this
 * file loads the drivers, so such a thread imports the files it needs instead.
 * It depends on core only. It must not import platform, providers, invoker, experiments, report,
 * web or cli: they call the store, never the other way round.
 */
export * from './store.ts';
export { openStore, storeTarget, STORE_ENV } from './open.ts';
export { exportRun, EXPORT_FORMATS, type ExportFormat } from './export.ts';
export { DEFAULT_SQLITE_PATH } from './sqlite.ts';
export { SCHEMA_VERSION } from './migrations.ts';
export { StoreFailureError, finishFailed } from './store-failure.ts';
export { RecordSink, RecordsWaitingError, type RecordSinkOptions, type SinkOutcome } from './record-sink.ts';
export { openRecordSink, type RunRecordSink, type RunRowWrites } from './threaded-sink.ts';
export { RunStore } from './run-store.ts';
export { recoverJournal, type RecoverResult } from './recover.ts';
export { readJournal, journalPlaces, journalDataDir, JOURNAL_DIR_ENV, type JournalHeader, type JournalEnd, type JournalContents } from './journal.ts';
export { shownRunStatus, HEARTBEAT_INTERVAL_MS, ABANDONED_AFTER_BEATS, type RunLiveness } from './run-status.ts';
export { startHeartbeat, type Heartbeat } from './heartbeat.ts';
export { parseRunFilters, RUN_FILTER_FIELDS, SHOWN_RUN_STATUSES, type RunFilterField } from './run-filter.ts';
export { loadOf } from './run-load.ts';
export { runPath } from './run-paths.ts';
