// The gRPC trigger over a stand-in platform: what reaches invoke, and what each answer becomes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaasbenchError } from '../src/core/errors.ts';
import type { Provider } from '../src/core/provider.ts';
import { createGrpcProvider } from '../src/providers/grpc.ts';
import { startGrpcTrigger, type GrpcTrigger, type GrpcTriggerTarget } from '../src/platform/grpc-trigger.ts';
import type { InvocationOutcome, InvocationResult } from '../src/platform/invocation.ts';

interface Seen {
  readonly name: string;
  readonly event: unknown;
  readonly caller: unknown;
}

const seen: Seen[] = [];
/** Answers by function name: `text` returns a string, `busy` is throttled, `gone` is not deployed. */
const target: GrpcTriggerTarget = {
  async invoke(name, payload, options) {
    seen.push({ name, event: JSON.parse(payload.toString()), caller: options?.caller });
    if (name === 'busy') throw new FaasbenchError('TooManyRequests', 'Rate Exceeded.');
    if (name === 'gone') throw new FaasbenchError('ResourceNotFound', 'Function not found');
    const outcome: InvocationOutcome = name === 'text' ? { kind: 'success', payload: Buffer.from('"plain words"') } : { kind: 'success', payload: Buffer.from('{"message":"as reply"}') };
    return result(name, outcome);
  },
};

function result(name: string, outcome: InvocationOutcome): InvocationResult {
  return { functionName: name, executedVersion: '$LATEST', requestId: 'req-12345678', instanceId: 'inst-12345678', cold: true, initMs: 12.5, durationMs: 3.25, billedMs: 4, memoryMb: 128, maxMemoryMb: 40, cpuVcpus: null, queueMs: 0, outcome, log: '' };
}

let trigger: GrpcTrigger;
let guarded: GrpcTrigger;
let grpc: Provider;
beforeAll(async () => {
  trigger = await startGrpcTrigger({ port: 0 }, '127.0.0.1', () => target, []);
  guarded = await startGrpcTrigger({ port: 0 }, '127.0.0.1', () => target, ['s3cret']);
  grpc = await createGrpcProvider({ endpoint: `127.0.0.1:${trigger.port}`, authority: '{fn}.default.example.com' });
});
afterAll(async () => {
  await grpc?.close();
  trigger?.close();
  guarded?.close();
});

describe('gRPC trigger', () => {
  it("passes the request as the event and the caller's traceparent, and answers with the reply and the ground truth", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const r = await grpc.invoke('hello', Buffer.from('{"name":"x"}'), { traceHeaders: { traceparent } });
    expect(seen.at(-1)).toEqual({ name: 'hello', event: { name: 'x', vHiveMetadata: '' }, caller: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' } });
    expect(r).toMatchObject({ status: 'ok', facts: { requestId: 'req-12345678', instanceId: 'inst-12345678', cold: true, initMs: 12.5, durationMs: 3.25, billedMs: 4, memoryMb: 128, maxMemoryMb: 40 } });
    expect(JSON.parse(r.payload.toString())).toEqual({ message: 'as reply' });
  });

  it('puts a result that is not a reply into the reply text', async () => {
    expect(JSON.parse((await grpc.invoke('text', Buffer.from('{}'))).payload.toString())).toEqual({ message: 'plain words' });
  });

  it('answers a throttle RESOURCE_EXHAUSTED and an unknown function NOT_FOUND', async () => {
    expect(await grpc.invoke('busy', Buffer.from('{}'))).toMatchObject({ status: 'throttled', errorClass: 'RESOURCE_EXHAUSTED' });
    expect(await grpc.invoke('gone', Buffer.from('{}'))).toMatchObject({ status: 'rejected', errorClass: 'NOT_FOUND' });
  });

  it("asks for the platform's token when it has one", async () => {
    const calls = seen.length;
    const [none, wrong, right] = await Promise.all(
      [{}, { authorization: 'Bearer nope' }, { authorization: 'Bearer s3cret' }].map(async (metadata) => {
        const p = await createGrpcProvider({ endpoint: `127.0.0.1:${guarded.port}`, metadata: { ...metadata, 'faasbench-function': 'hello' } });
        try {
          return await p.invoke('ignored', Buffer.from('{}'));
        } finally {
          await p.close();
        }
      }),
    );
    expect(none).toMatchObject({ status: 'rejected', errorClass: 'UNAUTHENTICATED' });
    expect(wrong).toMatchObject({ status: 'rejected', errorClass: 'UNAUTHENTICATED' });
    expect(right).toMatchObject({ status: 'ok' });
    expect(seen.length).toBe(calls + 1);
  });

  it('says why it cannot listen, naming the port', async () => {
    await expect(startGrpcTrigger({ port: trigger.port }, '127.0.0.1', () => target, [])).rejects.toThrow(`gRPC trigger port: cannot listen on 127.0.0.1:${trigger.port}`);
  });
});
