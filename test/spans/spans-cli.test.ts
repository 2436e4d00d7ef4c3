// `faasbench invoke --otlp --zipkin` as a user runs it: the CLI's client spans, and the spans of
// the platform process it starts with the same flags, reach receivers on loopback, over OTLP in
// protobuf unless --otlp-encoding json says otherwise.
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
    // A platform process and a cold start, on a machine other tests keep busy.
  }, 120_000);

  afterAll(async () => {
    await otlp.close();
    await zipkin.close();
  });

  it('runs as without spans', () => {
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { summary: { total: number } }).summary.total).toBe(3);
  });

  it('sends OTLP as protobuf, from the CLI and from the platform it starts', () => {
    expect(otlp.bodies.length).toBeGreaterThanOrEqual(2);
    expect(otlp.bodies.map((b) => b.encoding)).toEqual(otlp.bodies.map(() => 'protobuf'));
    expect(new Set(otlpSpans(otlp).map((s) => s.service))).toEqual(new Set(['faasbench', 'faasbench-platform']));
  });

  it("sends 3 client spans and the platform's spans under them, to both collectors", () => {
    for (const spans of [otlpSpans(otlp).map((s) => ({ id: s.spanId, parent: s.parentSpanId, trace: s.traceId, name: s.name, service: s.service })), zipkinSpans(zipkin).map((s) => ({ id: s.id, parent: s.parentId, trace: s.traceId, name: s.name ?? '', service: s.localEndpoint.serviceName }))]) {
      const clients = spans.filter((s) => s.service === 'faasbench');
      expect(clients.map((s) => s.name)).toEqual(['invoke hello', 'invoke hello', 'invoke hello']);
      const children = spans.filter((s) => s.service === 'faasbench-platform');
      // A warm call waits a queue-wait span's worth (1 ms) for its instance only on a loaded machine.
      expect(children.map((s) => s.name).filter((n) => n !== 'queue wait').sort()).toEqual(['init', 'invoke hello', 'invoke hello', 'invoke hello']);
      expect(children.filter((c) => c.name === 'queue wait').every((c) => clients.some((client) => client.id === c.parent))).toBe(true);
      for (const client of clients) {
        const under = children.filter((c) => c.parent === client.id);
        expect(under.every((c) => c.trace === client.trace)).toBe(true);
        expect(under.filter((c) => c.name === 'invoke hello')).toHaveLength(1);
      }
    }
  });
});

describe('invoke --otlp --otlp-encoding json', () => {
  let otlp: Receiver;
  let result: CliResult;

  beforeAll(async () => {
    otlp = await startReceiver();
    const store = path.join(scratchDir('spans-cli-json'), 'runs.db');
    result = await runCli(['invoke', 'hello', '--times', '2', '--store', store, '--json', '--otlp', `${otlp.url}/v1/traces`, '--otlp-encoding', 'json']);
  }, 120_000);

  afterAll(() => otlp.close());

  it('sends OTLP/JSON from the CLI and from the platform it starts, the same spans as protobuf would', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(otlp.bodies.length).toBeGreaterThanOrEqual(2);
    expect(otlp.bodies.map((b) => b.contentType)).toEqual(otlp.bodies.map(() => 'application/json'));
    const spans = otlpSpans(otlp);
    const clients = spans.filter((s) => s.service === 'faasbench');
    expect(clients.map((s) => s.name)).toEqual(['invoke hello', 'invoke hello']);
    const invokes = spans.filter((s) => s.service === 'faasbench-platform' && s.name === 'invoke hello');
    expect(invokes.map((s) => s.parentSpanId).sort()).toEqual(clients.map((c) => c.spanId).sort());
  });
});

describe('--otlp-encoding with a value it does not take', () => {
  it('is refused as usage, naming the option and the values it takes', async () => {
    const result = await runCli(['invoke', 'hello', '--otlp', 'http://127.0.0.1:9/v1/traces', '--otlp-encoding', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--otlp-encoding <encoding>'");
    expect(result.stderr).toContain('protobuf, json');
  }, 60_000);
});
