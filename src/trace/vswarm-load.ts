/**
 * vSwarm's load file (`load.json`): one object per unit (minute or second) of the replay, in order,
 * each with parallel lists `timestamp` (µs from the unit's start) and `endpoint` (the function
 * called). Empty units are kept as empty lists, so an object's position is its unit.
 *
 *   [{"timestamp":[1250,90004],"endpoint":["trace-ab12","trace-cd34"]},{"timestamp":[],"endpoint":[]}]
 *
 * Export streams (a busy day is hundreds of MB); import parses the file whole, which is what
 * vSwarm's own loader does too.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
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
  readonly batches: readonly CallBatch[];
}

/** Reads load.json into a schedule whose functions are its endpoints, called with `{}`. */
export function readVswarmLoad(file: string, unit: TraceUnit): ImportedLoad {
  const name = basename(file);
  const units = parseUnits(file, name);
  const unitUs = UNIT_US[unit];
  const index = new Map<string, number>();
  const batches: CallBatch[] = [];
  let count = 0;
  units.forEach((entry, u) => {
    const order = entry.timestamp.map((_, i) => i).sort((a, b) => entry.timestamp[a]! - entry.timestamp[b]! || a - b);
    const batch: CallBatch = { offsetsUs: new Float64Array(order.length), fns: new Uint32Array(order.length), durationMs: new Float64Array(order.length).fill(Number.NaN), memoryMb: new Float64Array(order.length).fill(Number.NaN) };
    order.forEach((i, k) => {
      const timestamp = entry.timestamp[i]!;
      if (!Number.isInteger(timestamp) || timestamp < 0 || timestamp >= unitUs) {
        fail(name, `[${u}].timestamp[${i}]: expected whole µs in [0, ${unitUs}) (one ${unit}), got ${timestamp}`);
      }
      const endpoint = entry.endpoint[i]!;
      if (!index.has(endpoint)) index.set(endpoint, index.size);
      batch.offsetsUs[k] = u * unitUs + timestamp;
      batch.fns[k] = index.get(endpoint)!;
    });
    count += order.length;
    batches.push(batch);
  });
  const functions: ScheduledFunction[] = [...index.keys()].map((endpoint) => ({ name: endpoint, key: { owner: '', app: '', fn: endpoint }, proxy: endpoint, payload: { kind: 'event', event: {} } }));
  // Arrivals and sampling are those of whoever wrote the file; these fields only describe the plan's shape.
  return { schedule: { unit, seed: 0, arrivals: { mode: 'equidistant', shift: false }, sampling: 'bracket', functions, units: units.length, count }, batches };
}

interface LoadUnit {
  readonly timestamp: readonly number[];
  readonly endpoint: readonly string[];
}

function parseUnits(file: string, name: string): LoadUnit[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(name, code ? `cannot read (${code})` : `not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) fail(name, 'expected a list with one {timestamp, endpoint} object per unit');
  return value.map((entry: unknown, u) => {
    if (typeof entry !== 'object' || entry === null) fail(name, `[${u}]: expected an object with timestamp and endpoint lists`);
    const { timestamp, endpoint } = entry as { timestamp?: unknown; endpoint?: unknown };
    if (!Array.isArray(timestamp) || !timestamp.every((t) => typeof t === 'number')) fail(name, `[${u}].timestamp: expected a list of numbers (µs)`);
    if (!Array.isArray(endpoint) || !endpoint.every((e) => typeof e === 'string' && e !== '')) fail(name, `[${u}].endpoint: expected a list of function names`);
    if (timestamp.length !== endpoint.length) fail(name, `[${u}]: ${timestamp.length} timestamps but ${endpoint.length} endpoints; the lists pair up`);
    return { timestamp: timestamp as number[], endpoint: endpoint as string[] };
  });
}

function fail(name: string, message: string): never {
  throw new FaasbenchError('InvalidParameterValue', `${name}: ${message}`);
}
