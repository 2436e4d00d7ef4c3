import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadFunctionPackage } from '../core/function-package.ts';
import { scratchDir } from '../../test/support/platform.ts';
import { packageZip } from './package-zip.ts';

function write(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

describe('packageZip', () => {
  it('zips the folder with node_modules and included files, the effective function.json, and Unix modes', () => {
    const root = scratchDir('zip');
    write(root, { 'shared/util.mjs': 'export const u = 1;\n', 'shared/dir/a.txt': 'a' });
    const dir = path.join(root, 'fn');
    write(dir, {
      'function.json': JSON.stringify({ name: 'zipped', runtime: 'provided', handler: 'x', memoryMb: 256, include: { 'lib/util.mjs': '../shared/util.mjs', assets: '../shared/dir' } }),
      bootstrap: '#!/bin/sh\n',
      'node_modules/dep/index.js': 'module.exports = 1;\n',
      'node_modules/.cache/junk': 'x',
      'node_modules/.bin/placeholder': 'x',
      '__pycache__/m.pyc': 'x',
    });
    chmodSync(path.join(dir, 'bootstrap'), 0o755);
    symlinkSync(path.join(dir, 'missing-target'), path.join(dir, 'dangling'));
    const zip = packageZip(loadFunctionPackage(dir), { memoryMb: 512, environment: { A: 'b' } });
    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual(['assets/a.txt', 'bootstrap', 'function.json', 'lib/util.mjs', 'node_modules/dep/index.js']);
    expect(strFromU8(entries['lib/util.mjs'] as Uint8Array)).toBe('export const u = 1;\n');
    expect(JSON.parse(strFromU8(entries['function.json'] as Uint8Array))).toMatchObject({ name: 'zipped', memoryMb: 512, environment: { A: 'b' }, include: {} });
    // The central directory's external attributes hold the Unix mode in their upper 16 bits.
    const view = Buffer.from(zip);
    const modes: Record<string, number> = {};
    for (let at = view.indexOf('PK\x01\x02'); at >= 0; at = view.indexOf('PK\x01\x02', at + 4)) {
      const nameLength = view.readUInt16LE(at + 28);
      modes[view.toString('utf8', at + 46, at + 46 + nameLength)] = (view.readUInt32LE(at + 38) >>> 16) & 0o777;
    }
    expect(modes.bootstrap).toBe(0o755);
    expect(modes['function.json']).toBe(0o644);
  });

  it('is the same bytes for the same files', () => {
    const dir = path.join(scratchDir('zip'), 'same');
    write(dir, { 'function.json': JSON.stringify({ name: 'same', runtime: 'nodejs', handler: 'index.handler' }), 'index.mjs': 'export const handler = async () => 1;\n' });
    expect(Buffer.from(packageZip(loadFunctionPackage(dir))).equals(Buffer.from(packageZip(loadFunctionPackage(dir))))).toBe(true);
  });
});
