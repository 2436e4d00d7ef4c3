import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFunctionPackage, parseJsonText, parseManifest } from './function-package.ts';
import { parseRuntime } from './runtime-id.ts';

describe('parseManifest', () => {
  it('fills Lambda defaults and keeps what is given', () => {
    const m = parseManifest({ name: 'f', runtime: 'python3.12', handler: 'app.handler', memoryMb: 256 }, 'f.json');
    expect(m).toEqual({
      name: 'f', runtime: 'python', handler: 'app.handler', memoryMb: 256, timeoutS: 3, description: '', environment: {},
      concurrency: 1, keepAliveS: 300, keepAliveJitterS: 0, onLimit: 'throttle', queueTimeoutS: 10, cpuModel: 'proportional', inputs: {}, include: {},
      eventQueueLimit: 1000, eventRetryAttempts: 2, eventRetryDelaysS: [60, 120], eventMaxAgeS: 21_600,
    });
  });

  it('names every bad field with the source', () => {
    expect(() => parseManifest({ name: 'has space', runtime: 'nodejs', concurrency: 0, colour: 'red' }, 'x/function.json')).toThrow(
      'x/function.json: field "concurrency": Too small: expected number to be >=1; field "name": expected 1-64 letters, digits, "-" or "_"; field "(top level)": Unrecognized key: "colour"',
    );
  });
});

describe('parseJsonText', () => {
  it('reports line and column of the first syntax error', () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  "b": ]\n}', 'p.json')).toThrow('p.json:3:8: invalid JSON (ValueExpected)');
  });
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a":[1,2]}', 'p.json')).toEqual({ a: [1, 2] });
  });
});

describe('loadFunctionPackage', () => {
  it('says which file cannot be read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fbpkg-'));
    expect(() => loadFunctionPackage(dir)).toThrow(`${path.join(dir, 'function.json')}: cannot read (ENOENT)`);
  });
  it('returns the absolute folder with the manifest', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fbpkg-'));
    mkdirSync(path.join(dir, 'f'));
    writeFileSync(path.join(dir, 'f', 'function.json'), '{"name":"f","runtime":"provided"}');
    const pkg = loadFunctionPackage(path.join(dir, 'f'));
    expect(pkg.dir).toBe(path.join(dir, 'f'));
    expect(pkg.manifest.runtime).toBe('provided');
  });
});

describe('parseRuntime', () => {
  it.each([
    ['nodejs', 'nodejs'], ['nodejs20.x', 'nodejs'], ['nodejs22.x', 'nodejs'], ['python', 'python'], ['python3.11', 'python'],
    ['provided', 'provided'], ['provided.al2', 'provided'], ['provided.al2023', 'provided'],
  ])('%s is %s', (id, runtime) => expect(parseRuntime(id)).toBe(runtime));
  it.each(['java21', 'node', 'python2.7', 'provided.al2024', 'dotnet8'])('%s is unknown', (id) => expect(parseRuntime(id)).toBeUndefined());
});
