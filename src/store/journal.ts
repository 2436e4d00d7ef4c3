/**
 * The journal: an append-only file of records the store did not take yet, so a store that fails
 * mid-run costs no record. JSON Lines: a header naming the run and the store, then one record per
 * line, and, when the run ended before the store came back, a line saying how it ended. The record
 * sink appends to it and drains it back into the store; `faasbench store recover` loads what is
 * left.
 *
 *   {"journal":{"format":1,"runId":"...","store":"/data/runs.db","run":{...},"createdAt":"..."}}
 *   {"record":{"runId":"...","seq":0,...}}
 *   {"end":{"status":"completed","summary":{...}}}
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { FaasbenchError } from '../core/errors.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import type { FinalRunStatus, JsonValue, RunMeta } from './store.ts';

export const JOURNAL_FORMAT = 1;
/** Overrides where journals of a PostgreSQL store go (and the second choice for an SQLite one). */
export const JOURNAL_DIR_ENV = 'FAASBENCH_JOURNAL_DIR';

export interface JournalHeader {
  readonly format: typeof JOURNAL_FORMAT;
  readonly runId: string;
  /** Store.location of the store the records belong in. */
  readonly store: string;
  /** What the run is, so it can be created in another store (`store recover --store`). */
  readonly run: RunMeta | null;
  readonly createdAt: string;
}

export interface JournalEnd {
  readonly status: FinalRunStatus;
  readonly summary?: JsonValue;
}

type Line = { readonly journal: JournalHeader } | { readonly record: InvocationRecord } | { readonly end: JournalEnd };

/**
 * Where a store's journal goes, best first: beside an SQLite file (same disk, found with it),
 * then faasbench's data folder, then the system's temp folder (a full disk usually spares another
 * file system). PostgreSQL has no folder of its own, so its journal starts in the data folder.
 */
export function journalPlaces(location: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const beside = /^postgres(ql)?:\/\//i.test(location) || location === ':memory:' ? [] : [path.dirname(location)];
  return [...new Set([...beside, journalDataDir(env), os.tmpdir()])];
}

/**
 * $FAASBENCH_JOURNAL_DIR, else $XDG_DATA_HOME/faasbench/journals (~/.local/share/...): data, not
 * a cache (the local platform's staging folder is under ~/.cache and may be cleared).
 */
export function journalDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env[JOURNAL_DIR_ENV]) return path.resolve(env[JOURNAL_DIR_ENV]);
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'faasbench', 'journals');
}

export interface JournalFileState {
  readonly path: string;
  /** Records appended to this file. */
  readonly records: number;
  /** Of those, how many the store has taken since. */
  readonly drained: number;
}

interface JournalFile {
  readonly path: string;
  readonly handle: FileHandle;
  /** Bytes of whole lines written; a failed append is cut back to this. */
  bytes: number;
  records: number;
  /** Bytes and records already written to the store. */
  drainedBytes: number;
  drained: number;
}

/** A batch read back for the store; `done()` after the store took it. */
export interface DrainBatch {
  readonly records: InvocationRecord[];
  done(): void;
}

/** Bytes read per drain step: 2,000 records of ~600 bytes. */
const READ_CHUNK_BYTES = 1_200_000;

/**
 * The files of one sink. Appends go to the current file; when a place cannot be written (a full
 * disk: ENOSPC), the failed append is cut off and the records go to a new file in the next place.
 * The sink runs appends one at a time and drains one at a time, but a drain may overlap an
 * append: nextBatch reads only whole lines below `bytes`, which an append moves on only once its
 * lines are written, and end() follows the last append.
 */
export class Journal {
  readonly #header: Omit<JournalHeader, 'createdAt'>;
  readonly #places: readonly string[];
  readonly #files: JournalFile[] = [];
  /** The file appends go to; none before the first append or after its place failed. */
  #current: JournalFile | undefined;
  /** Index in #places of the place being written. */
  #placeAt = 0;
  /** Why each abandoned place failed, for the message that names the place used instead. */
  readonly #refused: string[] = [];

  constructor(header: Omit<JournalHeader, 'createdAt' | 'format'>, places: readonly string[]) {
    this.#header = { format: JOURNAL_FORMAT, ...header };
    this.#places = places;
  }

