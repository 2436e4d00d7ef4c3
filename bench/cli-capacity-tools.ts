/**
 * The load tools cli-capacity.bench.ts puts side by side, each run as its users run it, in a
 * process of its own under GNU time (`%M`: the largest resident set of the process tree, KB), each
 * read back into the same few figures. Open loop: faasbench, hey -q, loadtest --rps, Artillery, and
 * the physical limit of a Node sender (bare-sender.mjs).
 * Closed loop (the server's ceiling): autocannon and wrk.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// @ts-expect-error: a plain .mjs module of bin/, without types
import { builtFile } from '../bin/built-sources.mjs';
import { percentile } from '../src/analysis/percentile.ts';
import type { SecondLateness } from './cli-capacity-lateness.ts';

export interface OpenLoopResult {
  /** Why the tool did not run (not installed, failed); the figures are then null. */
  readonly missing?: string;
  /** Calls answered 2xx per second of the planned duration. */
  readonly achievedPerSecond: number | null;
  readonly errors: number | null;
  /** Calls the tool chose not to send (faasbench's in-flight bound); null when a tool has no such count. */
  readonly dropped: number | null;
  readonly latencyP99Ms: number | null;
  /** Sent minus planned (faasbench and the bare sender: the others do not record when a call was due). */
  readonly latenessP99Ms: number | null;
  readonly peakRssMb: number | null;
}

export interface ToolRun {
  readonly result: OpenLoopResult;
  /** Where faasbench stored the run, for its lateness per second. */
  readonly store?: { readonly path: string; readonly runId: string };
  /** The lateness per second of the run, from a tool that reports it itself. */
  readonly perSecond?: readonly SecondLateness[];
}

export interface OpenLoopTool {
  readonly name: string;
  run(url: string, rate: number, seconds: number): Promise<ToolRun>;
}

interface Places {
  readonly repo: string;
  /** Where `npm install --prefix` put loadtest and Artillery. */
  readonly peersDir: string;
  /** Scratch folder for stores, scripts and reports. */
  readonly work: string;
}

const NONE: Omit<OpenLoopResult, 'missing'> = { achievedPerSecond: null, errors: null, dropped: null, latencyP99Ms: null, latenessP99Ms: null, peakRssMb: null };
const BODY = '{}';

interface Timed {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  readonly peakRssMb: number | null;
}

/** Runs `file args` under GNU time; never rejects (a failing tool is a row that says so). */
function timed(work: string, file: string, args: readonly string[], timeoutMs: number): Promise<Timed> {
  const rssFile = path.join(work, `rss-${process.hrtime.bigint()}.txt`);
  return new Promise((resolve) => {
    execFile('/usr/bin/time', ['-f', '%M', '-o', rssFile, file, ...args], { maxBuffer: 1 << 28, timeout: timeoutMs, killSignal: 'SIGINT' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const kb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
      resolve({ stdout, stderr, code, peakRssMb: Number.isFinite(kb) ? kb / 1024 : null });
    });
  });
}

const failed = (t: Timed, what: string): OpenLoopResult => ({ ...NONE, missing: `${what} failed (exit ${t.code}): ${(t.stderr || t.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 160)}` });

