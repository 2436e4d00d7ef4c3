/**
 * What the end-to-end tests share: a real platform per test file (its data never under /tmp,
 * which instances replace), function folders written on the fly, and
 * plain HTTP calls to the platform's APIs.
 */
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { defaultDataDir, LocalPlatform, type PlatformOptions } from '../../src/platform/platform.ts';
import { sandboxHelper } from '../../src/platform/sandbox-helper.ts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Beside the platform's default data directory: outside /tmp wherever the checkout is. */
export const SCRATCH = path.join(path.dirname(defaultDataDir()), 'tests');

export function scratchDir(label: string): string {
  // Named like the platform's own leftovers, so a sweep removes only those of finished runs.
  const dir = path.join(SCRATCH, `faasbench-${process.pid}-${label}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<LocalPlatform> {
  const dataDir = options.dataDir ?? scratchDir('platform');
  seedLauncher(dataDir);
  return LocalPlatform.start({ ...options, dataDir });
}

/** XDG_CACHE_HOME for a CLI of the test's own: its embedded platform's data directory is then its own, launcher seeded. */
export function ownCacheHome(dir: string): { XDG_CACHE_HOME: string } {
  seedLauncher(path.join(dir, 'faasbench', 'platform'));
  return { XDG_CACHE_HOME: dir };
}

/** Built once for every test process (its name holds no pid: the scratch sweep keeps it). */
const LAUNCHERS = path.join(SCRATCH, 'launcher');
let launcher: string | null | undefined;

/**
 * Puts the compiled sandbox launcher where a platform with data directory `dataDir` looks for it.
 * A platform builds it into a new data directory (cc -O2 and a check run, about 0.3 CPU-s), and
 * nearly every test file starts platforms in data directories of their own; building it is tested
 * in src/platform/sandbox-helper.test.ts. Without a compiler the platform finds none, as it would.
 */
export function seedLauncher(dataDir: string): void {
  launcher ??= sandboxHelper(LAUNCHERS).file;
  if (launcher === null) return;
  const target = path.join(dataDir, 'bin', path.basename(launcher));
  if (existsSync(target)) return;
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    linkSync(launcher, target);
  } catch {
    copyFileSync(launcher, target);
    chmodSync(target, 0o755);
  }
}

/** Writes a function folder: `files` maps file names to contents; `function.json` from `manifest`. */
export function writeFunction(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const dir = path.join(scratchDir('fn'), String(manifest.name));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'function.json'), JSON.stringify(manifest, null, 2));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), content);
    if (name === 'bootstrap') chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

/** A nodejs function whose handler body is `body` (an async function of event and context). */
export function nodeFunction(name: string, body: string, settings: Record<string, unknown> = {}): string {
  return writeFunction({ name, runtime: 'nodejs', handler: 'index.handler', ...settings }, { 'index.mjs': `export const handler = async (event, context) => { ${body} };\n` });
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: () => unknown;
}

export async function call(platform: LocalPlatform, method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpReply> {
  const res = await request(`${platform.url}${route}`, { method, body: body ?? null, headers });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(',') : v;
  return { status: res.statusCode, headers: flat, text, json: () => JSON.parse(text) as unknown };
}

/** Invokes through the Lambda API over HTTP, as any client would. */
export function invokeHttp(platform: LocalPlatform, name: string, event: unknown = {}): Promise<HttpReply> {
  return call(platform, 'POST', `/2015-03-31/functions/${name}/invocations`, JSON.stringify(event));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
