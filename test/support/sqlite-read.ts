/** Reads an SQLite store file as it is, from a connection of the test's own (a writer may be running). */
import BetterSqlite3 from 'better-sqlite3';

export function readStore<T>(file: string, read: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Rows of a run, (seq, status) in seq order. */
export function storedCalls(file: string, runId: string): { seq: number; status: string }[] {
  return readStore(file, (db) => db.prepare('select seq, status from invocations where run_id = ? order by seq').all(runId) as { seq: number; status: string }[]);
}
