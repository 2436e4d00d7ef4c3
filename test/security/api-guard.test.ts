/**
 * Acceptance for issue 12, the API side: what a browser page or a stranger sends is refused before
 * anything is created or run, a zip bomb meets Lambda's limit without the platform swelling or
 * stalling, and a NUL byte or a reserved variable in configuration is a 400 that names the field
 * and leaves nothing behind. Each probe is followed by a control call that must still succeed.
 * The platform runs in this process: its RSS is this process's.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { chromium, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNZIPPED_LIMIT_BYTES } from '../../src/platform/code-staging.ts';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { call, invokeHttp, nodeFunction, scratchDir, sleep, startPlatform } from '../support/platform.ts';
import {
  comparable,
  hostFootprint,
  peakRssGrowth,
  platformKey,
  rawRequest,
  readOrEmpty,
  servePage,
  stagingUnderWay,
  stored,
  until,
  worldWritableDir,
  zeros,
  zipOf,
} from './support/api-guard-support.ts';

const MIB = 1 << 20;

/** The message of a refusal: Lambda's and the trigger's are JSON, OpenFaaS's plain text. */
function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { Message?: string; message?: string };
    return body.Message ?? body.message ?? text;
  } catch {
    return text;
  }
}
const CHROMIUM = '/usr/bin/chromium';
/** How the attacker's page prefixes its report on the console. */
const SEEN = 'fetches seen: ';
const chromiumMissing = !existsSync(CHROMIUM) && !process.env.CI;
if (chromiumMissing) console.warn(`test/security/api-guard.test.ts: the browser test is skipped: ${CHROMIUM} is missing (apt-get install chromium); in CI it fails instead`);

/** Lambda's words, in full, for a reserved variable (its "reserved environment variables"). */
const RESERVED =
  'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ';

