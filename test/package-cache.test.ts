// The package cache as a user meets it: `faasbench deploy` and `invoke` through the aws-lambda
// provider (the real AWS SDK) against the local platform's Lambda API, with a counting HTTP proxy
// in front of the platform so each upload the platform received is counted exactly.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { runCli } from './support/cli-process.ts';
import { nodeFunction, scratchDir, startPlatform } from './support/platform.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

/**
 * Each case runs the CLI one to five times, each start up to 20 s on a loaded machine, and with the
 * cases side by side two at a time (see cli) may wait on the others' runs: 13 in all.
 */
const CASE_TIMEOUT_MS = 4 * CLI_TEST_TIMEOUT_MS;

const FN = '/2015-03-31/functions';

let platform: LocalPlatform;
let proxy: Server;
let endpoint: string;
const seen: string[] = [];

/**
 * Forwards every request to the platform as it came, and notes its method and path; a
 * CreateFunction (POST to the collection), also the function it names, from its JSON body, so that
 * cases running side by side each count their own. That note is made when the body has come in,
 * before the platform can answer it.
 */
function countingProxy(target: URL): Server {
  return createServer((req, res) => {
    const route = `${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    if (route === `POST ${FN}`) {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        let name = '(unreadable body)';
        try {
          name = String((JSON.parse(Buffer.concat(body).toString('utf8')) as { FunctionName?: unknown }).FunctionName);
        } catch {
          // counted under no case's name: a count that expects it then fails
        }
        seen.push(`${route} ${name}`);
      });
    } else seen.push(route);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
}

beforeAll(async () => {
  platform = await startPlatform();
  proxy = countingProxy(new URL(platform.url));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await platform.stop();
});

/** A user of its own: the cache and any AWS files live under this home. */
function userEnv(): Record<string, string> {
  const home = scratchDir('pkg-home');
  return { HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config'), AWS_EC2_METADATA_DISABLED: 'true' };
}

/**
 * Two CLI processes at once (two cores): the cases run side by side, each on functions of its own
 * name, each of its CLI runs in turn.
 */
const twoAtATime = pLimit(2);
function cli(...args: Parameters<typeof runCli>): ReturnType<typeof runCli> {
  return twoAtATime(() => runCli(...args));
}

/**
 * How many requests of each Lambda operation the platform received for `name` since `from`. Other
 * cases' requests in between are for other names, so they are not counted.
 */
function counts(name: string, from: number): { create: number; code: number; configuration: number } {
  const window = seen.slice(from);
  return {
    create: window.filter((r) => r === `POST ${FN} ${name}`).length,
    code: window.filter((r) => r === `PUT ${FN}/${name}/code`).length,
    configuration: window.filter((r) => r === `PUT ${FN}/${name}/configuration`).length,
  };
}

describe.concurrent('package cache (aws-lambda through the local platform)', () => {
  it('deploys once, skips an unchanged package, uploads a changed one, and uploads with --update', async () => {
    const env = userEnv();
    const dir = nodeFunction('pc-hello', 'return { v: 1 };');
    const deploy = (...extra: string[]): ReturnType<typeof runCli> => cli(['deploy', dir, '--provider', 'aws-lambda', '-o', `endpoint=${endpoint}`, ...extra], { env });

    let from = seen.length;
    const first = await deploy();
    expect([first.code, first.stdout]).toEqual([0, `deployed pc-hello (${dir}) to aws-lambda: package uploaded (first upload here)\n`]);
    expect(counts('pc-hello', from)).toEqual({ create: 1, code: 0, configuration: 0 });

    from = seen.length;
    const second = await deploy('--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ provider: 'aws-lambda', deployed: ['pc-hello'], packages: { 'pc-hello': 'unchanged' } });
    // The settings still go (a memory change needs no upload); the code does not.
    expect(counts('pc-hello', from)).toEqual({ create: 0, code: 0, configuration: 1 });

    writeFileSync(path.join(dir, 'index.mjs'), 'export const handler = async () => ({ v: 2 });\n');
    from = seen.length;
    const changed = await deploy();
    expect(changed.stdout).toBe(`deployed pc-hello (${dir}) to aws-lambda: package uploaded (changed)\n`);
    // CreateFunction is refused (it exists), then UpdateFunctionCode and UpdateFunctionConfiguration.
    expect(counts('pc-hello', from)).toEqual({ create: 1, code: 1, configuration: 1 });
    expect((await platform.invokeJson('pc-hello', {})).body).toEqual({ v: 2 });

    from = seen.length;
    const forced = await deploy('--update');
    expect(forced.stdout).toBe(`deployed pc-hello (${dir}) to aws-lambda: package uploaded (--update)\n`);
    expect(counts('pc-hello', from)).toEqual({ create: 1, code: 1, configuration: 1 });

    from = seen.length;
    const again = await deploy();
    expect(again.stdout).toBe(`deployed pc-hello (${dir}) to aws-lambda: package unchanged, not uploaded (--update uploads it anyway)\n`);
    expect(counts('pc-hello', from)).toEqual({ create: 0, code: 0, configuration: 1 });
  }, CASE_TIMEOUT_MS);

  it('uploads after all when the target lost the function or holds other code, whatever the cache says', async () => {
    const env = userEnv();
    const dir = nodeFunction('pc-gone', 'return { v: 1 };');
    const deploy = (): ReturnType<typeof runCli> => cli(['deploy', dir, '--provider', 'aws-lambda', '-o', `endpoint=${endpoint}`], { env });
    expect((await deploy()).code).toBe(0);

    platform.remove('pc-gone');
    let from = seen.length;
    const recreated = await deploy();
    expect(recreated.stdout).toBe(`deployed pc-gone (${dir}) to aws-lambda: package uploaded (changed on the target)\n`);
    // UpdateFunctionConfiguration answers 404, then CreateFunction uploads.
    expect(counts('pc-gone', from)).toEqual({ create: 1, code: 0, configuration: 1 });

    // Someone else deploys other code under the same name: its CodeSha256 is not this package's.
    const other = nodeFunction('pc-gone', 'return { other: true };');
    expect((await cli(['deploy', other, '--provider', 'aws-lambda', '-o', `endpoint=${endpoint}`], { env: userEnv() })).code).toBe(0);
    from = seen.length;
    const restored = await deploy();
    expect(restored.stdout).toBe(`deployed pc-gone (${dir}) to aws-lambda: package uploaded (changed on the target)\n`);
    expect(counts('pc-gone', from)).toEqual({ create: 1, code: 1, configuration: 2 });
    expect((await platform.invokeJson('pc-gone', {})).body).toEqual({ v: 1 });
  }, CASE_TIMEOUT_MS);

  it('invoke says an unchanged package was not uploaded, and --update uploads it', async () => {
    const env = userEnv();
    const cwd = scratchDir('pc-invoke');
    const dir = nodeFunction('pc-invoked', 'return { ok: 1 };');
    const invoke = (...extra: string[]): ReturnType<typeof runCli> =>
      cli(['invoke', 'pc-invoked', '--dir', path.dirname(dir), '--provider', 'aws-lambda', '-o', `endpoint=${endpoint}`, '--json', ...extra], { env, cwd });

    let from = seen.length;
    const first = await invoke();
    expect(first.code).toBe(0);
    expect(first.stderr).not.toContain('not uploaded');
    expect(counts('pc-invoked', from)).toEqual({ create: 1, code: 0, configuration: 0 });

    from = seen.length;
    const second = await invoke();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('faasbench: aws-lambda: pc-invoked: package unchanged, not uploaded (--update uploads it anyway)\n');
    expect(counts('pc-invoked', from)).toEqual({ create: 0, code: 0, configuration: 1 });

    from = seen.length;
    const forced = await invoke('--update');
    expect(forced.code).toBe(0);
    expect(forced.stderr).not.toContain('not uploaded');
    expect(counts('pc-invoked', from)).toEqual({ create: 1, code: 1, configuration: 1 });
  }, CASE_TIMEOUT_MS);

  it('--update with a provider that keeps no cache says it changes nothing', async () => {
    const dir = nodeFunction('pc-local', 'return 1;');
    const out = await cli(['deploy', dir, '--provider', 'local', '-o', `url=${platform.url}`, '--update'], { env: userEnv() });
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('faasbench: the local provider keeps no package cache (it deploys in full every time): --update changes nothing\n');
    expect(out.stdout).toBe(`deployed pc-local (${dir}) to local\n`);
  }, CASE_TIMEOUT_MS);
});
