/**
 * A new SQLite store's file, made before any connection: an empty file is a database SQLite
 * migrates at its first connection (sqlite.ts). Apart from the driver, so the thread that sends a
 * load run can make the file (and say so) while the store writer's thread connects (run-store.ts).
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import type { StoreOptions } from './store.ts';

/**
 * Makes the file when it is missing, or fails with ResourceNotFound when the caller only reads
 * runs: a mistyped path (or FAASBENCH_STORE) is named as such instead of becoming an empty store.
 */
export function ensureStoreFile(file: string, options: Pick<StoreOptions, 'ifMissing' | 'onCreate'>): void {
  if (file === ':memory:') return;
  const absolute = path.resolve(file);
  if (existsSync(absolute)) return;
  if (options.ifMissing === 'refuse') throw new FaasbenchError('ResourceNotFound', `no store at ${absolute} (give --store or set FAASBENCH_STORE)`);
  mkdirSync(path.dirname(absolute), { recursive: true });
  // Readable by its owner only (SQLite gives its -wal and -shm files the same mode): the local
  // platform runs functions as another user, and a store is nobody else's business.
  // 'wx': of two processes creating one store at the same moment, only the one that made it says so.
  let fd: number;
  try {
    fd = openSync(absolute, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  closeSync(fd);
  options.onCreate?.(absolute);
}

/** What every SQLite database file begins with (sqlite.org/fileformat.html, 1.3): an empty file is a new one. */
const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses an existing file that is not a database, as SQLite refuses it at its first connection
 * (open.ts says it the same way). For a thread that does not connect itself (run-store.ts): the
 * connection is the writer thread's, after a run's deploy. openSqlite leaves it to SQLite.
 */
export function refuseNonDatabase(file: string): void {
  if (file === ':memory:') return;
  const head = Buffer.alloc(HEADER.length);
  let read: number;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable (a folder, no permission): SQLite's own open says what is wrong with it.
    return;
  }
  if (read === 0 || head.equals(HEADER)) return;
  throw new FaasbenchError('InvalidParameterValue', `${file} is not a faasbench store (SQLite: file is not a database)`);
}
