/**
 * vSwarm's load file (`load.json`): one object per unit (minute or second) of the replay, in order,
 * each with parallel lists `timestamp` (µs from the unit's start) and `endpoint` (the function
 * called). Empty units are kept as empty lists, so an object's position is its unit.
 *
 *   [{"timestamp":[1250,90004],"endpoint":["trace-ab12","trace-cd34"]},{"timestamp":[],"endpoint":[]}]
 *
 * Both ways stream: a busy day is hundreds of MB (the 5-function day 753 MB), past the longest
 * string Node can make, so import parses one unit object at a time.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import { jsonArrayElements } from './json-array-file.ts';
import type { CallWriter, PlanHeader } from './plan-file.ts';
import type { CallBatch, Schedule, ScheduledFunction } from './schedule.ts';
import { UNIT_US, type TraceUnit } from './trace-function.ts';

/** Writes load.json through a temporary name, renamed into place by finish(). */
export class VswarmLoadWriter implements CallWriter {
  private readonly temporary: string;
  private readonly fd: number;
  private readonly unitUs: number;
  private readonly names: string[];
  private unit = 0;
  private timestamps: number[] = [];
  private endpoints: string[] = [];
  private calls = 0;
  private bytes = 0;

  constructor(
    private readonly file: string,
    private readonly header: PlanHeader,
  ) {
    this.unitUs = UNIT_US[header.unit];
    this.names = header.functions.map((f) => JSON.stringify(f.name));
    this.temporary = `${file}.partial-${process.pid}`;
    this.fd = openSync(this.temporary, 'w');
  }

  write(batch: CallBatch): void {
    for (let i = 0; i < batch.fns.length; i++) {
      const offset = batch.offsetsUs[i]!;
      while (offset >= (this.unit + 1) * this.unitUs) this.emit();
      this.timestamps.push(offset - this.unit * this.unitUs);
      this.endpoints.push(this.names[batch.fns[i]!]!);
    }
    this.calls += batch.fns.length;
  }

  finish(): { calls: number; bytes: number } {
    while (this.unit < Math.max(this.header.units, 1)) this.emit();
    this.bytes += writeSync(this.fd, ']\n');
    closeSync(this.fd);
    renameSync(this.temporary, this.file);
    return { calls: this.calls, bytes: this.bytes };
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed; the temporary file is removed either way.
    }
    rmSync(this.temporary, { force: true });
  }

  private emit(): void {
    this.bytes += writeSync(this.fd, `${this.unit === 0 ? '[' : ',\n'}{"timestamp":[${this.timestamps.join(',')}],"endpoint":[${this.endpoints.join(',')}]}`);
    this.unit++;
    this.timestamps = [];
    this.endpoints = [];
  }
}

export interface ImportedLoad {
  readonly schedule: Schedule;
  /** Reads the file again on each call, one unit at a time: a day's calls are never all held. */
  batches(): Generator<CallBatch>;
  /** What was adjusted while reading (timestamps of exactly one unit). */
  readonly notes: readonly string[];
}

const UNITS_SHOWN = 8;

/**
 * Reads load.json into a schedule whose functions are its endpoints, called with `{}`. Two
 * passes: the first finds the endpoints and the count (the plan header comes before the calls),
 * the second, on each batches() call, gives the calls.
 */
export function readVswarmLoad(file: string, unit: TraceUnit): ImportedLoad {
  const unitUs = UNIT_US[unit];
  const index = new Map<string, number>();
  const clamped = { calls: 0, units: [] as number[] };
  let count = 0;
  let units = 0;
  for (const entry of loadUnits(file)) {
    const order = orderOf(file, entry, units, unit);
    for (const i of order) if (!index.has(entry.endpoint[i]!)) index.set(entry.endpoint[i]!, index.size);
    const atEnd = entry.timestamp.filter((t) => t === unitUs).length;
    if (atEnd > 0) [clamped.calls, clamped.units] = [clamped.calls + atEnd, [...clamped.units, units]];
    count += order.length;
    units++;
  }
  const functions: ScheduledFunction[] = [...index.keys()].map((endpoint) => ({ name: endpoint, key: { owner: '', app: '', fn: endpoint }, proxy: endpoint, payload: { kind: 'event', event: {} } }));
  // Arrivals and sampling are those of whoever wrote the file; these fields only describe the plan's shape.
  const schedule: Schedule = { unit, seed: 0, arrivals: { mode: 'equidistant', shift: false }, sampling: 'bracket', functions, units, count };
  return { schedule, batches: () => loadBatches(file, unit, index), notes: clamped.calls > 0 ? [clampNote(file, unit, clamped)] : [] };
}

