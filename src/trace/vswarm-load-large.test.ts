// A load.json past 512 MB, the longest string Node makes (2^29 - 24 characters): read whole, as
// import once did, it fails with ERR_STRING_TOO_LONG. The file is mostly the whitespace JSON
// allows between units, so writing and scanning it stays within seconds.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVswarmLoad } from './vswarm-load.ts';

const MIB = 1 << 20;
const PADDING_MIB = 520;

describe("vSwarm's load.json past 512 MB", () => {
  it('imports, streamed, with the calls on both sides of the padding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasbench-vswarm-large-'));
    const file = join(dir, 'load.json');
    try {
      const fd = openSync(file, 'w');
      writeSync(fd, '[{"timestamp":[7],"endpoint":["a"]},');
      const spaces = Buffer.alloc(64 * MIB, 0x20);
      for (let written = 0; written < PADDING_MIB * MIB; written += spaces.length) writeSync(fd, spaces, 0, Math.min(spaces.length, PADDING_MIB * MIB - written));
      writeSync(fd, '{"timestamp":[59999999,3],"endpoint":["b","a"]}]\n');
      closeSync(fd);
      const imported = readVswarmLoad(file, 'minute');
      expect([imported.schedule.count, imported.schedule.units, imported.schedule.functions.map((f) => f.name)]).toEqual([3, 2, ['a', 'b']]);
      const calls: Array<[number, number]> = [];
      for (const batch of imported.batches()) for (let i = 0; i < batch.fns.length; i++) calls.push([batch.offsetsUs[i]!, batch.fns[i]!]);
      expect(calls).toEqual([[7, 0], [60_000_003, 0], [119_999_999, 1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
