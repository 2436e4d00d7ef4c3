import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFaasbenchError } from '../core/errors.ts';
import { k6Request } from './k6-endpoint.ts';
import { exportK6, type K6ExportSpec } from './k6-export.ts';
import { chooseTimeUnit, k6Duration } from './k6-stages.ts';
import { planPattern, splitPatternArgs } from './registry.ts';
import type { RateSegment } from './rate-curve.ts';
import { goDurationNs, k6FloatIterations, k6Iterations, type K6Scenario as Scenario, type K6Stage as Stage } from '../../test/support/k6-semantics.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'faasbench-k6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The k6 rate, calls/s, `atNs` into the stages. */
function k6RateAt(scenario: Scenario, atNs: bigint): number {
  const unitS = Number(goDurationNs(scenario.timeUnit!)) / 1e9;
  let from = scenario.startRate as number;
  let start = 0n;
  for (const stage of scenario.stages as Stage[]) {
    const ns = goDurationNs(stage.duration);
    if (ns > 0n && atNs < start + ns) return (from + ((stage.target - from) * Number(atNs - start)) / Number(ns)) / unitS;
    start += ns;
    from = stage.target;
  }
  return from / unitS;
}

/** The plan's rate, calls/s, `atUs` into its curve. */
function curveRateAt(curve: readonly RateSegment[], atUs: number): number {
  let start = 0;
  for (const s of curve) {
    if (atUs < start + s.durationUs) return s.fromRate + ((s.toRate - s.fromRate) * (atUs - start)) / s.durationUs;
    start += s.durationUs;
  }
  return 0;
}

function exported(words: string[], overrides: Partial<K6ExportSpec> = {}) {
  const pattern = splitPatternArgs(words);
  const result = exportK6({ fn: 'echo', pattern, provider: 'local', providerOptions: { url: 'http://127.0.0.1:9000' }, event: { n: 1 }, maxInFlight: 1000, ...overrides });
  const plan = planPattern(pattern.name, pattern.options, { fn: 'echo', payload: { event: null } });
  const [name, scenario] = Object.entries(result.options.scenarios)[0]! as [string, Scenario];
  return { result, plan, name, scenario };
}

const RATE_PATTERNS: Record<string, string[]> = {
  constant: ['constant', '--rate', '25', '--duration', '8s'],
  'constant 0.5/s': ['constant', '--rate', '0.5', '--duration', '1m'],
  ramp: ['ramp', '--from', '0', '--to', '40', '--duration', '30s'],
  'ramp down': ['ramp', '--from', '30', '--to', '10', '--duration', '15s'],
  steady: ['steady', '--rate', '20', '--duration', '2m'],
  'steady default (20 min at 20/s)': ['steady'],
  bursty: ['bursty', '--rate', '20', '--duration', '2m'],
  'bursty odd rate': ['bursty', '--rate', '15', '--duration', '4m'],
  spikes: ['spikes', '--rate', '20', '--duration', '8m'],
  jump: ['jump', '--rate', '30', '--duration', '3m'],
  'rates minute,rate': ['rates', '--rates', csv('minutes.csv', 'minute,rate\n0,10\n1,25.5\n2,25.5\n3,0\n4,4\n')],
  'rates second,rate': ['rates', '--rates', csv('seconds.csv', 'second,rate\n0,3\n1,7\n2,0\n3,12\n')],
  'rates InvocationsPerMinute (sb)': ['rates', '--rates', csv('sb.csv', 'InvocationsPerMinute\n600\n1530\n7\n')],
};