  /** Records appended and not yet drained. */
  get waiting(): number {
    return this.#files.reduce((n, f) => n + f.records - f.drained, 0);
  }

  get files(): JournalFileState[] {
    return this.#files.map((f) => ({ path: f.path, records: f.records, drained: f.drained }));
  }

  /** Places given up, with the reason: "/mnt/full: ENOSPC: no space left on device". */
  get refused(): readonly string[] {
    return this.#refused;
  }

  /** Appends records (never partly); throws only when no place can take them. Returns the file used. */
  async append(records: readonly InvocationRecord[]): Promise<string> {
    let text = '';
    for (const record of records) text += `${JSON.stringify({ record })}\n`;
    const file = await this.#write(text);
    file.records += records.length;
    return file.path;
  }

  /** Says how the run ended, for `store recover` to mark it. */
  async end(end: JournalEnd): Promise<void> {
    await this.#write(`${JSON.stringify({ end })}\n`);
  }

  /** The oldest records not yet in the store, at most `limit`; null when all are drained. */
  async nextBatch(limit: number): Promise<DrainBatch | null> {
    const file = this.#files.find((f) => f.drained < f.records);
    if (file === undefined) return null;
    const length = Math.min(READ_CHUNK_BYTES, file.bytes - file.drainedBytes);
    // Not zeroed: only the bytesRead the file filled are looked at.
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await file.handle.read(buffer, 0, length, file.drainedBytes);
    const records: InvocationRecord[] = [];
    let used = 0;
    while (records.length < limit) {
      const newline = buffer.indexOf(10, used);
      if (newline === -1 || newline >= bytesRead) break;
      const line = JSON.parse(buffer.toString('utf8', used, newline)) as Line;
      if ('record' in line) records.push(line.record);
      used = newline + 1;
    }
    if (used === 0) throw new FaasbenchError('ResourceConflict', `journal ${file.path}: a line longer than ${READ_CHUNK_BYTES} bytes at byte ${file.drainedBytes}`);
    return {
      records,
      done: () => {
        file.drainedBytes += used;
        file.drained += records.length;
      },
    };
  }

  /** Closes the files, removing those the store has taken whole. Returns the files kept. */
  async close(): Promise<JournalFileState[]> {
    const kept: JournalFileState[] = [];
    for (const file of this.#files) {
      await file.handle.close();
      if (file.drained === file.records) await rm(file.path, { force: true });
      else kept.push({ path: file.path, records: file.records, drained: file.drained });
    }
    return kept;
  }

  async #write(text: string): Promise<JournalFile> {
    for (;;) {
      const file = this.#current ?? (await this.#create());
      if (file === undefined) continue;
      try {
        await writeAll(file.handle, text, file.bytes);
        file.bytes += Buffer.byteLength(text);
        return file;
      } catch (err) {
        // Cut a partial line off, so the file stays whole lines; then try the next place.
        await file.handle.truncate(file.bytes).catch(() => undefined);
        this.#current = undefined;
        this.#giveUp(err);
      }
    }
  }

  /** A new file in the current place, its header written; undefined when the place failed (moved on). */
  async #create(): Promise<JournalFile | undefined> {
    const dir = this.#places[this.#placeAt];
    if (dir === undefined) {
      throw new FaasbenchError('ServiceUnavailable', `no place could take the journal of run ${this.#header.runId}: ${this.#refused.join('; ')}`);
    }
    let opened: { path: string; handle: FileHandle } | undefined;
    try {
      await mkdir(dir, { recursive: true });
      opened = await openNew(dir, this.#header.runId);
      const { handle } = opened;
      const header = `${JSON.stringify({ journal: { ...this.#header, createdAt: new Date().toISOString() } })}\n`;
      await writeAll(handle, header, 0);
      const bytes = Buffer.byteLength(header);
      const file: JournalFile = { path: opened.path, handle, bytes, records: 0, drainedBytes: bytes, drained: 0 };
      this.#files.push(file);
      this.#current = file;
      return file;
    } catch (err) {
      // A file without its header is no journal: removed (it holds nothing yet).
      if (opened) await opened.handle.close().then(() => rm(opened!.path, { force: true })).catch(() => undefined);
      this.#giveUp(err);
      return undefined;
    }
  }

  #giveUp(err: unknown): void {
    this.#refused.push(`${this.#places[this.#placeAt]}: ${(err as Error).message}`);
    this.#placeAt++;
  }
}

