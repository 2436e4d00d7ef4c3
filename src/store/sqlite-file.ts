/**
 * A new SQLite store's file, made before any connection: an empty file is a database SQLite
 * migrates at its first connection (sqlite.ts). Apart from the driver, so the thread that sends a
 * load run can make the file (and say so) while the store writer's thread connects (run-store.ts).
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import type { StoreOptions } from './store.ts';

/**
 * Makes the file when it is missing, or fails with ResourceNotFound when the caller only reads
 * runs: a mistyped path (or FAASBENCH_STORE) is named as such instead of becoming an empty store.
 */
export function ensureStoreFile(file: string, options: Pick<StoreOptions, 'ifMissing' | 'onCreate'>): void {
  if (file === ':memory:' || existsSync(file)) return;
  const absolute = path.resolve(file);
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
