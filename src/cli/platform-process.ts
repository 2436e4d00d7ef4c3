/**
 * The local platform in a child process (`faasbench platform start --port 0 --json`). A load run
 * uses it rather than an in-process platform, so spawning instances and serving the Runtime API
 * never share the invoker's event loop: the invoker's clock stays the invoker's.
 *
 * The child dies with this process, kill -9 included: it watches the pipe on its stdin, which only
 * this process holds and the kernel closes when it dies, and its parent pid (parent-watch.ts), then
 * kills every instance and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { FaasbenchError } from '../core/errors.ts';
import { installPath } from '../core/install-path.ts';

const BIN = installPath('../../bin/faasbench.mjs', import.meta.url);
const START_TIMEOUT_MS = 30_000;

export interface PlatformProcess {
  readonly url: string;
  readonly storageUrl: string;
  stop(): Promise<void>;
}

export async function startPlatformProcess(extraArgs: readonly string[] = []): Promise<PlatformProcess> {
  const child = spawn(process.execPath, [BIN, 'platform', 'start', '--port', '0', '--json', '--exit-with-parent', String(process.pid), ...extraArgs], {
    // stdin: never written, held open; its end tells the child this process is gone.
    stdio: ['pipe', 'pipe', 'inherit'],
    // Its own process group: Ctrl-C reaches the parent, which stops the platform after the run.
    detached: true,
  });
  // Once the child exits, the pipe's far end is gone too: nothing to report.
  child.stdin?.on('error', () => {});
  const line = await firstLine(child);
  const info = JSON.parse(line) as { url: string; storageUrl: string };
  return {
    url: info.url,
    storageUrl: info.storageUrl,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      await once(child, 'exit');
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new FaasbenchError('ServiceUnavailable', `the local platform did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new FaasbenchError('ServiceUnavailable', `the local platform exited with code ${code} before it was ready`));
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
}
