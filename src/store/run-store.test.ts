import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reopenOf } from './reopen.ts';
import { RunStore } from './run-store.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-run-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RunStore', () => {
  it('makes a missing SQLite file (owner only) and says so once, and is reopened from its absolute path with the run label', () => {
    const file = path.join(dir, 'sub', 'new.db');
    const created: string[] = [];
    const first = new RunStore(path.relative(process.cwd(), file), { runLabel: 'mine', onCreate: (where) => created.push(where) });
    new RunStore(file, { onCreate: (where) => created.push(where) });
    expect(created).toEqual([file]);
    expect(statSync(file)).toMatchObject({ size: 0, mode: 0o100600 });
    expect(first.location).toBe(file);
    expect(reopenOf(first)).toEqual({ target: file, options: { runLabel: 'mine' } });
  });

  it('refuses a file that is not a database before anything connects, as SQLite would; an empty file is a new store', () => {
    const garbage = path.join(dir, 'notes.txt');
    writeFileSync(garbage, 'not a database, but long enough to hold a header');
    expect(() => new RunStore(garbage)).toThrow(`${garbage} is not a faasbench store (SQLite: file is not a database)`);
    const empty = path.join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect(new RunStore(empty).location).toBe(empty);
  });

  it('names a PostgreSQL store with its password masked, and is reopened with the password', () => {
    const url = 'postgres://me:secret@127.0.0.1:5432/test';
    const store = new RunStore(url, { schema: 'runs_a' });
    expect(store.location).toBe('postgres://me:***@127.0.0.1:5432/test?options=-c+search_path%3Druns_a');
    expect(reopenOf(store)).toEqual({ target: url, options: { schema: 'runs_a' } });
  });

  it('cannot be reopened in memory: a second connection would be another database', () => {
    const store = new RunStore(':memory:');
    expect(store.location).toBe(':memory:');
    expect(reopenOf(store)).toBeUndefined();
  });
});
