import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { Journal, journalDataDir, journalPlaces, readJournal, type JournalHeader } from './journal.ts';
import { makeRecords } from './testing/records.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(file: string): Promise<{ header: JournalHeader | undefined; records: InvocationRecord[]; end: unknown; partialLastLine: boolean }> {
  const records: InvocationRecord[] = [];
  let header: JournalHeader | undefined;
  const contents = await readJournal(file, { batchSize: 7, onHeader: async (h) => void (header = h), onBatch: async (batch) => void records.push(...batch) });
  return { header, records, end: contents.end, partialLastLine: contents.partialLastLine };
}

describe('journal places', () => {
  it('puts an SQLite store\'s journal beside it, a PostgreSQL store\'s in the data folder, then the temp folder', () => {
    const env = { FAASBENCH_JOURNAL_DIR: '/data/j' };
    expect(journalPlaces('/srv/runs/x.db', env)).toEqual(['/srv/runs', '/data/j', os.tmpdir()]);
    expect(journalPlaces('postgres://u:***@db:5432/bench', env)).toEqual(['/data/j', os.tmpdir()]);
    expect(journalDataDir({ XDG_DATA_HOME: '/home/u/.data' })).toBe('/home/u/.data/faasbench/journals');
    expect(journalDataDir({})).toBe(path.join(os.homedir(), '.local', 'share', 'faasbench', 'journals'));
  });
});

describe('Journal', () => {
  const header = { runId: 'run-1', store: '/srv/x.db', run: null };

  it('appends records after a header, drains them in order, and removes a file drained whole', async () => {
    const journal = new Journal(header, [path.join(dir, 'a')]);
    const records = makeRecords('run-1', 0, 25);
    const file = await journal.append(records.slice(0, 10));
    await journal.append(records.slice(10));
    expect(file).toBe(path.join(dir, 'a', `faasbench-journal.run-1.${process.pid}.jsonl`));
    expect(journal.waiting).toBe(25);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.length).toBe(27);
    expect(JSON.parse(lines[0]!).journal).toMatchObject({ format: 1, runId: 'run-1', store: '/srv/x.db', run: null });

    const first = await journal.nextBatch(20);
    expect(first?.records).toEqual(records.slice(0, 20));
    // Not taken by the store: the same records again.
    expect((await journal.nextBatch(20))?.records).toEqual(records.slice(0, 20));
    first!.done();
    expect(journal.waiting).toBe(5);
    const second = await journal.nextBatch(20);
    expect(second?.records).toEqual(records.slice(20));
    second!.done();
    expect(await journal.nextBatch(20)).toBeNull();
    expect(await journal.close()).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('keeps a file the store has not taken whole, with how the run ended, readable by readJournal', async () => {
    const journal = new Journal(header, [path.join(dir, 'b')]);
    const records = makeRecords('run-1', 0, 30);
    const file = await journal.append(records);
    const drained = await journal.nextBatch(12);
    drained!.done();
    await journal.end({ status: 'completed', summary: { total: 30 } });
    expect(await journal.close()).toEqual([{ path: file, records: 30, drained: 12 }]);
    const read = await readAll(file);
    expect(read.header).toMatchObject({ format: 1, runId: 'run-1', store: '/srv/x.db' });
    // The whole file is read: what was drained is offered again, and the store keeps it once.
    expect(read.records).toEqual(records);
    expect(read.end).toEqual({ status: 'completed', summary: { total: 30 } });
    expect(read.partialLastLine).toBe(false);
  });

  it('moves on to the next place when one cannot be written, naming why', async () => {
    const notADir = path.join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const journal = new Journal(header, [path.join(notADir, 'sub'), path.join(dir, 'c')]);
    const file = await journal.append(makeRecords('run-1', 0, 3));
    expect(path.dirname(file)).toBe(path.join(dir, 'c'));
    expect(journal.refused).toEqual([expect.stringMatching(new RegExp(`^${path.join(notADir, 'sub')}: ENOTDIR`))]);
    await journal.close();
  });

  it('says so when no place can take it', async () => {
    const notADir = path.join(dir, 'plain-file-2');
    writeFileSync(notADir, 'x');
    const journal = new Journal(header, [path.join(notADir, 'a')]);
    await expect(journal.append(makeRecords('run-1', 0, 1))).rejects.toThrow(/^no place could take the journal of run run-1: .*plain-file-2\/a: ENOTDIR/);
    await journal.close();
  });
});

describe('readJournal', () => {
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const head = `${JSON.stringify({ journal: { format: 1, runId: 'r', store: '/x.db', run: null, createdAt: '2026-01-01T00:00:00.000Z' } })}\n`;
  const rec = (seq: number): string => `${JSON.stringify({ record: makeRecords('r', seq, 1)[0] })}\n`;

  it('leaves out a last line cut short (a writer killed mid-line)', async () => {
    const file = write('cut.jsonl', head + rec(0) + rec(1) + rec(2).slice(0, 40));
    const read = await readAll(file);
    expect(read.records.map((r) => r.seq)).toEqual([0, 1]);
    expect(read.partialLastLine).toBe(true);
  });

  it('refuses a damaged line inside the file, a file that is not a journal, and a missing file, naming them', async () => {
    const damaged = write('damaged.jsonl', head + rec(0) + '{"record": \n' + rec(2));
    await expect(readAll(damaged)).rejects.toThrow(`${damaged}:3: `);
    const other = write('other.jsonl', '{"hello": 1}\n');
    await expect(readAll(other)).rejects.toThrow(`${other}:1: expected a header {"journal": {...}}: this is not a faasbench journal`);
    const future = write('future.jsonl', head.replace('"format":1', '"format":2'));
    await expect(readAll(future)).rejects.toThrow(`${future}:1: journal format 2: this faasbench reads format 1`);
    const empty = write('empty.jsonl', '');
    await expect(readAll(empty)).rejects.toThrow(`${empty}:1: the file is empty`);
    await expect(readAll(path.join(dir, 'none.jsonl'))).rejects.toThrow(`no journal ${path.join(dir, 'none.jsonl')}`);
  });
});
