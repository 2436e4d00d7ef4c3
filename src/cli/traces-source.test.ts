import { describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { openStore } from '../store/index.ts';
import type { Run } from '../store/store.ts';
import { RUN } from '../store/testing/run-meta.ts';
import { traceWindow, xraySourceOf } from './traces-source.ts';

const run = (provider: string, providerOptions?: Record<string, string>): Run =>
  ({ ...RUN, id: 'r1', provider, params: providerOptions ? { providerOptions } : {}, seed: null, host: null, status: 'completed', startedAt: '', finishedAt: null, summary: null, progress: null, progressAt: null, duplicates: 0, heartbeatAt: null, heartbeatMs: null, label: null }) as Run;

describe('where traces get fetches from', () => {
  it("--endpoint first, then the run's own options: a local platform's url, an aws-lambda endpoint or AWS in its region", () => {
    expect(xraySourceOf(run('local', { url: 'http://127.0.0.1:9000' }), { endpoint: 'http://127.0.0.1:9100/', token: 't' })).toEqual({ endpoint: 'http://127.0.0.1:9100', region: undefined, profile: undefined, token: 't', from: 'option' });
    expect(xraySourceOf(run('local', { url: 'http://127.0.0.1:9000' }), {})).toMatchObject({ endpoint: 'http://127.0.0.1:9000', from: 'run' });
    expect(xraySourceOf(run('aws-lambda', { endpoint: 'http://localhost:4566' }), {})).toMatchObject({ endpoint: 'http://localhost:4566', region: undefined });
    expect(xraySourceOf(run('aws-lambda', { region: 'eu-west-1', profile: 'bench' }), {})).toMatchObject({ endpoint: undefined, region: 'eu-west-1', profile: 'bench' });
    expect(xraySourceOf(run('aws-lambda', { region: 'eu-west-1' }), { region: 'us-west-2' })).toMatchObject({ region: 'us-west-2' });
  });

  it('says why there is nothing to fetch from, and refuses an endpoint that is no URL', () => {
    expect(() => xraySourceOf({ ...run('local'), kind: 'experiment' }, {})).toThrow('run r1 ran on a local platform it started and stopped, and its traces went with it');
    // An invoke run keeps no provider options: where its platform was is not known.
    expect(() => xraySourceOf(run('local'), {})).toThrow('run r1 does not record the platform its calls went to: give --endpoint <its URL> if it still runs');
    expect(() => xraySourceOf(run('http'), {})).toThrow('run r1 ran on provider http, which keeps no X-Ray traces: give --endpoint <url>');
    expect(() => xraySourceOf(run('http'), { endpoint: 'ftp://x' })).toThrow('--endpoint ftp://x: expected an http:// or https:// URL');
  });
});

describe("a run's trace window", () => {
  it('from the first planned call to the last answer (or send, unanswered), widened each side, with the request ids', async () => {
    const store = await openStore(':memory:');
    try {
      const id = await store.createRun(RUN);
      const base = { runId: id, fn: 'f', phase: 'measure', tag: null, latencyMs: null, status: 'ok', httpStatus: 200, errorClass: null, instanceId: null, cold: null, initMs: null, durationMs: null, billedMs: null, memoryMb: null, maxMemoryMb: null } as const;
      const records: InvocationRecord[] = [
        { ...base, seq: 0, plannedUs: 5_000_000, sentUs: 5_000_100, receivedUs: 6_000_000, requestId: 'a' },
        { ...base, seq: 1, plannedUs: 4_000_000, sentUs: 9_000_000, receivedUs: null, requestId: null },
        { ...base, seq: 2, plannedUs: 7_000_000, sentUs: 7_000_000, receivedUs: 8_500_000, requestId: 'b' },
      ];
      await store.writeRecords(records);
      expect(await traceWindow(store, id, 2)).toEqual({ startUs: 2_000_000, endUs: 11_000_000, requestIds: new Set(['a', 'b']), calls: 3 });
      const empty = await store.createRun(RUN);
      await expect(traceWindow(store, empty, 5)).rejects.toThrow(`run ${empty} holds no invocations: it has no time window to fetch traces of`);
    } finally {
      await store.close();
    }
  });
});
