// The python and provided runtimes, cold then warm, and the example functions as shipped.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { invokeHttp, REPO, startPlatform } from './support/platform.ts';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.stop();
});

describe.each([
  ['hello', 'nodejs', 'hello faasbench'],
  ['hello-py', 'python', 'hello faasbench'],
  ['hello-sh', 'provided', 'hello from sh'],
])('%s (%s runtime)', (name, runtime, message) => {
  it('is cold on the first call and warm on the second, on the same instance', async () => {
    platform.deployFolder(path.join(REPO, 'functions', name));
    const first = await invokeHttp(platform, name, { name: 'faasbench' });
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ message, runtime, event: { name: 'faasbench' } });
    expect(first.headers['x-faasbench-cold']).toBe('true');
    expect(Number(first.headers['x-faasbench-init-ms'])).toBeGreaterThan(0);
    const second = await invokeHttp(platform, name, { name: 'faasbench' });
    expect(second.status).toBe(200);
    expect(second.headers['x-faasbench-cold']).toBe('false');
    expect(second.headers['x-faasbench-init-ms']).toBe('');
    expect(second.headers['x-faasbench-instance-id']).toBe(first.headers['x-faasbench-instance-id']);
  });
});

describe('python runtime errors', () => {
  it('reports an exception with its Python type', async () => {
    const { writeFunction } = await import('./support/platform.ts');
    platform.deployFolder(writeFunction({ name: 'py-raise', runtime: 'python3.11', handler: 'app.handler' }, { 'app.py': 'def handler(event, context):\n    raise ValueError("no good")\n' }));
    const r = await invokeHttp(platform, 'py-raise');
    expect(r.headers['x-amz-function-error']).toBe('Unhandled');
    expect(r.json()).toMatchObject({ errorType: 'ValueError', errorMessage: 'no good' });
  });
});