/** `<runId>.<pid>.journal.jsonl`, or with -2, -3... when taken (several sinks of one run). */
async function openNew(dir: string, runId: string): Promise<{ path: string; handle: FileHandle }> {
  const safe = runId.replace(/[^A-Za-z0-9._-]/g, '_');
  for (let k = 1; ; k++) {
    const file = path.join(dir, `faasbench-journal.${safe}.${process.pid}${k === 1 ? '' : `-${k}`}.jsonl`);
    try {
      return { path: file, handle: await open(file, 'wx+', 0o600) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || k >= 1000) throw err;
    }
  }
}

async function writeAll(handle: FileHandle, text: string, at: number): Promise<void> {
  const bytes = Buffer.from(text);
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, at + written);
    written += bytesWritten;
  }
}

/** A journal as `store recover` reads it. */
export interface JournalContents {
  readonly header: JournalHeader;
  readonly end: JournalEnd | null;
  /** A last line cut short (the writer was killed while appending): left out. */
  readonly partialLastLine: boolean;
}

export interface JournalReader {
  readonly batchSize: number;
  /** Called with the header before any record. */
  readonly onHeader: (header: JournalHeader) => Promise<void>;
  readonly onBatch: (records: InvocationRecord[]) => Promise<void>;
}

/**
 * Reads a journal, handing its records to `onBatch` `batchSize` at a time, in file order. Refuses
 * a file that is not a journal, or a malformed line, naming the file and line.
 */
export async function readJournal(file: string, { batchSize, onHeader, onBatch }: JournalReader): Promise<JournalContents> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header: JournalHeader | undefined;
  let end: JournalEnd | null = null;
  let batch: InvocationRecord[] = [];
  let lineNo = 0;
  let pendingBad: { lineNo: number; message: string } | undefined;
  try {
    for await (const text of lines) {
      lineNo++;
      // Only the last line may be cut short; a bad line followed by more is damage.
      if (pendingBad) throw bad(file, pendingBad.lineNo, pendingBad.message);
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch (err) {
        pendingBad = { lineNo, message: (err as Error).message };
        continue;
      }
      if (typeof line !== 'object' || line === null) throw bad(file, lineNo, 'expected a JSON object');
      if (lineNo === 1) {
        header = headerOf(file, line);
        await onHeader(header);
        continue;
      }
      if (header === undefined) throw bad(file, 1, 'expected a header {"journal": {...}}: this is not a faasbench journal');
      if ('record' in line && typeof line.record === 'object' && line.record !== null) {
        batch.push(line.record);
        if (batch.length >= batchSize) {
          await onBatch(batch);
          batch = [];
        }
      } else if ('end' in line && typeof line.end === 'object' && line.end !== null) end = line.end;
      else throw bad(file, lineNo, 'expected {"record": ...} or {"end": ...}');
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FaasbenchError('ResourceNotFound', `no journal ${file}`);
    throw err;
  }
  if (header === undefined) throw bad(file, 1, pendingBad?.message ?? 'the file is empty');
  if (batch.length > 0) await onBatch(batch);
  return { header, end, partialLastLine: pendingBad !== undefined };
}

function headerOf(file: string, line: Line): JournalHeader {
  const header = 'journal' in line ? line.journal : undefined;
  if (header === undefined || typeof header !== 'object' || header === null) throw bad(file, 1, 'expected a header {"journal": {...}}: this is not a faasbench journal');
  if (header.format !== JOURNAL_FORMAT) throw bad(file, 1, `journal format ${JSON.stringify(header.format)}: this faasbench reads format ${JOURNAL_FORMAT}`);
  if (typeof header.runId !== 'string' || typeof header.store !== 'string') throw bad(file, 1, 'the header needs runId and store strings');
  return header;
}

function bad(file: string, lineNo: number, message: string): FaasbenchError {
  return new FaasbenchError('InvalidParameterValue', `${file}:${lineNo}: ${message}`);
}
