// Issue 13, "inside the instance, Lambda's view": what a function sees of its instance (paths,
// environment, context, trace header, logging, marshalling) and what the Runtime API does with what
// a runtime posts (error bodies, init errors, output after a response), in the nodejs, python and
// provided runtimes, as Lambda and AWS's own runtime clients have it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationResult } from '../src/platform/invocation.ts';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { startPlatform, writeFunction } from './support/platform.ts';

const notRoot = process.getuid?.() !== 0;
const why = `not running as root (uid ${process.getuid?.() ?? 'unknown'}): the code is at /var/task only in the mount namespace an instance gets when the platform runs as root`;
// CI runs as root, so there a non-root run is a failure, as a missing client is for the
// conformance suite (test/lambda-conformance/support/clients.ts); elsewhere it is skipped, saying why.
const skip = notRoot && !process.env.CI;
if (skip) console.warn(`test/lambda-runtime-view.test.ts skipped: ${why}; run it as root (CI does, and fails it otherwise)`);

const TRACE = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');
const payloadOf = (r: InvocationResult): unknown => JSON.parse(r.outcome.payload.toString('utf8'));
const PYTHON_VERSION = notRoot ? '' : execFileSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
const CLIENT_CONTEXT = { custom: { tenant: 'zoë' }, env: { locale: 'en-GB' }, client: { app_title: 'probe', installation_id: 'i-1' } };

/** A `provided` bootstrap in node: `body` runs with `call(method, route, body, headers)` on the Runtime API. */
function providedScript(body: string): string {
  return `#!/usr/bin/env node
const http = require('node:http');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const call = (method, route, body = '', headers = {}) => new Promise((resolve, reject) => {
  const req = http.request({ host, port, method, path: '/2018-06-01/runtime' + route, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
    let data = ''; res.on('data', (c) => (data += c)); res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
  });
  req.on('error', reject); req.end(body);
});
(async () => { ${body} })();
`;
}

const NODE_VIEW = `import fs from 'node:fs';
export const handler = async (event, context) => ({
  cwd: process.cwd(), taskRoot: process.env.LAMBDA_TASK_ROOT, runtimeDir: process.env.LAMBDA_RUNTIME_DIR,
  code: fs.readdirSync('/var/task').sort(), runtimeFiles: fs.readdirSync(process.env.LAMBDA_RUNTIME_DIR).sort(),
  executionEnv: process.env.AWS_EXECUTION_ENV ?? null, trace: process.env._X_AMZN_TRACE_ID ?? null,
  context: {
    clientContext: context.clientContext === undefined ? 'undefined' : context.clientContext,
    identity: context.identity === undefined ? 'undefined' : context.identity,
    functionName: context.functionName, functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName, logStreamName: context.logStreamName,
    awsRequestId: context.awsRequestId, callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    legacy: [typeof context.succeed, typeof context.fail, typeof context.done],
    remainingMs: context.getRemainingTimeInMillis(),
  },
});
`;

// A callback-style handler (three parameters) answering in each of the ways AWS's Node client takes.
const NODE_LEGACY = `exports.handler = function (event, context, callback) {
  switch (event.mode) {
    case 'succeed-later': setTimeout(() => context.succeed({ via: 'succeed' }), 20); return;
    case 'fail': context.fail(new TypeError('failed by context.fail')); return;
    case 'fail-nothing': context.fail(); return;
    case 'done': context.done(null, 'done value'); return;
    case 'first-wins': context.succeed('first'); callback(null, 'second'); context.fail(new Error('third')); return;
    case 'waits': setTimeout(() => console.log('timer fired'), 30); callback(null, 'after the timer'); return;
    case 'nothing': return;
    case 'no-wait': context.callbackWaitsForEmptyEventLoop = false; globalThis.ticker ??= setInterval(() => {}, 1000); callback(null, 'right away'); return;
  }
};
`;

