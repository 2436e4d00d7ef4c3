/**
 * What the API guard acceptance tests (test/security/api-guard.test.ts) need besides the platform:
 * raw HTTP requests with any Host header, zip bombs built in milliseconds, a world-writable marker
 * folder instances can reach, a page server on another local origin, and counts of what a platform
 * leaves on the host (temp folders, cgroups, waiting launchers), found from its key on disk.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { WAITING_GROUP_PREFIX } from '../../../src/platform/prewarmed-launchers.ts';

const MiB = 1 << 20;

// ---- raw HTTP ----

export interface RawReply {
  readonly status: number;
  readonly text: string;
}

/** node:http rather than undici: it sends the Host header as given. */
export function rawRequest(url: string, init: { method: string; path: string; host: string; body?: string; headers?: Record<string, string> }): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method: init.method, path: init.path, headers: { ...init.headers, host: init.host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

// ---- zips built by hand (as src/platform/code-staging.test.ts builds them) ----

export interface RawEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly data: Uint8Array;
  readonly crc: number;
  /** What the headers declare; a bomb may lie. */
  readonly size: number;
}

export function zipOf(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(e.data));
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * `mib` MiB of zeros as one deflated entry, made in milliseconds (fflate at level 9 takes seconds
 * a GiB): a full flush makes each MiB's deflate segment independent, so one segment (~1 KB)
 * repeated is a valid stream. 1 GiB is ~1 MB. `declaredSize` is what the headers say.
 */
export function zeros(name: string, mib: number, declaredSize = mib * MiB): RawEntry {
  const block = Buffer.alloc(MiB);
  const segment = zlib.deflateRawSync(block, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = zlib.crc32(block, crc);
  const emptyFinalBlock = Buffer.from([0x03, 0x00]);
  // The size field is 32 bits: 1 GiB fits, 4 GiB would not.
  return { name, method: 8, data: Buffer.concat([...Array<Buffer>(mib).fill(segment), emptyFinalBlock]), crc, size: declaredSize >>> 0 };
}

export function stored(name: string, text: string): RawEntry {
  const data = Buffer.from(text);
  return { name, method: 0, data, crc: zlib.crc32(data), size: data.length };
}

// ---- what instances can reach ----

/**
 * A folder every instance user may write: instances run as an unprivileged user with a private
 * /tmp, so a marker written there would be invisible to the test; /var/tmp is shared.
 */
export function worldWritableDir(label: string): string {
  const dir = mkdtempSync(path.join('/var/tmp', `faasbench-${label}-`));
  chmodSync(dir, 0o777);
  return dir;
}

export function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

// ---- another local origin ----

export interface PageServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `html` at every path from another 127.0.0.1 port: a page on another local origin. */
export async function servePage(html: string): Promise<PageServer> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- watching the platform in this process ----

/** Polls `check` every 10 ms until it holds; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  for (const started = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
  }
}

/** The largest RSS seen while `work` runs (sampled every 5 ms), over the RSS before it. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; rssGrowth: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const [result] = await Promise.allSettled([work()]);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { result: result as PromiseSettledResult<T>, rssGrowth: peak - before };
}

/** Whether a deployment of `name` is being staged now: a file in one of its revision folders (platform.ts prepare). */
export function stagingUnderWay(codeRoot: string, name: string): boolean {
  return entries(path.join(codeRoot, name)).some((revision) => entries(path.join(codeRoot, name, revision)).length > 0);
}

// ---- what a platform leaves on the host ----

/**
 * The key naming everything a platform created on the host (platform.ts start): its staging folder
 * is `<dataDir>/code/<key>`, the only `<pid>-<hex>` folder there when the data directory is its own.
 */
export function platformKey(dataDir: string): string {
  const keys = readdirSync(path.join(dataDir, 'code')).filter((n) => n.startsWith(`${process.pid}-`));
  if (keys.length !== 1) throw new Error(`expected one staging folder of this process under ${dataDir}/code, found: ${keys.join(', ') || 'none'}`);
  return keys[0] as string;
}

const CGROUP_CONTROLLERS = ['memory', 'cpu', 'pids'];

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return []; // a controller the platform does not use here
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

const pids = (): string[] => readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));

/** The parent pid from /proc/PID/stat: the field after the command, which may hold spaces and parentheses. */
function parentOf(pid: string): number | undefined {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[1] === undefined ? undefined : Number(fields[1]);
}

/**
 * Prewarmed launchers waiting now: children of this process running `sandbox-exec-* --wait` in a
 * group of the platform `key` (the test process is the platform; the pids are not public).
 */
export function waitingLaunchers(key: string): number[] {
  return pids()
    .filter((pid) => {
      const argv = readOrEmpty(`/proc/${pid}/cmdline`).split('\0');
      if (!/\/sandbox-exec-[^/]*$/.test(argv[0] ?? '') || argv[1] !== '--wait') return false;
      // A taken launcher keeps its argv as the instance's supervisor; its groups are renamed for the instance.
      return parentOf(pid) === process.pid && readOrEmpty(`/proc/${pid}/cgroup`).includes(`/faasbench-${key}/${WAITING_GROUP_PREFIX}`);
    })
    .map(Number)
    .sort((a, b) => a - b);
}

export interface HostFootprint {
  /** Entries under the platform's temp root (/tmp/faasbench-<key>): instance folders and their markers. */
  readonly tmpEntries: readonly string[];
  /** Groups under /sys/fs/cgroup/<controller>/faasbench-<key>/, as `controller/group`. */
  readonly cgroups: readonly string[];
  readonly waitingLaunchers: number;
}

export function hostFootprint(key: string): HostFootprint {
  return {
    tmpEntries: entries(path.join('/tmp', `faasbench-${key}`)),
    cgroups: CGROUP_CONTROLLERS.flatMap((c) => subdirs(path.join('/sys/fs/cgroup', c, `faasbench-${key}`)).map((g) => `${c}/${g}`)).sort(),
    waitingLaunchers: waitingLaunchers(key).length,
  };
}

/** The groups of waiting launchers have random names; what must not change is how many there are. */
export function comparable(f: HostFootprint): { tmpEntries: readonly string[]; instanceCgroups: readonly string[]; launcherCgroups: number; waitingLaunchers: number } {
  const launcher = (g: string): boolean => g.split('/')[1]?.startsWith(WAITING_GROUP_PREFIX) === true;
  return {
    tmpEntries: f.tmpEntries,
    instanceCgroups: f.cgroups.filter((g) => !launcher(g)),
    launcherCgroups: f.cgroups.filter(launcher).length,
    waitingLaunchers: f.waitingLaunchers,
  };
}
