// The gcp-functions provider in functions-framework mode: Google's Functions Framework runs the
// generated entry point in real child processes on loopback ports.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { billedMsOf, pricingFor } from '../analysis/pricing.ts';
import { processAlive } from '../platform/process-liveness.ts';
import { loadFunctionPackage } from '../core/function-package.ts';
import { nodeFunction, REPO, scratchDir, sleep, writeFunction } from '../../test/support/platform.ts';
import { providerConformance } from './conformance.ts';
import { createGcpFunctionsProvider } from './gcp-functions.ts';

const EMULATOR = { emulator: 'functions-framework' } as const;

providerConformance('gcp-functions under the Functions Framework', async () => ({ provider: await createGcpFunctionsProvider(EMULATOR) }), {
  workDir: () => scratchDir('conformance'),
  reportsInstanceId: true,
  unreachable: (url) => createGcpFunctionsProvider({ url }),
});

describe('gcp-functions specifics', () => {
  it('names the option that is wrong', async () => {
    await expect(createGcpFunctionsProvider({ region: 'Europe' })).rejects.toThrow('provider gcp-functions: option "region": expected a region such as us-central1');
    await expect(createGcpFunctionsProvider({ runtimes: { nodejs: 'nodejs18' } })).rejects.toThrow('provider gcp-functions: option "runtimes.nodejs"');
    await expect(createGcpFunctionsProvider({ public: 'no' })).rejects.toThrow('provider gcp-functions: option "public"');
    await expect(createGcpFunctionsProvider({ emulator: 'docker' })).rejects.toThrow('provider gcp-functions: option "emulator"');
    await expect(createGcpFunctionsProvider({ ...EMULATOR, project: 'my-project' })).rejects.toThrow('the emulator takes none of them');
    await expect(createGcpFunctionsProvider({ zone: 'a' })).rejects.toThrow('provider gcp-functions: unknown option "zone"');
  });

  it('refuses names Cloud Functions refuses, provided packages and settings it cannot change, before doing anything', async () => {
    const provider = await createGcpFunctionsProvider(EMULATOR);
    try {
      const upper = await provider.deploy(loadFunctionPackage(nodeFunction('Upper_Case', 'return 1;'))).catch((e: unknown) => e);
      expect(isFaasbenchError(upper, 'InvalidParameterValue')).toBe(true);
      expect(String(upper)).toContain('function name "Upper_Case": expected lowercase letters, digits and "-"');
      const bootstrap = writeFunction({ name: 'gcp-provided', runtime: 'provided', handler: 'x' }, { bootstrap: '#!/bin/sh\n' });
      await expect(provider.deploy(loadFunctionPackage(bootstrap))).rejects.toThrow('field "runtime": Cloud Functions runs nodejs and python packages, not provided');
      await expect(provider.updateConfiguration('gcp-any', { keepAliveS: 5 })).rejects.toThrow('Cloud Functions cannot change "keepAliveS" of a deployed function');
      await expect(provider.updateConfiguration('gcp-any', { memoryMb: 64 })).rejects.toThrow('setting "memoryMb"');
      const missing = await provider.updateConfiguration('gcp-any', { memoryMb: 256 }).catch((e: unknown) => e);
      expect(isFaasbenchError(missing, 'ResourceNotFound')).toBe(true);
    } finally {
      await provider.close();
    }
  });

  it('the emulator runs nodejs packages and says so for python; calls are priced at Cloud Run Tier 1 in 100 ms steps', async () => {
    const provider = await createGcpFunctionsProvider(EMULATOR);
    try {
      await expect(provider.deploy(loadFunctionPackage(path.join(REPO, 'functions', 'hello-py')))).rejects.toThrow('emulator functions-framework runs nodejs packages; hello-py is python (deploy it to Google Cloud)');
    } finally {
      await provider.close();
    }
    const { table } = pricingFor('gcp-functions');
    expect(table).toMatchObject({ id: 'gcp-functions/tier1', usdPerGbSecond: 0.0000185, usdPerMillionRequests: 0.4, billingIncrementMs: 100, minimumBilledMs: 100, mbPerGb: 1024 });
    expect([0, 1, 100, 100.5, 250].map((ms) => billedMsOf(ms, table!))).toEqual([100, 100, 100, 200, 300]);
  });

  it('gives the handler a Lambda context and environment, bills in 100 ms steps, and keeps instances apart per function', async () => {
    const body = [
      'return { name: context.functionName, memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis() > 0 && context.getRemainingTimeInMillis() <= 7000,',
      "  requestId: context.awsRequestId, env: [process.env.AWS_LAMBDA_FUNCTION_NAME, process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, process.env.FOO], own: Object.keys(process.env).filter((k) => k.startsWith('SECRET')) };",
    ].join('\n');
    const provider = await createGcpFunctionsProvider(EMULATOR);
    process.env.SECRET_OF_THE_CALLER = 'never passed on';
    try {
      await provider.deploy(loadFunctionPackage(nodeFunction('gcp-context', body, { memoryMb: 512, timeoutS: 7, environment: { FOO: 'bar' } })));
      const r = await provider.invoke('gcp-context', Buffer.from(''));
      expect(r.status).toBe('ok');
      const out = JSON.parse(r.payload.toString()) as Record<string, unknown>;
      expect(out).toEqual({ name: 'gcp-context', memory: '512', remaining: true, requestId: r.facts.requestId, env: ['gcp-context', '512', 'bar'], own: [] });
      expect(r.facts.billedMs).toBe(Math.max(100, Math.ceil((r.facts.durationMs as number) / 100) * 100));
      expect(r.facts.memoryMb).toBe(512);

      await provider.updateConfiguration('gcp-context', { timeoutS: 5 });
      const after = JSON.parse((await provider.invoke('gcp-context', Buffer.from('{}'))).payload.toString()) as Record<string, unknown>;
      expect(after).toMatchObject({ memory: '512', env: ['gcp-context', '512', 'bar'] });
    } finally {
      delete process.env.SECRET_OF_THE_CALLER;
      await provider.close();
    }
  });

  it('answers a handler that fails to load with its error on every call, and a body that is not JSON with 400', async () => {
    const dir = writeFunction({ name: 'gcp-broken', runtime: 'nodejs', handler: 'missing.handler' }, { 'index.mjs': 'export const handler = async () => 1;\n' });
    const provider = await createGcpFunctionsProvider(EMULATOR);
    try {
      await provider.deploy(loadFunctionPackage(dir));
      for (let i = 0; i < 2; i++) {
        const r = await provider.invoke('gcp-broken', Buffer.from('{}'));
        expect(r).toMatchObject({ status: 'function-error', httpStatus: 500, errorClass: 'Runtime.ImportModuleError' });
      }
      await provider.deploy(loadFunctionPackage(nodeFunction('gcp-echo', 'return event;')));
      expect(await provider.invoke('gcp-echo', Buffer.from('not json'))).toMatchObject({ status: 'rejected', httpStatus: 400, errorClass: 'HTTP 400' });
      expect(JSON.parse((await provider.invoke('gcp-echo', Buffer.from('[1,2]'))).payload.toString())).toEqual([1, 2]);
    } finally {
      await provider.close();
    }
  });

  it('runs CommonJS handlers, callback style too, as Lambda does', async () => {
    const provider = await createGcpFunctionsProvider(EMULATOR);
    try {
      const callback = writeFunction({ name: 'gcp-callback', runtime: 'nodejs', handler: 'index.handler' }, { 'index.js': 'exports.handler = (event, context, done) => { setTimeout(() => done(null, { cb: event.x, id: context.awsRequestId }), 10); };\n' });
      await provider.deploy(loadFunctionPackage(callback));
      const r = await provider.invoke('gcp-callback', Buffer.from('{"x":7}'));
      expect([r.status, JSON.parse(r.payload.toString())]).toEqual(['ok', { cb: 7, id: r.facts.requestId }]);
      const failing = writeFunction({ name: 'gcp-callback-error', runtime: 'nodejs', handler: 'index.handler' }, { 'index.js': "exports.handler = (event, context, done) => done(new RangeError('too far'));\n" });
      await provider.deploy(loadFunctionPackage(failing));
      const e = await provider.invoke('gcp-callback-error', Buffer.from('{}'));
      expect([e.status, e.errorClass, JSON.parse(e.payload.toString()).errorMessage]).toEqual(['function-error', 'RangeError', 'too far']);
    } finally {
      await provider.close();
    }
  });

  it('stops its Functions Framework processes on close', async () => {
    const provider = await createGcpFunctionsProvider(EMULATOR);
    await provider.deploy(loadFunctionPackage(nodeFunction('gcp-stop', 'return process.pid;')));
    const pid = Number((await provider.invoke('gcp-stop', Buffer.from('{}'))).payload.toString());
    expect(alive(pid)).toBe(true);
    await provider.close();
    expect(alive(pid)).toBe(false);
  });

  it('a Functions Framework process ends by itself when the command that started it is killed', async () => {
    const dir = nodeFunction('gcp-orphan', 'await new Promise((r) => setTimeout(r, 120000)); return 1;');
    const store = path.join(scratchDir('gcp-orphan-store'), 'runs.db');
    const cli = spawn(process.execPath, [path.join(REPO, 'bin/faasbench.mjs'), 'invoke', 'gcp-orphan', '--dir', path.dirname(dir), '--store', store, '--provider', 'gcp-functions', '-o', 'emulator=functions-framework'], { stdio: 'ignore' });
    try {
      let framework: number | undefined;
      // A CLI start took 10 s under load on 2 cores: the wait for the child is wide, and bounded.
      for (let i = 0; i < 600 && framework === undefined; i++) {
        framework = childrenOf(cli.pid as number).find((pid) => commandLine(pid).includes('functions-framework'));
        if (framework === undefined) await sleep(100);
      }
      expect(framework).toBeDefined();
      // Killed as soon as the process shows, maybe before it has started: it must notice even then.
      cli.kill('SIGKILL');
      // The process checks for its parent every 500 ms; 10 s leaves room for a loaded machine.
      for (let i = 0; i < 100 && alive(framework as number); i++) await sleep(100);
      expect(alive(framework as number), `process ${framework}: ${readFileSafe(`/proc/${framework}/status`)}`).toBe(false);
    } finally {
      cli.kill('SIGKILL');
    }
  }, 90_000);
});

/** Every process whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(name)] : [];
      } catch {
        return [];
      }
    });
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(0, 8).join(' ');
  } catch {
    return '(gone)';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Running, not a zombie: a process whose parent was killed may wait unreaped in a container. */
function alive(pid: number): boolean {
  return processAlive(pid);
}
