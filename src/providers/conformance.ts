/**
 * The conformance suite every provider's test runs (DESIGN.md §2): what "implements Provider"
 * means, checked on a real platform. It deploys a package that needs its node_modules and an
 * `include`d file, invokes it cold then warm, checks the facts against each other, applies deploy
 * overrides and a configuration update, reports a function error with its type, removes the
 * function, and (given a provider pointed at a closed port) reports a transport error.
 *
 * Test-only: it registers vitest tests, so nothing outside tests may import it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { loadFunctionPackage, type FunctionPackage } from '../core/function-package.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { InvokeResult, Provider } from '../core/provider.ts';

export interface ConformanceTarget {
  readonly provider: Provider;
  /** Stops what setup started besides the provider (a platform), after the provider is closed. */
  readonly teardown?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** A folder the suite may write its function packages into (called once, in beforeAll). */
  readonly workDir: () => string;
  /** Whether the platform says which instance served a call (Lambda's REPORT does not). */
  readonly reportsInstanceId: boolean;
  /** The same kind of provider aimed at a closed port. */
  readonly unreachable?: (url: string) => Promise<Provider>;
  /** Function names start with this; default `conformance`. */
  readonly prefix?: string;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const parsed = (r: InvokeResult): unknown => JSON.parse(r.payload.toString('utf8'));

