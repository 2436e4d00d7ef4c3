/**
 * A new run's id. Apart from sql-store.ts so a load run can name its run before any connection
 * exists: its record sink (and a journal, if the store fails) carries the id from the start.
 */
import { randomBytes } from 'node:crypto';

/** Sortable by start and readable on a command line: 20261123-110254-3fa9c1. */
export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
