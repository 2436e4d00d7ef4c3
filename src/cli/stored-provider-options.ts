/**
 * The provider options an experiment run keeps, so `experiment rerun` reaches the same provider
 * (`-o aws-lambda.endpoint=...`) without the options being given again. Secrets are never stored:
 * an option whose name looks like one (token, secret, password, key, credential) is left out and
 * the run says so; a rerun needs it given again with `-o`.
 */
import type { ProviderOptions } from '../providers/index.ts';

const SECRET_NAME = /token|secret|passw|credential|key/i;

export interface StorableOptions {
  readonly kept: Record<string, unknown>;
  /** Names left out because they look like secrets. */
  readonly dropped: string[];
}

export function storableOptions(options: ProviderOptions): StorableOptions {
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (SECRET_NAME.test(name)) dropped.push(name);
    else kept[name] = value;
  }
  return { kept, dropped };
}

/** The options a stored run was made with (its params' providerOptions), or none. */
export function storedOptionsOf(params: unknown): Record<string, unknown> {
  const stored = (params as { providerOptions?: unknown } | null)?.providerOptions;
  return typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? { ...(stored as Record<string, unknown>) } : {};
}

/** A rerun's options: the stored ones, each overridden by an option given on the command line. */
export function rerunOptions(stored: Record<string, unknown>, given: ProviderOptions): ProviderOptions {
  return { ...stored, ...given };
}

/** The line a run prints when options were left out of its stored record. */
export function droppedLine(provider: string, dropped: readonly string[]): string | null {
  if (dropped.length === 0) return null;
  const names = dropped.join(', ');
  return `${provider}: option${dropped.length > 1 ? 's' : ''} ${names} not stored with the run (${dropped.length > 1 ? 'they look like secrets' : 'it looks like a secret'}); a rerun needs ${dropped.map((n) => `-o ${n}=...`).join(' ')} again`;
}
