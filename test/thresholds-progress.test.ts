// Thresholds, CI outputs and progress as a user meets them: the real CLI in its own process
// against a bare node:http endpoint (the `http` provider), a real SQLite store, and the files it
// writes read back with a real JSON and XML parser. Each answer takes at least 5 ms, so `p99<1ms`
// fails whatever the machine's speed.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATTERNS } from '../src/workload/registry.ts';
import { runCli, spawnCli } from './support/cli-process.ts';
import { REPO, scratchDir } from './support/platform.ts';
import { readStore } from './support/sqlite-read.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

/** Answers every call after 5 ms and keeps the bodies it was sent. */
let server: Server;
let url: string;
const bodies: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(body);
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 5);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const http = (): string[] => ['--provider', 'http', '-o', `url=${url}`, '--no-deploy'];

interface JunitCase {
  '@_name': string;
  failure?: { '@_message': string };
}

/** The testcases of a JUnit file, after checking it is well-formed XML. */
function junitCases(file: string): JunitCase[] {
  const xml = readFileSync(file, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'testsuite' }).parse(xml) as { testsuites: { testsuite: Array<{ testcase: JunitCase[] }> } };
  return doc.testsuites.testsuite.flatMap((s) => s.testcase);
}

describe.concurrent('invoke: thresholds, --summary-out, --junit, named inputs without a deployment, pattern help', () => {
  it('a run that breaks p99<1ms exits 99 and lists it; the JSON and JUnit files say the same; --input reads the folder under --no-deploy', async ({ expect }) => {
    const dir = scratchDir('thresholds-invoke');
    const [summaryOut, junit] = [path.join(dir, 'summary.json'), path.join(dir, 'junit.xml')];
    const out = await runCli([
      'invoke', 'measure-node', 'sequential', '4', '--input', 'small', ...http(), '--store', path.join(dir, 'runs.db'),
      '--threshold', 'p99<1ms', '--threshold', 'errors<1%', '--threshold', 'measure-node:max<=600s',
      '--summary-out', summaryOut, '--junit', junit,
    ]);
    expect(out.code).toBe(99);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines.slice(-5, -4)).toEqual(['thresholds:']);
    expect(lines.at(-4)).toMatch(/^ {2}FAIL {2}p99<1ms {17}p99 \d+\.\d\d ms$/);
    expect(lines.slice(-3)).toEqual(['  pass  errors<1%               errors 0.00%', expect.stringMatching(/^ {2}pass {2}measure-node:max<=600s {2}max \d+\.\d\d ms$/), '1 of 3 thresholds failed: p99<1ms']);

    // --no-deploy --input small: the body sent is the function's own input, read from its folder.
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'functions/measure-node/function.json'), 'utf8')) as { inputs: { small: unknown } };
    expect(bodies).toContainEqual(JSON.stringify(manifest.inputs.small));

    const summary = JSON.parse(readFileSync(summaryOut, 'utf8')) as { runId: string; command: string; status: string; summary: { total: number; latencyMs: { p99: number } }; thresholds: Array<{ expression: string; actual: number; pass: boolean }>; pass: boolean };
    expect(summary).toMatchObject({ command: 'invoke', status: 'completed', summary: { total: 4 }, pass: false });
    expect(summary.thresholds.map((t) => [t.expression, t.pass])).toEqual([['p99<1ms', false], ['errors<1%', true], ['measure-node:max<=600s', true]]);
    // The actual figure is the summary's own.
    expect(summary.thresholds[0]!.actual).toBe(summary.summary.latencyMs.p99);
    expect(lines.at(-6)).toBe(`run ${summary.runId} completed`);

    const cases = junitCases(junit);
    expect(cases.map((c) => [c['@_name'], c.failure !== undefined])).toEqual([['p99<1ms', true], ['errors<1%', false], ['measure-node:max<=600s', false]]);
    expect(cases[0]!.failure!['@_message']).toMatch(/^p99 \d+\.\d\d ms; expected < 1 ms$/);
  }, CLI_TEST_TIMEOUT_MS);

  it('refuses a malformed threshold or one on a function the run does not call as a usage error (exit 2), before anything runs', async ({ expect }) => {
    const dir = scratchDir('thresholds-usage');
    const bad = await runCli(['invoke', 'hello', ...http(), '--store', path.join(dir, 'runs.db'), '--threshold', 'p99<300']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`error: option '--threshold <expr>' argument 'p99<300' is invalid. threshold "p99<300": p99 takes a latency in ms or s, e.g. 300ms or 0.3s; got no unit`);
    const other = await runCli(['invoke', 'hello', ...http(), '--store', path.join(dir, 'runs.db'), '--threshold', 'world:p99<1s']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('error: threshold "world:p99<1s": this run calls no function world (it calls: hello)');
    const param = await runCli(['experiment', 'run', 'cold-start', '--store', path.join(dir, 'runs.db'), '-p', 'thresholds=p99<1s,erors<1%']);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain('error: parameter thresholds: threshold "erors<1%": unknown metric "erors"');
  }, CLI_TEST_TIMEOUT_MS);

  it('invoke --help lists every registered pattern with its usage, description and other options', async ({ expect }) => {
    const help = (await runCli(['invoke', '--help'])).stdout;
    for (const pattern of Object.values(PATTERNS)) expect(help).toContain(`  ${pattern.usage}\n      ${pattern.description}\n`);
    expect(help).toContain('  bursty [--rate R] [--duration D] [--arrivals uniform|poisson]\n');
    expect(help).toContain('      defaults: --rate 20 --duration 20m\n      also: --seed --warmup --warmup-calls --tag\n');
  }, CLI_TEST_TIMEOUT_MS);
});

