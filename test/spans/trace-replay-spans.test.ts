// `faasbench trace replay --otlp --zipkin` as a user runs it, on the local platform: a trace of two
// functions and five calls within two seconds (counted per second), each call's client span in
// both collectors with its record's facts, the platform's invoke span under it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../../src/core/invocation-record.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli, type CliResult } from '../support/cli-process.ts';
import { scratchDir } from '../support/platform.ts';
import { expectCallSpans, flatOtlp, flatZipkin } from './call-span-checks.ts';
import { startReceiver, type Receiver } from './receivers.ts';

/** Azure Functions trace format (as invitro writes it): f1 called 3 times in second 1, f2 twice in second 2. */
function writeTrace(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const ids = 'HashOwner,HashApp,HashFunction';
  writeFileSync(path.join(dir, 'invocations.csv'), [`${ids},Trigger,1,2`, 'o1,a1,f1,http,3,0', 'o1,a1,f2,http,0,2'].join('\n') + '\n');
  const durations = (fn: string, ms: number): string => `o1,a1,${fn},${ms},3,${Array(9).fill(ms).join(',')}`;
  writeFileSync(path.join(dir, 'durations.csv'), [`${ids},Average,Count,Minimum,Maximum,${[0, 1, 25, 50, 75, 99, 100].map((p) => `percentile_Average_${p}`).join(',')}`, durations('f1', 20), durations('f2', 30)].join('\n') + '\n');
  const memory = (fn: string): string => `o1,a1,${fn},10,20,${Array(8).fill(20).join(',')}`;
  writeFileSync(path.join(dir, 'memory.csv'), [`${ids},SampleCount,AverageAllocatedMb,${[1, 5, 25, 50, 75, 95, 99, 100].map((p) => `AverageAllocatedMb_pct${p}`).join(',')}`, memory('f1'), memory('f2')].join('\n') + '\n');
}

describe('trace replay --otlp --zipkin', () => {
  let otlp: Receiver;
  let zipkin: Receiver;
  let result: CliResult;
  let runId: string;
  const records: InvocationRecord[] = [];

  beforeAll(async () => {
    otlp = await startReceiver();
    zipkin = await startReceiver();
    const dir = scratchDir('trace-replay-spans');
    const trace = path.join(dir, 'trace');
    writeTrace(trace);
    const store = path.join(dir, 'runs.db');
    result = await runCli(['trace', 'replay', trace, '--unit', 'second', '--store', store, '--json', '--otlp', `${otlp.url}/v1/traces`, '--zipkin', `${zipkin.url}/api/v2/spans`], { cwd: dir, env: { XDG_CACHE_HOME: dir } });
    expect(result.code, result.stderr).toBe(0);
    runId = (JSON.parse(result.stdout) as { runId: string }).runId;
    const db = await openStore(store);
    try {
      for await (const r of db.records(runId)) records.push(r);
    } finally {
      await db.close();
    }
    // Five cold starts of synthetic on a busy machine.
  }, 120_000);

  afterAll(async () => {
    await otlp.close();
    await zipkin.close();
  });

  it('replays every call of the trace', () => {
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => r.fn)).size).toBe(2);
  });

  it('sends one client span per stored call over OTLP (protobuf), the platform invoke span under each', () => {
    expect(otlp.bodies.every((b) => b.encoding === 'protobuf')).toBe(true);
    expectCallSpans(flatOtlp(otlp), records, runId);
  });

  it('sends the same to Zipkin', () => {
    expectCallSpans(flatZipkin(zipkin), records, runId);
  });
});
