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

  it('main.py calls a Lambda-signature handler and answers with its result, its error or a 400, with the facts as headers', () => {
    const dir = writeFunction(
      { name: 'py-entry', runtime: 'python', handler: 'lib.app.handler', memoryMb: 512 },
      { 'index.py': '' },
    );
    const files = filesOf(gcpPackage(loadFunctionPackage(dir)).zip);
    const run = scratchDir('gcp-py-run');
    mkdirSync(path.join(run, 'lib'));
    writeFileSync(path.join(run, 'main.py'), files['main.py'] as string);
    writeFileSync(path.join(run, 'lib', '__init__.py'), '');
    writeFileSync(path.join(run, 'lib', 'app.py'), [
      'def handler(event, context):',
      '    if event.get("fail"):',
      '        raise KeyError("missing")',
      '    return {"event": event, "name": context.function_name, "memory": context.memory_limit_in_mb, "left": 0 < context.get_remaining_time_in_millis() <= 9000}',
      '',
    ].join('\n'));
    // Only the decorator of functions_framework is used at import: a stand-in that returns the function.
    writeFileSync(path.join(run, 'functions_framework.py'), 'def http(f):\n    return f\n');
    const script = [
      'import json, main',
      'class Request:',
      '    def __init__(self, body): self.body = body',
      '    def get_data(self): return self.body',
      'out = [main.faasbench(Request(b)) for b in [b\'{"a": 1}\', b"", b\'{"fail": true}\', b"not json"]]',
      'print(json.dumps([[json.loads(body), status, headers] for body, status, headers in out]))',
    ].join('\n');
    const env = { ...process.env, FAASBENCH_FUNCTION_NAME: 'py-entry', FAASBENCH_MEMORY_MB: '512', FAASBENCH_TIMEOUT_S: '9' };
    const result = spawnSync('python3', ['-c', script], { cwd: run, env, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [ok, empty, failed, bad] = JSON.parse(result.stdout) as Array<[Record<string, unknown>, number, Record<string, string>]>;
    expect(ok?.slice(0, 2)).toEqual([{ event: { a: 1 }, name: 'py-entry', memory: '512', left: true }, 200]);
    expect(ok?.[2]).toMatchObject({ 'content-type': 'application/json', 'x-faasbench-cold': 'true', 'x-faasbench-memory-mb': '512' });
    expect(Object.keys(ok?.[2] ?? {}).sort()).toEqual(['content-type', 'x-faasbench-cold', 'x-faasbench-duration-ms', 'x-faasbench-init-ms', 'x-faasbench-instance-id', 'x-faasbench-max-memory-mb', 'x-faasbench-memory-mb', 'x-faasbench-request-id']);
    expect(empty?.[0]).toMatchObject({ event: {} });
    expect(empty?.[2]).toMatchObject({ 'x-faasbench-cold': 'false', 'x-faasbench-instance-id': ok?.[2]['x-faasbench-instance-id'] });
    expect(empty?.[2]['x-faasbench-init-ms']).toBeUndefined();
    expect([failed?.[0].errorType, failed?.[0].errorMessage, failed?.[1], failed?.[2]['x-faasbench-function-error']]).toEqual(['KeyError', "'missing'", 500, 'Unhandled']);
    expect([bad?.[0].errorType, bad?.[1], bad?.[2]['x-faasbench-function-error']]).toEqual(['ValueError', 400, undefined]);
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
