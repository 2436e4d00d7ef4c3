// The synthetic function: holds the memory and runs the duration it is asked for, reports what it
// actually did, refuses what cannot fit, and keeps serving afterwards.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { invokeHttp, REPO, startPlatform, type HttpReply } from './support/platform.ts';

interface SyntheticReport {
  requested: { durationMs: number; memoryMb: number };
  durationMs: number;
  memoryMb: number;
  rssMb: number;
}

const DIR = path.join(REPO, 'functions', 'synthetic');

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startPlatform();
  platform.deployFolder(DIR);
});
afterAll(async () => {
  await platform.stop();
});

function report(reply: HttpReply): SyntheticReport {
  expect(reply.status).toBe(200);
  expect(reply.headers['x-amz-function-error'], reply.text).toBeUndefined();
  return reply.json() as SyntheticReport;
}

function functionError(reply: HttpReply): { errorType: string; errorMessage: string } {
  expect(reply.status).toBe(200);
  expect(reply.headers['x-amz-function-error']).toBe('Unhandled');
  return reply.json() as { errorType: string; errorMessage: string };
}

describe('synthetic', () => {
  it('{durationMs: 300, memoryMb: 100} runs 300 ms to 1 s with at least 100 MB resident, by its own count and the platform\'s', async () => {
    const reply = await invokeHttp(platform, 'synthetic', { durationMs: 300, memoryMb: 100 });
    const r = report(reply);
    expect(r.requested).toEqual({ durationMs: 300, memoryMb: 100 });
    expect(r.durationMs).toBeGreaterThanOrEqual(300);
    expect(r.durationMs).toBeLessThan(1000);
    expect(r.memoryMb).toBe(100);
    expect(r.rssMb).toBeGreaterThanOrEqual(100);
    expect(Number(reply.headers['x-faasbench-duration-ms'])).toBeGreaterThanOrEqual(300);
    expect(Number(reply.headers['x-faasbench-max-memory-mb'])).toBeGreaterThanOrEqual(100);
  });

  it('hands the memory back after each call: 600 MB twice in a row fits in 1024 MB, and an empty call is back near the baseline', async () => {
    const first = await invokeHttp(platform, 'synthetic', { durationMs: 0, memoryMb: 600 });
    expect(report(first).rssMb).toBeGreaterThanOrEqual(600);
    const second = await invokeHttp(platform, 'synthetic', { durationMs: 0, memoryMb: 600 });
    expect(report(second).memoryMb).toBe(600);
    const empty = await invokeHttp(platform, 'synthetic', { durationMs: 0, memoryMb: 0 });
    const idle = report(empty);
    expect(idle.memoryMb).toBe(0);
    expect(idle.rssMb).toBeLessThan(200);
    expect(new Set([first, second, empty].map((r) => r.headers['x-faasbench-instance-id'])).size).toBe(1);
  });

  it('at memoryMb 128, asking for 400 MB is refused by the function (InvalidInput naming memoryMb, checked against AWS_LAMBDA_FUNCTION_MEMORY_SIZE) before the platform would kill it; the instance keeps serving', async () => {
    platform.deployFolder(DIR, { name: 'synthetic-128', memoryMb: 128 });
    const warmup = await invokeHttp(platform, 'synthetic-128', { durationMs: 0, memoryMb: 0 });
    report(warmup);
    const id = warmup.headers['x-faasbench-instance-id'];
    const refused = await invokeHttp(platform, 'synthetic-128', { durationMs: 10, memoryMb: 400 });
    const error = functionError(refused);
    expect(error.errorType).toBe('InvalidInput');
    expect(error.errorMessage).toMatch(/^field "memoryMb": 400 MB does not fit: the function has 128 MB \(AWS_LAMBDA_FUNCTION_MEMORY_SIZE\), \d+ MB of it resident already$/);
    expect(refused.headers['x-faasbench-instance-id']).toBe(id);
    const after = await invokeHttp(platform, 'synthetic-128', { durationMs: 10, memoryMb: 20 });
    expect(report(after).rssMb).toBeGreaterThanOrEqual(20);
    expect(after.headers['x-faasbench-instance-id']).toBe(id);
    expect(after.headers['x-faasbench-cold']).toBe('false');
  });

  it('bad input: a function error naming the field, and the instance keeps serving, warm', async () => {
    const cases: [unknown, string][] = [
      [{ durationMs: 'long', memoryMb: 1 }, 'field "durationMs": expected a number of milliseconds >= 0, got "long"'],
      [{ durationMs: -1, memoryMb: 1 }, 'field "durationMs": expected a number of milliseconds >= 0, got -1'],
      [{ durationMs: 10 }, 'field "memoryMb": expected a number of MB >= 0, got nothing'],
      [{ durationMs: 10, memoryMb: null }, 'field "memoryMb": expected a number of MB >= 0, got null'],
      [{ durationMs: 10, memoryMB: 5 }, 'field "memoryMB": unknown; expected durationMs, memoryMb'],
      [{ durationMs: 90_000, memoryMb: 1 }, 'field "durationMs": 90000 ms does not fit in the '],
      [[300, 100], 'the event must be a JSON object {durationMs, memoryMb}, got [300,100]'],
    ];
    const first = await invokeHttp(platform, 'synthetic', { durationMs: 0, memoryMb: 0 });
    const id = first.headers['x-faasbench-instance-id'];
    for (const [event, message] of cases) {
      const reply = await invokeHttp(platform, 'synthetic', event);
      const error = functionError(reply);
      expect(error.errorType, JSON.stringify(event)).toBe('InvalidInput');
      expect(error.errorMessage.startsWith(message), `${error.errorMessage}\n  should start with\n${message}`).toBe(true);
      expect(reply.headers['x-faasbench-instance-id']).toBe(id);
    }
    const after = await invokeHttp(platform, 'synthetic', { durationMs: 5, memoryMb: 1 });
    expect(report(after).durationMs).toBeGreaterThanOrEqual(5);
    expect(after.headers['x-faasbench-instance-id']).toBe(id);
    expect(after.headers['x-faasbench-cold']).toBe('false');
  });
});
