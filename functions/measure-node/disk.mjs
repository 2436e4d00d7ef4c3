// The `io` command: dd if=/dev/urandom of=<temp file> bs=SIZE count=CNT oflag=dsync conv=fdatasync,
// without dd, so it runs where no dd binary is shipped.
import { randomFillSync, randomUUID } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandFailed } from './args.mjs';

export const IO_FILE_PREFIX = 'faasbench-measure-io-';

const UNITS = { '': 1, kB: 1000, K: 1024, MB: 1000 ** 2, M: 1024 ** 2, GB: 1000 ** 3, G: 1024 ** 3 };

/** dd's block sizes: plain bytes, kB/MB/GB (powers of 1000), K/M/G (powers of 1024). Null if not one. */
export function parseSize(value) {
  if (Number.isInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^([1-9][0-9]*)(kB|K|MB|M|GB|G)?$/.exec(value) : null;
  return match ? Number(match[1]) * UNITS[match[2] ?? ''] : null;
}

const SI_PREFIXES = ['k', 'M', 'G', 'T', 'P', 'E'];

/**
 * A rate as dd prints it (coreutils' human_readable, SI, autoscaled): at least kB, one decimal
 * below 100, none from 100. The leading space is kept because faas_measure recorded dd's output
 * split at commas, and results stay comparable with its data.
 */
export function formatRate(bytesPerSecond) {
  if (!Number.isFinite(bytesPerSecond)) return ' Infinity B/s';
  let scaled = bytesPerSecond / 1000;
  let exponent = 0;
  while (scaled >= 1000 && exponent < SI_PREFIXES.length - 1) {
    scaled /= 1000;
    exponent += 1;
  }
  const oneDecimal = scaled.toFixed(1);
  const digits = oneDecimal.length > 4 ? scaled.toFixed(0) : oneDecimal;
  return ` ${digits} ${SI_PREFIXES[exponent]}B/s`;
}

/** One round: `cnt` blocks of fresh random bytes, each made durable before the next is written. */
function writeRound(file, size, cnt) {
  const block = Buffer.allocUnsafe(size);
  const fd = openSync(file, 'w');
  try {
    const start = performance.now();
    for (let i = 0; i < cnt; i++) {
      randomFillSync(block);
      for (let done = 0; done < size; ) done += writeSync(fd, block, done, size - done);
      fdatasyncSync(fd);
    }
    const seconds = (performance.now() - start) / 1000;
    return { time: seconds, speed: formatRate((size * cnt) / seconds) };
  } finally {
    closeSync(fd);
  }
}

export function io({ rd, size, cnt }) {
  const file = path.join(os.tmpdir(), `${IO_FILE_PREFIX}${randomUUID()}`);
  const rounds = [];
  try {
    for (let r = 0; r < rd; r++) rounds.push(writeRound(file, size, cnt));
  } catch (err) {
    throw new CommandFailed(`io: writing ${file} failed in round ${rounds.length + 1}: ${err.message}`);
  } finally {
    rmSync(file, { force: true });
  }
  return rounds;
}
