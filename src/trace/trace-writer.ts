/**
 * Writes functions back as a trace folder in the Azure Functions 2019 format the reader takes
 * (the three files of the invitro sample sets, memory per function), so a sample is a trace like
 * any other. Numbers are printed in JavaScript's shortest round-trip form: reading a written
 * folder gives back the very same values. All three files go to temporary names first and are
 * renamed only once all are complete, so a failure leaves no half-written trace behind.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import { DURATION_PERCENTILES, keyString, MEMORY_PERCENTILES, type TraceFunction, type TraceWindow } from './trace-function.ts';

export const TRACE_FILES = ['invocations.csv', 'durations.csv', 'memory.csv'] as const;
export type TraceFileName = (typeof TRACE_FILES)[number];

export interface WriteTraceOptions {
  /** Replace trace files already in the folder; without it, their presence is an error. */
  readonly overwrite?: boolean;
}

const HEADERS: Readonly<Record<Exclude<TraceFileName, 'invocations.csv'>, string>> = {
  'durations.csv': ['HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum', ...DURATION_PERCENTILES.map((p) => `percentile_Average_${p}`)].join(','),
  'memory.csv': ['HashOwner,HashApp,HashFunction,SampleCount,AverageAllocatedMb', ...MEMORY_PERCENTILES.map((p) => `AverageAllocatedMb_pct${p}`)].join(','),
};

/** Strings are joined into chunks of about this size before a write, to bound memory and syscalls. */
const CHUNK_CHARS = 1 << 20;

/**
 * Writes invocations.csv, durations.csv and memory.csv of `functions` (in the given order, with
 * the window's labels) into `dir`, creating it if needed. Returns the paths written.
 */
export async function writeTrace(dir: string, window: TraceWindow, functions: readonly TraceFunction[], options: WriteTraceOptions = {}): Promise<string[]> {
  checkWritable(window, functions);
  await assertTraceTarget(dir, options);
  const created = await mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new FaasbenchError('InvalidParameterValue', `${dir}: cannot create the output folder (${err.code ?? err.message})`);
  });
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const temps = TRACE_FILES.map((name) => join(dir, `.${name}.${tag}.tmp`));
  const finals = TRACE_FILES.map((name) => join(dir, name));
  const renamed: string[] = [];
  try {
    await writeLines(temps[0]!, invocationLines(window, functions));
    await writeLines(temps[1]!, durationLines(functions));
    await writeLines(temps[2]!, memoryLines(functions));
    // Checked again: the folder may have gained a trace while this one was written.
    await assertTraceTarget(dir, options);
    for (let i = 0; i < finals.length; i++) {
      await rename(temps[i]!, finals[i]!);
      renamed.push(finals[i]!);
    }
    return finals;
  } catch (err) {
    await Promise.all(temps.map((file) => rm(file, { force: true })));
    // Files this call put where none were; a replaced file cannot be brought back.
    if (!options.overwrite) await Promise.all(renamed.map((file) => rm(file, { force: true })));
    if (created !== undefined) await removeCreated(dir, created);
    throw err;
  }
}

/**
 * Fails, naming the files, when `dir` already holds a trace file and `overwrite` is not set, or
 * when `dir` is not a folder. A command calls it before a long computation whose result it writes.
 */
export async function assertTraceTarget(dir: string, options: WriteTraceOptions = {}): Promise<void> {
  const kind = await lstat(dir).catch(() => null);
  if (kind && !kind.isDirectory()) throw new FaasbenchError('InvalidParameterValue', `${dir}: exists and is not a folder; expected a folder for ${TRACE_FILES.join(', ')}`);
  if (!kind || options.overwrite) return;
  const present: string[] = [];
  for (const name of TRACE_FILES) if (await lstat(join(dir, name)).catch(() => null)) present.push(name);
  if (present.length > 0) throw new FaasbenchError('ResourceConflict', `${dir}: already holds ${present.join(', ')}; choose another folder or pass --overwrite`);
}

