// io-net as a user runs it: the real CLI by experiment name, the real local platform (its own
// child process), the iperf3 server the experiment starts on loopback, and afterwards no iperf3
// left behind, also when the binary is missing.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { REPO, scratchDir } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
const run = promisify(execFile);

interface RunJson {
  runId: string;
  status: string;
  result: { columns: string[]; rows: Array<Array<string | number | boolean | null>>; notes: string[]; summary: { server: string | null; serverError: string | null } } | null;
  error: string | null;
}

async function ioNet(params: Record<string, unknown>): Promise<{ out: RunJson; tags: string[] }> {
  const store = path.join(scratchDir('io-net'), 'runs.db');
  const args = [BIN, 'experiment', 'run', 'io-net', '--store', store, '--json', ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${JSON.stringify(v)}`])];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
  const [out] = JSON.parse(stdout) as RunJson[];
  const db = await openStore(store);
  try {
    const tags: string[] = [];
    for await (const r of db.records(out!.runId)) tags.push(`${r.tag}:${r.status}`);
    return { out: out!, tags };
  } finally {
    await db.close();
  }
}

const table = (r: RunJson): Array<Record<string, unknown>> => r.result!.rows.map((row) => Object.fromEntries(r.result!.columns.map((c, i) => [c, row[i]])));

/** Processes whose command line matches: pgrep exits 1 when there are none. */
async function processes(pattern: string): Promise<string[]> {
  try {
    const { stdout } = await run('pgrep', ['-af', pattern]);
    return stdout.trim().split('\n');
  } catch (err) {
    if ((err as { code?: number }).code === 1) return [];
    throw err;
  }
}

const small = { sizes: [128, 1769], io: { rd: 2, size: '64kB', cnt: 4 }, netSeconds: 1 };

describe('experiment io-net', () => {
  it('per size: io write speed per round and iperf3 bps and RTTs against its own loopback server, which is gone afterwards', async () => {
    const { out, tags } = await ioNet(small);
    expect(out).toMatchObject({ status: 'completed', error: null });
    const rows = table(out);
    console.log(rows.map((r) => `${r['memory MB']} MB: io ${r['io MB/s by round']} MB/s, net ${r['net Mbit/s']} Mbit/s, RTT ${r['RTT min µs']}/${r['RTT mean µs']}/${r['RTT max µs']} µs`).join('\n'));
    expect(rows.map((r) => [r['memory MB'], r['io rounds'], r.errors])).toEqual([
      [128, 2, null],
      [1769, 2, null],
    ]);
    for (const r of rows) {
      const speeds = String(r['io MB/s by round']).split(', ').map(Number);
      expect(speeds).toHaveLength(2);
      for (const s of speeds) expect(s).toBeGreaterThan(0);
      expect(r['net Mbit/s']).toBeGreaterThan(0);
      expect(r['RTT min µs'] as number).toBeGreaterThan(0);
      expect(r['RTT min µs'] as number).toBeLessThanOrEqual(r['RTT mean µs'] as number);
      expect(r['RTT mean µs'] as number).toBeLessThanOrEqual(r['RTT max µs'] as number);
    }
    // A warm-up, an io call and a net call per size, all answered.
    expect(tags).toEqual(['warmup-128:ok', 'io-128:ok', 'net-128:ok', 'warmup-1769:ok', 'io-1769:ok', 'net-1769:ok']);
    const server = out.result!.summary.server!;
    expect(server).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await processes(`iperf3 -s .*-p ${server.split(':')[1]}( |$)`)).toEqual([]);
  }, 60_000);

  it('without iperf3: the disk is measured, each row says why the network is not, and nothing is left running', async () => {
    const { out, tags } = await ioNet({ ...small, sizes: [128], iperf3: '/nonexistent/iperf3' });
    expect(out).toMatchObject({ status: 'completed', error: null });
    const why = 'iperf3 not found (/nonexistent/iperf3): install iperf3 (apt-get install iperf3), or give -p server=host:port of a running one';
    expect(table(out).map((r) => [r['memory MB'], r['io rounds'], r['net Mbit/s'], r.errors])).toEqual([[128, 2, null, `net not measured: ${why}`]]);
    expect(out.result!.notes[1]).toBe(`network not measured: ${why}`);
    expect(out.result!.summary).toMatchObject({ server: null, serverError: why });
    expect(tags).toEqual(['warmup-128:ok', 'io-128:ok']);
    expect(await processes('/nonexistent/iperf3')).toEqual([]);
  }, 60_000);

  it('Ctrl-C during the run: interrupted, and cleanup stops the iperf3 server it started', async () => {
    const store = path.join(scratchDir('io-net'), 'runs.db');
    // Long enough to be interrupted during the first network test.
    const child = spawn(process.execPath, [BIN, 'experiment', 'run', 'io-net', '--store', store, '-p', 'sizes=[128]', '-p', 'netSeconds=3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        const match = /iperf3 server listening on 127\.0\.0\.1:(\d+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before the server started`)));
    });
    expect(await processes(`iperf3 -s .*-p ${port}( |$)`)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // To the CLI alone, not its process group: the server goes only if cleanup stops it.
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await processes(`iperf3 -s .*-p ${port}( |$)`)).toEqual([]);
  }, 60_000);
});
