// `faasbench trace profile` and `trace map` as a user runs them: a profile measured on the real
// local platform (in its own process), then the published 100-function trace mapped onto it.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTrace } from '../src/trace/azure-trace-reader.ts';
import type { Mapping, MappingEntry } from '../src/trace/mapping.ts';
import { readMapping } from '../src/trace/mapping-file.ts';
import { readProfile, type Profile } from '../src/trace/profile.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const TRACE = fileURLToPath(new URL('../../shared/traces/invitro-100fn-480min', import.meta.url));
const run = promisify(execFile);
// Functions of the suite with no packages of their own to install: cheap, and deployable anywhere.
const PROXIES = ['120.uploader:test', '502.graph-mst:test'];

const faasbench = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, [BIN, ...args]);

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await faasbench(...args);
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
  throw new Error(`faasbench ${args.join(' ')} succeeded; expected a failure`);
}

interface ProfileSummary {
  out: string | null;
  candidates: Array<{ id: string; calls: number; ok: number; latencyFallbacks: number; durationP75Ms: number; memoryP75Mb: number }>;
  messages: string[];
}

let dir: string;
let profileFile: string;
let profile: Profile;

beforeAll(async () => {
  dir = scratchDir('trace-map');
  profileFile = path.join(dir, 'profile.json');
  const { stdout } = await faasbench('trace', 'profile', '--only', '120.uploader,502.graph-mst', '--sizes', 'test', '--calls', '5', '--out', profileFile, '--json');
  const summary = JSON.parse(stdout) as ProfileSummary;
  expect(summary.out).toBe(profileFile);
  expect(summary.messages).toEqual([]);
  expect(summary.candidates.map((c) => [c.id, c.calls, c.ok, c.latencyFallbacks])).toEqual(PROXIES.map((id) => [id, 5, 5, 0]));
  profile = readProfile(profileFile);
}, 60_000);

/** The plain (nearest, no max error) mapping, made once for the tests that compare with it. */
let plain: ReturnType<typeof mapJson> | undefined;
const nearestMapping = (): ReturnType<typeof mapJson> => (plain ??= mapJson());

async function mapJson(...flags: string[]): Promise<{ out: string; method: string; synthetic: number; messages: string[]; entries: MappingEntry[]; written: Mapping }> {
  const out = path.join(dir, `mapping-${flags.join('').replace(/\W/g, '') || 'plain'}.json`);
  const { stdout } = await faasbench('trace', 'map', TRACE, '--profile', profileFile, '--out', out, ...flags, '--json');
  const printed = JSON.parse(stdout) as { out: string; method: string; synthetic: number; messages: string[]; entries: MappingEntry[] };
  return { ...printed, written: readMapping(out) };
}

describe('faasbench trace profile', () => {
  it('wrote every candidate with 101 non-decreasing duration and memory percentiles from the platform', () => {
    expect(Object.keys(profile)).toEqual(PROXIES);
    for (const { duration, memory } of Object.values(profile)) {
      expect([duration.length, memory.length]).toEqual([101, 101]);
      expect(duration[0]).toBeGreaterThan(0);
      expect(memory[0]).toBeGreaterThan(0);
      expect([...duration].sort((a, b) => a - b)).toEqual(duration);
      expect([...memory].sort((a, b) => a - b)).toEqual(memory);
    }
  });

  it('refuses synthetic and unknown functions with exit 3', async () => {
    const out = path.join(dir, 'never.json');
    const synthetic = await fails(['trace', 'profile', '--only', 'synthetic', '--out', out]);
    expect(synthetic.code).toBe(3);
    expect(synthetic.stderr).toContain('--only: synthetic is what trace map falls back to, not a proxy to profile; expected one of: ');
    const unknown = await fails(['trace', 'profile', '--only', '999.nothing', '--out', out]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('--only: no function "999.nothing" in ');
    expect(existsSync(out)).toBe(false);
  });

  it('Ctrl-C stops profiling, exits 130 and writes nothing', async () => {
    const out = path.join(dir, 'interrupted.json');
    const child = spawn(process.execPath, [BIN, 'trace', 'profile', '--only', '502.graph-mst', '--sizes', 'test', '--warmup', '0', '--calls', '1000000', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    // Printed once the candidates are deployed, as the first call goes out.
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('profiling 1 candidate(s) on local: 0 warm-up and 1000000 measured call(s) each')) resolve();
      }),
    );
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(130);
    expect(stderr).toContain(`interrupted: nothing written to ${out}`);
    expect(existsSync(out)).toBe(false);
  }, 30_000);
});

