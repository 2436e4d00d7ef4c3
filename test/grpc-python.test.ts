// The grpc provider against a second implementation: a Greeter served by Debian's python3-grpcio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../src/core/provider.ts';
import { createGrpcProvider } from '../src/providers/grpc.ts';
import { constantRun, latenessSummary, RATE, SECONDS } from './grpc/constant-run.ts';
import { startPythonGreeter, type PythonServer } from './grpc/python.ts';

let server: PythonServer;
let grpc: Provider;
beforeAll(async () => {
  server = await startPythonGreeter();
  grpc = await createGrpcProvider({ endpoint: '127.0.0.1', port: server.port });
});
afterAll(async () => {
  await grpc?.close();
  await server?.stop();
});

describe('grpc provider against python3-grpcio', () => {
  it(`records every call of constant ${RATE}/s for ${SECONDS} s ok, with its lateness`, { timeout: 25_000 }, async () => {
    const records = await constantRun(grpc, 'greeter', { name: 'bench' });
    console.log(`python3-grpcio: ${records.length} calls, ${latenessSummary(records)}`);
    expect(records).toHaveLength(RATE * SECONDS);
    expect(records.map((r) => r.seq)).toEqual([...Array(RATE * SECONDS).keys()]);
    for (const r of records) {
      expect(r).toMatchObject({ status: 'ok', errorClass: null });
      expect(r.sentUs).toBeGreaterThanOrEqual(r.plannedUs);
    }
    const reply = await grpc.invoke('greeter', Buffer.from('{"name":"python"}'));
    expect(JSON.parse(reply.payload.toString())).toEqual({ message: 'hello python' });
  });

  it('gives a deadline exceeded DEADLINE_EXCEEDED', async () => {
    const hurried = await createGrpcProvider({ endpoint: `127.0.0.1:${server.port}`, deadlineMs: 100 });
    try {
      expect(await hurried.invoke('greeter', Buffer.from('{"name":"sleep:1000"}'))).toMatchObject({ status: 'transport-error', errorClass: 'DEADLINE_EXCEEDED' });
    } finally {
      await hurried.close();
    }
  });

  it('gives the endpoint gone UNAVAILABLE', async () => {
    const port = server.port;
    await server.stop();
    const after = await createGrpcProvider({ endpoint: '127.0.0.1', port, deadlineMs: 5000 });
    try {
      expect(await after.invoke('greeter', Buffer.from('{}'))).toMatchObject({ status: 'transport-error', errorClass: 'UNAVAILABLE' });
    } finally {
      await after.close();
    }
  });
});
