// `faasbench deploy <function-dir...> --provider P` as a user runs it: the CLI in its own process
// uploading to a local platform this test started (reached by URL, as a platform on another machine
// would be), then calls to the deployed functions over the platform's HTTP APIs.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, invokeHttp, nodeFunction, REPO, scratchDir, startPlatform, writeFunction } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

const deploy = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, [BIN, 'deploy', ...args, '--provider', 'local', '-o', `url=${platform.url}`]);

async function fails(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await deploy(...args);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`faasbench deploy ${args.join(' ')} succeeded; expected a failure`);
}

const deployedNames = (): string[] => platform.list().map((f) => f.name).sort();

describe('faasbench deploy', () => {
  it('deploys two function folders with their settings; both are then invocable', async () => {
    const greet = nodeFunction('deploy-greet', 'return { greeting: `hello ${event.name}` };', { memoryMb: 256, timeoutS: 5 });
    // Called directly the event is the payload; through the HTTP trigger the payload is its body.
    const sum = nodeFunction('deploy-sum', 'const input = event.body === undefined ? event : JSON.parse(event.body); return { sum: input.numbers.reduce((a, b) => a + b, 0) };', { environment: { MODE: 'test' } });
    const { stdout } = await deploy(greet, sum, '--json');
    expect(JSON.parse(stdout)).toEqual({ provider: 'local', deployed: ['deploy-greet', 'deploy-sum'] });

    expect(platform.get('deploy-greet').settings).toMatchObject({ memoryMb: 256, timeoutS: 5 });
    expect(platform.get('deploy-sum').settings).toMatchObject({ memoryMb: 128, environment: { MODE: 'test' } });
    const greeted = await invokeHttp(platform, 'deploy-greet', { name: 'faasbench' });
    expect([greeted.status, greeted.json()]).toEqual([200, { greeting: 'hello faasbench' }]);
    const summed = await invokeHttp(platform, 'deploy-sum', { numbers: [1, 2, 39] });
    expect([summed.status, summed.json()]).toEqual([200, { sum: 42 }]);
    // The HTTP trigger serves them too, as any HTTP client would reach them.
    const triggered = await call(platform, 'POST', '/fn/deploy-sum/', JSON.stringify({ numbers: [2, 3] }));
    expect([triggered.status, triggered.json()]).toEqual([200, { sum: 5 }]);
  }, 60_000);

  it('says what it deployed, one line per function, without --json', async () => {
    const dir = nodeFunction('deploy-plain', 'return 1;');
    const { stdout } = await deploy(dir);
    expect(stdout).toBe(`deployed deploy-plain (${dir}) to local\n`);
    expect(deployedNames()).toContain('deploy-plain');
  }, 30_000);

  it('a bad field exits 3 naming the file and the field, and deploys none of the folders given with it', async () => {
    const before = deployedNames();
    const good = nodeFunction('deploy-not-yet', 'return 1;');
    const bad = writeFunction({ name: 'deploy-bad', runtime: 'nodejs', handler: 'index.handler', memoryMb: 'lots' }, { 'index.mjs': 'export const handler = async () => 1;\n' });
    const failure = await fails(good, bad);
    expect(failure.code).toBe(3);
    expect(failure.stderr).toBe(`faasbench: ${path.join(bad, 'function.json')}: field "memoryMb": Invalid input: expected number, received string\n`);
    expect(deployedNames()).toEqual(before);
  }, 30_000);

  it('a folder without function.json, or with broken JSON, exits 3 naming the file (and line and column)', async () => {
    const empty = path.join(scratchDir('deploy-empty'), 'no-manifest');
    mkdirSync(empty);
    const missing = await fails(empty);
    expect(missing).toEqual({ code: 3, stderr: `faasbench: ${path.join(empty, 'function.json')}: cannot read (ENOENT)\n` });

    const broken = path.join(scratchDir('deploy-broken'), 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'function.json'), '{\n  "name": "broken",\n  "runtime": "nodejs"\n  "handler": "index.handler"\n}\n');
    const invalid = await fails(broken);
    expect(invalid).toEqual({ code: 3, stderr: `faasbench: ${path.join(broken, 'function.json')}:4:3: invalid JSON (CommaExpected)\n` });
  }, 30_000);

  it('refuses --provider local without a url: a platform of its own would end with the command', async () => {
    const folder = nodeFunction('deploy-nowhere', 'return 1;');
    const err = await run(process.execPath, [BIN, 'deploy', folder]).then(
      () => null,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect([err?.code, err?.stdout, err?.stderr]).toEqual([
      2,
      '',
      'faasbench: deploy --provider local needs -o url=... of a running platform (start one with `faasbench platform start`); a platform started by this command would end with it\n',
    ]);
    expect(deployedNames()).not.toContain('deploy-nowhere');
  }, 30_000);
});
