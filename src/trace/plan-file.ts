/**
 * The plan file `trace plan` writes and `trace replay --plan` reads: compact, streamable both
 * ways, and a pure function of its inputs (same trace, mapping and seed: byte-identical file).
 *
 *   "FBPLAN1\n"                      magic
 *   u32 little-endian                header length
 *   header                           JSON: unit, seed, arrivals, sampling, count, units, functions
 *   calls                            per call, LEB128 unsigned varints:
 *                                      delta µs from the previous call's offset, function index,
 *                                      and for a synthetic function: duration µs, memory KiB
 *
 * About 3 bytes a call for a busy trace. Reading and writing go through a fixed buffer with
 * synchronous file calls, so a LoadPlan (a synchronous iterable) can stream a file of any length.
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { ARRIVAL_MODES } from './arrivals.ts';
import { SAMPLING_MODES } from './execution-spec.ts';
import type { CallBatch, Schedule } from './schedule.ts';

const MAGIC = Buffer.from('FBPLAN1\n', 'latin1');
const CHUNK = 1 << 20;
/** Longest record: four varints of at most 8 bytes each (values stay below 2^53). */
const MAX_RECORD = 4 * 8;
const READ_BATCH = 1 << 16;

const headerSchema = z.object({
  format: z.literal('faasbench-plan'),
  version: z.literal(1),
  unit: z.enum(['minute', 'second']),
  seed: z.number().int(),
  arrivals: z.object({ mode: z.enum(ARRIVAL_MODES), shift: z.boolean() }),
  sampling: z.enum(SAMPLING_MODES),
  count: z.number().int().nonnegative(),
  units: z.number().int().nonnegative(),
  labels: z.array(z.string()),
  functions: z.array(
    z.object({
      name: z.string(),
      key: z.object({ owner: z.string(), app: z.string(), fn: z.string() }),
      proxy: z.string(),
      payload: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('input'), input: z.string() }),
        z.object({ kind: z.literal('synthetic') }),
        z.object({ kind: z.literal('event'), event: z.unknown() }),
      ]),
    }),
  ),
});

export type PlanHeader = z.infer<typeof headerSchema>;

export function planHeader(schedule: Schedule, labels: readonly string[]): PlanHeader {
  const { unit, seed, arrivals, sampling, count, units, functions } = schedule;
  return { format: 'faasbench-plan', version: 1, unit, seed, arrivals, sampling, count, units, labels: [...labels], functions: functions.map((f) => ({ name: f.name, key: { ...f.key }, proxy: f.proxy, payload: f.payload })) };
}

/** Where batches of calls go: a plan file or vSwarm's load.json. */
export interface CallWriter {
  write(batch: CallBatch): void;
  /** Flushes and moves the file into place; returns the calls and bytes written. */
  finish(): { calls: number; bytes: number };
  /** Removes what was written: a stopped or failed run leaves no file behind. */
  abort(): void;
}

/** Writes to `file` through a temporary name, renamed into place by finish(). */
export class PlanWriter implements CallWriter {
  private readonly temporary: string;
  private readonly fd: number;
  private readonly out: ChunkWriter;
  private readonly synthetic: boolean[];
  private last = 0;
  private calls = 0;

  constructor(
    private readonly file: string,
    private readonly header: PlanHeader,
  ) {
    this.temporary = `${file}.partial-${process.pid}`;
    this.fd = openSync(this.temporary, 'w');
    this.out = new ChunkWriter(this.fd);
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length);
    this.out.bytes(MAGIC);
    this.out.bytes(length);
    this.out.bytes(json);
    this.synthetic = header.functions.map((f) => f.payload.kind === 'synthetic');
  }

  write(batch: CallBatch): void {
    const { out, synthetic } = this;
    for (let i = 0; i < batch.fns.length; i++) {
      const offset = batch.offsetsUs[i]!;
      const f = batch.fns[i]!;
      out.varint(offset - this.last);
      out.varint(f);
      if (synthetic[f]) {
        out.varint(Math.max(0, Math.round(batch.durationMs[i]! * 1000)));
        out.varint(Math.max(0, Math.round(batch.memoryMb[i]! * 1024)));
      }
      this.last = offset;
    }
    this.calls += batch.fns.length;
  }

  finish(): { calls: number; bytes: number } {
    if (this.calls !== this.header.count) {
      this.abort();
      throw new Error(`plan writer: ${this.calls} calls written, the header says ${this.header.count}`);
    }
    const bytes = this.out.close();
    closeSync(this.fd);
    renameSync(this.temporary, this.file);
    return { calls: this.calls, bytes };
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed; the temporary file is removed either way.
    }
    rmSync(this.temporary, { force: true });
  }
}

