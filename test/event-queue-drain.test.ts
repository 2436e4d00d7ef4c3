// 50 Event calls to a function limited to one instance, each taking 100 ms: all 50 run, one after
// another, none dropped by the synchronous queue timeout of 1 s (which used to drop all but the
// first few), though the last waits about 5 s, five times that timeout. About 6 s by construction.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalPlatform } from '../src/platform/platform.ts';
import { call, nodeFunction, sleep, startPlatform } from './support/platform.ts';

const CALLS = 50;
let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startPlatform();
  platform.deployFolder(nodeFunction('second', 'await new Promise((r) => setTimeout(r, 100)); return event.i;', { cpuModel: 'none', maxInstances: 1, queueTimeoutS: 1 }));
});
afterAll(async () => {
  await platform.stop();
});

async function metrics(): Promise<string> {
  return (await call(platform, 'GET', '/metrics')).text;
}

function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

const finished = (text: string): number =>
  sample(text, 'faasbench_invocations_total', 'function="second",outcome="success",start="cold"') +
  sample(text, 'faasbench_invocations_total', 'function="second",outcome="success",start="warm"');

it(`${CALLS} Event calls to maxInstances 1 with 100 ms calls: all ${CALLS} run`, { timeout: 150_000 }, async () => {
  for (let i = 0; i < CALLS; i += 1) {
    const r = await call(platform, 'POST', '/2015-03-31/functions/second/invocations', JSON.stringify({ i }), { 'x-amz-invocation-type': 'Event' });
    expect(r.status).toBe(202);
  }
  // Bounded wait: 5 s of work, with room for a busy machine.
  let text = await metrics();
  for (let waited = 0; finished(text) < CALLS && waited < 120_000; waited += 500) {
    await sleep(500);
    text = await metrics();
  }
  expect(finished(text)).toBe(CALLS);
  expect(sample(text, 'faasbench_invocations_total', 'function="second",outcome="success",start="cold"')).toBe(1);
  expect(sample(text, 'faasbench_events_accepted_total', 'function="second"')).toBe(CALLS);
  expect(text).not.toMatch(/^faasbench_event_dropped_total\{function="second"/m);
  expect(sample(text, 'faasbench_throttles_total', 'function="second"')).toBe(0);
  expect(sample(text, 'faasbench_event_queue_events', 'function="second"')).toBe(0);
});
