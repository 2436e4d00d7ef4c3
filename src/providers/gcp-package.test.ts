// What gcp-functions uploads: the package with its generated entry point, for Node.js and Python.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadFunctionPackage } from '../core/function-package.ts';
import { REPO, scratchDir, writeFunction } from '../../test/support/platform.ts';
import { gcpPackage } from './gcp-package.ts';

const filesOf = (zip: Uint8Array): Record<string, string> => Object.fromEntries(Object.entries(unzipSync(zip)).map(([name, data]) => [name, strFromU8(data)]));

describe('gcp-functions packages', () => {
  it('a python package gets a main.py for functions_framework that python3 compiles, and the framework in requirements.txt', () => {
    const { zip, manifest } = gcpPackage(loadFunctionPackage(path.join(REPO, 'functions', 'hello-py')), { memoryMb: 256 });
    expect(manifest.memoryMb).toBe(256);
    const files = filesOf(zip);
    expect(files['requirements.txt']).toBe('functions-framework==3.*\n');
    const main = files['main.py'] as string;
    expect(main).toContain(`HANDLER = ${JSON.stringify(manifest.handler)}\n`);
    expect(main).toContain('@functions_framework.http\ndef faasbench(request):');
    const dir = scratchDir('gcp-py');
    writeFileSync(path.join(dir, 'main.py'), main);
    const compiled = spawnSync('python3', ['-m', 'py_compile', path.join(dir, 'main.py')], { encoding: 'utf8' });
    expect([compiled.status, compiled.stderr]).toEqual([0, '']);
  });

  it("keeps a python package's own requirements, adding the framework only when missing", () => {
    const withReqs = writeFunction({ name: 'py-reqs', runtime: 'python', handler: 'index.handler' }, { 'index.py': 'def handler(e, c):\n    return 1\n', 'requirements.txt': 'numpy==2.1.0' });
    expect(filesOf(gcpPackage(loadFunctionPackage(withReqs)).zip)['requirements.txt']).toBe('numpy==2.1.0\nfunctions-framework==3.*\n');
    const pinned = writeFunction({ name: 'py-ff', runtime: 'python', handler: 'index.handler' }, { 'index.py': '', 'requirements.txt': 'functions_framework==3.8.1\n' });
    expect(filesOf(gcpPackage(loadFunctionPackage(pinned)).zip)['requirements.txt']).toBe('functions_framework==3.8.1\n');
  });

  it("merges a node package's package.json: its dependencies and fields stay, main is the entry point", () => {
    const dir = writeFunction(
      { name: 'node-deps', runtime: 'nodejs', handler: 'app.handler' },
      { 'app.js': 'exports.handler = async () => 1;\n', 'package.json': JSON.stringify({ name: 'mine', type: 'commonjs', main: 'app.js', dependencies: { 'left-pad': '1.3.0' } }) },
    );
    const files = filesOf(gcpPackage(loadFunctionPackage(dir)).zip);
    expect(JSON.parse(files['package.json'] as string)).toEqual({ name: 'mine', type: 'commonjs', main: 'faasbench-entry.mjs', dependencies: { 'left-pad': '1.3.0', '@google-cloud/functions-framework': '5.0.5' } });
    expect(files['faasbench-entry.mjs']).toContain('const HANDLER = "app.handler";');
  });

  it('refuses a package holding a file named as the entry point, and a package.json that is not an object', () => {
    const clash = writeFunction({ name: 'py-main', runtime: 'python', handler: 'main.handler' }, { 'main.py': 'def handler(e, c):\n    return 1\n' });
    expect(() => gcpPackage(loadFunctionPackage(clash))).toThrow(`${path.join(clash, 'main.py')}: the package has a file named as the generated entry point; rename it`);
    const bad = writeFunction({ name: 'bad-json', runtime: 'nodejs', handler: 'index.handler' }, { 'index.mjs': '', 'package.json': '[1]' });
    expect(() => gcpPackage(loadFunctionPackage(bad))).toThrow(`${path.join(bad, 'package.json')}: expected a JSON object`);
  });

  it('gives the same bytes for the same package', () => {
    const dir = path.join(scratchDir('gcp-same'), 'same');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name: 'same', runtime: 'nodejs', handler: 'index.handler' }));
    writeFileSync(path.join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
    const pkg = loadFunctionPackage(dir);
    expect(Buffer.from(gcpPackage(pkg).zip).equals(Buffer.from(gcpPackage(pkg).zip))).toBe(true);
  });
});
