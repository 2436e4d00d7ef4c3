/**
 * The azure-functions provider's offline backend (`-o emulator=adapter`): each deployed function is
 * its package extracted into a folder and an adapter host process (azure-adapter-host.mjs) serving
 * it on a loopback port, with a function key of its own. App settings (the environment and the
 * FAASBENCH_* settings) are the process's environment, so changing them restarts the process and
 * the next call is cold, as changing a Function App's settings restarts its workers.
 *
 * It applies any memory as the reported limit: it stands in for the host, not for a plan.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaasbenchError } from '../core/errors.ts';
import type { AzureBackend, AppSettingsPatch, FunctionEndpoint } from './azure-backend.ts';
import { extractAzurePackage, type AzurePackage } from './azure-package.ts';

const HOST_SCRIPT = fileURLToPath(new URL('./azure-adapter-host.mjs', import.meta.url));
const READY_PREFIX = 'FAASBENCH_AZURE_ADAPTER_READY ';
/** The node_modules holding @azure/functions: the app's require finds it there, as it would its own. */
const LIBRARY_PATH = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@azure/functions/package.json')), '../..');
/** Output kept from a host, for the error when it fails to start. */
const KEPT_OUTPUT_CHARS = 4000;

interface Deployed {
  readonly dir: string;
  readonly key: string;
  settings: Record<string, string>;
  host: Host | null;
}

interface Host {
  readonly child: ChildProcess;
  readonly port: number;
}

export class AzureAdapterBackend implements AzureBackend {
  readonly #root = mkdtempSync(path.join(os.tmpdir(), 'faasbench-azure-adapter-'));
  readonly #apps = new Map<string, Deployed>();

  constructor(private readonly readyTimeoutS: number) {}

  async deploy(pkg: AzurePackage, settings: Record<string, string>): Promise<FunctionEndpoint> {
    const fn = pkg.manifest.name;
    if (pkg.manifest.runtime !== 'nodejs') {
      throw new FaasbenchError('InvalidParameterValue', `provider azure-functions: deploy ${fn}: emulator=adapter runs the Node.js worker's model only; a ${pkg.manifest.runtime} package needs Azure`);
    }
    await this.#stop(fn);
    const dir = mkdtempSync(path.join(this.#root, `${fn}-`));
    extractAzurePackage(pkg.zip, dir);
    const app: Deployed = { dir, key: randomBytes(24).toString('base64url'), settings, host: null };
    this.#apps.set(fn, app);
    return this.#start(fn, app);
  }

  async endpoint(fn: string): Promise<FunctionEndpoint | null> {
    const app = this.#apps.get(fn);
    if (!app) return null;
    return app.host ? endpointOf(fn, app, app.host) : this.#start(fn, app);
  }

  async updateSettings(fn: string, patch: AppSettingsPatch): Promise<FunctionEndpoint> {
    const app = this.#apps.get(fn);
    if (!app) throw new FaasbenchError('ResourceNotFound', `provider azure-functions: update ${fn}: function not found`);
    app.settings = patch(app.settings);
    await this.#stop(fn);
    return this.#start(fn, app);
  }

  async remove(fn: string): Promise<void> {
    const app = this.#apps.get(fn);
    if (!app) throw new FaasbenchError('ResourceNotFound', `provider azure-functions: remove ${fn}: function not found`);
    await this.#stop(fn);
    this.#apps.delete(fn);
    rmSync(app.dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#apps.keys()].map((fn) => this.#stop(fn)));
    rmSync(this.#root, { recursive: true, force: true });
  }

  async #start(fn: string, app: Deployed): Promise<FunctionEndpoint> {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), NODE_PATH: LIBRARY_PATH, FAASBENCH_AZURE_FUNCTION_KEY: app.key, ...app.settings };
    const child = spawn(process.execPath, [HOST_SCRIPT, app.dir], { cwd: app.dir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    app.host = { child, port: await readyPort(fn, child, this.readyTimeoutS) };
    child.once('exit', () => {
      if (app.host?.child === child) app.host = null;
    });
    return endpointOf(fn, app, app.host);
  }

  async #stop(fn: string): Promise<void> {
    const app = this.#apps.get(fn);
    const child = app?.host?.child;
    if (!app || !child) return;
    app.host = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

function endpointOf(fn: string, app: Deployed, host: Host): FunctionEndpoint {
  return { url: `http://127.0.0.1:${host.port}/api/${encodeURIComponent(fn)}`, key: app.key };
}

/** The port from the host's ready line; its exit, or no line within the timeout, fails the deploy with its output. */
function readyPort(fn: string, child: ChildProcess, timeoutS: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    let pending = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new FaasbenchError('ServiceUnavailable', `provider azure-functions: deploy ${fn}: the adapter host ${why}${output ? `; its output:\n${output.slice(-KEPT_OUTPUT_CHARS)}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not load the app within ${timeoutS} s`), timeoutS * 1000);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith(READY_PREFIX)) output += `${line}\n`;
        else {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          // From here on the function's own output: drained, not kept.
          child.stdout?.removeAllListeners('data').resume();
          child.stderr?.removeAllListeners('data').resume();
          resolve((JSON.parse(line.slice(READY_PREFIX.length)) as { port: number }).port);
        }
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it served`));
  });
}
