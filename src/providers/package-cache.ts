/**
 * The package cache: which package each deploy target last received, so a provider that uploads
 * code skips an upload of the same bytes (SeBS's cache of built packages; `--update` forces one).
 * Kept per user, not per store, in `$XDG_CACHE_HOME/faasbench/packages.json`
 * (`~/.cache/faasbench/...`): what a cloud holds does not change with the store a run writes to,
 * and a lost cache costs one upload, nothing more. Keys name the target (provider, endpoint or
 * region, architecture, function); values are the package's SHA-256 in Lambda's CodeSha256 form
 * (base64), which package-zip.ts makes deterministic.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Providers whose deploy consults the cache (and so take option `update`). */
export const CACHED_UPLOAD_PROVIDERS: ReadonlySet<string> = new Set(['aws-lambda']);

const MAX_ENTRIES = 1000;

export function packageCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'faasbench', 'packages.json');
}

/** SHA-256 of the zip, base64: what Lambda reports as CodeSha256 for the same bytes. */
export function packageHash(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

export class PackageCache {
  constructor(private readonly file = packageCachePath()) {}

  lastUploaded(target: string): string | undefined {
    const entries = this.read();
    return Object.hasOwn(entries, target) ? entries[target] : undefined;
  }

  /** Most recent last; the oldest go past MAX_ENTRIES (local platforms on ever new ports add a key each). */
  remember(target: string, hash: string): void {
    const { [target]: _old, ...others } = this.read();
    const kept = Object.entries(others).slice(-(MAX_ENTRIES - 1));
    this.write({ ...Object.fromEntries(kept), [target]: hash });
  }

  /** An unreadable or malformed cache is an empty one: the next deploy uploads and rewrites it. */
  private read(): Record<string, string> {
    try {
      const value = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
      return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  /** Whole-file replace, so two deploys at once leave one of their versions, never a torn file. */
  private write(entries: Record<string, string>): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(entries, null, 2)}\n`);
    renameSync(temp, this.file);
  }
}

/** What a deploy did with the package. */
export interface UploadNotice {
  readonly provider: string;
  readonly fn: string;
  readonly uploaded: boolean;
  /** Why: `changed`, `first upload here`, `--update`, `changed on the target`... */
  readonly reason: string;
}

type Listener = (notice: UploadNotice) => void;
const listeners = new Set<Listener>();

/**
 * Hears every deploy's upload decision in this process until the returned function is called.
 * With no listener, a skipped upload is said on stderr, so every command that deploys (invoke,
 * experiments, trace replay) tells the user, whoever called the provider.
 */
export function listenForUploads(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceUpload(notice: UploadNotice): void {
  if (listeners.size) for (const listener of listeners) listener(notice);
  else if (!notice.uploaded) console.error(`faasbench: ${uploadLine(notice)}`);
}

export function uploadLine(n: UploadNotice): string {
  return n.uploaded ? `${n.provider}: ${n.fn}: package uploaded (${n.reason})` : `${n.provider}: ${n.fn}: package unchanged, not uploaded (--update uploads it anyway)`;
}
