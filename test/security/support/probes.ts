/**
 * Host-side probes for the instance isolation acceptance tests: what root on the host can see of
 * an instance (its processes, environment, private /tmp, staged code), and a plain local client of
 * an instance's Runtime API port. The test process is the platform, so nothing here may block the
 * event loop for long: the platform serves instances from it meanwhile.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CGROUP_ROOTS } from '../../../src/platform/cgroup.ts';
import { sleep } from '../../support/platform.ts';

const pids = (): string[] => readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return ''; // exited meanwhile, or a kernel thread
  }
}

/** Command lines (NULs as spaces) of the host's processes whose argv contains `marker`. */
export function hostProcessesWith(marker: string): string[] {
  return pids()
    .map((pid) => readOrEmpty(`/proc/${pid}/cmdline`))
    .filter((cmdline) => cmdline.includes(marker))
    .map((cmdline) => cmdline.replaceAll('\0', ' ').trim());
}

/** Polls (every 100 ms, at most `withinMs`) until no host process carries `marker`; returns those left. */
export async function leftoversWith(marker: string, withinMs: number): Promise<string[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    const left = hostProcessesWith(marker);
    if (left.length === 0 || Date.now() >= until) return left;
    await sleep(100);
  }
}

/**
 * Host pids whose argv[0] is `marker`, polled (every 50 ms, at most `withinMs`) until there are
 * `count`. argv[0] alone: a process that merely passes the marker on (in a script) must not count.
 */
export async function waitForPidsNamed(marker: string, count: number, withinMs: number): Promise<number[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    const found = pids().filter((pid) => readOrEmpty(`/proc/${pid}/cmdline`).startsWith(`${marker}\0`));
    if (found.length >= count) return found.map(Number).sort((a, b) => a - b);
    if (Date.now() >= until) throw new Error(`${found.length} of ${count} processes named ${marker} within ${withinMs} ms`);
    await sleep(50);
  }
}

/**
 * What the host holds for one live instance, by the names platform.ts and instance.ts give it: its
 * temp folder `/tmp/faasbench-<key>/<id>` with the `<id>.pid` marker beside it, and a group
 * `faasbench-<key>/<id>` under each hierarchy where the platform made its `faasbench-<key>` parent
 * (memory, cpu and pids on cgroup v1; the one v2 tree).
 */
export interface InstanceHold {
  readonly tmpDir: string;
  readonly marker: string;
  readonly platformCgroups: readonly string[];
  readonly cgroups: readonly string[];
}

export function instanceHold(instanceId: string): InstanceHold {
  const tmpDir = instanceTmpDir(instanceId);
  const platformDir = path.basename(path.dirname(tmpDir));
  const platformCgroups = CGROUP_ROOTS.map((root) => path.join(root, platformDir)).filter((dir) => existsSync(dir));
  return { tmpDir, marker: `${tmpDir}.pid`, platformCgroups, cgroups: platformCgroups.map((dir) => path.join(dir, instanceId)) };
}

/** The pids a group holds now (none once it is gone). */
export function cgroupMembers(dir: string): number[] {
  return readOrEmpty(path.join(dir, 'cgroup.procs'))
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
}

/** Polls (every 50 ms, at most `withinMs`) until none of `paths` exists; returns those left. */
export async function stillPresent(paths: readonly string[], withinMs: number): Promise<string[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    const left = paths.filter((p) => existsSync(p));
    if (left.length === 0 || Date.now() >= until) return left;
    await sleep(50);
  }
}

/** Host pids whose environment holds `text`: root sees every instance's environ. */
export function hostPidsWithEnv(text: string): number[] {
  return pids()
    .filter((pid) => readOrEmpty(`/proc/${pid}/environ`).includes(text))
    .map(Number);
}

/** Polls until a host process has `text` in its environment; its pid. */
export async function waitForEnv(text: string, withinMs: number): Promise<number> {
  const until = Date.now() + withinMs;
  for (;;) {
    const [pid] = hostPidsWithEnv(text);
    if (pid !== undefined) return pid;
    if (Date.now() >= until) throw new Error(`no process with ${text} in its environment within ${withinMs} ms`);
    await sleep(50);
  }
}

/** Polls until `file` (e.g. /proc/PID/root/tmp/x) reads as `content`. */
export async function waitForFile(file: string, content: string, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  while (readOrEmpty(file) !== content) {
    if (Date.now() >= until) throw new Error(`${file} did not read ${JSON.stringify(content)} within ${withinMs} ms`);
    await sleep(50);
  }
}

/** The host path of `file` in the one staged revision of function `name` under the platform's `dataDir`. */
export function stagedFile(dataDir: string, name: string, file: string): string {
  const codeRoot = path.join(dataDir, 'code');
  const found = readdirSync(codeRoot, { withFileTypes: true })
    .filter((key) => key.isDirectory() && existsSync(path.join(codeRoot, key.name, name)))
    .flatMap((key) => readdirSync(path.join(codeRoot, key.name, name)).map((revision) => path.join(codeRoot, key.name, name, revision, file)))
    .filter((candidate) => existsSync(candidate));
  if (found.length !== 1) throw new Error(`expected one staged ${file} of ${name} under ${codeRoot}, found ${JSON.stringify(found)}`);
  return found[0] as string;
}

/** The host folder the platform made for an instance under its temp root (/tmp/faasbench-<key>/<id>). */
export function instanceTmpDir(instanceId: string): string {
  const found = readdirSync('/tmp')
    .filter((entry) => entry.startsWith('faasbench-'))
    .map((entry) => path.join('/tmp', entry, instanceId))
    .filter((dir) => existsSync(dir));
  if (found.length !== 1) throw new Error(`expected one temp folder of instance ${instanceId} under /tmp/faasbench-*, found ${JSON.stringify(found)}`);
  return found[0] as string;
}

/** What a plain TCP client sending a Runtime API request got back before its connection ended. */
export interface RawReply {
  received: string;
  ended: 'closed' | 'timeout';
}

/** Sends GET /next on a raw socket from this process and collects whatever comes back. */
export function rawNext(api: string, withinMs: number): Promise<RawReply> {
  const [host, port] = api.split(':') as [string, string];
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(Number(port), host, () => {
      socket.write(`GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${api}\r\n\r\n`);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, ended: 'timeout' });
    }, withinMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {}); // a reset is one of the ways to be refused; 'close' follows
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, ended: 'closed' });
    });
  });
}

/**
 * The same request from a separate local process (a node child, not an instance): what its HTTP
 * client reported. Asynchronous, so the platform in this process can answer (or refuse) meanwhile.
 */
export function nextFromLocalProcess(api: string, withinMs: number): Promise<{ status?: number; body?: string; error?: string }> {
  const script = `
    const req = require('node:http').get('http://${api}/2018-06-01/runtime/invocation/next', (res) => {
      let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body })));
    });
    req.setTimeout(${withinMs}, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => console.log(JSON.stringify({ error: e.code ?? e.message })));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: withinMs + 10_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as { status?: number; body?: string; error?: string });
    });
  });
}
