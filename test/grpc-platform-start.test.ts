// `faasbench platform start --grpc-port`: the trigger as a user starts it, answered to python3-grpcio.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON, scriptPath } from './grpc/python.ts';
import { runCli, spawnCli } from './support/cli-process.ts';
import { nodeFunction, scratchDir } from './support/platform.ts';
import { waitFor } from './support/wait-for.ts';

describe('platform start --grpc-port', () => {
  it('serves the gRPC trigger on a port of its own and says which in --json', async () => {
    const fn = nodeFunction('greet', 'return { message: `greetings ${event.name}` };');
    const started = spawnCli(['platform', 'start', '--port', '0', '--grpc-port', '0', '--json', '--data-dir', scratchDir('grpc-start'), '--deploy', fn]);
    try {
      await waitFor(() => `the platform's JSON line (stderr: ${started.stderr()})`, () => started.stdout().includes('\n'), 20_000);
      const { url, grpc, functions } = JSON.parse(started.stdout().split('\n')[0]!) as { url: string; grpc: { port: number; method: string }; functions: string[] };
      expect(functions).toEqual(['greet']);
      expect(grpc).toEqual({ port: expect.any(Number), method: 'helloworld.Greeter/SayHello' });
      expect(grpc.port).not.toBe(Number(new URL(url).port));
      const { stdout } = await promisify(execFile)(DEBIAN_PYTHON, [scriptPath('greeter_client.py'), `127.0.0.1:${grpc.port}`, JSON.stringify({ name: 'cli', authority: 'greet.default.example.com:80' })], { timeout: 20_000 });
      expect(JSON.parse(stdout)).toMatchObject({ code: 'OK', message: 'greetings cli' });
    } finally {
      started.child.kill('SIGTERM');
      await started.done;
    }
  }, 29_000);

  it('refuses --grpc-method without --grpc-port', async () => {
    const r = await runCli(['platform', 'start', '--grpc-method', 'helloworld.Greeter/SayHello']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--grpc-proto and --grpc-method need --grpc-port (the gRPC trigger is off without it)');
  }, 15_000);
});
