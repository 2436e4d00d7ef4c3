/**
 * Acceptance for issues 12 and 13 (the Runtime API answers in Lambda's documented form): AWS's own
 * Node runtime interface client, `aws-lambda-ric` built into test/security/ric by .ci/run, runs a
 * function on the local platform cold and warm, with its ClientContext and trace id, streams a
 * response, and its handler and init errors reach the caller with Lambda's error types.
 * The ric keeps only host and port of AWS_LAMBDA_RUNTIME_API (`split(':')`, then `parseInt`), so its
 * init errors are lost whenever the platform hands out a value with a path.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { nodeFunction, REPO, startPlatform, writeFunction } from '../support/platform.ts';

const RIC_PACKAGE = path.join(REPO, 'test/security/ric/node_modules/aws-lambda-ric');
/** The ric's documented entry (its package.json `bin`): `aws-lambda-ric <handler>`, code from the cwd. */
const RIC_ENTRY = path.join(RIC_PACKAGE, 'bin/index.mjs');
/** Built at install by its postinstall (aws-lambda-cpp and curl, from sources in the package). */
const RIC_ADDON = path.join(RIC_PACKAGE, 'dist/rapid-client.node');

const missing = [RIC_ENTRY, RIC_ADDON].find((file) => !existsSync(file));
const why = missing && `aws-lambda-ric is not built (${path.relative(REPO, missing)} is missing): run \`npm ci\` in test/security/ric (3.5-7 minutes on 2 cores; needs cmake, autoconf, automake, libtool, g++)`;
// CI builds the ric in .ci/run, so there a missing build is a failure; a developer who did not
// build it gets these tests skipped, and told why.
const skip = why !== undefined && !process.env.CI;
if (skip) console.warn(`test/security/aws-lambda-ric.test.ts skipped: ${why}`);

describe.skipIf(skip)(`aws-lambda-ric on the local platform${skip ? ` (skipped: ${why})` : ''}`, () => {
  let platform: LocalPlatform;
  let entry: string;

  beforeAll(async () => {
    if (why) throw new Error(`${why}; .ci/run builds it, so in CI this is a failure`);
    // Through the CI cache's symlink to where the files are, which is what the instance must reach.
    entry = realpathSync(RIC_ENTRY);
    platform = await startPlatform();
    platform.deployFolder(nodeFunction('control', "return 'still fine';", { cpuModel: 'none' }));
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /** A `provided` function whose bootstrap is the ric, as AWS's custom-image docs run it. */
  function ricFunction(name: string, files: Record<string, string>): string {
    const bootstrap = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(entry)} "$_HANDLER"\n`;
    return writeFunction({ name, runtime: 'provided', handler: 'index.handler', timeoutS: 10, cpuModel: 'none' }, { bootstrap, ...files });
  }

  async function expectControlStillFine(): Promise<void> {
    const control = await platform.invokeJson('control');
    expect([control.outcome.kind, control.body]).toEqual(['success', 'still fine']);
  }

  it('has its files where an unprivileged instance user can read them', () => {
    // Instances run as `nobody` when the platform runs as root: every folder up to the package must
    // be searchable by others (a clone under a 0700 mkdtemp folder would not be).
    const files = [entry, path.join(path.dirname(entry), '../dist/index.mjs'), path.join(path.dirname(entry), '../dist/rapid-client.node')].map((f) => realpathSync(f));
    expect(files.filter((f) => (statSync(f).mode & 0o004) === 0)).toEqual([]);
    expect(ancestors(files).filter((d) => (statSync(d).mode & 0o001) === 0)).toEqual([]);
  });

  it('returns a handler value through the ric, cold then warm on the same instance', async () => {
    platform.deployFolder(ricFunction('ric-ok', { 'index.mjs': 'export const handler = async (event, context) => ({ echoed: event, requestId: context.awsRequestId });\n' }));
    const cold = await platform.invokeJson('ric-ok', { n: 1 });
    expect([cold.outcome.kind, cold.cold, cold.body]).toEqual(['success', true, { echoed: { n: 1 }, requestId: cold.requestId }]);
    const warm = await platform.invokeJson('ric-ok', { n: 2 });
    expect([warm.outcome.kind, warm.cold, warm.instanceId, warm.body]).toEqual(['success', false, cold.instanceId, { echoed: { n: 2 }, requestId: warm.requestId }]);
    await expectControlStillFine();
  });

  it('returns a thrown error with its type, and hands the ric the ClientContext decoded', async () => {
    platform.deployFolder(
      ricFunction('ric-context', {
        'index.mjs': "export const handler = async (event, context) => { if (event.fail) throw new TypeError('bad input'); return { custom: context.clientContext?.custom, trace: process.env._X_AMZN_TRACE_ID }; };\n",
      }),
    );
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'a' }, env: {}, client: {} })).toString('base64');
    const ok = await platform.invoke('ric-context', Buffer.from('{}'), { clientContext });
    const body = JSON.parse(ok?.outcome.payload.toString() ?? '') as { custom: unknown; trace: string };
    expect([ok?.outcome.kind, body.custom]).toEqual(['success', { tenant: 'a' }]);
    expect(body.trace).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    const failed = await platform.invokeJson('ric-context', { fail: true });
    expect(failed.outcome).toMatchObject({ kind: 'function-error', errorType: 'TypeError' });
    expect(failed.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    await expectControlStillFine();
  });

  it('streams a response through the ric: each chunk on its own, read by the JS SDK', async () => {
    const source = "export const handler = awslambda.streamifyResponse(async (event, stream) => { for (const part of ['x', 'y']) { stream.write(part); await new Promise((r) => setTimeout(r, 250)); } stream.end(); });\n";
    platform.deployFolder(ricFunction('ric-stream', { 'index.mjs': source }));
    const sdk = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const out = await sdk.send(new InvokeWithResponseStreamCommand({ FunctionName: 'ric-stream', Payload: Buffer.from('{}') }));
      const seen: unknown[] = [];
      for await (const e of out.EventStream as AsyncIterable<InvokeWithResponseStreamResponseEvent>) {
        if (e.PayloadChunk) seen.push(Buffer.from(e.PayloadChunk.Payload ?? []).toString());
        if (e.InvokeComplete) seen.push({ ...e.InvokeComplete });
      }
      expect(seen).toEqual(['x', 'y', {}]);
    } finally {
      sdk.destroy();
    }
    await expectControlStillFine();
  });

  it('reports a missing handler module as Runtime.ImportModuleError', async () => {
    platform.deployFolder(ricFunction('ric-no-module', {}));
    const r = await platform.invokeJson('ric-no-module');
    expect(r.outcome).toMatchObject({ kind: 'function-error', errorType: 'Runtime.ImportModuleError' });
    expect(r.body).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringContaining("Error: Cannot find module 'index'\n") });
    await expectControlStillFine();
  });

  it('reports a module without the handler export as Runtime.HandlerNotFound', async () => {
    platform.deployFolder(ricFunction('ric-no-export', { 'index.mjs': 'export const other = async () => 1;\n' }));
    const r = await platform.invokeJson('ric-no-export');
    expect(r.outcome).toMatchObject({ kind: 'function-error', errorType: 'Runtime.HandlerNotFound' });
    expect(r.body).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: expect.stringContaining('index.handler is undefined or not exported') });
    await expectControlStillFine();
  });
});

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Every folder above `files`, up to the root. */
function ancestors(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    for (let dir = path.dirname(file); !dirs.has(dir); dir = path.dirname(dir)) {
      dirs.add(dir);
      if (dir === path.dirname(dir)) break;
    }
  }
  return [...dirs];
}
