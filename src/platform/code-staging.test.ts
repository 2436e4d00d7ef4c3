import { mkdtempSync, readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { stageCode } from './code-staging.ts';

const scratch = (): string => mkdtempSync(path.join(os.tmpdir(), 'fbstage-'));

describe('stageCode', () => {
  it('extracts a zip, making bootstrap executable', () => {
    const dir = path.join(scratch(), 'code');
    const staged = stageCode({ zip: zipSync({ bootstrap: strToU8('#!/bin/sh\n'), 'lib/a.txt': strToU8('A') }) }, dir);
    expect(readFileSync(path.join(dir, 'lib/a.txt'), 'utf8')).toBe('A');
    expect(statSync(path.join(dir, 'bootstrap')).mode & 0o111).toBe(0o111);
    expect(staged.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses entries that climb out of the package', () => {
    const root = scratch();
    expect(() => stageCode({ zip: zipSync({ '../escape.txt': strToU8('x') }) }, path.join(root, 'code'))).toThrow('Code.ZipFile entry "../escape.txt" points outside the package');
    expect(existsSync(path.join(root, 'escape.txt'))).toBe(false);
  });

  it('copies a folder as a snapshot', () => {
    const src = scratch();
    const dest = path.join(scratch(), 'code');
    stageCode({ zip: zipSync({ 'x.js': strToU8('1') }) }, src);
    const staged = stageCode({ folder: src }, dest);
    expect(readFileSync(path.join(dest, 'x.js'), 'utf8')).toBe('1');
    expect(staged.size).toBe(1);
  });

  it('bundles included files from outside the folder, and refuses targets outside the package', () => {
    const src = scratch();
    const shared = path.join(scratch(), 'storage.mjs');
    stageCode({ zip: zipSync({ 'x.js': strToU8('1'), 'lib/.keep': strToU8('') }) }, src);
    writeFileSync(shared, 'export const s = 1;');
    const dest = path.join(scratch(), 'code');
    stageCode({ folder: src, include: { 'lib/storage.mjs': shared } }, dest);
    expect(readFileSync(path.join(dest, 'lib/storage.mjs'), 'utf8')).toBe('export const s = 1;');
    expect(() => stageCode({ folder: src, include: { '../out.mjs': shared } }, path.join(scratch(), 'code'))).toThrow('include "../out.mjs" points outside the package');
  });
});
