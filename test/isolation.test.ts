// Each instance has its own /tmp, read-only code and a clean environment, in every runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { invokeHttp, nodeFunction, startPlatform, writeFunction, type HttpReply } from './support/platform.ts';

const SECRET = 'FAASBENCH_TEST_GATEWAY_SECRET';
const STANDARD = [
  'AWS_DEFAULT_REGION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_MAX_CONCURRENCY', 'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION', 'FAASBENCH_INVOKE_URL', 'FAASBENCH_STORAGE_URL', 'LAMBDA_RUNTIME_DIR', 'LAMBDA_TASK_ROOT', 'LANG', 'PATH', 'TMPDIR', 'TZ', '_HANDLER',
];
/** Lambda's managed runtimes only: none for the provided family. _X_AMZN_TRACE_ID is set per call by the runtime. */
const MANAGED = ['AWS_EXECUTION_ENV', '_X_AMZN_TRACE_ID'];
/** Python sets LC_CTYPE itself when the C locale is coerced to UTF-8 (PEP 538). */
const SET_BY_INTERPRETER = ['LC_CTYPE'];

interface Probe {
  env: string[];
  tmp: string[];
  codeWritable: boolean;
}

// Each handler: waits (so simultaneous calls need separate instances), writes a file named after
// the marker into its temp dir, lists that dir, tries to write into its code, lists its environment.
const NODE_PROBE = `
  const fs = await import('node:fs'); const os = await import('node:os'); const path = await import('node:path');
  await new Promise((r) => setTimeout(r, 300));
  fs.writeFileSync(path.join(os.tmpdir(), event.marker), 'x');
  let codeWritable = true;
  try { fs.writeFileSync(path.join(process.env.LAMBDA_TASK_ROOT, 'probe'), 'x'); } catch { codeWritable = false; }
  return { env: Object.keys(process.env).sort(), tmp: fs.readdirSync(os.tmpdir()).sort(), codeWritable };`;

const PYTHON_PROBE = `import os, tempfile, time
def handler(event, context):
    time.sleep(0.3)
    d = tempfile.gettempdir()
    open(os.path.join(d, event["marker"]), "w").write("x")
    try:
        open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "probe"), "w").write("x")
        writable = True
    except OSError:
        writable = False
    return {"env": sorted(os.environ.keys()), "tmp": sorted(os.listdir(d)), "codeWritable": writable}
`;

// A provided runtime written as a node script: any executable speaking the Runtime API.
const PROVIDED_PROBE = `#!/usr/bin/env node
const http = require('node:http'); const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':'); const base = '/2018-06-01/runtime';
const call = (method, p, body) => new Promise((resolve) => { const req = http.request({ host, port, method, path: base + p }, (res) => { let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => resolve({ headers: res.headers, body: d })); }); req.end(body); });
(async () => { for (;;) {
  const next = await call('GET', '/invocation/next'); const id = next.headers['lambda-runtime-aws-request-id']; const event = JSON.parse(next.body);
  await new Promise((r) => setTimeout(r, 300));
  fs.writeFileSync(path.join(os.tmpdir(), event.marker), 'x');
  let codeWritable = true; try { fs.writeFileSync(path.join(process.env.LAMBDA_TASK_ROOT, 'probe'), 'x'); } catch { codeWritable = false; }
  await call('POST', '/invocation/' + id + '/response', JSON.stringify({ env: Object.keys(process.env).sort(), tmp: fs.readdirSync(os.tmpdir()).sort(), codeWritable }));
} })();
`;

// Both sandbox launchers: the compiled sandbox-exec (chosen where a C compiler builds it) and the
// shell wrapper it replaces must give the same sandbox.
describe.each([
  ['sandbox-exec', 'auto'],
  ['shell', 'shell'],
] as const)('launched by %s', (launcher, sandboxLauncher) => {
  let platform: LocalPlatform;
  beforeAll(async () => {
    process.env[SECRET] = 'must-not-leak';
    platform = await startPlatform({ sandboxLauncher });
  });
  afterAll(async () => {
    delete process.env[SECRET];
    await platform.stop();
  });

  describe.each([
    ['node-probe', () => nodeFunction('node-probe', NODE_PROBE, { environment: { DECLARED: 'yes' }, timeoutS: 30 }), MANAGED],
    ['py-probe', () => writeFunction({ name: 'py-probe', runtime: 'python', handler: 'app.handler', environment: { DECLARED: 'yes' }, timeoutS: 30 }, { 'app.py': PYTHON_PROBE }), MANAGED],
    ['sh-probe', () => writeFunction({ name: 'sh-probe', runtime: 'provided.al2023', environment: { DECLARED: 'yes' }, timeoutS: 30 }, { bootstrap: PROVIDED_PROBE }), []],
  ])('%s', (name, makeFolder, managed) => {
    it('sees only its own temp files, cannot write its code, and has a clean environment', async () => {
      expect([platform.facts.isolation, platform.facts.launcher]).toEqual(['namespace', launcher]);
      platform.deployFolder(makeFolder());
      const [a, b] = (await Promise.all([invokeHttp(platform, name, { marker: 'from-a' }), invokeHttp(platform, name, { marker: 'from-b' })])) as [HttpReply, HttpReply];
      // A wide timeout and the replies named on failure: a loaded machine may slow a probe, never fail it silently.
      expect([a.status, b.status, a.headers['x-amz-function-error'], b.headers['x-amz-function-error']], `${a.text}\n${b.text}`).toEqual([200, 200, undefined, undefined]);
      expect(a.headers['x-faasbench-instance-id']).not.toBe(b.headers['x-faasbench-instance-id']);
      const pa = a.json() as Probe;
      const pb = b.json() as Probe;
      expect(pa.tmp).toEqual(['from-a']);
      expect(pb.tmp).toEqual(['from-b']);
      expect(pa.codeWritable).toBe(false);
      for (const probe of [pa, pb]) {
        expect(probe.env).not.toContain(SECRET);
        expect(probe.env.filter((k) => !SET_BY_INTERPRETER.includes(k))).toEqual(['DECLARED', ...STANDARD, ...managed].sort());
      }
    });
  });
});