export function providerConformance(label: string, setup: () => Promise<ConformanceTarget>, options: ConformanceOptions): void {
  const prefix = options.prefix ?? 'conformance';
  const hello = `${prefix}-hello`;
  const failing = `${prefix}-fail`;

  describe(`provider conformance: ${label}`, () => {
    let target: ConformanceTarget;
    let provider: Provider;
    let helloPkg: FunctionPackage;
    let failingPkg: FunctionPackage;

    beforeAll(async () => {
      const dir = options.workDir();
      helloPkg = loadFunctionPackage(writeHello(dir, hello));
      failingPkg = loadFunctionPackage(writeFailing(dir, failing));
      target = await setup();
      provider = target.provider;
    });
    afterAll(async () => {
      await provider?.close();
      await target?.teardown?.();
    });

    it('deploys a package with node_modules and included files, then invokes it cold, then warm', async () => {
      await provider.deploy(helloPkg);
      const cold = await provider.invoke(hello, json({ name: 'conformance' }));
      expect(cold.status).toBe('ok');
      expect(cold.httpStatus).toBe(200);
      expect(cold.errorClass).toBeNull();
      expect(parsed(cold)).toEqual({ greeting: 'hello conformance!', padded: '[conformance]', event: { name: 'conformance' } });
      const warm = await provider.invoke(hello, json({ name: 'again' }));
      expect(warm.status).toBe('ok');
      expect(parsed(warm)).toMatchObject({ greeting: 'hello again!' });

      expect(cold.facts.cold).toBe(true);
      expect(cold.facts.initMs).toBeGreaterThan(0);
      expect(warm.facts.cold).toBe(false);
      expect(warm.facts.initMs).toBeNull();
      for (const facts of [cold.facts, warm.facts]) {
        expect(facts.requestId).toMatch(/^\S{8,}$/);
        expect(facts.durationMs).toBeGreaterThan(0);
        expect(facts.billedMs).toBeGreaterThanOrEqual(Math.max(1, Math.floor(facts.durationMs as number)));
        expect(facts.memoryMb).toBe(128);
        expect(facts.maxMemoryMb).toBeGreaterThan(0);
      }
      expect(warm.facts.requestId).not.toBe(cold.facts.requestId);
      if (options.reportsInstanceId) {
        expect(cold.facts.instanceId).toMatch(/^\S{8,}$/);
        expect(warm.facts.instanceId).toBe(cold.facts.instanceId);
      } else {
        expect([cold.facts.instanceId, warm.facts.instanceId]).toEqual([null, null]);
      }
    });

    it('applies deploy overrides, and a configuration update makes the next call cold with the new settings', async () => {
      await provider.deploy(helloPkg, { environment: { GREETING: 'hi' } });
      const redeployed = await provider.invoke(hello, json({ name: 'there' }));
      expect(parsed(redeployed)).toMatchObject({ greeting: 'hi there!' });
      expect(redeployed.facts.cold).toBe(true);

      await provider.updateConfiguration(hello, { memoryMb: 256, environment: { GREETING: 'hey' } });
      const updated = await provider.invoke(hello, json({ name: 'you' }));
      expect(updated.status).toBe('ok');
      expect(parsed(updated)).toMatchObject({ greeting: 'hey you!' });
      expect(updated.facts.cold).toBe(true);
      expect(updated.facts.memoryMb).toBe(256);
    });

    it('refuses a bad override before deploying, naming the field', async () => {
      await expect(provider.deploy(helloPkg, { memoryMb: 64 })).rejects.toThrow(/memoryMb/);
      const still = await provider.invoke(hello, json({}));
      expect(still.facts.memoryMb).toBe(256);
    });

    it('reports a function error with its error type', async () => {
      await provider.deploy(failingPkg);
      const r = await provider.invoke(failing, json({}));
      expect(r.status).toBe('function-error');
      expect(r.errorClass).toBe('TypeError');
      expect(parsed(r)).toMatchObject({ errorType: 'TypeError', errorMessage: 'conformance failure' });
      expect(r.facts.cold).toBe(true);
    });

    it('removes functions: calls are then rejected with 404 and a second remove fails with ResourceNotFound', async () => {
      await provider.remove(hello);
      await provider.remove(failing);
      const gone = await provider.invoke(hello, json({}));
      expect(gone.status).toBe('rejected');
      expect(gone.httpStatus).toBe(404);
      expect(gone.errorClass).toEqual(expect.any(String));
      const again = provider.remove(hello).then(
        () => null,
        (err: unknown) => err,
      );
      const err = await again;
      expect(isFaasbenchError(err, 'ResourceNotFound')).toBe(true);
      expect(String(err)).toContain(hello);
    });

    if (options.unreachable) {
      const unreachable = options.unreachable;
      it('reports a platform that does not answer as a transport error', async () => {
        const port = await closedPort();
        const dead = await unreachable(`http://127.0.0.1:${port}`);
        try {
          const r = await dead.invoke(hello, json({}));
          expect(r).toEqual({ status: 'transport-error', httpStatus: null, payload: Buffer.alloc(0), errorClass: 'ECONNREFUSED', facts: NO_FACTS });
        } finally {
          await dead.close();
        }
      });
    }
  });
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

/** Needs its own node_modules and a file bundled from outside its folder, as real packages do. */
function writeHello(root: string, name: string): string {
  writeFiles(root, { 'shared/punctuation.mjs': "export const mark = '!';\n" });
  const dir = path.join(root, name);
  writeFiles(dir, {
    'function.json': JSON.stringify({
      name,
      runtime: 'nodejs',
      handler: 'index.handler',
      memoryMb: 128,
      timeoutS: 10,
      environment: { GREETING: 'hello' },
      include: { 'lib/punctuation.mjs': '../shared/punctuation.mjs' },
    }),
    'index.mjs': [
      "import pad from 'conformance-pad';",
      "import { mark } from './lib/punctuation.mjs';",
      "export const handler = async (event) => ({ greeting: `${process.env.GREETING} ${event?.name ?? 'world'}${mark}`, padded: pad(String(event?.name ?? '')), event });",
      '',
    ].join('\n'),
    'node_modules/conformance-pad/package.json': JSON.stringify({ name: 'conformance-pad', version: '1.0.0', main: 'index.js' }),
    'node_modules/conformance-pad/index.js': "module.exports = (s) => '[' + s + ']';\n",
  });
  return dir;
}

function writeFailing(root: string, name: string): string {
  const dir = path.join(root, name);
  writeFiles(dir, {
    'function.json': JSON.stringify({ name, runtime: 'nodejs', handler: 'index.handler', timeoutS: 10 }),
    'index.mjs': "export const handler = async () => { throw new TypeError('conformance failure'); };\n",
  });
  return dir;
}
