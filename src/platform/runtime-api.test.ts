import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseTransition, reportedErrorType, runtimeApi, type RuntimeState, type RuntimeTarget } from './runtime-api.ts';

/** Records what the Runtime API hands its instance; the state it is in decides /init/error. */
class Target implements RuntimeTarget {
  state: RuntimeState | null = null;
  readonly calls: Array<[string, string, string | undefined]> = [];
  next(res: ServerResponse): void {
    refuseTransition(res, 'InitError', 'Ready');
  }
  respond(): boolean {
    return true;
  }
  fail(requestId: string, payload: Buffer, errorType: string | undefined): boolean {
    this.calls.push([requestId, payload.toString(), errorType]);
    return true;
  }
  responseTooLarge(): boolean {
    return true;
  }
  reportInitError(payload: Buffer, errorType: string | undefined): RuntimeState | null {
    if (this.state === null) this.calls.push(['init', payload.toString(), errorType]);
    return this.state;
  }
  streamStart(requestId: string, contentType: string): boolean {
    this.calls.push(['stream-start', requestId, contentType]);
    return true;
  }
  streamChunk(requestId: string, bytes: Buffer): boolean {
    this.calls.push(['stream-chunk', requestId, bytes.toString()]);
    return true;
  }
  streamEnd(requestId: string, error: { type: string; body: Buffer } | undefined): boolean {
    this.calls.push(['stream-end', requestId, error ? `${error.type} ${error.body.toString()}` : undefined]);
    return true;
  }
}

const target = new Target();
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => runtimeApi(target, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/2018-06-01/runtime`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (route: string, body: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${base}${route}`, { method: 'POST', body, headers });

describe('Runtime API', () => {
  it('answers a transition the runtime is not in a state for as Lambda does: 403 InvalidStateTransition', async () => {
    const next = await fetch(`${base}/invocation/next`);
    expect([next.status, await next.text()]).toEqual([
      403,
      '{"errorMessage":"State transition from InitError to Ready failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}',
    ]);
    target.state = 'Running';
    const late = await post('/init/error', '{}');
    expect([late.status, await late.text()]).toEqual([
      403,
      '{"errorMessage":"State transition from Running to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}',
    ]);
    target.state = null;
  });

  it('hands an error body over as posted, and builds one from the error type header when it is empty', async () => {
    target.calls.length = 0;
    expect((await post('/init/error', ' {"errorType" : "X"} ', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.X' })).status).toBe(202);
    expect((await post('/init/error', '', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Why' })).status).toBe(202);
    expect((await post('/invocation/r1/error', '')).status).toBe(202);
    expect(target.calls).toEqual([
      ['init', ' {"errorType" : "X"} ', 'Runtime.X'],
      ['init', '{"errorMessage":"Unknown application error occurred","errorType":"Runtime.Why"}', 'Runtime.Why'],
      ['r1', '{"errorMessage":"Unknown application error occurred","errorType":"Runtime.Unknown"}', undefined],
    ]);
  });

  it("names the error type Lambda's log lines name: the runtime's own where it looks like Lambda's", () => {
    expect(
      [undefined, '', 'TypeError', 'Runtime.ImportModuleError', 'Function.Oops', 'Function.', 'Function.lower', 'Runtime.X', 'Custom.Runtime.Thing'].map(reportedErrorType),
    ).toEqual(['Runtime.Unknown', 'Runtime.Unknown', 'Runtime.Unknown', 'Runtime.ImportModuleError', 'Function.Oops', 'Function.Unknown', 'Function.Unknown', 'Runtime.Unknown', 'Custom.Runtime.Thing']);
  });
});