function* loadBatches(file: string, unit: TraceUnit, index: ReadonlyMap<string, number>): Generator<CallBatch> {
  const unitUs = UNIT_US[unit];
  let u = 0;
  for (const entry of loadUnits(file)) {
    const order = orderOf(file, entry, u, unit);
    const batch: CallBatch = { offsetsUs: new Float64Array(order.length), fns: new Uint32Array(order.length), durationMs: new Float64Array(order.length).fill(Number.NaN), memoryMb: new Float64Array(order.length).fill(Number.NaN) };
    order.forEach((i, k) => {
      // vSwarm's exponential mode can place a call at the very end of its unit: kept, 1 µs inside.
      batch.offsetsUs[k] = u * unitUs + Math.min(entry.timestamp[i]!, unitUs - 1);
      batch.fns[k] = index.get(entry.endpoint[i]!)!;
    });
    u++;
    yield batch;
  }
}

/** The calls of one unit in time order (ties in file order), each timestamp checked. */
function orderOf(file: string, entry: LoadUnit, u: number, unit: TraceUnit): number[] {
  const unitUs = UNIT_US[unit];
  entry.timestamp.forEach((timestamp, i) => {
    if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp > unitUs) {
      fail(basename(file), `[${u}].timestamp[${i}]: expected whole µs in [0, ${unitUs}] (one ${unit}), got ${timestamp}`);
    }
  });
  return entry.timestamp.map((_, i) => i).sort((a, b) => entry.timestamp[a]! - entry.timestamp[b]! || a - b);
}

function clampNote(file: string, unit: TraceUnit, clamped: { readonly calls: number; readonly units: readonly number[] }): string {
  const { units } = clamped;
  const shown = units.slice(0, UNITS_SHOWN).join(', ') + (units.length > UNITS_SHOWN ? `, and ${units.length - UNITS_SHOWN} more` : '');
  return `${basename(file)}: ${clamped.calls} timestamp(s) of exactly one ${unit} (${UNIT_US[unit]} µs, the ${unit}'s end, as vSwarm's exponential mode writes), each placed 1 µs before that end (in ${unit}s ${shown}, counted from 0)`;
}

interface LoadUnit {
  readonly timestamp: readonly number[];
  readonly endpoint: readonly string[];
}

const WHAT = 'with one {timestamp, endpoint} object per unit';

function* loadUnits(file: string): Generator<LoadUnit> {
  const name = basename(file);
  let u = 0;
  for (const entry of jsonArrayElements(file, WHAT)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(name, `[${u}]: expected an object with timestamp and endpoint lists`);
    const { timestamp, endpoint } = entry as { timestamp?: unknown; endpoint?: unknown };
    if (!Array.isArray(timestamp) || !timestamp.every((t) => typeof t === 'number')) fail(name, `[${u}].timestamp: expected a list of numbers (µs)`);
    if (!Array.isArray(endpoint) || !endpoint.every((e) => typeof e === 'string' && e !== '')) fail(name, `[${u}].endpoint: expected a list of function names`);
    if (timestamp.length !== endpoint.length) fail(name, `[${u}]: ${timestamp.length} timestamps but ${endpoint.length} endpoints; the lists pair up`);
    u++;
    yield { timestamp: timestamp as number[], endpoint: endpoint as string[] };
  }
}

function fail(name: string, message: string): never {
  throw new FaasbenchError('InvalidParameterValue', `${name}: ${message}`);
}