const NODE_MARSHAL = `export const handler = async (event) => {
  if (event.mode === 'circular') { const o = {}; o.self = o; return o; }
  if (event.mode === 'bigint') return { n: 10n };
  if (event.mode === 'throw-string') throw 'plain string';
  return 'fine';
};
`;

const PYTHON_VIEW = `import json, logging, os
from decimal import Decimal

def handler(event, context):
    mode = event.get("mode")
    if mode == "set":
        return {1, 2}
    if mode == "circular":
        d = {}
        d["d"] = d
        return d
    if mode == "decimal":
        return {"n": Decimal("1.5"), "i": Decimal("3")}
    if mode == "compiled":
        import struct, sys
        spec = sys.modules["faasbench_runtime"].__spec__
        with open(spec.cached, "rb") as pyc:
            flags, mtime, size = struct.unpack("<4xIII", pyc.read(16))
        st = os.stat(spec.origin)
        return {"origin": spec.origin, "current": [flags, mtime, size] == [0, int(st.st_mtime) & 0xFFFFFFFF, st.st_size]}
    if mode == "log":
        logging.info("hidden at WARNING")
        logging.warning("shown at WARNING")
        logging.basicConfig(level=logging.DEBUG)  # does nothing on Lambda: the root logger has its handler
        logging.getLogger().setLevel(logging.INFO)
        logging.info("x")
        logging.debug("hidden at INFO")
        return len(logging.getLogger().handlers)
    cc = context.client_context
    ident = context.identity
    return {
        "cwd": os.getcwd(), "taskRoot": os.environ["LAMBDA_TASK_ROOT"], "runtimeDir": os.environ["LAMBDA_RUNTIME_DIR"],
        "executionEnv": os.environ.get("AWS_EXECUTION_ENV"), "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "context": {
            "client_context": None if cc is None else {"custom": cc.custom, "env": cc.env, "app_title": cc.client.app_title, "installation_id": cc.client.installation_id, "app_version_name": cc.client.app_version_name},
            "identity": [ident.cognito_identity_id, ident.cognito_identity_pool_id],
            "function_name": context.function_name, "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn, "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name, "log_stream_name": context.log_stream_name,
            "aws_request_id": context.aws_request_id, "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
`;

const PROVIDED_API = providedScript(`
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const event = JSON.parse(next.body);
    if (event.mode === 'view') {
      const view = { cwd: process.cwd(), taskRoot: process.env.LAMBDA_TASK_ROOT, runtimeDir: process.env.LAMBDA_RUNTIME_DIR, executionEnv: process.env.AWS_EXECUTION_ENV ?? null,
        envTrace: process.env._X_AMZN_TRACE_ID ?? null, trace: next.headers['lambda-runtime-trace-id'], clientContext: next.headers['lambda-runtime-client-context'] ?? null };
      await call('POST', '/invocation/' + id + '/response', JSON.stringify(view));
    } else if (event.mode === 'empty-error') {
      await call('POST', '/invocation/' + id + '/error', '', event.type ? { 'Lambda-Runtime-Function-Error-Type': event.type } : {});
    } else if (event.mode === 'after') {
      await call('POST', '/invocation/' + id + '/response', '"answered"');
      process.stdout.write('after response ' + id + '\\n');
    } else {
      await call('POST', '/invocation/' + id + '/response', '"plain"');
    }
  }
`);

// Posts an init error of its own making, then asks for work anyway.
const POSTED_INIT_ERROR = '{"errorType": "Custom.Thing", "errorMessage": "as posted", "extra": [1, 2]}';
const PROVIDED_INIT_ERROR = providedScript(`
  console.log('initialising');
  await call('POST', '/init/error', ${JSON.stringify(POSTED_INIT_ERROR)}, { 'Lambda-Runtime-Function-Error-Type': 'Runtime.CustomInit' });
  const next = await call('GET', '/invocation/next');
  if (next.status === 200) console.log('served after its init error');
  setInterval(() => {}, 1000);
`);

