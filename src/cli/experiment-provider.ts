/**
 * What every experiment command (run, rerun, and the lifecycle's steps) runs on: a provider, the
 * local platform in a child process unless a URL is given, closed when the work ends; and the
 * tool version its runs store.
 */
import { readFileSync } from 'node:fs';
import { createProvider, type ProviderOptions } from '../providers/index.ts';
import type { Collectors } from '../spans/collectors.ts';
import { startPlatformProcess } from './platform-process.ts';
import { platformSpanArgs } from './span-options.ts';

export const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export type ExperimentProvider = Awaited<ReturnType<typeof createProvider>>;

/** Gives `work` a provider: the local platform in a child process unless a URL is given. */
export async function onProvider<T>(name: string, options: ProviderOptions, spans: Collectors | undefined, work: (provider: ExperimentProvider, storageUrl: string | undefined) => Promise<T>): Promise<T> {
  const platform = name === 'local' && options.url === undefined ? await startPlatformProcess(platformSpanArgs(spans)) : null;
  try {
    const provider = await createProvider(name, platform ? { ...options, url: platform.url } : options);
    try {
      return await work(provider, platform?.storageUrl);
    } finally {
      await provider.close();
    }
  } finally {
    await platform?.stop();
  }
}
