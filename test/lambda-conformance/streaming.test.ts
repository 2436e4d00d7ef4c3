/**
 * Response streaming judged by AWS's JS SDK (InvokeWithResponseStream, its event-stream decoder)
 * and by curl on a RESPONSE_STREAM function URL: chunks arrive as the function writes them, an
 * error midway ends the stream with InvokeComplete's ErrorCode, and a function that does not
 * stream arrives whole.
 */
import { CreateFunctionUrlConfigCommand, InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../src/platform/platform.ts';
import { nodeFunction, startPlatform, writeFunction } from '../support/platform.ts';
import { clientEnv, run } from './support/clients.ts';

const STREAMER = `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  let out = responseStream;
  if (event.rawPath === '/http') out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'x-made': 'stream' }, cookies: ['c=1'] });
  for (const part of ['a', 'b', 'c']) {
    out.write(part);
    if (event.fail && part === 'b') throw new Error('midway');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  out.end();
});
`;

type Seen = ['chunk', string] | ['complete', Record<string, unknown>];

describe('response streaming', () => {
  let platform: LocalPlatform;
  let sdk: LambdaClient;

  beforeAll(async () => {
    platform = await startPlatform();
    sdk = new LambdaClient({ endpoint: platform.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    platform.deployFolder(writeFunction({ name: 'streamer', runtime: 'nodejs', handler: 'index.handler', cpuModel: 'none' }, { 'index.mjs': STREAMER }));
    platform.deployFolder(nodeFunction('whole', `return { whole: true };`, { cpuModel: 'none' }));
  });
  afterAll(async () => {
    sdk?.destroy();
    await platform?.stop();
  });

  async function streamed(name: string, event: unknown): Promise<{ version: string | undefined; seen: Seen[] }> {
    const out = await sdk.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
    const seen: Seen[] = [];
    for await (const e of out.EventStream as AsyncIterable<InvokeWithResponseStreamResponseEvent>) {
      if (e.PayloadChunk) seen.push(['chunk', Buffer.from(e.PayloadChunk.Payload ?? []).toString()]);
      if (e.InvokeComplete) seen.push(['complete', { ...e.InvokeComplete }]);
    }
    return { version: out.ExecutedVersion, seen };
  }

  it('sends each chunk as the function writes it, then InvokeComplete', async () => {
    expect(await streamed('streamer', {})).toEqual({
      version: '$LATEST',
      seen: [['chunk', 'a'], ['chunk', 'b'], ['chunk', 'c'], ['complete', {}]],
    });
  });

  it('ends a stream that fails midway with the error in InvokeComplete', async () => {
    const { seen } = await streamed('streamer', { fail: true });
    expect(seen.slice(0, 2)).toEqual([['chunk', 'a'], ['chunk', 'b']]);
    const complete = seen[2] as ['complete', { ErrorCode?: string; ErrorDetails?: string }];
    expect([seen.length, complete[0], complete[1].ErrorCode, JSON.parse(complete[1].ErrorDetails ?? '{}').errorMessage]).toEqual([3, 'complete', 'Error', 'midway']);
  });

  it('answers a function that does not stream in one chunk, and a buffered Invoke of a streaming one whole', async () => {
    expect((await streamed('whole', {})).seen).toEqual([['chunk', '{"whole":true}'], ['complete', {}]]);
    const buffered = await sdk.send(new InvokeCommand({ FunctionName: 'streamer', Payload: Buffer.from('{}') }));
    expect(Buffer.from(buffered.Payload ?? []).toString()).toBe('abc');
  });

  it('streams a RESPONSE_STREAM function URL to curl, status, headers and cookies from the prelude', async () => {
    const config = await sdk.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'streamer', AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }));
    const url = `${config.FunctionUrl ?? ''}http`;
    const result = await run('/usr/bin/curl', ['-s', '-N', '-D', '-', url], clientEnv(), 30_000);
    expect(result.code, result.stderr).toBe(0);
    const [head = '', body] = result.stdout.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 201/);
    expect(head.toLowerCase()).toContain('x-made: stream');
    expect(head.toLowerCase()).toContain('set-cookie: c=1');
    expect(body).toBe('abc');
  });
});
