/**
 * The elements of a JSON file whose top level is one list, read in fixed chunks and parsed one
 * element at a time: vSwarm's load.json of a busy day passes 512 MB, past the longest string
 * Node can make (ERR_STRING_TOO_LONG), so it is never read as one string. Element boundaries
 * are found on the bytes (quotes, escapes, brackets), which UTF-8 keeps intact across chunks.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { FaasbenchError } from '../core/errors.ts';

const CHUNK_BYTES = 1 << 20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Where the scan is between elements: before the list, before an element, after one, after the list. */
type Place = 'start' | 'element' | 'separator' | 'end';

/** Yields each element of the file's top-level list, parsed, in order. `chunkBytes` is for tests. */
export function* jsonArrayElements(file: string, what: string, chunkBytes = CHUNK_BYTES): Generator<unknown> {
  const name = basename(file);
  const fd = openForReading(file, name);
  const buffer = Buffer.allocUnsafe(chunkBytes);
  const scanner = new ElementScanner(name, what);
  try {
    for (let position = 0; ; ) {
      const got = readSync(fd, buffer, 0, chunkBytes, position);
      if (got === 0) break;
      position += got;
      // A plain method scans the chunk (a generator body is slow to optimise), then its elements are parsed.
      for (const text of scanner.scan(buffer, got)) yield scanner.parse(text);
    }
  } finally {
    closeSync(fd);
  }
  scanner.end();
}

/** The state of a scan across chunks: where it is, and the element being read. */
class ElementScanner {
  private place: Place = 'start';
  private index = 0;
  private parts: Buffer[] = [];
  private inside = false;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    private readonly name: string,
    private readonly what: string,
  ) {}

  /** The complete elements of this chunk, as bytes; an element still open goes on in the next. */
  scan(buffer: Buffer, got: number): Buffer[] {
    const done: Buffer[] = [];
    let from = this.inside ? 0 : -1;
    for (let i = 0; i < got; i++) {
      const byte = buffer[i]!;
      if (from < 0) {
        if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
        if (this.between(byte)) from = i;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_LIST || byte === OPEN_OBJECT) this.depth++;
      else if ((byte === CLOSE_LIST || byte === CLOSE_OBJECT) && this.depth > 0) {
        if (--this.depth === 0) {
          done.push(this.take(buffer, from, i + 1));
          from = -1;
          this.place = 'separator';
        }
      } else if (this.depth === 0 && (byte === COMMA || byte === CLOSE_LIST)) {
        // A bare value (number, literal, string) ends at the next comma or the list's close.
        done.push(this.take(buffer, from, i));
        from = -1;
        this.place = byte === COMMA ? 'element' : 'end';
      }
    }
    this.inside = from >= 0;
    if (this.inside) this.parts.push(Buffer.from(buffer.subarray(from, got)));
    return done;
  }

  parse(text: Buffer): unknown {
    try {
      return JSON.parse(text.toString('utf8'));
    } catch (err) {
      fail(this.name, `[${this.index}]: not JSON: ${(err as Error).message}`);
    } finally {
      this.index++;
    }
  }

  end(): void {
    if (this.place === 'start') fail(this.name, `empty: expected a list ${this.what}`);
    if (this.place !== 'end' || this.inside) fail(this.name, `not JSON: the file ends before the list closes (after ${this.index} element(s)); truncated?`);
  }

  /** A byte outside any element: true when it starts one. */
  private between(byte: number): boolean {
    const { place } = this;
    if (place === 'start') {
      if (byte !== OPEN_LIST) fail(this.name, `expected a list ${this.what}`);
      this.place = 'element';
      return false;
    }
    if (place === 'separator') {
      if (byte === COMMA) this.place = 'element';
      else if (byte === CLOSE_LIST) this.place = 'end';
      else fail(this.name, `[${this.index - 1}]: expected "," or "]" after it, got "${String.fromCharCode(byte)}"`);
      return false;
    }
    if (place === 'end') fail(this.name, `text after the list's closing "]": expected only the list ${this.what}`);
    if (byte === CLOSE_LIST && this.index === 0 && this.parts.length === 0) {
      this.place = 'end';
      return false;
    }
    if (byte === CLOSE_LIST || byte === COMMA) fail(this.name, `[${this.index}]: expected an element after ",", got "${String.fromCharCode(byte)}"`);
    this.depth = byte === OPEN_LIST || byte === OPEN_OBJECT ? 1 : 0;
    this.inString = byte === QUOTE;
    this.escaped = false;
    return true;
  }

  /** The element ending at `to`, with what earlier chunks held of it. */
  private take(buffer: Buffer, from: number, to: number): Buffer {
    const whole = Buffer.concat([...this.parts, buffer.subarray(from, to)]);
    this.parts = [];
    return whole;
  }
}

function openForReading(file: string, name: string): number {
  try {
    return openSync(file, 'r');
  } catch (err) {
    fail(name, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function fail(name: string, message: string): never {
  throw new FaasbenchError('InvalidParameterValue', `${name}: ${message}`);
}
