/**
 * The servers under test, each in a child process of its own so that none shares an event loop
 * with the load generator (the bench process) or with another server. Both sides of the small
 * protocol live here: the child announces `{ type: 'ready', url, info }` over IPC once it listens,
 * and stops cleanly on `{ type: 'stop' }`, SIGINT, SIGTERM or the loss of its parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FunctionManifestInput } from '../src/core/function-package.ts';
import { REPO } from './bench-functions.ts';

const RUN_TS = path.join(REPO, 'bin', 'run-ts.mjs');
const READY_TIMEOUT_MS = 60_000;
/** Long enough for the platform to kill its instances and remove its cgroups. */
const STOP_TIMEOUT_MS = 15_000;

export interface PlatformServerConfig {
  readonly dataDir: string;
  readonly freeze: boolean;
  readonly deploy: readonly { readonly dir: string; readonly overrides?: Partial<FunctionManifestInput> }[];
}

export interface ServerProcess {
  readonly url: string;
  /** Whatever the child reported about itself (the platform: its facts). */
  readonly info: Record<string, unknown>;
  stop(): Promise<void>;
}

interface ReadyMessage {
  readonly type: 'ready';
  readonly url: string;
  readonly info: Record<string, unknown>;
}

/** The physical limit: node:http answering `{"ok":true}`, nothing else. */
export function startBareServer(): Promise<ServerProcess> {
  return startServerProcess('bare-server.ts', {});
}

/** The gRPC physical limit: grpc-js answering helloworld.Greeter/SayHello; its url is `grpc://host:port`. */
export function startBareGrpcServer(): Promise<ServerProcess> {
  return startServerProcess('bare-grpc-server.ts', {});
}

/** A LocalPlatform started in-process in the child, with `config.deploy` deployed. */
export function startPlatformServer(config: PlatformServerConfig): Promise<ServerProcess> {
  return startServerProcess('platform-server.ts', config);
}

/** Stops every server that started, even when another one failed to. */
export async function stopAll(servers: readonly (ServerProcess | undefined)[]): Promise<void> {
  await Promise.allSettled(servers.map((s) => s?.stop()));
}

// ---- parent side ----

async function startServerProcess(script: string, config: object): Promise<ServerProcess> {
  // The child's stdout goes to our stderr: our stdout carries only results.
  const child = fork(RUN_TS, [path.join(REPO, 'bench', script), JSON.stringify(config)], { stdio: ['ignore', 2, 2, 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: ReadyMessage;
  try {
    ready = await readyMessage(child, script);
  } catch (err) {
    await stopChild(child, exited);
    throw err;
  }
  return { url: ready.url, info: ready.info, stop: () => stopChild(child, exited) };
}

function readyMessage(child: ChildProcess, script: string): Promise<ReadyMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.once('message', (message: ReadyMessage) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? `code ${code}`}) before it was ready`));
    });
  });
}

/** Asks the child to stop; kills it only if it has not exited in time. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'stop' });
  else child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  const late = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    console.error(`a server process (pid ${child.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}

// ---- child side ----

/** The JSON config the parent passed as the first argument. */
export function childConfig<T extends object>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export interface RunningServer {
  readonly url: string;
  readonly info: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Announces the server to the parent, then waits for any of the stop requests and exits. */
export function serveUntilStopped(server: RunningServer): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The parent died or closed the channel: nobody will ask again, and the platform's instances
  // (detached process groups) must not outlive it.
  process.on('disconnect', stop);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') stop();
  });
  const ready: ReadyMessage = { type: 'ready', url: server.url, info: server.info };
  process.send?.(ready);
}
