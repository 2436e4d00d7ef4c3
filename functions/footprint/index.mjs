// The footprint function: a call whose memory and bytes are known, so that the platform's
// in-function measurements (the memory, disk-io and counters experiments) can be checked against
// it. It allocates `allocateMb` MB and writes every page (untouched pages would never become
// resident), writes `writeMb` MB to a file in the instance's /tmp in 1 MB writes, syncs it, reads
// it back, removes it, and answers what it did.
import { closeSync, fsyncSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MiB = 1024 * 1024;
const FIELDS = ['allocateMb', 'writeMb'];

class InvalidInput extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidInput';
  }
}

export const handler = async (event, context) => {
  const { allocateMb, writeMb } = readRequest(event ?? {});
  const held = allocate(allocateMb);
  const file = path.join(os.tmpdir(), `footprint-${context?.awsRequestId ?? process.pid}`);
  try {
    const written = writeFile(file, writeMb);
    const read = readFile(file);
    return { allocatedBytes: held.reduce((n, b) => n + b.length, 0), writtenBytes: written, readBytes: read, rssBytes: process.memoryUsage.rss() };
  } finally {
    rmSync(file, { force: true });
  }
};

/** Written, not just reserved: in 64 MB blocks (one Buffer may not exceed 4 GB). */
function allocate(mb) {
  const blocks = [];
  for (let left = Math.round(mb * MiB); left > 0; left -= 64 * MiB) blocks.push(Buffer.allocUnsafeSlow(Math.min(left, 64 * MiB)).fill(0x5a));
  return blocks;
}

function writeFile(file, mb) {
  const block = Buffer.alloc(MiB, 0xa5);
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (let left = Math.round(mb * MiB); left > 0; left -= block.length) written += writeSync(fd, block, 0, Math.min(left, block.length));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return written;
}

function readFile(file) {
  const block = Buffer.alloc(MiB);
  const fd = openSync(file, 'r');
  let read = 0;
  try {
    for (let n; (n = readSync(fd, block, 0, block.length, null)) > 0; ) read += n;
  } finally {
    closeSync(fd);
  }
  return read;
}

function readRequest(event) {
  if (typeof event !== 'object' || Array.isArray(event)) throw new InvalidInput(`the event must be a JSON object {allocateMb, writeMb}, got ${JSON.stringify(event)}`);
  for (const key of Object.keys(event)) {
    if (!FIELDS.includes(key)) throw new InvalidInput(`field "${key}": unknown; expected ${FIELDS.join(', ')}`);
  }
  const read = (key) => {
    const value = event[key] ?? 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidInput(`field "${key}": expected a number of MB >= 0, got ${JSON.stringify(event[key])}`);
    return value;
  };
  return { allocateMb: read('allocateMb'), writeMb: read('writeMb') };
}