/** Writes a whole plan at once (tests, benchmarks); the CLI drives a PlanWriter so Ctrl-C can stop it. */
export function writePlanFile(file: string, header: PlanHeader, batches: Iterable<CallBatch>): { calls: number; bytes: number } {
  const writer = new PlanWriter(file, header);
  try {
    for (const batch of batches) writer.write(batch);
  } catch (err) {
    writer.abort();
    throw err;
  }
  return writer.finish();
}

class ChunkWriter {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private at = 0;
  private written = 0;

  constructor(private readonly fd: number) {}

  bytes(data: Buffer): void {
    this.flush();
    writeSync(this.fd, data);
    this.written += data.length;
  }

  varint(value: number): void {
    if (this.at > CHUNK - 10) this.flush();
    let v = value;
    // Bit operations while the value fits 31 bits (nearly every delta, index and draw), which is
    // several times faster than the division that values past 2^32 (µs offsets of long plans) need.
    if (v < 0x8000_0000) {
      while (v >= 0x80) {
        this.buffer[this.at++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buffer[this.at++] = v;
      return;
    }
    while (v >= 0x80) {
      this.buffer[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.at++] = v;
  }

  close(): number {
    this.flush();
    return this.written;
  }

  private flush(): void {
    if (this.at === 0) return;
    writeSync(this.fd, this.buffer, 0, this.at);
    this.written += this.at;
    this.at = 0;
  }
}

export interface PlanFile {
  readonly header: PlanHeader;
  /** Streams the calls again on each call, in chunks. */
  batches(): Generator<CallBatch>;
}

export function openPlanFile(file: string): PlanFile {
  const name = basename(file);
  const fd = openFileForReading(file);
  let header: PlanHeader;
  let callsAt: number;
  try {
    const head = Buffer.alloc(MAGIC.length + 4);
    if (readSync(fd, head, 0, head.length, 0) < head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new FaasbenchError('InvalidParameterValue', `${name}: not a faasbench plan file (it does not start with FBPLAN1; write one with faasbench trace plan)`);
    }
    const length = head.readUInt32LE(MAGIC.length);
    const json = Buffer.alloc(length);
    if (readSync(fd, json, 0, length, head.length) < length) throw new FaasbenchError('InvalidParameterValue', `${name}: truncated in its header`);
    header = parseHeader(name, json);
    callsAt = head.length + length;
  } finally {
    closeSync(fd);
  }
  return { header, batches: () => readCalls(file, name, header, callsAt) };
}

function openFileForReading(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot read the plan file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function parseHeader(name: string, json: Buffer): PlanHeader {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    throw new FaasbenchError('InvalidParameterValue', `${name}: the header is not JSON`);
  }
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FaasbenchError('InvalidParameterValue', `${name}: header field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

function* readCalls(file: string, name: string, header: PlanHeader, start: number): Generator<CallBatch> {
  const synthetic = header.functions.map((f) => f.payload.kind === 'synthetic');
  const fd = openFileForReading(file);
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = start;
  let filled = 0;
  let at = 0;
  let offset = 0;
  let read = 0;
  const refill = (): void => {
    buffer.copy(buffer, 0, at, filled);
    filled -= at;
    at = 0;
    const got = readSync(fd, buffer, filled, CHUNK - filled, position);
    position += got;
    filled += got;
  };
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= filled) throw new FaasbenchError('InvalidParameterValue', `${name}: truncated after ${read} of ${header.count} calls`);
      const byte = buffer[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  try {
    while (read < header.count) {
      const size = Math.min(READ_BATCH, header.count - read);
      const batch: CallBatch = { offsetsUs: new Float64Array(size), fns: new Uint32Array(size), durationMs: new Float64Array(size), memoryMb: new Float64Array(size) };
      for (let i = 0; i < size; i++) {
        if (filled - at < MAX_RECORD) refill();
        offset += varint();
        const f = varint();
        if (f >= synthetic.length) throw new FaasbenchError('InvalidParameterValue', `${name}: call ${read} names function ${f}, the header lists ${synthetic.length}`);
        batch.offsetsUs[i] = offset;
        batch.fns[i] = f;
        batch.durationMs[i] = synthetic[f] ? varint() / 1000 : Number.NaN;
        batch.memoryMb[i] = synthetic[f] ? varint() / 1024 : Number.NaN;
        read++;
      }
      yield batch;
    }
  } finally {
    closeSync(fd);
  }
}