describe('k6 export of rate patterns', () => {
  for (const [label, words] of Object.entries(RATE_PATTERNS)) {
    it(`${label}: the stages integrate, by k6's executor semantics, to exactly the plan's call count`, () => {
      const { result, plan, scenario } = exported(words);
      expect(k6Iterations(scenario)).toBe(plan.count);
      // And with the area summed in float64 as k6's executor sums it: its own rounding costs no call.
      if (scenario.executor === 'ramping-arrival-rate') expect(k6FloatIterations(scenario)).toBe(plan.count);
      expect(result.calls).toBe(plan.count);
      expect(result.planned).toBe(plan.count);
      expect(result.warnings).toEqual([]);
    });

    it(`${label}: k6's rate is the plan's rate curve`, () => {
      const { plan, scenario } = exported(words);
      const curve = plan.rateCurve!;
      if (scenario.executor === 'constant-arrival-rate') {
        expect(curve).toHaveLength(1);
        expect((scenario.rate as number) / (Number(goDurationNs(scenario.timeUnit!)) / 1e9)).toBeCloseTo(curve[0]!.fromRate, 12);
        expect(goDurationNs(scenario.duration as string)).toBe(BigInt(curve[0]!.durationUs) * 1000n);
        return;
      }
      let startUs = 0;
      for (const s of curve) {
        for (const into of [0.01, 0.5, 0.99]) {
          const atUs = startUs + s.durationUs * into;
          expect(k6RateAt(scenario, BigInt(Math.round(atUs * 1000)))).toBeCloseTo(curveRateAt(curve, atUs), 6);
        }
        startUs += s.durationUs;
      }
      // After the curve: 1 call/s for 999 ms, a tail of 0.999 calls.
      const stages = scenario.stages as Stage[];
      const unitS = Number(goDurationNs(scenario.timeUnit!)) / 1e9;
      expect(stages.at(-1)).toEqual({ duration: '999ms', target: unitS });
      expect(k6RateAt(scenario, BigInt(Math.round(startUs * 1000)) + 1n)).toBeCloseTo(1, 12);
    });
  }

  it('constant is a constant-arrival-rate scenario; the other rate patterns ramping-arrival-rate stages with 0s steps', () => {
    expect(exported(RATE_PATTERNS.constant!).scenario).toEqual({
      executor: 'constant-arrival-rate',
      rate: 25,
      timeUnit: '1s',
      duration: '8s',
      preAllocatedVUs: 25,
      maxVUs: 1000,
      gracefulStop: '16m',
    });
    expect(exported(['constant', '--rate', '0.5', '--duration', '1m']).scenario).toMatchObject({ rate: 30, timeUnit: '1m' });
    const { scenario, name } = exported(['jump', '--rate', '30', '--duration', '3m']);
    expect(name).toBe('jump');
    expect(scenario).toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 15,
      timeUnit: '1s',
      stages: [
        { duration: '1m', target: 15 },
        { duration: '0s', target: 60 },
        { duration: '1m', target: 60 },
        { duration: '0s', target: 15 },
        { duration: '1m', target: 15 },
        { duration: '0s', target: 1 },
        { duration: '999ms', target: 1 },
      ],
      preAllocatedVUs: 60,
      maxVUs: 1000,
      gracefulStop: '16m',
    });
    expect(exported(['ramp', '--from', '0', '--to', '40', '--duration', '30s']).scenario.stages).toEqual([
      { duration: '30s', target: 40 },
      { duration: '0s', target: 1 },
      { duration: '999ms', target: 1 },
    ]);
  });

  it('a curve whose area is not whole: k6 starts ceil(area) calls too, as the plan sends, through the 0.999-call tail', () => {
    // 0 -> 1 call/s over 3 s: an area of 1.5 calls; the plan sends calls as the area passes 0 and 1.
    const { result, plan, scenario } = exported(['ramp', '--from', '0', '--to', '1', '--duration', '3s']);
    expect(scenario.stages).toEqual([
      { duration: '3s', target: 1 },
      { duration: '999ms', target: 1 },
    ]);
    expect(plan.count).toBe(2);
    expect(k6Iterations(scenario)).toBe(2);
    expect(k6FloatIterations(scenario)).toBe(2);
    expect(result.warnings).toEqual([]);
    // Constant-arrival-rate starts its first call at 0, as the plan does: 0.5/s for 3 s is 2 calls.
    const constant = exported(['constant', '--rate', '0.5', '--duration', '3s']);
    expect([constant.plan.count, k6Iterations(constant.scenario), constant.result.calls]).toEqual([2, 2, 2]);
  });

  it('an area whose fraction is under 0.001: k6 starts one call fewer, and the export says so', () => {
    // 0 -> 1 call/s over 200.001 s: 100.0005 calls.
    const { result, plan, scenario } = exported(['ramp', '--from', '0', '--to', '1', '--duration', '200.001s']);
    expect([plan.count, k6Iterations(scenario), k6FloatIterations(scenario), result.calls]).toEqual([101, 100, 100, 100]);
    expect(result.warnings).toEqual([
      "k6 will start 100 calls where the plan sends 101: the curve's area is 100.0005 calls, and k6 starts a call each time the area reaches 1, 2, ... where faasbench sends one each time it passes 0, 1, ...; the 0.999-call tail after the curve makes up for that only when the fraction is 0.001 or more",
    ]);
  });

  it('Poisson arrivals: the rate curve with even arrivals, and a warning in the result and the script', () => {
    const { result, scenario } = exported(['bursty', '--rate', '20', '--duration', '2m', '--arrivals', 'poisson']);
    const warning = "bursty --arrivals poisson cannot be expressed in k6, whose arrival-rate executors space calls evenly: the script follows the plan's rate curve with even arrivals";
    expect(result.warnings).toEqual([warning]);
    expect(result.script).toContain(`// Warning: ${warning}.`);
    // The count of the same curve with even arrivals (a Poisson plan draws its own).
    expect(k6Iterations(scenario)).toBe(2400);
    expect(result.planned).toBe(2400);
  });

  it('--max-in-flight is maxVUs; VUs are pre-allocated for the peak rate, within it', () => {
    expect(exported(['spikes', '--rate', '20', '--duration', '8m'], { maxInFlight: 100 }).scenario).toMatchObject({ preAllocatedVUs: 100, maxVUs: 100 });
    expect(exported(['spikes', '--rate', '20', '--duration', '8m']).scenario).toMatchObject({ preAllocatedVUs: 210, maxVUs: 1000 });
  });
});

