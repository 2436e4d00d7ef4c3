/**
 * A LocalPlatform in a process of its own, as `faasbench platform start` would run it, with the
 * bench's functions deployed. Its data directory is removed when it stops. Run by
 * server-processes.ts, which passes a PlatformServerConfig.
 */
import { rmSync } from 'node:fs';
import { LocalPlatform } from '../src/platform/platform.ts';
import { childConfig, serveUntilStopped, type PlatformServerConfig } from './server-processes.ts';

const config = childConfig<PlatformServerConfig>();
const platform = await LocalPlatform.start({ dataDir: config.dataDir, freeze: config.freeze });

async function stop(): Promise<void> {
  await platform.stop();
  rmSync(config.dataDir, { recursive: true, force: true });
}

try {
  for (const { dir, overrides } of config.deploy) platform.deployFolder(dir, overrides);
} catch (err) {
  await stop();
  throw err;
}

serveUntilStopped({ url: platform.url, info: { ...platform.facts }, stop });
