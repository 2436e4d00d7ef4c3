// `faasbench invoke --otlp --zipkin` as a user runs it: the CLI's client spans, and the spans of
// the platform process it starts with the same flags, reach receivers on loopback.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli-process.ts';
import { scratchDir } from '../support/platform.ts';
import { otlpSpans, startReceiver, zipkinSpans, type Receiver } from './receivers.ts';

describe('invoke --otlp --zipkin', () => {
  let otlp: Receiver;
  let zipkin: Receiver;
  let result: CliResult;

  beforeAll(async () => {
    otlp = await startReceiver();
    zipkin = await startReceiver();
    const store = path.join(scratchDir('spans-cli'), 'runs.db');
    result = await runCli(['invoke', 'hello', '--times', '3', '--store', store, '--json', '--otlp', `${otlp.url}/v1/traces`, '--zipkin', `${zipkin.url}/api/v2/spans`]);
  });

  afterAll(async () => {
    await otlp.close();
    await zipkin.close();
  });

  it('runs as without spans', () => {
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { summary: { total: number } }).summary.total).toBe(3);
  });

  it("sends 3 client spans and the platform's spans under them, to both collectors", () => {
    for (const spans of [otlpSpans(otlp).map((s) => ({ id: s.spanId, parent: s.parentSpanId, trace: s.traceId, name: s.name, service: s.service })), zipkinSpans(zipkin).map((s) => ({ id: s.id, parent: s.parentId, trace: s.traceId, name: s.name ?? '', service: s.localEndpoint.serviceName }))]) {
      const clients = spans.filter((s) => s.service === 'faasbench');
      expect(clients.map((s) => s.name)).toEqual(['invoke hello', 'invoke hello', 'invoke hello']);
      const children = spans.filter((s) => s.service === 'faasbench-platform');
      expect(children.map((s) => s.name).sort()).toEqual(['init', 'invoke hello', 'invoke hello', 'invoke hello']);
      for (const client of clients) {
        const under = children.filter((c) => c.parent === client.id);
        expect(under.every((c) => c.trace === client.trace)).toBe(true);
        expect(under.filter((c) => c.name === 'invoke hello')).toHaveLength(1);
      }
    }
  });
});
