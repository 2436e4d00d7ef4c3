/** What a run records about the machine it ran on, so a result can be read (and repeated) later. */
import os from 'node:os';

export function hostFacts(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    // Where the run was started: relative paths in its params (a mapping file) are found from here later.
    cwd: process.cwd(),
  };
}
