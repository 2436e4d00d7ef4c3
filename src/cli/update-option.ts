/**
 * `--update` on the commands that deploy: upload the package even when its target already holds
 * the same bytes. Providers that keep the package cache take it as their option `update`; the
 * others upload on every deploy, so it changes nothing there and the command says so.
 */
import { CACHED_UPLOAD_PROVIDERS } from '../providers/package-cache.ts';
import type { ProviderOptions } from '../providers/index.ts';

export const UPDATE_HELP = `upload the function's package even when the target already has the same bytes (the package cache of ${[...CACHED_UPLOAD_PROVIDERS].join(', ')})`;

export function withUpdate(provider: string, options: ProviderOptions, update: boolean | undefined, say: (message: string) => void): ProviderOptions {
  if (!update) return options;
  if (CACHED_UPLOAD_PROVIDERS.has(provider)) return { ...options, update: true };
  say(`the ${provider} provider keeps no package cache (it deploys in full every time): --update changes nothing`);
  return options;
}