function faasbench(p: Places): OpenLoopTool {
  let n = 0;
  if (builtFile('cli/main.ts') === null) execFileSync(process.execPath, [path.join(p.repo, 'scripts/build.mjs')], { stdio: 'inherit' });
  return {
    name: 'faasbench',
    async run(url, rate, seconds) {
      // Measured as installed: compiled. A build gone stale (src/ edited mid-bench) would run through tsx.
      if (builtFile('cli/main.ts') === null) return { result: { ...NONE, missing: 'build/ is older than src/ (edited during the bench?): run `npm run build` and bench again' } };
      const store = path.join(p.work, `fb-${++n}.db`);
      const t = await timed(p.work, process.execPath, [path.join(p.repo, 'bin/faasbench.mjs'), 'invoke', 'noop', '--no-deploy', '--provider', 'http', '-o', `url=${url}`, '--store', store, '--json', 'constant', '--rate', String(rate), '--duration', `${seconds}s`], (seconds + 120) * 1000);
      let out: { runId: string; summary: { ok: number; failed: number; byStatus: Record<string, number>; latencyMs: { p99: number } | null; latenessMs: { p99: number } | null } };
      try {
        out = JSON.parse(t.stdout) as typeof out;
      } catch {
        return { result: failed(t, 'faasbench') };
      }
      const s = out.summary;
      const dropped = s.byStatus.dropped ?? 0;
      return {
        result: { achievedPerSecond: s.ok / seconds, errors: s.failed - dropped, dropped, latencyP99Ms: s.latencyMs?.p99 ?? null, latenessP99Ms: s.latenessMs?.p99 ?? null, peakRssMb: t.peakRssMb },
        store: { path: store, runId: out.runId },
      };
    },
  };
}

/** hey's -q is per worker: the rate is split over workers of 50 calls/s each (a 20 ms tick). */
function hey(p: Places): OpenLoopTool {
  return {
    name: 'hey -q',
    async run(url, rate, seconds) {
      if (!existsSync('/usr/bin/hey')) return { result: { ...NONE, missing: 'hey not installed (apt-get install hey)' } };
      const workers = Math.max(1, Math.round(rate / 50));
      const t = await timed(p.work, '/usr/bin/hey', ['-z', `${seconds}s`, '-c', String(workers), '-q', String(rate / workers), '-m', 'POST', '-T', 'application/json', '-d', BODY, '-o', 'csv', url], (seconds + 60) * 1000);
      if (t.code !== 0) return { result: failed(t, 'hey') };
      // response-time (s),DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset
      const lines = t.stdout.trim().split('\n').slice(1);
      const latencies: number[] = [];
      let errors = 0;
      for (const line of lines) {
        const cells = line.split(',');
        if (cells[6] === '200') latencies.push(Number(cells[0]) * 1000);
        else errors++;
      }
      return { result: { achievedPerSecond: latencies.length / seconds, errors, dropped: null, latencyP99Ms: percentile(latencies, 99), latenessP99Ms: null, peakRssMb: t.peakRssMb } };
    },
  };
}

function loadtest(p: Places): OpenLoopTool {
  const bin = path.join(p.peersDir, 'node_modules/.bin/loadtest');
  return {
    name: 'loadtest --rps',
    async run(url, rate, seconds) {
      if (!existsSync(bin)) return { result: { ...NONE, missing: `loadtest not installed (npm install --prefix ${p.peersDir} loadtest)` } };
      const t = await timed(p.work, bin, ['--rps', String(rate), '-c', '64', '-t', String(seconds), '-m', 'POST', '-T', 'application/json', '-P', BODY, url], (seconds + 60) * 1000);
      // loadtest prints its report as text: "Completed requests:", "Total errors:", "99%  N ms".
      const text = t.stdout + t.stderr;
      const num = (re: RegExp): number | null => {
        const m = re.exec(text);
        return m ? Number(m[1]!.replace(/,/g, '')) : null;
      };
      const completed = num(/Completed requests:\s+([\d,]+)/);
      if (completed === null) return { result: failed(t, 'loadtest') };
      const errors = num(/Total errors:\s+([\d,]+)/) ?? 0;
      return { result: { achievedPerSecond: (completed - errors) / seconds, errors, dropped: null, latencyP99Ms: num(/99%\s+([\d.]+)\s*ms/), latenessP99Ms: null, peakRssMb: t.peakRssMb } };
    },
  };
}

