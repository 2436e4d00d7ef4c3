import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOutFile } from './out-file.ts';

describe('openOutFile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-out-'));

  it('writes the file', async () => {
    const out = openOutFile(path.join(dir, 'rows.csv'));
    out.end('a,b\n');
    await once(out, 'close');
    expect(readFileSync(path.join(dir, 'rows.csv'), 'utf8')).toBe('a,b\n');
  });

  it('names the path and why it cannot be written', () => {
    expect(() => openOutFile(path.join(dir, 'nope/rows.csv'))).toThrow(`--out ${dir}/nope/rows.csv: cannot write it: no folder ${dir}/nope`);
    expect(() => openOutFile(dir)).toThrow(`--out ${dir}: cannot write it: it is a folder; expected a file name`);
    writeFileSync(path.join(dir, 'file'), '');
    expect(() => openOutFile(path.join(dir, 'file/rows.csv'))).toThrow(`--out ${dir}/file/rows.csv: cannot write it: a part of the path is a file, not a folder`);
  });
});
