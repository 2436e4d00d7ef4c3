// The local platform's gRPC trigger, driven by Debian's python3-grpcio client and by the grpc provider.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { createGrpcProvider } from '../src/providers/grpc.ts';
import { DEBIAN_PYTHON, scriptPath } from './grpc/python.ts';
import { nodeFunction, startPlatform } from './support/platform.ts';

interface Outcome {
  readonly code: string;
  readonly details: string | null;
  readonly message: string | null;
  readonly metadata: Record<string, string>;
}

let platform: LocalPlatform;
let target: string;
beforeAll(async () => {
  platform = await startPlatform({ grpc: { port: 0 } });
  target = `127.0.0.1:${platform.grpc!.port}`;
  platform.deployFolder(nodeFunction('hello', 'return { message: `hi ${event.name}` };'));
  platform.deployFolder(nodeFunction('echo', 'return event;'));
  platform.deployFolder(nodeFunction('broken', "throw new TypeError('no');"));
});
afterAll(async () => {
  await platform?.stop();
});

/** One python3-grpcio client process making each call in turn. */
async function pythonCalls(...calls: Record<string, string>[]): Promise<Outcome[]> {
  const { stdout } = await promisify(execFile)(DEBIAN_PYTHON, [scriptPath('greeter_client.py'), target, ...calls.map((c) => JSON.stringify(c))], { timeout: 20_000 });
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Outcome);
}

describe('gRPC trigger', () => {
  it('serves helloworld.Greeter/SayHello on its own port', () => {
    expect(platform.grpc).toEqual({ port: expect.any(Number), method: 'helloworld.Greeter/SayHello' });
    expect(platform.grpc!.port).not.toBe(Number(new URL(platform.url).port));
  });

  it("answers Debian's python3-grpcio client, routed by :authority or by metadata, with the platform's ground truth", async () => {
    const [byAuthority, byMetadata, text] = await pythonCalls(
      { name: 'python', authority: 'hello.default.example.com' },
      { name: 'python', function: 'hello' },
      { name: 'as text', function: 'echo' },
    );
    expect(byAuthority).toMatchObject({ code: 'OK', message: 'hi python', metadata: { 'x-faasbench-cold': 'true' } });
    expect(byAuthority!.metadata['x-faasbench-request-id']).toMatch(/^\S{8,}$/);
    expect(byMetadata).toMatchObject({ code: 'OK', message: 'hi python', metadata: { 'x-faasbench-cold': 'false' } });
    // A result that is not a HelloReply goes into its message as JSON: the event is the request, defaults included.
    expect(JSON.parse(text!.message!)).toEqual({ name: 'as text', vHiveMetadata: '' });
  });

  it('gives a function error UNKNOWN with its type, and unknown or unnamed functions NOT_FOUND', async () => {
    const [broken, absent, unnamed] = await pythonCalls({ name: 'x', function: 'broken' }, { name: 'x', authority: 'absent.default.example.com' }, { name: 'x' });
    expect(broken).toMatchObject({ code: 'UNKNOWN', details: 'TypeError: no', metadata: { 'x-faasbench-error-type': 'TypeError' } });
    expect(absent).toMatchObject({ code: 'NOT_FOUND', details: expect.stringContaining('no function "absent" is deployed') });
    expect(unnamed).toMatchObject({ code: 'NOT_FOUND', details: expect.stringContaining('name the function in metadata "faasbench-function: <name>"') });
  });

  it('is driven by the grpc provider, Knative style, with the ground truth as facts', async () => {
    const grpc = await createGrpcProvider({ endpoint: target, authority: '{fn}.default.example.com', request: { name: 'provider' } });
    try {
      const r = await grpc.invoke('hello', Buffer.from('{}'));
      expect(r).toMatchObject({ status: 'ok', errorClass: null, facts: { cold: false, memoryMb: 128 } });
      expect(JSON.parse(r.payload.toString())).toEqual({ message: 'hi provider' });
      expect(r.facts.requestId).toMatch(/^\S{8,}$/);
      const failed = await grpc.invoke('broken', Buffer.from('{}'));
      expect(failed).toMatchObject({ status: 'function-error', errorClass: 'UNKNOWN', facts: { cold: false } });
      expect(await grpc.invoke('absent', Buffer.from('{}'))).toMatchObject({ status: 'rejected', errorClass: 'NOT_FOUND' });
    } finally {
      await grpc.close();
    }
  });
});