/** A one-function trace of one minute, 24 calls, from the bundled example's first function. */
function oneMinuteTrace(dir: string): string {
  const example = path.resolve(REPO, '../shared/traces/invitro-example-4fn-1440min');
  const traceDir = path.join(dir, 'trace');
  mkdirSync(traceDir, { recursive: true });
  const [invocationsHeader, firstRow] = readFileSync(path.join(example, 'invocations.csv'), 'utf8').split('\n') as [string, string];
  const keys = firstRow.split(',').slice(0, 4);
  writeFileSync(path.join(traceDir, 'invocations.csv'), `${invocationsHeader.split(',').slice(0, 4).join(',')},1\n${keys.join(',')},24\n`);
  for (const file of ['durations.csv', 'memory.csv']) {
    const [header, ...rows] = readFileSync(path.join(example, file), 'utf8').trim().split('\n');
    writeFileSync(path.join(traceDir, file), `${header}\n${rows.find((r) => r.includes(keys[2]!))}\n`);
  }
  return traceDir;
}

describe('trace replay: progress off a terminal, stored progress, thresholds', () => {
  it('a 1-minute replay at 4x speed prints elapsed and ETA at least every 5 s, stores rising progress, and ends on its failed threshold', async () => {
    const dir = scratchDir('progress-replay');
    const store = path.join(dir, 'runs.db');
    const runId = 'progress-replay-run';
    const [summaryOut, junit] = [path.join(dir, 'summary.json'), path.join(dir, 'junit.xml')];
    // Its last call (seed 42) falls at 59.8 s of the minute: 15 s at 4x, and a replay cannot end
    // before its schedule however loaded the machine. That is long enough for the checks below: 12 s
    // of progress lines (two at the 5 s cadence, then the closing line) and more than 10 stored
    // samples, with 3 s to spare; a faster replay would leave one cadence line, which proves no cadence.
    const child = spawnCli(['trace', 'replay', oneMinuteTrace(dir), '--speed', '4', ...http(), '--store', store, '--run-id', runId, '--threshold', 'p99<1ms', '--threshold', 'errors<=0', '--summary-out', summaryOut, '--junit', junit]);
    // What the dashboard reads: the run's stored progress, sampled while it runs. The CLI stores it
    // every second; sampling twice as often sees each stored value (about 28 samples in 15 s), so
    // more than 10 holds even if the CLI takes seconds to start on a loaded machine.
    const stored: Array<{ done: number; elapsedMs: number; etaMs: number | null }> = [];
    const sampler = setInterval(() => {
      try {
        const row = readStore(store, (db) => db.prepare('select progress from runs where id = ?').get(runId) as { progress: string | null } | undefined);
        if (row?.progress) stored.push(JSON.parse(row.progress) as (typeof stored)[number]);
      } catch {
        // The store or the run does not exist yet.
      }
    }, 500);
    const out = await child.done.finally(() => clearInterval(sampler));

    expect(out.code).toBe(99);
    // Spawned with pipes: not a terminal, so plain lines, each with elapsed and ETA: one every 5 s
    // for as long as the run lasted (its last call falls somewhere in the minute).
    const progress = out.stderr.split('\n').filter((l) => l.startsWith('elapsed '));
    const lastElapsed = /^elapsed (?:(\d+)m)?(\d+)s/.exec(progress.at(-1) ?? '');
    const seconds = lastElapsed ? Number(lastElapsed[1] ?? 0) * 60 + Number(lastElapsed[2]) : 0;
    expect(seconds).toBeGreaterThanOrEqual(12);
    expect(progress.length).toBeGreaterThanOrEqual(Math.floor(seconds / 5) - 1);
    for (const line of progress) expect(line).toMatch(/^elapsed (\d+s|\d+m\d\ds) {2}ETA (-|\d+s|\d+m\d\ds) {2}sent \d+\/24 {2}done \d+ {2}/);
    expect(out.stderr).not.toContain('\r');

    expect(stored.length).toBeGreaterThan(10);
    const done = stored.map((p) => p.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)! - done[0]!).toBeGreaterThan(5);
    expect(stored.every((p) => typeof p.elapsedMs === 'number' && 'etaMs' in p)).toBe(true);

    expect(out.stdout.trimEnd().split('\n').slice(-4)).toEqual(['thresholds:', expect.stringMatching(/^ {2}FAIL {2}p99<1ms {4}p99 \d+\.\d\d ms$/), '  pass  errors<=0  errors 0 calls', '1 of 2 thresholds failed: p99<1ms']);
    expect(JSON.parse(readFileSync(summaryOut, 'utf8'))).toMatchObject({ runId, command: 'trace replay', status: 'completed', summary: { total: 24, failed: 0 }, pass: false });
    expect(junitCases(junit).map((c) => [c['@_name'], c.failure !== undefined])).toEqual([['p99<1ms', true], ['errors<=0', false]]);
  }, 240_000);
});