/** Everything that would make the reader refuse the files, found before anything is written. */
function checkWritable(window: TraceWindow, functions: readonly TraceFunction[]): void {
  if (window.labels.length === 0) throw new FaasbenchError('InvalidParameterValue', 'writeTrace: the window has no unit labels; invocations.csv needs at least one column');
  for (const label of window.labels) {
    if (!/^-?\d+$/.test(label)) throw new FaasbenchError('InvalidParameterValue', `writeTrace: unit label "${label}": expected an integer`);
  }
  const seen = new Map<string, TraceFunction>();
  for (const fn of functions) {
    const where = `function HashFunction=${fn.key.fn} (HashApp=${fn.key.app}, line ${fn.line})`;
    for (const [column, cell] of [['HashOwner', fn.key.owner], ['HashApp', fn.key.app], ['HashFunction', fn.key.fn]] as const) {
      if (cell === '' || cell.trim() !== cell || /[,\r\n"]/.test(cell)) throw new FaasbenchError('InvalidParameterValue', `writeTrace: ${where}: column ${column} "${cell}": expected a non-empty value without commas, quotes, line breaks or outer spaces`);
    }
    if (fn.trigger.trim() !== fn.trigger || /[\r\n]/.test(fn.trigger)) throw new FaasbenchError('InvalidParameterValue', `writeTrace: ${where}: column Trigger "${fn.trigger}": expected no line breaks or outer spaces`);
    const earlier = seen.get(keyString(fn.key));
    if (earlier) throw new FaasbenchError('InvalidParameterValue', `writeTrace: ${where}: the same key as the function of line ${earlier.line}; a trace holds one row per (HashOwner, HashApp, HashFunction)`);
    seen.set(keyString(fn.key), fn);
    if (fn.counts.length !== window.labels.length) throw new FaasbenchError('InvalidParameterValue', `writeTrace: ${where}: ${fn.counts.length} counts for the window's ${window.labels.length} labels`);
    const numbers: Array<[string, number]> = [
      ['Average', fn.duration.averageMs], ['Count', fn.duration.count], ['Minimum', fn.duration.minimumMs], ['Maximum', fn.duration.maximumMs],
      ...DURATION_PERCENTILES.map((p): [string, number] => [`percentile_Average_${p}`, fn.duration.percentilesMs[p]]),
      ['SampleCount', fn.memory.sampleCount], ['AverageAllocatedMb', fn.memory.averageMb],
      ...MEMORY_PERCENTILES.map((p): [string, number] => [`AverageAllocatedMb_pct${p}`, fn.memory.percentilesMb[p]]),
    ];
    for (const [column, value] of numbers) {
      if (!Number.isFinite(value)) throw new FaasbenchError('InvalidParameterValue', `writeTrace: ${where}: column ${column}: expected a finite number, got ${value}`);
    }
  }
}

function keyCells(fn: TraceFunction): string {
  return `${fn.key.owner},${fn.key.app},${fn.key.fn}`;
}

function* invocationLines(window: TraceWindow, functions: readonly TraceFunction[]): Generator<string> {
  yield `HashOwner,HashApp,HashFunction,Trigger,${window.labels.join(',')}`;
  for (const fn of functions) yield `${keyCells(fn)},${quoted(fn.trigger)},${fn.counts.join(',')}`;
}

/** A cell as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma or a quote. */
function quoted(cell: string): string {
  return /[,"]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function* durationLines(functions: readonly TraceFunction[]): Generator<string> {
  yield HEADERS['durations.csv'];
  for (const fn of functions) {
    const d = fn.duration;
    yield [keyCells(fn), d.averageMs, d.count, d.minimumMs, d.maximumMs, ...DURATION_PERCENTILES.map((p) => d.percentilesMs[p])].join(',');
  }
}

function* memoryLines(functions: readonly TraceFunction[]): Generator<string> {
  yield HEADERS['memory.csv'];
  for (const fn of functions) {
    const m = fn.memory;
    yield [keyCells(fn), m.sampleCount, m.averageMb, ...MEMORY_PERCENTILES.map((p) => m.percentilesMb[p])].join(',');
  }
}

/** Writes the lines, each ended by a newline, to a new file, and syncs it so a rename publishes whole data. */
async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const failed = (err: unknown): FaasbenchError =>
    new FaasbenchError('InvalidParameterValue', `${dirname(file)}: cannot write the trace there (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  const handle: FileHandle = await open(file, 'wx').catch((err: unknown) => {
    throw failed(err);
  });
  try {
    let chunk: string[] = [];
    let chars = 0;
    for (const line of lines) {
      chunk.push(line, '\n');
      chars += line.length + 1;
      if (chars >= CHUNK_CHARS) {
        await handle.write(chunk.join(''));
        chunk = [];
        chars = 0;
      }
    }
    if (chunk.length > 0) await handle.write(chunk.join(''));
    await handle.datasync();
  } catch (err) {
    throw failed(err);
  } finally {
    await handle.close();
  }
}

/** Removes the folders mkdir made for this call (innermost first), as long as they are empty. */
async function removeCreated(dir: string, created: string): Promise<void> {
  const top = resolve(created);
  for (let at = resolve(dir); at.length >= top.length; at = dirname(at)) {
    const removed = await rmdir(at).then(() => true, () => false);
    if (!removed || at === top) return;
  }
}
