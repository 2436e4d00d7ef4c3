// Cold-start inference on synthetic record lists whose right answers are known by construction.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../core/prng.ts';
import { NO_FACTS, type InvocationRecord } from '../core/invocation-record.ts';
import { ColdInference, inferColdStarts } from './cold-inference.ts';

function rec(seq: number, fields: Partial<InvocationRecord>): InvocationRecord {
  const plannedUs = 1_800_000_000_000_000 + seq * 10_000;
  return { ...NO_FACTS, runId: 'r', seq, fn: 'f', phase: 'measure', tag: null, plannedUs, sentUs: plannedUs, receivedUs: plannedUs + 1000, latencyMs: 1, status: 'ok', httpStatus: 200, errorClass: null, ...fields };
}

describe('instance-id inference', () => {
  it('calls each instance\'s first call cold, by send time even when seq order disagrees', () => {
    const t0 = 1_800_000_000_000_000;
    const records = [
      rec(0, { instanceId: 'a', cold: true }),
      rec(1, { instanceId: 'b', cold: true }),
      rec(2, { instanceId: 'a', cold: false }),
      // seq 3 was sent after seq 4 (late): seq 4 is instance c's first call.
      rec(3, { instanceId: 'c', cold: false, sentUs: t0 + 90_000 }),
      rec(4, { instanceId: 'c', cold: true, sentUs: t0 + 60_000 }),
      rec(5, { instanceId: 'b', cold: false, status: 'function-error', latencyMs: 3 }),
      rec(6, { instanceId: null, cold: null, status: 'transport-error', latencyMs: null }),
    ];
    const [f] = inferColdStarts(records);
    expect(f!.chosen).toBe('instance-id');
    expect(f!.instanceId).toEqual({ method: 'instance-id', classified: 6, inferredCold: 3, compared: 6, agree: 6, accuracy: 1 });
    expect(f!.measured).toEqual({ cold: 3, warm: 3 });
  });

  it('counts disagreements: an instance warm before the run starts shows up as a wrong cold', () => {
    const records = [rec(0, { instanceId: 'pre-warmed', cold: false }), rec(1, { instanceId: 'pre-warmed', cold: false }), rec(2, { instanceId: 'new', cold: true }), rec(3, { instanceId: 'new', cold: false })];
    const [f] = inferColdStarts(records);
    expect(f!.instanceId).toMatchObject({ compared: 4, agree: 3, accuracy: 0.75, inferredCold: 2 });
  });

  it('splits the measured ok latencies into first calls (cold) and the rest (warm)', () => {
    const inference = new ColdInference('f');
    const latencies = [400, 2, 3, 350, 2.5];
    const ids = ['a', 'a', 'a', 'b', 'b'];
    latencies.forEach((latencyMs, seq) => inference.add(rec(seq, { instanceId: ids[seq]!, latencyMs, cold: null })));
    const { cold, warm } = inference.inferredLatency()!;
    // Nearest rank 1 of 2: the 350 ms call, exact.
    expect([cold.count, cold.percentile(50), cold.percentile(100)]).toEqual([2, 350, 400]);
    expect([...warm.sorted()]).toEqual([2, 2.5, 3]);
    expect(inference.result().instanceId.accuracy).toBeNull();
  });
});

describe('latency inference', () => {
  it('finds a few cold starts among many warm calls (largest gap), and agrees with ground truth', () => {
    const prng = createPrng(11, 'latency');
    const records: InvocationRecord[] = [];
    for (let seq = 0; seq < 5000; seq++) {
      const cold = seq % 1000 === 0;
      // Warm: log-normal around 2 ms (sigma 0.3); cold: 150-300 ms.
      const normal = Math.sqrt(-2 * Math.log(1 - prng.next())) * Math.cos(2 * Math.PI * prng.next());
      const latencyMs = cold ? 150 + prng.next() * 150 : 2 * Math.exp(0.3 * normal);
      records.push(rec(seq, { latencyMs, cold }));
    }
    const [f] = inferColdStarts(records);
    expect(f!.chosen).toBe('latency');
    expect(f!.latency).toMatchObject({ classified: 5000, inferredCold: 5, compared: 5000, agree: 5000, accuracy: 1, split: 'gap' });
    expect(f!.latency.thresholdMs).toBeGreaterThan(5);
    expect(f!.latency.thresholdMs).toBeLessThan(150);
    expect(f!.measured).toEqual({ cold: 5, warm: 4995 });
    // No instance ids: the instance method classifies nothing.
    expect(f!.instanceId).toMatchObject({ classified: 0, accuracy: null });
  });

  it('splits touching clusters with Otsu when there is no clean gap', () => {
    const prng = createPrng(5, 'otsu');
    const records: InvocationRecord[] = [];
    for (let seq = 0; seq < 2000; seq++) {
      const cold = seq % 4 === 0;
      // Uniform in log space: warm 10-60 ms, cold 200-1200 ms: no gap 2x wide in dense data.
      const latencyMs = cold ? 200 * 6 ** prng.next() : 10 * 6 ** prng.next();
      records.push(rec(seq, { latencyMs, cold }));
    }
    // Blur the gap: a few warm calls in between.
    for (let i = 0; i < 20; i++) records.push(rec(2000 + i, { latencyMs: 60 * (200 / 60) ** ((i + 0.5) / 20), cold: false }));
    const [f] = inferColdStarts(records);
    expect(f!.latency.split).toBe('otsu');
    expect(f!.latency.accuracy).toBeGreaterThan(0.99);
    expect(f!.latency.thresholdMs).toBeGreaterThan(60);
    expect(f!.latency.thresholdMs).toBeLessThan(200);
  });

  it('calls everything warm in a single log-normal cluster, and in a burst of cold starts alone', () => {
    const prng = createPrng(3, 'unimodal');
    const warm = Array.from({ length: 3000 }, (_, seq) => {
      const normal = Math.sqrt(-2 * Math.log(1 - prng.next())) * Math.cos(2 * Math.PI * prng.next());
      return rec(seq, { latencyMs: 20 * Math.exp(0.5 * normal) });
    });
    expect(inferColdStarts(warm)[0]!.latency).toMatchObject({ inferredCold: 0, thresholdMs: null, split: null });
    // Four concurrent cold starts, 378-516 ms: close together, no split.
    const burst = [378.8, 416.3, 460.3, 516.4].map((latencyMs, seq) => rec(seq, { latencyMs, cold: true }));
    expect(inferColdStarts(burst)[0]!.latency).toMatchObject({ inferredCold: 0, compared: 4, agree: 0, accuracy: 0 });
  });

  it('leaves warm-up calls out of the measured counts but not out of the threshold or the accuracy', () => {
    const records = [
      rec(0, { latencyMs: 300, cold: true, phase: 'warmup' }),
      rec(1, { latencyMs: 2, cold: false, phase: 'warmup' }),
      ...Array.from({ length: 10 }, (_, i) => rec(2 + i, { latencyMs: 2 + i * 0.1, cold: false })),
      rec(12, { latencyMs: 280, cold: true }),
    ];
    const [f] = inferColdStarts(records);
    expect(f!.latency).toMatchObject({ classified: 13, inferredCold: 2, agree: 13 });
    expect(f!.measured).toEqual({ cold: 1, warm: 10 });
  });
});