function artillery(p: Places): OpenLoopTool {
  const bin = path.join(p.peersDir, 'node_modules/.bin/artillery');
  let n = 0;
  return {
    name: 'Artillery arrivalRate',
    async run(url, rate, seconds) {
      if (!existsSync(bin)) return { result: { ...NONE, missing: `Artillery not installed (npm install --prefix ${p.peersDir} artillery@2.0.21, the last for Node 20)` } };
      const script = path.join(p.work, `artillery-${++n}.json`);
      const report = path.join(p.work, `artillery-${n}-report.json`);
      writeFileSync(script, JSON.stringify({ config: { target: url, phases: [{ duration: seconds, arrivalRate: rate }] }, scenarios: [{ flow: [{ post: { url: '/', json: {} } }] }] }));
      const t = await timed(p.work, bin, ['run', '--quiet', '--output', report, script], (seconds + 180) * 1000);
      if (!existsSync(report)) return { result: failed(t, 'Artillery') };
      const agg = (JSON.parse(readFileSync(report, 'utf8')) as { aggregate: { counters: Record<string, number>; summaries: Record<string, { p99: number }> } }).aggregate;
      const ok = agg.counters['http.codes.200'] ?? 0;
      const errors = Object.entries(agg.counters).filter(([k]) => k.startsWith('errors.')).reduce((sum, [, v]) => sum + v, 0);
      return { result: { achievedPerSecond: ok / seconds, errors, dropped: null, latencyP99Ms: agg.summaries['http.response_time']?.p99 ?? null, latenessP99Ms: null, peakRssMb: t.peakRssMb } };
    },
  };
}

/** What no Node sender here could beat: bare sockets, one request's bytes built once, no records kept. */
function bareSender(p: Places): OpenLoopTool {
  return {
    name: 'bare node sender',
    async run(url, rate, seconds) {
      const t = await timed(p.work, process.execPath, [path.join(p.repo, 'bench/bare-sender.mjs'), url, String(rate), String(seconds)], (seconds + 60) * 1000);
      let out: Omit<OpenLoopResult, 'dropped' | 'peakRssMb'> & { perSecond: SecondLateness[] };
      try {
        out = JSON.parse(t.stdout) as typeof out;
      } catch {
        return { result: failed(t, 'bare-sender.mjs') };
      }
      const { perSecond, ...figures } = out;
      return { result: { ...figures, dropped: null, peakRssMb: t.peakRssMb }, perSecond };
    },
  };
}

export function openLoopTools(p: Places): OpenLoopTool[] {
  return [faasbench(p), bareSender(p), hey(p), loadtest(p), artillery(p)];
}

export interface ClosedLoopPeer {
  readonly name: string;
  run(url: string, seconds: number): Promise<{ callsPerSecond: number | null; note: string }>;
}

const CONNECTIONS = 64;

export function closedLoopPeers(p: Places): ClosedLoopPeer[] {
  const work = p.work;
  return [
    {
      name: 'autocannon',
      async run(url, seconds) {
        const t = await timed(work, path.join(p.repo, 'node_modules/.bin/autocannon'), ['-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST', '-b', BODY, '-j', url], (seconds + 60) * 1000);
        try {
          return { callsPerSecond: (JSON.parse(t.stdout) as { requests: { average: number } }).requests.average, note: `${CONNECTIONS} connections` };
        } catch {
          return { callsPerSecond: null, note: failed(t, 'autocannon').missing! };
        }
      },
    },
    {
      name: 'wrk',
      async run(url, seconds) {
        if (!existsSync('/usr/bin/wrk')) return { callsPerSecond: null, note: 'wrk not installed (apt-get install wrk)' };
        const lua = path.join(work, 'fb-wrk-post.lua');
        writeFileSync(lua, `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["content-type"] = "application/json"\n`);
        const t = await timed(work, '/usr/bin/wrk', ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', lua, url], (seconds + 60) * 1000);
        const m = /Requests\/sec:\s+([\d.]+)/.exec(t.stdout);
        return m ? { callsPerSecond: Number(m[1]), note: `2 threads, ${CONNECTIONS} connections` } : { callsPerSecond: null, note: failed(t, 'wrk').missing! };
      },
    },
  ];
}
