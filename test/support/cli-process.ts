/** The faasbench CLI as a real process: its exit code and both streams, or the child to signal. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO, seedLauncher } from './platform.ts';

export const BIN = path.join(REPO, 'bin/faasbench.mjs');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
}

export interface CliChild {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when the process has exited, with what it wrote. */
  readonly done: Promise<CliResult>;
}

export function spawnCli(args: readonly string[], options: CliOptions = {}): CliChild {
  // A data directory of the test's own, given or in a cache folder of its own (platform.ts: defaultDataDir).
  const dataDir = args.includes('--data-dir') ? args[args.indexOf('--data-dir') + 1] : undefined;
  if (dataDir !== undefined) seedLauncher(path.resolve(options.cwd ?? REPO, dataDir));
  if (options.env?.XDG_CACHE_HOME !== undefined) seedLauncher(path.join(options.env.XDG_CACHE_HOME, 'faasbench', 'platform'));
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).done;
}
