// `faasbench experiment run --zipkin` as a user runs it: invocation-overhead at one size, 3 calls
// and its warm-up call, the cheapest built-in; every stored call has its client span with its
// record's facts, and the platform the experiment starts puts its invoke span under each.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../../src/core/invocation-record.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli, type CliResult } from '../support/cli-process.ts';
import { scratchDir } from '../support/platform.ts';
import { expectCallSpans, flatZipkin } from './call-span-checks.ts';
import { startReceiver, type Receiver } from './receivers.ts';

describe('experiment run --zipkin', () => {
  let zipkin: Receiver;
  let result: CliResult;
  let runId: string;
  const records: InvocationRecord[] = [];

  beforeAll(async () => {
    zipkin = await startReceiver();
    const dir = scratchDir('experiment-spans');
    const store = path.join(dir, 'runs.db');
    // A platform data directory of its own (see experiment-payload-nested.test.ts).
    result = await runCli(['experiment', 'run', 'invocation-overhead', '-p', 'sizes=["1KB"]', '-p', 'calls=3', '--store', store, '--json', '--zipkin', `${zipkin.url}/api/v2/spans`], { cwd: dir, env: { XDG_CACHE_HOME: dir } });
    expect(result.code, result.stderr).toBe(0);
    const [out] = JSON.parse(result.stdout) as Array<{ runId: string }>;
    runId = out!.runId;
    const db = await openStore(store);
    try {
      for await (const r of db.records(runId)) records.push(r);
    } finally {
      await db.close();
    }
    // A platform process, a deploy, a cold start.
  }, 120_000);

  afterAll(() => zipkin.close());

  it('stores the warm-up call and 3 calls of 1 KB', () => {
    expect(records).toHaveLength(4);
    expect(records.filter((r) => r.tag === 'warmup')).toHaveLength(1);
  });

  it('sends one client span per stored call, with the run id, seq, function and status, and the platform invoke span under each', () => {
    const spans = flatZipkin(zipkin);
    expectCallSpans(spans, records, runId);
    const tags = spans.filter((s) => s.kind === 'client').map((s) => s.attributes['faasbench.tag'] ?? null);
    expect(tags.filter((t) => t === 'warmup')).toHaveLength(1);
  });
});