describe('faasbench trace map', () => {
  it('maps all 100 functions of the published trace, each to a profiled proxy with its errors', async () => {
    const trace = await readTrace(TRACE);
    const mapped = await nearestMapping();
    expect(mapped.method).toBe('nearest');
    expect(mapped.written.entries).toEqual(mapped.entries);
    expect(mapped.entries.map((e) => e.key)).toEqual(trace.functions.map((fn) => fn.key));
    expect(mapped.entries).toHaveLength(100);
    for (const [i, e] of mapped.entries.entries()) {
      const fn = trace.functions[i]!;
      expect(PROXIES).toContain(e.proxy);
      expect([e.traceDurationP75Ms, e.traceMemoryP75Mb]).toEqual([fn.duration.percentilesMs[75], fn.memory.percentilesMb[75]]);
      expect([e.proxyDurationP75Ms, e.proxyMemoryP75Mb]).toEqual([profile[e.proxy]!.duration[75], profile[e.proxy]!.memory[75]]);
      expect(e.durationError).toBe(e.traceDurationP75Ms === 0 ? null : Math.abs(e.proxyDurationP75Ms - e.traceDurationP75Ms) / e.traceDurationP75Ms);
      expect(e.memoryError).toBe(Math.abs(e.proxyMemoryP75Mb - e.traceMemoryP75Mb) / e.traceMemoryP75Mb);
      expect(Number.isFinite(e.distance)).toBe(true);
    }
    // The set has functions whose p75 is 0 ms: they are mapped too, with no relative error.
    expect(mapped.entries.filter((e) => e.durationError === null).length).toBe(6);
  }, 30_000);

  it('--unique with 100 functions and 2 proxies falls back to nearest and says so', async () => {
    const out = path.join(dir, 'unique.json');
    const { stdout, stderr } = await faasbench('trace', 'map', TRACE, '--profile', profileFile, '--out', out, '--unique');
    expect(stderr).toContain('note: --unique: 100 trace functions but 2 proxies, so no one-to-one mapping exists; each function was mapped to its nearest proxy instead');
    expect(stdout).toContain('method: nearest (unique needs at least as many proxies as trace functions: 100 > 2)');
    expect(stdout).toMatch(/^100 functions: 100 mapped to [12] of 2 proxies, 0 synthetic$/m);
    const unique = readMapping(out);
    expect(unique.method).toBe('nearest (unique needs at least as many proxies as trace functions: 100 > 2)');
    expect(unique.entries).toEqual((await nearestMapping()).entries);
  }, 30_000);

  it('--max-error 0.4 replaces exactly the proxies off by more than 40% with synthetic at the trace figures', async () => {
    const nearest = (await nearestMapping()).entries;
    const capped = await mapJson('--max-error', '0.4');
    expect(capped.written.maxError).toBe(0.4);
    const replaced = nearest.map((e) => (e.durationError === null ? e.proxyDurationP75Ms >= 1 : e.durationError > 0.4));
    expect(capped.synthetic).toBe(replaced.filter(Boolean).length);
    expect(capped.synthetic).toBeGreaterThan(0);
    for (const [i, e] of capped.entries.entries()) {
      if (replaced[i]) {
        expect(e).toEqual({ ...nearest[i], proxy: 'synthetic', proxyDurationP75Ms: e.traceDurationP75Ms, proxyMemoryP75Mb: e.traceMemoryP75Mb, durationError: 0, memoryError: 0, distance: 0 });
      } else {
        expect(e).toEqual(nearest[i]);
        if (e.durationError !== null) expect(e.durationError).toBeLessThanOrEqual(0.4);
      }
    }
  }, 30_000);

  it('a bad profile exits 3 naming the field, and writes no mapping', async () => {
    const bad = path.join(dir, 'bad-profile.json');
    const good = JSON.parse(readFileSync(profileFile, 'utf8')) as Record<string, { duration: number[]; memory: number[] }>;
    good['120.uploader:test']!.duration.pop();
    writeFileSync(bad, JSON.stringify(good));
    const out = path.join(dir, 'not-written.json');
    const failure = await fails(['trace', 'map', TRACE, '--profile', bad, '--out', out]);
    expect(failure.code).toBe(3);
    expect(failure.stderr).toContain('bad-profile.json: "120.uploader:test".duration: expected 101 numbers');
    expect(existsSync(out)).toBe(false);
  });
});
