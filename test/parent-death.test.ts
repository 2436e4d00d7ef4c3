// Children die with their parent: kill -9 of `invoke` takes its platform and the platform's
// instances (frozen ones included) with it; a platform killed with kill -9 itself leaves a stopped
// instance, which the next start of a platform on that data directory kills and reports. Real CLI
// processes throughout; processes are checked by pid and by cgroup.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { groupMembers, subgroups } from '../src/platform/cgroup.ts';
import { reapLeftovers, type ReapedLeftover } from '../src/platform/leftovers.ts';
import { processAlive, processStopped } from '../src/platform/process-liveness.ts';
import { REPO, scratchDir, sleep } from './support/platform.ts';

const BIN = path.join(REPO, 'bin/faasbench.mjs');
/**
 * The promise is 2 s. Measured from kill to the test's seeing every process gone: 190-640 ms for
 * invoke's platform and 0-55 ms for a launcher's parent-death signal at a load of 10-25 on 2 cores;
 * at a load of 50 the kernel-immediate parent-death signal measured 4.8 s, which is the test's own
 * polling starved of CPU. So the assertion is 5 s and each run logs its figure.
 */
const GONE_WITHIN_MS = 5000;
/**
 * Each test starts two or three CLI processes; ~12 s in all on a quiet 2-core box, but a CLI start
 * took 10 s there under a load of 20: the waits for start-up are wide.
 */
const STARTUP_MS = 50_000;
const TEST_MS = 90_000;
const CGROUP_ROOTS = ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu', '/sys/fs/cgroup/pids', '/sys/fs/cgroup'];

/** Starts the CLI; whatever still runs when the test ends is killed (the two tests run at once). */
function faasbench(args: readonly string[], onTestFinished: (fn: () => void) => void): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Every process whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(name)] : [];
      } catch {
        return [];
      }
    });
}

function descendantsOf(pid: number): number[] {
  const children = childrenOf(pid);
  return [...children, ...children.flatMap(descendantsOf)];
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The cgroups named after platform `pid` (its parent groups), in every hierarchy. */
function platformGroups(pid: number): string[] {
  return CGROUP_ROOTS.flatMap((root) => {
    try {
      return readdirSync(root)
        .filter((name) => name.startsWith(`faasbench-${pid}-`))
        .map((name) => path.join(root, name));
    } catch {
      return [];
    }
  });
}

/** Processes in a platform's groups (parent and instance groups). */
function groupProcesses(groups: readonly string[]): number[] {
  return groups.flatMap((dir) => [dir, ...subgroups(dir)].flatMap(groupMembers));
}

/** Polls `check` every 20 ms until it holds or `limitMs` passed; returns the ms it took, or null. */
async function within(limitMs: number, check: () => boolean): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (check()) return performance.now() - start;
    await sleep(20);
  }
  return check() ? performance.now() - start : null;
}

