/**
 * The functions the platform benches deploy, and where their files live: under the repo's
 * .faasbench/ (git-ignored), never /tmp, because every platform instance gets a private /tmp.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRATCH = path.join(REPO, '.faasbench');

/**
 * 1,769 MB buys one full vCPU on Lambda, and the platform turns it into a cgroup quota of one CPU:
 * at this size the quota cannot throttle a no-op, so the benches measure the platform, not the quota.
 */
export const ONE_VCPU_MB = 1769;

/** The JSON every target answers, the bare server included. */
export const NOOP_RESPONSE = '{"ok":true}';

/** Whether `body` is that JSON; python's json.dumps spaces it differently, so compare values. */
export function isNoopResponse(body: string): boolean {
  if (body === NOOP_RESPONSE) return true;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && (value as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

/** A fresh data directory for one platform, removed by whoever stops that platform. */
export function benchDataDir(label: string): string {
  return path.join(SCRATCH, `bench-${label}-${process.pid}`);
}

export interface NoopFunctions {
  /** `noop`: `export const handler = async () => ({ ok: true })`. */
  readonly nodejs: string;
  /** `noop-py`: `def handler(event, context): return {"ok": True}`. */
  readonly python: string;
}

/** (Re)writes the no-op function folders and returns them, ready for `deployFolder`. */
export function writeNoopFunctions(): NoopFunctions {
  const root = path.join(SCRATCH, 'bench-fns');
  return {
    nodejs: writeFunction(path.join(root, 'noop'), { name: 'noop', runtime: 'nodejs' }, 'index.mjs', 'export const handler = async () => ({ ok: true });\n'),
    python: writeFunction(path.join(root, 'noop-py'), { name: 'noop-py', runtime: 'python' }, 'index.py', 'def handler(event, context):\n    return {"ok": True}\n'),
  };
}

function writeFunction(dir: string, identity: { name: string; runtime: string }, file: string, code: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = { ...identity, handler: 'index.handler', memoryMb: ONE_VCPU_MB };
  writeFileSync(path.join(dir, 'function.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, file), code);
  return dir;
}