describe('k6 export of closed-loop and burst patterns', () => {
  it('sequential N is one VU doing N iterations, the gap a sleep, maxDuration the longest the calls may take', () => {
    const { result, scenario } = exported(['sequential', '5', '--gap', '500ms'], { providerOptions: { url: 'http://127.0.0.1:9000', timeoutMs: 30_000 } });
    expect(scenario).toEqual({ executor: 'per-vu-iterations', vus: 1, iterations: 5, maxDuration: '2m32.5s', gracefulStop: '30s' });
    expect(result.calls).toBe(5);
    expect(result.script).toContain("import { sleep } from 'k6';");
    expect(result.script).toContain('  sleep(0.5);');
  });

  it('concurrent N is N VUs of one iteration each', () => {
    const { result, scenario } = exported(['concurrent', '12']);
    expect(scenario).toEqual({ executor: 'per-vu-iterations', vus: 12, iterations: 1, maxDuration: '16m', gracefulStop: '16m' });
    expect(result.calls).toBe(12);
    expect(result.script).not.toContain('sleep');
  });
});

describe('the script', () => {
  const cases: Record<string, Partial<K6ExportSpec>> = {
    local: {},
    'local with a token': { providerOptions: { url: 'http://127.0.0.1:9000', token: 'not-in-the-script' } },
    'aws-lambda on AWS': { provider: 'aws-lambda', providerOptions: { region: 'eu-west-1' } },
    'aws-lambda, region from the environment': { provider: 'aws-lambda', providerOptions: {} },
    openfaas: { provider: 'openfaas', providerOptions: { url: 'http://gw:8080', password: 'not-in-the-script' } },
    http: { provider: 'http', providerOptions: { url: 'https://api.example.com/{fn}', method: 'GET' } },
    knative: { provider: 'knative', providerOptions: { ingress: 'http://192.168.1.240' } },
  };
  for (const [label, spec] of Object.entries(cases)) {
    it(`${label}: parses as a JavaScript module (node --check) and holds no secret`, () => {
      const { result } = exported(['bursty', '--rate', '4', '--duration', '1m'], spec);
      const file = path.join(dir, `${label.replace(/\W+/g, '-')}.mjs`);
      writeFileSync(file, result.script);
      execFileSync(process.execPath, ['--check', file]);
      expect(result.script).not.toContain('not-in-the-script');
    });
  }
});

