// The grpc provider against a second implementation: a Greeter served by Debian's python3-grpcio.
import { describe, expect, it } from 'vitest';
import { createGrpcProvider } from '../src/providers/grpc.ts';
import { RATE, SECONDS } from './grpc/constant-run.ts';
import { expectConstantRunOk, expectDeadlineExceeded, useGreeter } from './grpc/greeter-setup.ts';
import { startPythonGreeter } from './grpc/python.ts';

const setup = useGreeter(startPythonGreeter);

describe('grpc provider against python3-grpcio', () => {
  it(`records every call of constant ${RATE}/s for ${SECONDS} s ok, with its lateness`, { timeout: 25_000 }, async () => {
    await expectConstantRunOk(setup.grpc, 'python3-grpcio');
    const reply = await setup.grpc.invoke('greeter', Buffer.from('{"name":"python"}'));
    expect(JSON.parse(reply.payload.toString())).toEqual({ message: 'hello python' });
  });

  it('gives a deadline exceeded DEADLINE_EXCEEDED', () => expectDeadlineExceeded(setup.server.port));

  it('gives the endpoint gone UNAVAILABLE', async () => {
    const port = setup.server.port;
    await setup.server.stop();
    const after = await createGrpcProvider({ endpoint: '127.0.0.1', port, deadlineMs: 5000 });
    try {
      expect(await after.invoke('greeter', Buffer.from('{}'))).toMatchObject({ status: 'transport-error', errorClass: 'UNAVAILABLE' });
    } finally {
      await after.close();
    }
  });
});
