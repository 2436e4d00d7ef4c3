/**
 * gcp-functions with `emulator=functions-framework`: each function is the package as it would be
 * uploaded, extracted into a folder of its own and served by Google's Functions Framework
 * (`@google-cloud/functions-framework`, its own command-line entry, as the Node.js runtime starts
 * it) in a child process on a loopback port. Deploy starts it, update restarts it with the new
 * settings in its environment (the memory is recorded, not enforced), remove stops it. Waits are
 * bounded; close stops every process, and each exits by itself if this process dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import type { GcpBackend, GcpDeployment, GcpSettingsPatch } from './gcp-backend.ts';
import { ENTRY_POINT } from './gcp-entry-node.ts';
import { extractPackage } from './gcp-package.ts';
import { ENTRY_POINT_VARIABLE, entryPointEnvironment } from './gcp-options.ts';

/** Start-up on a busy 2-core machine takes about a second; this bounds a hung one. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
/** The end of a process's output kept for the error when it fails to start. */
const OUTPUT_KEPT = 4096;
const READY = /^FAASBENCH_LISTENING (\d+)$/m;

/**
 * Loaded before the framework: its server listens on all interfaces at a given port; this binds it
 * to 127.0.0.1 on a free port and says which, and ends the process when its parent is gone.
 */
const PRELOAD = `const http = require('node:http');
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  const done = typeof rest.at(-1) === 'function' ? rest.pop() : undefined;
  return listen.call(this, 0, '127.0.0.1', () => {
    process.stdout.write('FAASBENCH_LISTENING ' + this.address().port + '\\n');
    done?.();
  });
};
// The parent is named by the environment: one that died while this process was starting is then
// seen at once. SIGKILL, not exit(): the framework's exit handlers write to pipes nobody reads.
const parent = Number(process.env.FAASBENCH_PARENT_PID);
const orphaned = () => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); };
orphaned();
setInterval(orphaned, 500).unref();
`;

interface Served {
  readonly deployment: GcpDeployment;
  readonly dir: string;
  readonly tmp: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly revision: number;
}

export class FunctionsFrameworkEmulator implements GcpBackend {
  private readonly root = mkdtempSync(path.join(os.tmpdir(), 'faasbench-gcp-emulator-'));
  private readonly preload = path.join(this.root, 'preload.cjs');
  private readonly served = new Map<string, Served>();
  private revisions = 0;

  constructor() {
    writeFileSync(this.preload, PRELOAD);
  }

  async deploy(d: GcpDeployment): Promise<void> {
    if (d.manifest.runtime !== 'nodejs') {
      throw new FaasbenchError('InvalidParameterValue', `provider gcp-functions: emulator functions-framework runs nodejs packages; ${d.manifest.name} is ${d.manifest.runtime} (deploy it to Google Cloud)`);
    }
    await this.stop(d.manifest.name);
    const dir = path.join(this.root, `${d.manifest.name}-${++this.revisions}`);
    mkdirSync(dir);
    extractPackage(d.zip, dir);
    await this.start(d, dir);
  }

  async update(fn: string, patch: GcpSettingsPatch): Promise<void> {
    const served = this.get(fn, 'update');
    const m = served.deployment.manifest;
    const manifest = { ...m, ...definedOf(patch) };
    const own = patch.environment ?? Object.fromEntries(Object.entries(served.deployment.environment).filter(([key]) => !ENTRY_POINT_VARIABLE.test(key)));
    const environment = { ...own, ...entryPointEnvironment(fn, manifest.memoryMb, manifest.timeoutS) };
    await this.stop(fn, false);
    await this.start({ ...served.deployment, manifest, environment }, served.dir);
  }

  async remove(fn: string): Promise<void> {
    this.get(fn, 'remove');
    await this.stop(fn);
  }

  async urlOf(fn: string): Promise<string | null> {
    return this.served.get(fn)?.url ?? null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.served.keys()].map((fn) => this.stop(fn)));
    rmSync(this.root, { recursive: true, force: true });
  }

  private get(fn: string, what: string): Served {
    const served = this.served.get(fn);
    if (!served) throw new FaasbenchError('ResourceNotFound', `provider gcp-functions: ${what} ${fn}: no such function on the functions-framework emulator`);
    return served;
  }

  private async start(d: GcpDeployment, dir: string): Promise<void> {
    const fn = d.manifest.name;
    const revision = ++this.revisions;
    // Cloud Run gives each instance a /tmp of its own, empty at start: a fresh folder stands in for it.
    const tmp = path.join(this.root, `${fn}-tmp-${revision}`);
    mkdirSync(tmp);
    const child = spawn(process.execPath, ['--require', this.preload, frameworkMain(), `--target=${ENTRY_POINT}`, '--signature-type=http', '--port=8080', `--source=${dir}`], {
      cwd: dir,
      env: { ...baseEnvironment(), ...d.environment, ...cloudRunEnvironment(fn, revision), TMPDIR: tmp, FAASBENCH_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await listening(child, fn);
      this.served.set(fn, { deployment: d, dir, tmp, child, url: `http://127.0.0.1:${port}/`, revision });
    } catch (err) {
      await stopProcess(child);
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Stops a function's process; its folder goes too unless it is to be restarted. */
  private async stop(fn: string, removeDir = true): Promise<void> {
    const served = this.served.get(fn);
    if (!served) return;
    this.served.delete(fn);
    await stopProcess(served.child);
    rmSync(served.tmp, { recursive: true, force: true });
    if (removeDir) rmSync(served.dir, { recursive: true, force: true });
  }
}

function definedOf(patch: GcpSettingsPatch): Partial<GcpSettingsPatch> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

/** The framework's command-line entry, from the package this project depends on. */
function frameworkMain(): string {
  const index = createRequire(import.meta.url).resolve('@google-cloud/functions-framework');
  return path.join(path.dirname(index), 'main.js');
}

/** What a process needs to run at all; the rest of this process's environment stays out. */
function baseEnvironment(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ'];
  return Object.fromEntries(keep.flatMap((key) => (process.env[key] !== undefined ? [[key, process.env[key] as string]] : [])));
}

/** The variables Cloud Run and the Functions runtime set in every instance. */
function cloudRunEnvironment(fn: string, revision: number): Record<string, string> {
  return {
    K_SERVICE: fn,
    K_REVISION: `${fn}-${String(revision).padStart(5, '0')}`,
    K_CONFIGURATION: fn,
    FUNCTION_TARGET: ENTRY_POINT,
    FUNCTION_SIGNATURE_TYPE: 'http',
    NODE_ENV: 'development',
  };
}

/** The port the process reports once serving; rejects if it exits or says nothing in time. */
async function listening(child: ChildProcess, fn: string): Promise<number> {
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };
  child.stderr?.on('data', keep);
  return new Promise<number>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new FaasbenchError('ServiceUnavailable', `provider gcp-functions: the Functions Framework for ${fn} ${why}${output.trim() ? `:\n${output.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not serve within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before serving`));
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      const match = READY.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