describe('the request per provider', () => {
  const body = '{"n":1}';
  it('local: the Lambda Invoke path of the platform, the token from $FAASBENCH_TOKEN', () => {
    expect(k6Request('local', { url: 'http://10.0.0.5:9000/', token: 't' }, 'my fn', body)).toEqual({
      method: 'POST',
      url: 'http://10.0.0.5:9000/2015-03-31/functions/my%20fn/invocations',
      headers: { 'content-type': 'application/json' },
      secretHeaders: [{ header: 'authorization', env: 'FAASBENCH_TOKEN', scheme: { kind: 'bearer' } }],
      body,
      timeoutMs: 960_000,
      notes: ['the platform token is read from $FAASBENCH_TOKEN when k6 runs'],
    });
    expect(k6Request('local', {}, 'echo', body).url).toBe('http://127.0.0.1:9000/2015-03-31/functions/echo/invocations');
  });

  it('aws-lambda: a Lambda-compatible endpoint unsigned; AWS itself signed with SigV4', () => {
    expect(k6Request('aws-lambda', { endpoint: 'http://127.0.0.1:9000' }, 'echo', body)).toMatchObject({ url: 'http://127.0.0.1:9000/2015-03-31/functions/echo/invocations', secretHeaders: [] });
    expect(k6Request('aws-lambda', { region: 'eu-west-1', timeoutMs: 5000 }, 'echo', body)).toMatchObject({
      url: 'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/echo/invocations',
      sigv4: { region: 'eu-west-1', path: '/2015-03-31/functions/echo/invocations' },
      timeoutMs: 5000,
    });
  });

  it('openfaas, http and knative call as their providers do', () => {
    expect(k6Request('openfaas', { url: 'http://gw:8080', namespace: 'fn', password: 'p' }, 'echo', body)).toMatchObject({
      url: 'http://gw:8080/function/echo.fn',
      headers: { 'content-type': 'application/json' },
      secretHeaders: [{ header: 'authorization', env: 'OPENFAAS_PASSWORD', scheme: { kind: 'basic', user: 'admin' } }],
    });
    expect(k6Request('http', { url: 'http://ingress/{fn}', host: '{fn}.default.example.com', headers: { 'x-key': 'k' }, body: '{"wrapped":{payload}}' }, 'echo', body)).toMatchObject({
      method: 'POST',
      url: 'http://ingress/echo',
      headers: { 'x-key': 'k', host: 'echo.default.example.com' },
      body: '{"wrapped":{"n":1}}',
    });
    expect(k6Request('http', { url: 'http://x/{fn}', method: 'GET' }, 'echo', body).body).toBeNull();
    expect(k6Request('knative', { ingress: 'http://192.168.1.240', namespace: 'bench', domain: 'sslip.io', path: '/invoke' }, 'echo', body)).toMatchObject({
      url: 'http://192.168.1.240/invoke',
      headers: { host: 'echo.bench.sslip.io', 'content-type': 'application/json' },
    });
  });

  function refusal(provider: string, options: Record<string, unknown>): string {
    try {
      k6Request(provider, options, 'echo', body);
    } catch (err) {
      expect(isFaasbenchError(err, 'InvalidParameterValue')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  }

  it('refuses, saying why, where there is no plain HTTP endpoint or an option is missing or wrong', () => {
    expect(refusal('grpc', {})).toMatch(/^provider grpc has no plain HTTP endpoint to export to k6 \(it calls a gRPC method\)/);
    expect(refusal('knative', { protocol: 'grpc', ingress: 'http://x' })).toMatch(/^provider knative has no plain HTTP endpoint to export to k6 \(protocol=grpc calls a gRPC method\)/);
    expect(refusal('knative', {})).toBe('provider knative: option "ingress": expected a text (needed to export to k6), got nothing');
    expect(refusal('http', { url: 'ftp://x' })).toBe('provider http: option "url": expected an http:// or https:// URL, got "ftp://x"');
    expect(refusal('local', { url: 'http://x', timeoutMs: -1 })).toBe('provider local: option "timeoutMs": expected a whole number above 0, got -1');
    expect(refusal('gcp', {})).toBe('provider "gcp": k6 export knows local, aws-lambda, openfaas, http, knative, grpc');
  });
});

describe('k6 units', () => {
  it('durations are Go durations k6 parses', () => {
    expect([0, 250e6, 1e9, 4.5e9, 90e9, 3600e9, 4802.5e9, 1500].map(k6Duration)).toEqual(['0s', '250ms', '1s', '4.5s', '1m30s', '1h', '1h20m2.5s', '1500ns']);
  });

  it('the time unit makes every rate a whole number: 1s, 1m or 1h when one does, else the first whole second', () => {
    expect(chooseTimeUnit([10, 50])).toEqual({ seconds: 1, exact: true });
    expect(chooseTimeUnit([7.5, 37.5])).toEqual({ seconds: 60, exact: true });
    expect(chooseTimeUnit([1 / 7])).toEqual({ seconds: 7, exact: true });
    expect(chooseTimeUnit([Math.PI])).toEqual({ seconds: 3600, exact: false });
  });
});