async function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited with ${code} before its first line`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
  });
}

function collect(stream: NodeJS.ReadableStream | null): { text: string } {
  const out = { text: '' };
  stream?.on('data', (chunk: Buffer) => (out.text += chunk.toString('utf8')));
  return out;
}

function cgroupsNote(writable: boolean): void {
  if (writable) return;
  // CI runs as root with writable cgroups (below): there the cgroup half of the check always runs.
  console.warn('parent-death: cgroups are not writable here (not root?): processes are checked by pid only, and leftovers are found by their instance markers');
  if (process.env.CI) expect(writable, 'CI runs as root with writable cgroups').toBe(true);
}

describe.concurrent('kill -9 of invoke running its own platform', () => {
  it('leaves no process of the platform or its instances alive, by pid and by cgroup, within 2 s (asserted: 5 s)', async ({ onTestFinished }) => {
    const invoke = faasbench(['invoke', 'hello', 'constant', '--rate', '10', '--duration', '60s', '--store', path.join(scratchDir('parent-death'), 'runs.db')], onTestFinished);
    const stderr = collect(invoke.stderr);
    const invokePid = invoke.pid as number;
    // The platform, once it has a frozen instance (hello answers in ~1 ms and is stopped 2 ms later).
    let platformPid: number | undefined;
    let processes: number[] = [];
    const ready = await within(STARTUP_MS, () => {
      platformPid ??= childrenOf(invokePid).find((pid) => commandOf(pid).includes('platform start'));
      if (platformPid === undefined) return false;
      processes = descendantsOf(platformPid);
      return processes.some(processStopped);
    });
    expect(ready, `no frozen instance of invoke's platform within ${STARTUP_MS / 1000} s; invoke's stderr:\n${stderr.text}`).not.toBeNull();
    const pid = platformPid as number;
    const groups = platformGroups(pid);
    const cgroupsWritable = groups.length > 0;
    cgroupsNote(cgroupsWritable);
    if (cgroupsWritable) expect(groupProcesses(groups).length).toBeGreaterThan(0);
    const watched = [...new Set([pid, ...processes, ...groupProcesses(groups)])];

    invoke.kill('SIGKILL');
    const goneMs = await within(15_000, () => !watched.some(processAlive) && groupProcesses(platformGroups(pid)).length === 0);
    console.log(`parent-death: platform ${pid} and ${watched.length - 1} processes of its instances and launchers gone ${goneMs?.toFixed(0)} ms after kill -9 of invoke`);
    expect(goneMs, `still alive 15 s after the kill: ${watched.filter(processAlive).join(', ')}`).not.toBeNull();
    expect(goneMs as number).toBeLessThan(GONE_WITHIN_MS);
    // Empty is the promise; removing the groups may be cut short by the orphan's 1 s stop bound on
    // a loaded machine, and the next start reaps what is left (the test below).
    expect(groupProcesses(platformGroups(pid))).toEqual([]);
  }, TEST_MS);
});

describe.concurrent('a platform killed with kill -9 while an instance is frozen', () => {
  it('leaves the stopped instance, which the next start on its data directory kills, removes and reports', async ({ onTestFinished }) => {
    const dataDir = scratchDir('leftover');
    // No sandbox launcher (isolation none): nothing kills the instance with its platform, so it is left over.
    const first = faasbench(['platform', 'start', '--port', '0', '--json', '--isolation', 'none', '--data-dir', dataDir, '--deploy', path.join(REPO, 'functions/hello')], onTestFinished);
    const info = JSON.parse(await firstLine(first)) as { url: string; facts: { memoryLimit: string } };
    const reply = await request(`${info.url}/2015-03-31/functions/hello/invocations`, { method: 'POST', body: '{}' });
    expect(reply.statusCode).toBe(200);
    await reply.body.text();
    const instanceId = reply.headers['x-faasbench-instance-id'] as string;
    const platformPid = first.pid as number;
    let instancePid: number | undefined;
    expect(await within(10_000, () => (instancePid = childrenOf(platformPid).find(processStopped)) !== undefined), 'the instance was never frozen').not.toBeNull();
    const groups = platformGroups(platformPid);
    const cgroupsWritable = info.facts.memoryLimit.startsWith('cgroup');
    cgroupsNote(cgroupsWritable);
    const groupDirs = groups.flatMap((dir) => [dir, ...subgroups(dir)]);
    if (cgroupsWritable) {
      expect(groupProcesses(groups)).toEqual(expect.arrayContaining([instancePid]));
      expect(groupDirs.map((dir) => path.basename(dir))).toEqual(expect.arrayContaining([instanceId]));
    }
    const tmpRoots = readdirSync('/tmp').filter((name) => name.startsWith(`faasbench-${platformPid}-`));
    expect(tmpRoots).toHaveLength(1);

    first.kill('SIGKILL');
    expect(await within(5000, () => !processAlive(platformPid))).not.toBeNull();
    // The leftover: still there, still stopped.
    expect([processAlive(instancePid as number), processStopped(instancePid as number)]).toEqual([true, true]);

    const second = faasbench(['platform', 'start', '--port', '0', '--json', '--isolation', 'none', '--data-dir', dataDir], onTestFinished);
    const stderr = collect(second.stderr);
    const next = JSON.parse(await firstLine(second)) as { url: string; reaped: ReapedLeftover[] };
    const expected: ReapedLeftover = {
      platformPid,
      instances: [{ id: instanceId, processes: 1 }],
      processes: 1,
      cgroups: groupDirs.length,
      // The temp root and the instance's folder.
      tempFolders: 2,
    };
    expect(next.reaped).toEqual([expected]);
    expect(processAlive(instancePid as number)).toBe(false);
    expect(groupDirs.filter(existsSync)).toEqual([]);
    expect(existsSync(path.join('/tmp', tmpRoots[0] as string))).toBe(false);
    const health = (await (await request(`${next.url}/healthz`)).body.json()) as { reaped: ReapedLeftover[] };
    expect(health.reaped).toEqual([expected]);
    const cgroupWord = groupDirs.length === 1 ? 'cgroup' : 'cgroups';
    expect(stderr.text).toContain(
      `faasbench platform: reaped 1 instance (1 process killed) [${instanceId}], ${groupDirs.length} ${cgroupWord}, 2 temp folders left by platform pid ${platformPid}\n`,
    );
    const exited = new Promise<number | null>((resolve) => second.once('exit', resolve));
    second.kill('SIGINT');
    expect(await exited).toBe(0);
  }, TEST_MS);
});

describe.concurrent('a platform killed with kill -9, its instances started by the compiled launcher', () => {
  it('takes its frozen instance and its waiting launchers with it (the launcher\'s parent-death signal)', async ({ onTestFinished }) => {
    const dataDir = scratchDir('pdeathsig');
    const platform = faasbench(['platform', 'start', '--port', '0', '--json', '--data-dir', dataDir, '--deploy', path.join(REPO, 'functions/hello')], onTestFinished);
    const info = JSON.parse(await firstLine(platform)) as { url: string; facts: { launcher: string } };
    if (info.facts.launcher !== 'sandbox-exec') {
      // The isolation tests require the compiled launcher where a C compiler is present, as in CI.
      console.warn(`parent-death: no compiled sandbox launcher here (launcher ${info.facts.launcher}): not checked`);
      return;
    }
    const reply = await request(`${info.url}/2015-03-31/functions/hello/invocations`, { method: 'POST', body: '{}' });
    await reply.body.text();
    const instanceId = reply.headers['x-faasbench-instance-id'] as string;
    const platformPid = platform.pid as number;
    let processes: number[] = [];
    expect(await within(10_000, () => (processes = descendantsOf(platformPid)).some(processStopped)), 'the instance was never frozen').not.toBeNull();
    platform.kill('SIGKILL');
    const goneMs = await within(15_000, () => !processes.some(processAlive));
    console.log(`parent-death: ${processes.length} processes (instance and waiting launchers) of platform ${platformPid} gone ${goneMs?.toFixed(0)} ms after its kill -9`);
    expect(goneMs as number).toBeLessThan(GONE_WITHIN_MS);
    // What is left (its cgroups and temp folders) holds no process: reaping it kills nothing.
    const key = readdirSync('/tmp').find((name) => name.startsWith(`faasbench-${platformPid}-`))?.slice('faasbench-'.length) as string;
    const reaped = await reapLeftovers({ cgroupRoots: CGROUP_ROOTS, tmpDir: '/tmp', ownKeys: new Set([key]) });
    expect(reaped.filter((r) => r.platformPid === platformPid).map((r) => [r.instances, r.processes])).toEqual([[[{ id: instanceId, processes: 0 }], 0]]);
  }, TEST_MS);
});