describe('the APIs refuse what a browser page or a stranger sends', () => {
  let platform: LocalPlatform;
  let dataDir: string;
  let key: string;
  let markers: string;
  /** Every event `victim` ran with, one JSON line each. */
  let victimLog: string;
  let controls = 0;

  beforeAll(async () => {
    dataDir = scratchDir('platform');
    platform = await startPlatform({ dataDir });
    key = platformKey(dataDir);
    markers = worldWritableDir('api-guard');
    victimLog = path.join(markers, 'victim.log');
    platform.deployFolder(
      nodeFunction('victim', `const fs = await import('node:fs'); fs.appendFileSync(${JSON.stringify(victimLog)}, JSON.stringify(event) + '\\n'); return { ran: event.tag ?? null };`, {
        cpuModel: 'none',
      }),
    );
    // The marker must be writable from an instance, or its absence after a probe would prove nothing.
    await expectVictimStillRuns();
  });
  afterAll(async () => {
    await platform?.stop();
    if (markers) rmSync(markers, { recursive: true, force: true });
  });

  /** The control: `victim` runs for a plain local client, and its marker records it. */
  async function expectVictimStillRuns(): Promise<void> {
    const tag = `control-${++controls}`;
    const reply = await invokeHttp(platform, 'victim', { tag });
    expect([reply.status, reply.json()]).toEqual([200, { ran: tag }]);
    expect(victimTags().at(-1)).toBe(tag);
  }

  /** The tags (or trigger bodies) of every event `victim` ran with. */
  function victimTags(): string[] {
    return readOrEmpty(victimLog)
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const event = JSON.parse(line) as { tag?: string; body?: string };
        return event.tag ?? event.body ?? line;
      });
  }

  /** The real AWS SDK pointed at the platform (as test/lambda-sdk.test.ts does); a 400 is never retried anyway. */
  const sdkClient = (): LambdaClient => new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' }, maxAttempts: 1 });
  const controlTags = (): string[] => Array.from({ length: controls }, (_, i) => `control-${i + 1}`);
  const names = (): string[] => platform.list().map((f) => f.name);
  /** Files (not folders) staged for `name` under this platform's staging folder. */
  const stagedFiles = (name: string): string[] => {
    const dir = path.join(dataDir, 'code', key, name);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, withFileTypes: true, encoding: 'utf8' })
      .filter((e) => !e.isDirectory())
      .map((e) => path.join(e.parentPath, e.name));
  };

  /** A function whose handler writes `marker`: were it ever created and run, the file would say so. */
  function markerZipBase64(marker: string): string {
    const code = `import fs from 'node:fs';\nexport const handler = async () => { fs.writeFileSync(${JSON.stringify(marker)}, 'ran'); return 'ran'; };\n`;
    return Buffer.from(zipSync({ 'index.mjs': strToU8(code) })).toString('base64');
  }

  function createBody(name: string, marker: string): string {
    return JSON.stringify({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: markerZipBase64(marker) } });
  }

  it.skipIf(chromiumMissing)(
    `a page on another local origin in headless Chromium cannot create or invoke a function${chromiumMissing ? ` (skipped: ${CHROMIUM} is missing)` : ''}`,
    async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`).toBe(true);
      const evilMarker = path.join(markers, 'evil.marker');
      const invokeUrl = `${platform.url}/2015-03-31/functions/victim/invocations`;
      // Every request is a "simple" one (POST, text/plain, no custom header): no preflight would stop it.
      const probes: [string, string][] = [
        ['/2015-03-31/functions', createBody('evil', evilMarker)],
        ['/2015-03-31/functions/evil/invocations', '{"tag":"browser-evil"}'],
        ['/2015-03-31/functions/victim/invocations', '{"tag":"browser-lambda"}'],
        ['/fn/victim/', 'browser-trigger'],
        ['/function/victim', '{"tag":"browser-openfaas"}'],
        ['/async-function/victim', '{"tag":"browser-openfaas-async"}'],
      ];
      // text/plain form bodies are `name=value`: this one is the JSON {"tag":"browser-form","x":"="}.
      const page = `<!doctype html><html><body>
<form id="f" method="post" enctype="text/plain" action="${invokeUrl}"><input type="hidden" name='{"tag":"browser-form","x":"' value='"}'></form>
<script>
const probes = ${JSON.stringify(probes)};
(async () => {
  const seen = [];
  for (const [route, body] of probes) {
    for (const mode of ['no-cors', 'cors']) {
      try {
        const r = await fetch(${JSON.stringify(platform.url)} + route, { method: 'POST', mode, headers: { 'content-type': 'text/plain' }, body });
        seen.push(route + ' ' + mode + ' ' + r.type + ' ' + r.status);
      } catch (err) {
        seen.push(route + ' ' + mode + ' ' + err.name);
      }
    }
  }
  console.log(${JSON.stringify(SEEN)} + JSON.stringify(seen));
  document.getElementById('f').submit();
})();
</script></body></html>`;
      const attacker = await servePage(page);
      const profile = mkdtempSync(path.join(tmpdir(), 'faasbench-chromium-'));
      // playwright refuses --user-data-dir among launch()'s args: a persistent context takes the folder instead.
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const tab = await context.newPage();
        const answers: Response[] = [];
        // The page reports what its fetches saw on the console: the form's navigation ends the page.
        let seen: unknown;
        tab.on('console', (m) => {
          if (m.text().startsWith(SEEN)) seen = JSON.parse(m.text().slice(SEEN.length));
        });
        tab.on('response', (r) => {
          if (r.url().startsWith(platform.url)) answers.push(r);
        });
        const formAnswer = tab.waitForResponse((r) => r.url() === invokeUrl && r.request().resourceType() === 'document', { timeout: 30_000 });
        await tab.goto(`${attacker.origin}/`);
        const form = await formAnswer;
        expect(form.status()).toBe(403);
        expect(messageOf(await form.text())).toContain(`requests from pages at origin "${attacker.origin}" are refused`);

        // Each probe was sent in both modes: a no-cors one met a 403 (the page cannot read it, the browser
        // sees it); a cors one met a response without Access-Control-Allow-Origin, so the page got a TypeError.
        const statusOf = (route: string): number[] => answers.filter((r) => r.url() === platform.url + route && r.request().method() === 'POST').map((r) => r.status());
        for (const [route] of probes) expect([route, statusOf(route)]).toEqual([route, route === '/2015-03-31/functions/victim/invocations' ? [403, 403] : [403]]);
        expect(seen).toEqual(probes.flatMap(([route]) => [`${route} no-cors opaque 0`, `${route} cors TypeError`]));
      } finally {
        await context.close();
        await attacker.close();
        rmSync(profile, { recursive: true, force: true });
      }

      expect(names()).toEqual(['victim']);
      await expectVictimStillRuns();
      // The async probe would have run by now, had it been accepted: the control call came after it.
      expect(victimTags()).toEqual(controlTags());
      expect(existsSync(evilMarker)).toBe(false);
    },
    90_000,
  );

  it('refuses a request with Host: evil.example on every route, creating and running nothing', async () => {
    const evilMarker = path.join(markers, 'host.marker');
    const requests = [
      { method: 'POST', path: '/2015-03-31/functions', body: createBody('evil-host', evilMarker) },
      { method: 'POST', path: '/2015-03-31/functions/victim/invocations', body: '{"tag":"host-lambda"}' },
      { method: 'POST', path: '/fn/victim/', body: 'host-trigger' },
      { method: 'POST', path: '/function/victim', body: '{"tag":"host-openfaas"}' },
      { method: 'GET', path: '/healthz' },
    ];
    const port = new URL(platform.url).port;
    for (const host of ['evil.example', `evil.example:${port}`]) {
      for (const r of requests) {
        const reply = await rawRequest(platform.url, { ...r, host });
        expect([host, r.path, reply.status]).toEqual([host, r.path, 403]);
        expect(messageOf(reply.text)).toContain(`Host "${host}" is not a name of this platform`);
      }
    }
    expect(names()).toEqual(['victim']);
    expect(existsSync(evilMarker)).toBe(false);
    // The same raw requests with this platform's own names are served.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const health = await rawRequest(platform.url, { method: 'GET', path: '/healthz', host });
      expect([host, health.status]).toEqual([host, 200]);
    }
    await expectVictimStillRuns();
    expect(victimTags()).toEqual(controlTags());
  });

  it("refuses a 1 MB zip holding 1 GiB through the AWS SDK with Lambda's message, without swelling or stalling", async () => {
    const lambda = sdkClient();
    try {
      platform.deployFolder(nodeFunction('control', 'return { n: event.n };', { cpuModel: 'none' }));
      const PARALLEL = 3;
      const controlRound = async (round: number): Promise<void> => {
        const replies = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => invokeHttp(platform, 'control', { n: round * PARALLEL + i })));
        expect(replies.map((r) => [r.status, r.json()])).toEqual(Array.from({ length: PARALLEL }, (_, i) => [200, { n: round * PARALLEL + i }]));
      };
      // Instances started and the SDK loaded before measuring: neither is the bomb's doing.
      await controlRound(0);
      await lambda.send(new ListFunctionsCommand({}));

      const bomb = (declaredMib: number): Uint8Array => zipOf([stored('index.mjs', 'export const handler = async () => 1;\n'), zeros('zeros.bin', 1024, declaredMib * MIB)]);
      const codeRoot = path.join(dataDir, 'code', key);
      // Honest headers are refused before inflating; a header that lies (1 MiB declared) only while streaming.
      for (const [round, zip] of [bomb(1024), bomb(1)].entries()) {
        expect(zip.length).toBeLessThan(1.1 * MIB);
        let settled = false;
        const { result, rssGrowth } = await peakRssGrowth(async () => {
          const create = lambda
            .send(new CreateFunctionCommand({ FunctionName: 'bomb', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: zip } }))
            .finally(() => (settled = true));
          // Control calls once the bomb is being inflated to disk (or refused already): each answered right.
          const during = (async () => {
            await until(() => settled || stagingUnderWay(codeRoot, 'bomb'), 30_000);
            for (const r of [1, 2]) await controlRound(10 * (round + 1) + r);
          })();
          const [created, controlled] = await Promise.allSettled([create, during]);
          if (controlled.status === 'rejected') throw controlled.reason;
          return created;
        });
        if (result.status === 'rejected') throw result.reason;
        const created = result.value;
        expect(created.status).toBe('rejected');
        const err = (created as PromiseRejectedResult).reason as Error & { $metadata?: { httpStatusCode?: number } };
        expect([err.name, err.message, err.$metadata?.httpStatusCode]).toEqual(['InvalidParameterValueException', `Unzipped size must be smaller than ${UNZIPPED_LIMIT_BYTES} bytes`, 400]);
        expect(rssGrowth, `RSS grew by ${(rssGrowth / MIB).toFixed(1)} MiB`).toBeLessThan(50 * MIB);
      }

      expect(names()).toEqual(['control', 'victim']);
      // Not a byte of the bomb left under this platform's staging folder (its folders: the next test).
      expect(stagedFiles('bomb')).toEqual([]);
      await controlRound(1000);
      await expectVictimStillRuns();
    } finally {
      lambda.destroy();
    }
  }, 60_000);

  it('leaves no folder of a refused package under the staging folder, not even an empty one', async () => {
    const lambda = sdkClient();
    try {
      const zip = zipOf([zeros('zeros.bin', 300)]);
      await expect(lambda.send(new CreateFunctionCommand({ FunctionName: 'refused', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: zip } }))).rejects.toThrow(
        `Unzipped size must be smaller than ${UNZIPPED_LIMIT_BYTES} bytes`,
      );
    } finally {
      lambda.destroy();
    }
    expect(names()).not.toContain('refused');
    expect(readdirSync(path.join(dataDir, 'code', key))).not.toContain('refused');
    await expectVictimStillRuns();
  });

  it('refuses a NUL byte or a reserved variable with a 400 naming the field, leaking no temp folder, cgroup or launcher', async () => {
    await expectVictimStillRuns();
    const before = await settledFootprint();
    const zip = markerZipBase64(path.join(markers, 'nul.marker'));
    const create = (name: string, extra: Record<string, unknown>): Promise<Awaited<ReturnType<typeof call>>> =>
      call(platform, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: zip }, ...extra }));
    const probes: [string, Promise<Awaited<ReturnType<typeof call>>>, string][] = [
      ['nul-value', create('nul-value', { Environment: { Variables: { A: 'x\u0000y' } } }), 'field "environment.A": contains a NUL byte'],
      ['nul-name', create('nul-name', { Environment: { Variables: { 'A\u0000B': 'x' } } }), 'field "environment."A\\u0000B"": contains a NUL byte'],
      ['reserved', create('reserved', { Environment: { Variables: { AWS_REGION: 'x' } } }), `field "environment": ${RESERVED}AWS_REGION`],
      ['nul-handler', create('nul-handler', { Handler: 'index.han\u0000dler' }), 'field "handler": contains a NUL byte'],
      [
        'victim',
        call(platform, 'PUT', '/2015-03-31/functions/victim/configuration', JSON.stringify({ Environment: { Variables: { A: 'x\u0000y' } } })),
        'function victim: field "environment.A": contains a NUL byte',
      ],
    ];
    for (const [name, pending, field] of probes) {
      const reply = await pending;
      const body = reply.json() as { Message: string };
      expect([name, reply.status, reply.headers['x-amzn-errortype']]).toEqual([name, 400, 'InvalidParameterValueException']);
      expect(body.Message).toContain(field);
    }
    // Nothing was created: invoking what the probes named finds no function, and victim keeps its settings.
    for (const [name] of probes.slice(0, -1)) expect([name, (await invokeHttp(platform, name)).status]).toEqual([name, 404]);
    expect(platform.get('victim').settings.environment).toEqual({});
    await expectVictimStillRuns();
    expect(comparable(await settledFootprint())).toEqual(comparable(before));
    expect(existsSync(path.join(markers, 'nul.marker'))).toBe(false);
  }, 60_000);

  /**
   * The platform's footprint once it is quiet: launchers are refilled only when nothing runs
   * (prewarmed-launchers.ts), so this waits, bounded, for the full count and two equal reads.
   */
  async function settledFootprint(): Promise<ReturnType<typeof hostFootprint>> {
    const full = platform.facts.launcher === 'sandbox-exec' ? 2 : 0;
    let last = hostFootprint(key);
    for (const until = Date.now() + 15_000; Date.now() < until; ) {
      await sleep(200);
      const next = hostFootprint(key);
      if (next.waitingLaunchers === full && JSON.stringify(comparable(next)) === JSON.stringify(comparable(last))) return next;
      last = next;
    }
    throw new Error(`the platform's footprint did not settle within 15 s: ${JSON.stringify(comparable(last))}`);
  }
});
