// `trace replay --provider grpc` of an imported vSwarm load.json against the local platform's gRPC trigger.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { nodeFunction, REPO, scratchDir, startPlatform } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform({ grpc: { port: 0 } });
  platform.deployFolder(nodeFunction('aes-go', 'return { message: `aes ${event.name}` };'));
  platform.deployFolder(nodeFunction('fibonacci-python', 'return { message: "fib" };'));
});
afterAll(async () => {
  await platform?.stop();
});

describe('trace replay --provider grpc against the gRPC trigger', () => {
  it('sends every call of an imported load.json to the function its endpoint names, all recorded ok', async () => {
    const dir = scratchDir('grpc-replay');
    const load = path.join(dir, 'load.json');
    writeFileSync(load, JSON.stringify([
      { timestamp: [1_000, 200_000, 500_000], endpoint: ['aes-go', 'fibonacci-python', 'aes-go'] },
      { timestamp: [], endpoint: [] },
      { timestamp: [100_000, 100_000], endpoint: ['fibonacci-python', 'aes-go'] },
    ]));
    const plan = path.join(dir, 'load.fbplan');
    await run(process.execPath, [BIN, 'trace', 'import', load, '--unit', 'second', '--out', plan]);
    const { stdout } = await run(process.execPath, [
      BIN, 'trace', 'replay', '--plan', plan, '--no-deploy', '--provider', 'grpc',
      '-o', `endpoint=127.0.0.1:${platform.grpc!.port}`, '-o', 'authority={fn}.default.example.com',
      '--store', path.join(dir, 'runs.db'), '--json',
    ], { timeout: 30_000 });
    const result = JSON.parse(stdout) as { status: string; functions: number; failures: { failed: number }; summary: { warm: number; cold: number } };
    expect(result).toMatchObject({ status: 'completed', functions: 2, failures: { failed: 0 }, summary: { total: 5, ok: 5, byStatus: { ok: 5 }, errorClasses: {} } });
    // The trigger's ground truth reached the records: each call is known cold or warm.
    expect(result.summary.cold + result.summary.warm).toBe(5);
  }, 30_000);
});
