/** Debian's python3-grpcio (by absolute path: a pyenv on PATH has a python3 of its own, without it). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const DEBIAN_PYTHON = '/usr/bin/python3';
export const scriptPath = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

export interface PythonServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts greeter_server.py and waits for the port it prints; closing its stdin ends it. */
export async function startPythonGreeter(): Promise<PythonServer> {
  const child: ChildProcessWithoutNullStreams = spawn(DEBIAN_PYTHON, [scriptPath('greeter_server.py')], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`greeter_server.py exited (${code}) before listening: ${stderr}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}
