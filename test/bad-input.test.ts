// Bad input gets a clear status and message, and the platform keeps serving afterwards.
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, invokeHttp, nodeFunction, REPO, scratchDir, startPlatform } from './support/platform.ts';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
  platform.deployFolder(nodeFunction('echo', 'return event;', { cpuModel: 'none' }));
});
afterAll(async () => {
  await platform.stop();
});

async function stillServing(): Promise<void> {
  const r = await invokeHttp(platform, 'echo', { still: 'here' });
  expect(r.status).toBe(200);
  expect(r.json()).toEqual({ still: 'here' });
}

const errorBody = (text: string): { Message: string } => JSON.parse(text) as { Message: string };

describe('bad input', () => {
  it('malformed JSON payload: 400 InvalidRequestContentException', async () => {
    const r = await call(platform, 'POST', '/2015-03-31/functions/echo/invocations', '{"oops": ');
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(errorBody(r.text).Message).toMatch(/^Could not parse request body into json: /);
    await stillServing();
  });

  it('unknown function: 404 ResourceNotFoundException naming it', async () => {
    const r = await invokeHttp(platform, 'nope');
    expect(r.status).toBe(404);
    expect(r.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(errorBody(r.text).Message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
    const trigger = await call(platform, 'GET', '/fn/nope/');
    expect(trigger.status).toBe(404);
    await stillServing();
  });

  it('payload over 6 MB: 413 RequestTooLargeException, on the Lambda API and the HTTP trigger', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(7 * 1024 * 1024) });
    const r = await call(platform, 'POST', '/2015-03-31/functions/echo/invocations', big);
    expect(r.status).toBe(413);
    expect(r.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
    expect(errorBody(r.text).Message).toContain('exceeds the limit of 6291456 bytes');
    const t = await call(platform, 'POST', '/fn/echo/', big);
    expect(t.status).toBe(413);
    await stillServing();
  });

  it('invalid function.json: the error names the file and the field', async () => {
    const dir = path.join(scratchDir('bad-manifest'), 'bad');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name: 'bad', runtime: 'java21', handler: 'index.handler', memoryMb: 64 }));
    const file = path.join(dir, 'function.json');
    expect(() => platform.deployFolder(dir)).toThrow(
      `${file}: field "memoryMb": Too small: expected number to be >=128; field "runtime": expected nodejs, python, provided, or a Lambda identifier such as nodejs20.x, python3.11, provided.al2023, got "java21"`,
    );
    writeFileSync(file, '{\n  "name": "bad",\n  "runtime": nodejs\n}');
    expect(() => platform.deployFolder(dir)).toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}:3:14: invalid JSON`));
    // Nothing half-deployed, and the platform serves on.
    expect(() => platform.get('bad')).toThrow('Function not found: arn:aws:lambda:us-east-1:000000000000:function:bad');
    await stillServing();
  });

  it('zip without the handler: 400 InvalidParameterValueException saying which file is missing', async () => {
    const zip = Buffer.from(zipSync({ 'other.js': strToU8('exports.x = 1;') })).toString('base64');
    const r = await call(platform, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'nohandler', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'r', Code: { ZipFile: zip } }));
    expect(r.status).toBe(400);
    expect(r.headers['x-amzn-errortype']).toBe('InvalidParameterValueException');
    expect(errorBody(r.text).Message).toBe('function nohandler: handler "index.handler" needs index.js or index.mjs or index.cjs in the package, and none is there');
    const provided = Buffer.from(zipSync({ 'main.sh': strToU8('echo') })).toString('base64');
    const p = await call(platform, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'noboot', Runtime: 'provided.al2023', Handler: 'x', Role: 'r', Code: { ZipFile: provided } }));
    expect(p.status).toBe(400);
    expect(errorBody(p.text).Message).toContain('needs an executable file named "bootstrap"');
    const notZip = await call(platform, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'notzip', Runtime: 'nodejs', Handler: 'index.handler', Role: 'r', Code: { ZipFile: 'aGVsbG8=' } }));
    expect(notZip.status).toBe(400);
    expect(errorBody(notZip.text).Message).toMatch(/^Code\.ZipFile is not a valid zip archive/);
    await stillServing();
  });

  it('unsupported runtime and bad settings through the API name the field', async () => {
    const zip = Buffer.from(zipSync({ 'index.js': strToU8('exports.handler = async () => 1;') })).toString('base64');
    const r = await call(platform, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'j', Runtime: 'java21', Handler: 'index.handler', Role: 'r', Code: { ZipFile: zip } }));
    expect(r.status).toBe(400);
    expect(errorBody(r.text).Message).toBe('The runtime parameter of java21 is not supported by the local platform: it runs nodejs, python and provided runtimes');
    const u = await call(platform, 'PUT', '/2015-03-31/functions/echo/configuration', JSON.stringify({ MemorySize: 20000 }));
    expect(u.status).toBe(400);
    expect(errorBody(u.text).Message).toBe('function echo: field "memoryMb": Too small: expected number to be <=10240'.replace('Too small', 'Too big'));
    await stillServing();
  });

  it('a non-loopback address without a token is refused, and with one, calls need it', async () => {
    const { LocalPlatform } = await import('../src/platform/platform.ts');
    await expect(LocalPlatform.start({ host: '0.0.0.0', dataDir: scratchDir('exposed') })).rejects.toThrow(/give a token \(--token\)/);
    const guarded = await startPlatform({ token: 's3cret' });
    try {
      expect((await call(guarded, 'GET', '/healthz')).status).toBe(403);
      expect((await call(guarded, 'GET', '/healthz', undefined, { authorization: 'Bearer s3cret' })).status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('the CLI exits 3 with the file and field for an invalid package', async () => {
    const dir = path.join(scratchDir('cli-bad'), 'f');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'function.json'), JSON.stringify({ name: 'f', runtime: 'nodejs', handler: 'index.handler', timeoutS: 'soon' }));
    const run = promisify(execFile)(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'platform', 'start', '--port', '0', '--deploy', dir, '--data-dir', scratchDir('cli-data')]);
    await expect(run).rejects.toMatchObject({ code: 3, stderr: expect.stringContaining(`${path.join(dir, 'function.json')}: field "timeoutS": Invalid input: expected number, received string`) });
  });
});
