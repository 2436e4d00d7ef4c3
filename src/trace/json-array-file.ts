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

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Where the scan is between elements: before the list, before an element, after one, after the list. */
type Place = 'start' | 'element' | 'separator' | 'end';

/** Yields each element of the file's top-level list, parsed, in order. `chunkBytes` is for tests. */
export function* jsonArrayElements(file: string, what: string, chunkBytes = CHUNK_BYTES): Generator<unknown> {
  const name = basename(file);
  const fd = openForReading(file, name);
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let place: Place = 'start';
  let index = 0;
  // The element being read: its bytes so far, nesting depth and string state.
  let parts: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  // An element still open at the end of a chunk goes on from the start of the next.
  let open = false;
  const finish = (): unknown => {
    const text = Buffer.concat(parts).toString('utf8');
    parts = [];
    try {
      return JSON.parse(text);
    } catch (err) {
      fail(name, `[${index}]: not JSON: ${(err as Error).message}`);
    }
  };
  try {
    for (let position = 0; ; ) {
      const got = readSync(fd, buffer, 0, chunkBytes, position);
      if (got === 0) break;
      position += got;
      let from: number = open ? 0 : -1;
      for (let i = 0; i < got; i++) {
        const byte = buffer[i]!;
        if (from >= 0) {
          if (inString) {
            if (escaped) escaped = false;
            else if (byte === BACKSLASH) escaped = true;
            else if (byte === QUOTE) inString = false;
            continue;
          }
          if (byte === QUOTE) inString = true;
          else if (byte === OPEN_LIST || byte === OPEN_OBJECT) depth++;
          else if (byte === CLOSE_LIST || byte === CLOSE_OBJECT) {
            if (depth === 0) {
              // A bare value (number, literal) ends at the list's close.
              parts.push(Buffer.from(buffer.subarray(from, i)));
              from = -1;
              yield finish();
              index++;
              place = 'end';
              continue;
            }
            depth--;
          } else if (byte === COMMA && depth === 0) {
            parts.push(Buffer.from(buffer.subarray(from, i)));
            from = -1;
            yield finish();
            index++;
            place = 'element';
            continue;
          }
          if (depth === 0 && (byte === CLOSE_LIST || byte === CLOSE_OBJECT)) {
            parts.push(Buffer.from(buffer.subarray(from, i + 1)));
            from = -1;
            yield finish();
            index++;
            place = 'separator';
          }
          continue;
        }
        if (isSpace(byte)) continue;
        if (place === 'start') {
          if (byte !== OPEN_LIST) fail(name, `expected a list ${what}`);
          place = 'element';
        } else if (place === 'separator') {
          if (byte === COMMA) place = 'element';
          else if (byte === CLOSE_LIST) place = 'end';
          else fail(name, `[${index - 1}]: expected "," or "]" after it, got "${String.fromCharCode(byte)}"`);
        } else if (place === 'element') {
          if (byte === CLOSE_LIST && index === 0) place = 'end';
          else if (byte === CLOSE_LIST || byte === COMMA) fail(name, `[${index}]: expected an element after ",", got "${String.fromCharCode(byte)}"`);
          else {
            from = i;
            depth = byte === OPEN_LIST || byte === OPEN_OBJECT ? 1 : 0;
            inString = byte === QUOTE;
          }
        } else fail(name, `text after the list's closing "]": expected only the list ${what}`);
      }
      open = from >= 0;
      if (open) parts.push(Buffer.from(buffer.subarray(from, got)));
    }
  } finally {
    closeSync(fd);
  }
  if (place === 'start') fail(name, `empty: expected a list ${what}`);
  if (place !== 'end') fail(name, `not JSON: the file ends before the list closes (after ${index} element(s)); truncated?`);
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