describe.skipIf(skip)(`inside the instance, Lambda's view${skip ? ` (skipped: ${why})` : ''}`, () => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    if (notRoot) throw new Error(`${why}; CI=${process.env.CI ?? ''}: in CI this suite must run, so this is a failure`);
    platform = await startPlatform();
    expect(platform.facts.isolation).toBe('namespace');
    const fns: Array<[Record<string, unknown>, Record<string, string>]> = [
      [{ name: 'node-view', runtime: 'nodejs20.x', handler: 'index.handler', cpuModel: 'none' }, { 'index.mjs': NODE_VIEW }],
      [{ name: 'node-bare', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.mjs': 'export const handler = async () => process.env.AWS_EXECUTION_ENV;\n' }],
      [{ name: 'node-legacy', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.js': NODE_LEGACY }],
      [{ name: 'node-legacy-sync', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.js': "exports.handler = function (event, context) { setTimeout(() => context.succeed('later'), 20); };\n" }],
      [{ name: 'node-marshal', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.mjs': NODE_MARSHAL }],
      [{ name: 'node-no-module', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.mjs': "console.log('loading');\nimport 'no-such-package';\nexport const handler = async () => 1;\n" }],
      [{ name: 'py-view', runtime: 'python3.12', handler: 'app.handler', cpuModel: 'none' }, { 'app.py': PYTHON_VIEW }],
      [{ name: 'py-debug', runtime: 'python', handler: 'app.handler', cpuModel: 'none', environment: { AWS_LAMBDA_LOG_LEVEL: 'DEBUG' } }, { 'app.py': 'import logging\ndef handler(event, context):\n    logging.debug("d")\n    return 1\n' }],
      [{ name: 'sh-api', runtime: 'provided.al2023', cpuModel: 'none' }, { bootstrap: PROVIDED_API }],
      [{ name: 'sh-init-error', runtime: 'provided', cpuModel: 'none' }, { bootstrap: PROVIDED_INIT_ERROR }],
      [{ name: 'sh-init-exit', runtime: 'provided', cpuModel: 'none' }, { bootstrap: '#!/bin/sh\necho starting\nexit 2\n' }],
    ];
    for (const [manifest, files] of fns) platform.deployFolder(writeFunction(manifest, files));
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const invoke = (name: string, event: unknown = {}, options: { clientContext?: string; traceId?: string } = {}): Promise<InvocationResult> =>
    platform.invoke(name, Buffer.from(JSON.stringify(event)), options) as Promise<InvocationResult>;

  describe('paths and environment', () => {
    it('nodejs: code at /var/task, runtime at /var/runtime, cwd /var/task, AWS_EXECUTION_ENV of the deployed runtime', async () => {
      const r = await platform.invokeJson('node-view');
      expect(r.body).toMatchObject({
        cwd: '/var/task',
        taskRoot: '/var/task',
        runtimeDir: '/var/runtime',
        code: ['function.json', 'index.mjs'],
        runtimeFiles: ['__pycache__', 'faasbench_runtime.py', 'nodejs-bootstrap.cjs', 'python_bootstrap.py'],
        executionEnv: 'AWS_Lambda_nodejs20.x',
      });
      expect((await platform.invokeJson('node-bare')).body).toBe(`AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`);
    });

    it("python: the same paths, and AWS_EXECUTION_ENV of the interpreter that runs it (not the deployed python3.12)", async () => {
      const r = await platform.invokeJson('py-view');
      expect(r.body).toMatchObject({ cwd: '/var/task', taskRoot: '/var/task', runtimeDir: '/var/runtime', executionEnv: `AWS_Lambda_python${PYTHON_VERSION}` });
    });

    it('provided: the same paths, and neither AWS_EXECUTION_ENV nor _X_AMZN_TRACE_ID, as Lambda sets none for OS-only runtimes', async () => {
      const r = await platform.invokeJson('sh-api', { mode: 'view' });
      expect(r.body).toMatchObject({ cwd: '/var/task', taskRoot: '/var/task', runtimeDir: '/var/runtime', executionEnv: null, envTrace: null, clientContext: null });
    });
  });

  describe('context', () => {
    it('nodejs: every field of AWS\'s client, ClientContext decoded, identity undefined without a Cognito identity', async () => {
      const r = await invoke('node-view', {}, { clientContext: b64(CLIENT_CONTEXT) });
      const body = payloadOf(r) as { context: Record<string, unknown> };
      const { remainingMs, ...context } = body.context;
      expect(context).toEqual({
        clientContext: CLIENT_CONTEXT,
        identity: 'undefined',
        functionName: 'node-view',
        functionVersion: '$LATEST',
        invokedFunctionArn: platform.arn('node-view'),
        memoryLimitInMB: '128',
        logGroupName: '/aws/lambda/node-view',
        logStreamName: expect.stringMatching(new RegExp(`^\\d{4}/\\d\\d/\\d\\d/\\[\\$LATEST\\]${r.instanceId}$`)),
        awsRequestId: r.requestId,
        callbackWaitsForEmptyEventLoop: true,
        legacy: ['function', 'function', 'function'],
      });
      expect(remainingMs).toBeGreaterThan(0);
      expect(remainingMs).toBeLessThanOrEqual(3000);
      const without = payloadOf(await invoke('node-view')) as { context: Record<string, unknown> };
      expect(without.context.clientContext).toBe('undefined');
    });

    it('python: every field of awslambdaric\'s context, client_context built as it builds it, identity with empty fields', async () => {
      const r = await invoke('py-view', {}, { clientContext: b64(CLIENT_CONTEXT) });
      const body = payloadOf(r) as { context: Record<string, unknown> };
      const { remaining_ms: remainingMs, ...context } = body.context;
      expect(context).toEqual({
        client_context: { custom: CLIENT_CONTEXT.custom, env: CLIENT_CONTEXT.env, app_title: 'probe', installation_id: 'i-1', app_version_name: null },
        identity: [null, null],
        function_name: 'py-view',
        function_version: '$LATEST',
        invoked_function_arn: platform.arn('py-view'),
        memory_limit_in_mb: '128',
        log_group_name: '/aws/lambda/py-view',
        log_stream_name: expect.stringMatching(new RegExp(`^\\d{4}/\\d\\d/\\d\\d/\\[\\$LATEST\\]${r.instanceId}$`)),
        aws_request_id: r.requestId,
      });
      expect(remainingMs).toBeGreaterThan(0);
      expect(remainingMs).toBeLessThanOrEqual(3000);
      expect(((payloadOf(await invoke('py-view')) as { context: Record<string, unknown> }).context.client_context)).toBeNull();
    });

    it('provided: the Runtime API hands ClientContext over as JSON, no longer base64', async () => {
      const r = await invoke('sh-api', { mode: 'view' }, { clientContext: b64(CLIENT_CONTEXT) });
      expect(JSON.parse((payloadOf(r) as { clientContext: string }).clientContext)).toEqual(CLIENT_CONTEXT);
    });
  });

  describe('X-Ray trace id', () => {
    it('is well-formed and new per call in Lambda-Runtime-Trace-Id, and _X_AMZN_TRACE_ID in nodejs and python', async () => {
      const traces = [];
      for (const [name, event] of [['sh-api', { mode: 'view' }], ['sh-api', { mode: 'view' }], ['node-view', {}], ['py-view', {}]] as const) {
        traces.push((payloadOf(await invoke(name, event)) as { trace: string }).trace);
      }
      for (const trace of traces) expect(trace).toMatch(TRACE);
      expect(new Set(traces).size).toBe(4);
    });

    it("keeps the Root of the caller's X-Amzn-Trace-Id", async () => {
      const traceId = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      for (const [name, event] of [['sh-api', { mode: 'view' }], ['node-view', {}], ['py-view', {}]] as const) {
        const trace = (payloadOf(await invoke(name, event, { traceId })) as { trace: string }).trace;
        expect(trace).toMatch(/^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=0$/);
      }
    });
  });

  describe('nodejs answers as AWS\'s client takes them', () => {
    it.each([
      ['succeed-later', 'success', { via: 'succeed' }],
      ['done', 'success', 'done value'],
      ['first-wins', 'success', 'first'],
      ['nothing', 'success', null],
      ['no-wait', 'success', 'right away'],
    ])('%s', async (mode, kind, body) => {
      const r = await platform.invokeJson('node-legacy', { mode });
      expect([r.outcome.kind, r.body]).toEqual([kind, body]);
    });

    it('context.fail, with an error and with nothing', async () => {
      const failed = await platform.invokeJson('node-legacy', { mode: 'fail' });
      expect([failed.outcome.kind, failed.body]).toMatchObject(['function-error', { errorType: 'TypeError', errorMessage: 'failed by context.fail' }]);
      const nothing = await platform.invokeJson('node-legacy', { mode: 'fail-nothing' });
      expect([nothing.outcome.kind, nothing.body]).toEqual(['function-error', { errorType: 'string', errorMessage: 'handled', trace: [] }]);
    });

    it('a callback answers once the event loop is empty, unless callbackWaitsForEmptyEventLoop is false', async () => {
      const r = await platform.invokeJson('node-legacy', { mode: 'waits' });
      expect(r.body).toBe('after the timer');
      // The timer's line is in this call's log, between START and END: the answer waited for it.
      expect(r.log.split('\n').filter((l) => l.includes('timer fired')).map((l) => l.replace(TIME, 'TIME'))).toEqual([`TIME\t${r.requestId}\tINFO\ttimer fired`]);
      expect(r.log.indexOf('timer fired')).toBeLessThan(r.log.indexOf('END RequestId'));
    });

    it('a plain function that answers later through context.succeed', async () => {
      const r = await platform.invokeJson('node-legacy-sync');
      expect([r.outcome.kind, r.body]).toEqual(['success', 'later']);
    });

    it.each(['circular', 'bigint'])('a result JSON cannot write (%s) fails as in AWS\'s client: "Unable to stringify response body"', async (mode) => {
      const r = await platform.invokeJson('node-marshal', { mode });
      const body = r.body as { errorType: string; errorMessage: string; trace: string[] };
      expect([r.outcome.kind, body.errorType, body.errorMessage, body.trace[0]]).toEqual(['function-error', 'Error', 'Unable to stringify response body', 'Error: Unable to stringify response body']);
    });

    it('a thrown non-Error is reported by its type', async () => {
      const r = await platform.invokeJson('node-marshal', { mode: 'throw-string' });
      expect(r.body).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });
    });
  });

  describe('python as awslambdaric sets it up', () => {
    it('logging: the root logger writes Lambda\'s format, WARNING by default, and basicConfig adds nothing', async () => {
      const r = await platform.invokeJson('py-view', { mode: 'log' });
      expect(r.body).toBe(1);
      const lines = r.log.split('\n').filter((l) => l.startsWith('[')).map((l) => l.replace(TIME, 'TIME'));
      expect(lines).toEqual([`[WARNING]\tTIME\t${r.requestId}\tshown at WARNING`, `[INFO]\tTIME\t${r.requestId}\tx`]);
    });

    it('logging: AWS_LAMBDA_LOG_LEVEL sets the level', async () => {
      const r = await platform.invokeJson('py-debug');
      expect(r.log.split('\n').filter((l) => l.startsWith('[')).map((l) => l.replace(TIME, 'TIME'))).toEqual([`[DEBUG]\tTIME\t${r.requestId}\td`]);
    });

    it.each([
      ['set', 'Unable to marshal response: Object of type set is not JSON serializable'],
      ['circular', 'Unable to marshal response: Circular reference detected'],
    ])('a result json cannot write (%s) is Runtime.MarshalError', async (mode, errorMessage) => {
      const r = await platform.invokeJson('py-view', { mode });
      expect(r.outcome).toMatchObject({ kind: 'function-error', errorType: 'Runtime.MarshalError' });
      expect(r.body).toEqual({ errorMessage, errorType: 'Runtime.MarshalError', requestId: r.requestId, stackTrace: [] });
      expect(r.log).toContain(`[ERROR] Runtime.MarshalError: ${errorMessage}\rTraceback (most recent call last):\n`);
    });

    it('runs from its compiled form, made when the platform installed it (no compile on a cold start)', async () => {
      expect((await platform.invokeJson('py-view', { mode: 'compiled' })).body).toEqual({ origin: '/var/runtime/faasbench_runtime.py', current: true });
    });

    it('Decimal (as boto3 reads DynamoDB numbers) is written as a number', async () => {
      expect((await platform.invokeJson('py-view', { mode: 'decimal' })).body).toEqual({ n: 1.5, i: 3 });
    });
  });

  describe('the Runtime API', () => {
    it.each([
      [{ type: 'Function.Oops' }, 'Function.Oops'],
      [{ type: 'MyOwnError' }, 'Runtime.Unknown'],
      [{}, 'Runtime.Unknown'],
    ])('an error posted without a body reaches the caller as Lambda builds it (%j)', async (header, errorType) => {
      const r = await invoke('sh-api', { mode: 'empty-error', ...header });
      expect(r.outcome.kind).toBe('function-error');
      expect(r.outcome.payload.toString()).toBe(`{"errorMessage":"Unknown application error occurred","errorType":"${errorType}"}`);
    });

    it('keeps output printed after a response for the next call\'s log, before its START line', async () => {
      const first = await platform.invokeJson('sh-api', { mode: 'after' });
      expect(first.body).toBe('answered');
      expect(first.log).not.toContain('after response');
      const second = await platform.invokeJson('sh-api', { mode: 'plain' });
      expect(second.instanceId).toBe(first.instanceId);
      expect(second.log.startsWith(`after response ${first.requestId}\nSTART RequestId: ${second.requestId} Version: $LATEST\n`)).toBe(true);
    });

    it('gives the caller an init error exactly as posted, refuses /next after it and ends the instance, with INIT_REPORT', async () => {
      const r = await invoke('sh-init-error');
      expect(r.outcome).toMatchObject({ kind: 'function-error', errorType: 'Runtime.CustomInit' });
      expect(r.outcome.payload.toString()).toBe(POSTED_INIT_ERROR);
      expect(r.log.replace(/Init Duration: \d+\.\d\d ms/, 'Init Duration: D ms')).toMatch(
        new RegExp(`^INIT_START [^\\n]*\\ninitialising\\nINIT_REPORT Init Duration: D ms\\tPhase: init\\tStatus: error\\tError Type: Runtime\\.CustomInit\\nSTART RequestId: ${r.requestId} Version: \\$LATEST\\nEND RequestId: ${r.requestId}\\nREPORT RequestId: ${r.requestId}\\t[^\\n]*\\tStatus: error\\tError Type: Runtime\\.CustomInit\\t\\n$`),
      );
      const again = await invoke('sh-init-error');
      expect([again.cold, again.instanceId === r.instanceId]).toEqual([true, false]);
    });

    it.each([
      ['node-no-module', 'Runtime.ImportModuleError'],
      ['sh-init-exit', 'Runtime.ExitError'],
    ])('%s: INIT_REPORT names the error type of the failed init', async (name, errorType) => {
      const r = await invoke(name);
      expect(r.outcome).toMatchObject({ kind: 'function-error', errorType });
      const initReports = r.log.split('\n').filter((l) => l.startsWith('INIT_REPORT'));
      expect(initReports.map((l) => l.replace(/\d+\.\d\d ms/, 'D ms'))).toEqual([`INIT_REPORT Init Duration: D ms\tPhase: init\tStatus: error\tError Type: ${errorType}`]);
      expect(r.log.indexOf('INIT_REPORT')).toBeLessThan(r.log.indexOf('START RequestId'));
    });
  });
});
