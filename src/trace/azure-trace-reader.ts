/**
 * Reads a trace folder in the Azure Functions 2019 format (invocations.csv, durations.csv,
 * memory.csv) and joins the three on (HashOwner, HashApp, HashFunction), whatever their row and
 * column order. durations.csv and memory.csv are small (one row per function) and held in maps;
 * invocations.csv (a full day is about 46,000 x 1,440 cells) is streamed, so a raw Azure day is
 * read in bounded memory.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import { keyString, type Trace, type TraceFunction, type TraceUnit, type TraceWindow } from './trace-function.ts';
import { csvLines, fail, Header } from './csv-file.ts';
import { readDurations, type DurationsFile } from './durations-file.ts';
import { invocationRows, invocationsWindow, type InvocationRow } from './invocations-file.ts';
import { readMemory, splitAmong, type MemoryFile } from './memory-file.ts';

export interface ReadTraceOptions {
  /** Inclusive range of minute labels, as `--minutes A-B` gives it. */
  readonly minutes?: { readonly from: number; readonly to: number };
  /** Default: seconds when the file has more unit columns (or higher labels) than a day has minutes. */
  readonly unit?: TraceUnit;
}

export interface TraceStream extends TraceWindow {
  readonly dir: string;
  /** How the files were read; grows after a complete pass (rows no invocation refers to). */
  readonly notes: readonly string[];
  /** Streams invocations.csv again on every call. */
  functions(): AsyncIterable<TraceFunction>;
}

/** The whole trace in memory: for samples and tests, not for a raw Azure day. */
export async function readTrace(dir: string, options: ReadTraceOptions = {}): Promise<Trace> {
  const stream = await openTraceStream(dir, options);
  const functions: TraceFunction[] = [];
  for await (const fn of stream.functions()) functions.push(fn);
  return { dir, unit: stream.unit, labels: stream.labels, functions, notes: stream.notes };
}

export async function openTraceStream(dir: string, options: ReadTraceOptions = {}): Promise<TraceStream> {
  await stat(dir).catch(() => {
    throw new FaasbenchError('InvalidParameterValue', `${dir}: no such trace folder (expected invocations.csv, durations.csv and memory.csv in it)`);
  });
  const files = { invocations: join(dir, 'invocations.csv'), durations: join(dir, 'durations.csv'), memory: join(dir, 'memory.csv') };
  const selection = { ...(options.minutes ? { minutes: options.minutes } : {}), ...(options.unit ? { unit: options.unit } : {}) };
  const window = await invocationsWindow(files.invocations, selection);
  const durations = await readDurations(files.durations);
  const memory = await readMemory(files.memory);
  const appSizes = memory.perApp ? await functionsPerApp(files.invocations) : null;
  const notes = [...window.notes, ...durations.quirks.notes(), ...memory.quirks.notes()];
  if (appSizes) notes.push(perAppNote(appSizes));
  const joiner = new Joiner(files, durations, memory, appSizes);
  return {
    dir,
    unit: window.unit,
    labels: window.labels,
    notes,
    async *functions() {
      const seen = new Map<string, number>();
      for await (const row of invocationRows(files.invocations, selection)) yield joiner.one(row, seen);
      notes.push(...joiner.unreferenced(seen).filter((note) => !notes.includes(note)));
    },
  };
}

class Joiner {
  constructor(
    private readonly files: { readonly invocations: string; readonly durations: string; readonly memory: string },
    private readonly durations: DurationsFile,
    private readonly memory: MemoryFile,
    private readonly appSizes: ReadonlyMap<string, number> | null,
  ) {}

  one(row: InvocationRow, seen: Map<string, number>): TraceFunction {
    const key = keyString(row.key);
    const earlier = seen.get(key);
    if (earlier !== undefined) fail(this.files.invocations, row.line, `a second row for the function of line ${earlier}: expected one row per (HashOwner, HashApp, HashFunction)`);
    seen.set(key, row.line);
    const duration = this.durations.rows.get(key);
    if (!duration) this.missing('durations.csv', row);
    return { key: row.key, trigger: row.trigger, counts: row.counts, duration: duration.stats, memory: this.memoryOf(row), line: row.line };
  }

  /** Rows of durations.csv and memory.csv that no function of invocations.csv refers to. */
  unreferenced(seen: ReadonlyMap<string, number>): string[] {
    const notes: string[] = [];
    const extraDurations = [...this.durations.rows.keys()].filter((key) => !seen.has(key)).length;
    if (extraDurations > 0) notes.push(`durations.csv: ${extraDurations} row(s) for functions not in invocations.csv (ignored)`);
    if (!this.memory.perApp) {
      const extraMemory = [...this.memory.rows.keys()].filter((key) => !seen.has(key)).length;
      if (extraMemory > 0) notes.push(`memory.csv: ${extraMemory} row(s) for functions not in invocations.csv (ignored)`);
    }
    return notes;
  }

  private memoryOf(row: InvocationRow): TraceFunction['memory'] {
    if (!this.appSizes) {
      const memory = this.memory.rows.get(keyString(row.key));
      if (!memory) this.missing('memory.csv', row);
      return memory.stats;
    }
    const app = `${row.key.owner},${row.key.app}`;
    const memory = this.memory.rows.get(app);
    if (!memory) this.missing('memory.csv', row);
    return splitAmong(memory.stats, this.appSizes.get(app) ?? 1);
  }

  private missing(file: string, row: InvocationRow): never {
    const what = file === 'memory.csv' && this.appSizes ? `app HashApp=${row.key.app}` : `function HashFunction=${row.key.fn} (HashApp=${row.key.app})`;
    throw new FaasbenchError('InvalidParameterValue', `${file}: no row for the ${what} of invocations.csv line ${row.line}: every function in invocations.csv needs one`);
  }
}

/** How many functions each app has, from the key columns alone. */
async function functionsPerApp(file: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let header: Header | null = null;
  let at: number[] = [];
  for await (const row of csvLines(file)) {
    if (!header) {
      header = new Header(file, row.cells);
      at = [header.require('HashOwner'), header.require('HashApp')];
      continue;
    }
    const app = `${row.cells[at[0]!]?.trim()},${row.cells[at[1]!]?.trim()}`;
    sizes.set(app, (sizes.get(app) ?? 0) + 1);
  }
  return sizes;
}

/** Apps shown by name in the per-app note; a raw day has tens of thousands. */
const SHOWN_APPS = 4;

/** Each app's memory is divided by that app's own function count, so the note gives those counts. */
function perAppNote(sizes: ReadonlyMap<string, number>): string {
  let fewest = Infinity;
  let most = 0;
  for (const n of sizes.values()) [fewest, most] = [Math.min(fewest, n), Math.max(most, n)];
  const range = `${fewest} to ${most} per app`;
  const shown = [...sizes].slice(0, SHOWN_APPS).map(([app, n]) => `HashApp=${app.slice(app.indexOf(',') + 1)}: ${n}`);
  const more = sizes.size > SHOWN_APPS ? `, and ${sizes.size - SHOWN_APPS} more apps` : '';
  return `memory.csv is per app (raw Azure): each app's memory was split evenly among that app's own functions in invocations.csv (${range}; ${shown.join(', ')}${more})`;
}
