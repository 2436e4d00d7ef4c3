// The grpc provider against a Greeter served by grpc-js on loopback (test/grpc/greeter-server.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { NO_FACTS } from '../core/invocation-record.ts';
import { RATE, SECONDS } from '../../test/grpc/constant-run.ts';
import { startGreeter } from '../../test/grpc/greeter-server.ts';
import { expectConstantRunOk, expectDeadlineExceeded, useGreeter } from '../../test/grpc/greeter-setup.ts';
import { scratchDir } from '../../test/support/platform.ts';
import { closedPort } from './conformance.ts';
import { createGrpcProvider } from './grpc.ts';

const setup = useGreeter(startGreeter);

describe('grpc provider against grpc-js', () => {
  it(`records every call of constant ${RATE}/s for ${SECONDS} s ok, with its lateness, over one channel`, { timeout: 25_000 }, async () => {
    const { server: greeter, grpc } = setup;
    const before = greeter.seen.length;
    await expectConstantRunOk(grpc, 'grpc-js');
    const served = greeter.seen.slice(before);
    expect(served).toHaveLength(RATE * SECONDS);
    expect(new Set(served.map((c) => c.peer)).size).toBe(1);
  });

  it('sends the payload over the request option, metadata and :authority, and returns the reply as JSON', async () => {
    const routed = await createGrpcProvider({
      endpoint: `127.0.0.1:${setup.server.port}`,
      authority: '{fn}.default.example.com',
      request: { name: 'from {fn}' },
      metadata: { 'faasbench-function': 'aes' },
    });
    try {
      const defaults = await routed.invoke('aes', Buffer.from('{}'));
      expect(defaults).toMatchObject({ status: 'ok', errorClass: null, facts: NO_FACTS });
      expect(JSON.parse(defaults.payload.toString())).toEqual({ message: 'hello from aes' });
      const own = await routed.invoke('aes', Buffer.from('{"name":"payload"}'));
      expect(JSON.parse(own.payload.toString())).toEqual({ message: 'hello payload' });
      expect(setup.server.seen.at(-1)).toMatchObject({ name: 'payload', authority: 'aes.default.example.com', metadata: { 'faasbench-function': 'aes' } });
    } finally {
      await routed.close();
    }
  });

  it("reaches a function named by its host, as an imported load.json's endpoints are, with the port added", async () => {
    const byName = await createGrpcProvider({ port: setup.server.port });
    try {
      const r = await byName.invoke('127.0.0.1', Buffer.from('{"name":"by host"}'));
      expect(r).toMatchObject({ status: 'ok' });
      expect(setup.server.seen.at(-1)).toMatchObject({ name: 'by host', authority: `127.0.0.1:${setup.server.port}` });
    } finally {
      await byName.close();
    }
  });

  it('gives a deadline exceeded its gRPC status class', () => expectDeadlineExceeded(setup.server.port));

  it('gives an unreachable endpoint its gRPC status class', async () => {
    const dead = await createGrpcProvider({ endpoint: '127.0.0.1', port: await closedPort(), deadlineMs: 5000 });
    try {
      const r = await dead.invoke('greeter', Buffer.from('{}'));
      expect(r).toMatchObject({ status: 'transport-error', httpStatus: null, errorClass: 'UNAVAILABLE', facts: NO_FACTS });
    } finally {
      await dead.close();
    }
  });

  it('speaks TLS when told, trusting caFile, and fails as UNAVAILABLE on an untrusted certificate or plaintext', async () => {
    const dir = scratchDir('grpc-tls');
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const secure = await startGreeter({ key: readFileSync(key), cert: readFileSync(cert) });
    const providers = await Promise.all([
      createGrpcProvider({ endpoint: '127.0.0.1', port: secure.port, tls: true, caFile: cert }),
      createGrpcProvider({ endpoint: '127.0.0.1', port: secure.port, tls: true, deadlineMs: 5000 }),
      createGrpcProvider({ endpoint: '127.0.0.1', port: secure.port, deadlineMs: 5000 }),
    ]);
    try {
      const [trusted, untrusted, plaintext] = await Promise.all(providers.map((p) => p.invoke('greeter', Buffer.from('{"name":"tls"}'))));
      expect(trusted).toMatchObject({ status: 'ok', errorClass: null });
      expect(JSON.parse(trusted!.payload.toString())).toEqual({ message: 'hello tls' });
      expect(untrusted).toMatchObject({ status: 'transport-error', errorClass: 'UNAVAILABLE' });
      expect(plaintext).toMatchObject({ status: 'transport-error', errorClass: 'UNAVAILABLE' });
    } finally {
      await Promise.all(providers.map((p) => p.close()));
      await secure.stop();
    }
  });

  it('refuses a payload the request message cannot hold, without sending it', async () => {
    const before = setup.server.seen.length;
    for (const payload of ['{"nmae":"typo"}', '[1]', 'text']) {
      const r = await setup.grpc.invoke('greeter', Buffer.from(payload));
      expect(r).toMatchObject({ status: 'rejected', errorClass: 'INVALID_ARGUMENT' });
    }
    expect(setup.server.seen.length).toBe(before);
  });

  it('refuses bad options, naming them', async () => {
    await expect(createGrpcProvider({ method: 'Greeter' })).rejects.toThrow('provider grpc: option "method": expected package.Service/Method');
    await expect(createGrpcProvider({ method: 'helloworld.Greeter/SayBye' })).rejects.toThrow('has no method helloworld.Greeter/SayBye (it has: helloworld.Greeter/SayHello)');
    await expect(createGrpcProvider({ proto: '/nonexistent.proto' })).rejects.toThrow('provider grpc: option "proto": no such file /nonexistent.proto');
    await expect(createGrpcProvider({ request: { nmae: 'x' } })).rejects.toThrow('provider grpc: option "request": helloworld.Greeter/SayHello\'s request has no field "nmae"');
    await expect(createGrpcProvider({ port: 70_000 })).rejects.toThrow('provider grpc: option "port"');
    await expect(createGrpcProvider({ caFile: '/ca.pem' })).rejects.toThrow('option "caFile": only used with tls=true');
    await expect(createGrpcProvider({ url: 'http://x' })).rejects.toThrow('provider grpc: unknown option "url"');
  });

  it('cannot deploy, update or remove', async () => {
    await expect(setup.grpc.updateConfiguration('greeter', { memoryMb: 256 })).rejects.toThrow('provider grpc cannot update a configuration');
    await expect(setup.grpc.remove('greeter')).rejects.toThrow('provider grpc cannot remove');
  });
});
