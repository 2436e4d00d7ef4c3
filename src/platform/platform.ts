/**
 * The local FaaS platform, usable in-process: deploy, configure, invoke and remove functions, with
 * the HTTP APIs (gateway.ts) served on one port. This file wires the parts; behaviour lives in
 * pool.ts (placement, scaling, keep-alive) and instance.ts (one sandboxed process).
 *
 * The platform folder owns processes, cgroups and its data directory. It may import core/ only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { FaasbenchError } from '../core/errors.ts';
import {
  describeIssues,
  functionPackageSchema,
  functionSettingsSchema,
  loadFunctionPackage,
  resolvedIncludes,
  type FunctionManifest,
  type FunctionManifestInput,
  type FunctionSettings,
  type FunctionSettingsInput,
} from '../core/function-package.ts';
import { defaultAccountLimit } from './account-limit.ts';
import { CGROUP_ROOTS, CgroupController } from './cgroup.ts';
import { stageCode, stageCodeAsync, type CodeSource, type StagedCode } from './code-staging.ts';
import { createGateway } from './gateway.ts';
import { EventQueue } from './event-queue.ts';
import type { InstanceEnvironment } from './instance.ts';
import type { FunctionSnapshot, InvocationResult } from './invocation.ts';
import { PlatformMetrics } from './metrics.ts';
import { Pool } from './pool.ts';
import { deadKeysIn, reapLeftovers, type ReapedLeftover } from './leftovers.ts';
import { installBootstraps, prepareRuntimes, runtimes } from './runtimes/index.ts';
import { namespacesWork, unprivilegedUser, type Isolation } from './sandbox.ts';
import { sandboxHelper } from './sandbox-helper.ts';
import { PrewarmedLaunchers, type PlatformActivity } from './prewarmed-launchers.ts';
import { processAlive } from './process-liveness.ts';

import { ACCOUNT_ID, functionNameOf, MAX_PAYLOAD_BYTES, type FunctionInfo, type InvocationType, type PlatformApi } from './platform-api.ts';

// Shared with the APIs through platform-api.ts, which must not import this file; re-exported for callers of old.
export { ACCOUNT_ID, functionNameOf, MAX_PAYLOAD_BYTES, type FunctionInfo, type InvocationType } from './platform-api.ts';

export interface PlatformOptions {
  /** 127.0.0.1 unless told otherwise; any other address requires `token`. */
  host?: string;
  /** Host names the APIs answer besides loopback names and `host` (a DNS-rebinding guard). */
  allowedHosts?: readonly string[];
  /** Origins whose pages may call the APIs; every other request with an Origin is refused. */
  allowedOrigins?: readonly string[];
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Staged code and runtime bootstraps; default ~/.cache/faasbench/platform. Under /tmp, isolation is off. */
  dataDir?: string;
  /** Concurrent executions across all functions. */
  accountLimit?: number;
  isolation?: 'auto' | Isolation;
  /** `shell` keeps the shell wrapper even where the compiled launcher could be built. */
  sandboxLauncher?: 'auto' | 'shell';
  /**
   * Launchers kept forked ahead of cold starts (with the compiled launcher only; default 2). 0 forks
   * the platform on every cold start, which costs more the more memory the platform holds.
   */
  prewarm?: number;
  cgroups?: 'auto' | 'off';
  freeze?: boolean;
  region?: string;
  /** The bucket root functions read and write (FAASBENCH_STORAGE_URL); default file://<dataDir>/storage. */
  storageUrl?: string;
}

/** What the platform could apply on this host, reported with every run. */
export interface PlatformFacts {
  readonly isolation: Isolation;
  /** What sets up an instance's sandbox: the compiled launcher, the shell wrapper, or nothing. */
  readonly launcher: 'sandbox-exec' | 'shell' | 'none';
  readonly memoryLimit: 'cgroup-v1' | 'cgroup-v2' | 'rss-watchdog';
  readonly cpuLimit: 'cgroup-v1' | 'cgroup-v2' | 'none';
  readonly freeze: 'sigstop' | 'off';
  readonly accountLimit: number;
}

export class LocalPlatform implements PlatformApi {
  readonly facts: PlatformFacts;
  private readonly launchers: PrewarmedLaunchers | null;
  readonly metrics: PlatformMetrics;
  private readonly functions = new Map<string, FunctionInfo & { codeDir: string }>();
  private readonly pool: Pool;
  private readonly eventQueue: EventQueue;
  private readonly background = new Set<Promise<unknown>>();
  private revisions = 0;

  private constructor(
    private readonly server: ReturnType<typeof createGateway>,
    readonly url: string,
    /** This platform's own staging folder under <dataDir>/code. */
    private readonly codeRoot: string,
    private readonly tmpRoot: string,
    private readonly cgroups: CgroupController,
    env: InstanceEnvironment,
    facts: PlatformFacts,
    readonly region: string,
    /** Where functions' buckets live (FAASBENCH_STORAGE_URL), for input generators that upload. */
    readonly storageUrl: string,
    /** What this platform killed and removed at start, left by platforms that died without stopping. */
    readonly reaped: readonly ReapedLeftover[],
  ) {
    this.facts = facts;
    this.launchers = env.launchers;
    this.metrics = new PlatformMetrics(() => this.pool);
    this.pool = new Pool(env, facts.accountLimit, this.metrics.poolEvents);
    this.eventQueue = new EventQueue(
      { attempt: (fn, request, maxWaitMs) => this.pool.invokeEvent(fn, request, maxWaitMs), current: (name) => this.snapshot(name) },
      { accepted: (fn) => this.metrics.eventAccepted(fn), finished: (r) => this.metrics.invocation(r), retried: (fn) => this.metrics.eventRetried(fn), dropped: (fn, why) => this.metrics.eventDropped(fn, why) },
    );
    this.metrics.watchEventQueues(() => this.eventQueue.state());
  }

  static async start(options: PlatformOptions = {}): Promise<LocalPlatform> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host) && !options.token) {
      throw new FaasbenchError('Unauthorized', `binding to ${host} exposes the platform beyond this machine: give a token (--token)`);
    }
    const region = options.region ?? 'us-east-1';
    const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
    const isolation = chooseIsolation(options.isolation ?? 'auto', dataDir);
    // One key names everything this platform creates on the host (staging folder, temp root,
    // cgroups), so a later start can tell what a crashed one left (see leftovers.ts).
    const key = `${process.pid}-${randomBytes(3).toString('hex')}`;
    // Each platform stages code in a folder of its own: platforms sharing a data directory (parallel
    // runs) must not remove each other's deployments when one stops.
    const codeRoot = path.join(dataDir, 'code', key);
    // Before the staging folders of dead platforms go: they say which leftovers are this data directory's.
    const reaped = await reapLeftovers({ cgroupRoots: CGROUP_ROOTS, tmpDir: '/tmp', ownKeys: deadKeysIn(path.join(dataDir, 'code')) });
    mkdirSync(codeRoot, { recursive: true });
    sweepStaleCode(path.join(dataDir, 'code'));
    const runtimeDir = path.join(dataDir, 'runtime');
    installBootstraps(runtimeDir);
    // Node looks up the nearest package.json to decide whether .js is CommonJS; on Lambda there is
    // none above /var/task. This empty one stops the lookup before any project the data dir is in.
    // Renamed into place: another platform's instance may be reading it right now.
    writeFileSync(path.join(dataDir, 'code', `.package.json.${process.pid}`), '{}\n');
    renameSync(path.join(dataDir, 'code', `.package.json.${process.pid}`), path.join(dataDir, 'code', 'package.json'));
    prepareRuntimes();
    // Under /tmp, so that an instance's private /tmp hides every other instance's directory.
    const tmpRoot = path.join('/tmp', `faasbench-${key}`);
    mkdirSync(tmpRoot, { mode: 0o700 });
    const cgroups = options.cgroups === 'off' ? CgroupController.disabled() : CgroupController.detect(`faasbench-${key}`);
    const helper = isolation === 'namespace' && options.sandboxLauncher !== 'shell' ? sandboxHelper(dataDir).file : null;
    const facts: PlatformFacts = {
      isolation,
      launcher: isolation === 'none' ? 'none' : helper ? 'sandbox-exec' : 'shell',
      memoryLimit: cgroups.support.memory ? `cgroup-${cgroups.support.memory}` : 'rss-watchdog',
      cpuLimit: cgroups.support.cpu ? `cgroup-${cgroups.support.cpu}` : 'none',
      freeze: options.freeze === false ? 'off' : 'sigstop',
      accountLimit: options.accountLimit ?? defaultAccountLimit(),
    };
    // The gateway must listen before instances can be told its port, so it finds the platform late.
    const holder: { platform?: LocalPlatform } = {};
    // Functions get a credential that may only invoke (nested calls), never the platform's token.
    const invokeToken = options.token ? randomBytes(24).toString('base64url') : undefined;
    const server = createGateway({
      token: options.token,
      invokeToken,
      boundHost: host,
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
      platform: () => holder.platform as LocalPlatform,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const storageUrl = options.storageUrl ?? pathToFileURL(path.join(dataDir, 'storage')).href;
    const storageRoot = storageUrl.startsWith('file:') ? prepareStorageRoot(fileURLToPath(storageUrl)) : null;
    const platformVariables = {
      FAASBENCH_INVOKE_URL: `http://127.0.0.1:${port}`,
      FAASBENCH_STORAGE_URL: storageUrl,
      ...(invokeToken ? { FAASBENCH_INVOKE_TOKEN: invokeToken } : {}),
    };
    const prewarm = options.prewarm ?? 2;
    const activity = (): PlatformActivity => ({ starting: holder.platform?.pool.initializing ?? 0, running: holder.platform?.pool.inFlight ?? 0 });
    const launchers = helper && prewarm > 0 ? new PrewarmedLaunchers(helper, prewarm, cgroups, activity) : null;
    const env: InstanceEnvironment = {
      tmpRoot,
      runtimeDir,
      isolation,
      user: unprivilegedUser(),
      exposed: storageRoot ? [{ path: storageRoot, readonly: false }] : [],
      sandboxHelper: helper,
      launchers,
      cgroups,
      freeze: facts.freeze === 'sigstop',
      region,
      platformVariables,
    };
    holder.platform = new LocalPlatform(server, `http://${host.includes(':') ? `[${host}]` : host}:${port}`, codeRoot, tmpRoot, cgroups, env, facts, region, storageUrl, reaped);
    return holder.platform;
  }

  // ---- deployment ----

  /** Deploys `functions/<name>/` as it stands; `overrides` change settings for this deployment. */
  deployFolder(dir: string, overrides: Partial<FunctionManifestInput> = {}): FunctionInfo {
    const pkg = loadFunctionPackage(dir);
    return this.create({ ...pkg.manifest, ...overrides }, { folder: pkg.dir, include: resolvedIncludes(pkg) });
  }

  /** Creates (or replaces) a function from a manifest and a folder: staged synchronously (deployFolder and tests). */
  create(manifestInput: FunctionManifestInput, code: CodeSource): FunctionInfo {
    const { manifest, revision, dir } = this.prepare(manifestInput);
    try {
      return this.install(manifestInput, manifest, revision, stageCode(code, dir));
    } catch (err) {
      this.dropEmptyFunctionFolder(dir);
      throw err;
    }
  }

  /** Creates (or replaces) a function from a manifest and a zip or folder, staged off the event loop (the APIs). */
  async deploy(manifestInput: FunctionManifestInput, code: CodeSource): Promise<FunctionInfo> {
    const { manifest, revision, dir } = this.prepare(manifestInput);
    try {
      return this.install(manifestInput, manifest, revision, await stageCodeAsync(code, dir));
    } catch (err) {
      this.dropEmptyFunctionFolder(dir);
      throw err;
    }
  }

  /** A refused deployment of a function never deployed before leaves no `<name>` folder behind. */
  private dropEmptyFunctionFolder(revisionDir: string): void {
    try {
      rmdirSync(path.dirname(revisionDir));
    } catch {
      /* holds a live revision (or is already gone): kept */
    }
  }

  private prepare(manifestInput: FunctionManifestInput): { manifest: FunctionManifest; revision: number; dir: string } {
    const parsed = functionPackageSchema.safeParse(manifestInput);
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', describeIssues(parsed.error));
    const revision = ++this.revisions;
    return { manifest: parsed.data, revision, dir: path.join(this.codeRoot, parsed.data.name, String(revision)) };
  }

  private install(manifestInput: FunctionManifestInput, manifest: FunctionManifest, revision: number, staged: StagedCode): FunctionInfo {
    const missing = runtimes[manifest.runtime].missingHandler(staged.dir, manifest.handler);
    const previous = this.functions.get(manifest.name);
    // A deploy staged while a later one finished first must not replace it.
    const superseded = previous !== undefined && previous.revision > revision;
    if (missing || superseded) {
      rmSync(staged.dir, { recursive: true, force: true });
      if (missing) throw new FaasbenchError('InvalidParameterValue', `function ${manifest.name}: ${missing}`);
      throw new FaasbenchError('ResourceConflict', `function ${manifest.name} was updated while this deployment was being staged: deploy again`);
    }
    const runtimeId = typeof manifestInput.runtime === 'string' ? manifestInput.runtime : manifest.runtime;
    const { name, runtime, handler, inputs, include: _include, inputGenerator: _generator, ...settings } = manifest;
    const info = {
      name,
      arn: this.arn(name),
      runtime,
      runtimeId,
      handler,
      settings: settings satisfies FunctionSettings,
      inputs,
      codeSize: staged.size,
      codeSha256: staged.sha256,
      lastModified: new Date().toISOString(),
      revision,
      codeDir: staged.dir,
    };
    this.functions.set(name, info);
    if (previous) this.pool.retire(name, 'config-change', revision);
    return publicInfo(info);
  }

  get(name: string): FunctionInfo {
    return publicInfo(this.lookup(name));
  }

  list(): FunctionInfo[] {
    return [...this.functions.values()].map(publicInfo).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Changes settings; like Lambda, the next invocation starts a new instance. */
  update(name: string, patch: Partial<FunctionSettingsInput>): FunctionInfo {
    const current = this.lookup(name);
    const parsed = functionSettingsSchema.safeParse({ ...current.settings, ...patch });
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', `function ${name}: ${describeIssues(parsed.error)}`);
    const revision = ++this.revisions;
    const info = { ...current, settings: parsed.data, revision, lastModified: new Date().toISOString() };
    this.functions.set(name, info);
    this.pool.retire(name, 'config-change', revision);
    return publicInfo(info);
  }

  remove(name: string): void {
    const info = this.lookup(name);
    this.functions.delete(name);
    this.pool.drain(name, 'removed');
    rmSync(path.dirname(info.codeDir), { recursive: true, force: true });
  }

  // ---- invocation ----

  /**
   * RequestResponse waits for the result; Event returns at once (202) and runs from its function's
   * event queue (event-queue.ts: bounded, retried, never throttled); DryRun only checks that the
   * call would be accepted.
   */
  async invoke(name: string, payload: Buffer, type: InvocationType = 'RequestResponse', clientContext?: string): Promise<InvocationResult | null> {
    const info = this.lookup(name);
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new FaasbenchError('RequestTooLarge', `payload of ${payload.length} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`);
    }
    if (type === 'DryRun') return null;
    const request = { requestId: randomUUID(), payload, ...(clientContext ? { clientContext } : {}) };
    const snapshot = snapshotOf(info);
    if (type === 'Event') {
      const run = this.eventQueue.submit(snapshot, payload).done;
      this.background.add(run);
      void run.finally(() => this.background.delete(run));
      return null;
    }
    const result = await this.pool.invoke(snapshot, request);
    this.metrics.invocation(result);
    return result;
  }

  /** Convenience for code: JSON in, the result with its payload parsed. */
  async invokeJson(name: string, event: unknown = {}): Promise<InvocationResult & { body: unknown }> {
    const result = (await this.invoke(name, Buffer.from(JSON.stringify(event)))) as InvocationResult;
    const text = result.outcome.payload.toString('utf8');
    return { ...result, body: text ? (JSON.parse(text) as unknown) : null };
  }

  instances(name: string): ReturnType<Pool['instancesOf']> {
    return this.pool.instancesOf(name);
  }

  arn(name: string): string {
    return `arn:aws:lambda:${this.region}:${ACCOUNT_ID}:function:${name}`;
  }

  /** Stops serving, kills every instance and removes what the platform created on the host. */
  async stop(): Promise<void> {
    this.launchers?.close();
    this.eventQueue.close();
    this.pool.drain(undefined, 'shutdown');
    // Processes that left their instance's process group are still in its cgroup.
    this.cgroups.killAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.pool.settled();
    await Promise.allSettled([...this.background]);
    await this.cgroups.dispose();
    rmSync(this.tmpRoot, { recursive: true, force: true });
    // Deployments live as long as the platform: staged code is not reused by a later start.
    rmSync(this.codeRoot, { recursive: true, force: true });
  }

  private snapshot(name: string): FunctionSnapshot | undefined {
    const info = this.functions.get(name);
    return info && snapshotOf(info);
  }

  private lookup(name: string): FunctionInfo & { codeDir: string } {
    const info = this.functions.get(functionNameOf(name));
    if (!info) throw new FaasbenchError('ResourceNotFound', `Function not found: ${this.arn(functionNameOf(name))}`);
    return info;
  }
}

function snapshotOf(info: FunctionInfo & { codeDir: string }): FunctionSnapshot {
  const { name, arn, runtime, runtimeId, handler, codeDir, settings, revision } = info;
  return { name, arn, runtime, runtimeId, handler, codeDir, settings, revision };
}

function publicInfo(info: FunctionInfo & { codeDir?: string }): FunctionInfo {
  const { codeDir: _codeDir, ...rest } = info;
  return rest;
}

/** Outside /tmp and outside any project, so a checkout anywhere (even under /tmp) can run. */
export function defaultDataDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'faasbench', 'platform');
}

const underTmp = (dir: string): boolean => dir === '/tmp' || dir.startsWith('/tmp/');

/**
 * Namespace isolation puts a private directory over /tmp, so staged code and bootstraps must live
 * elsewhere: with a data directory under /tmp, `auto` falls back to no isolation.
 */
function chooseIsolation(wanted: 'auto' | Isolation, dataDir: string): Isolation {
  if (wanted === 'none') return 'none';
  const problem = underTmp(dataDir)
    ? `the data directory ${dataDir} is under /tmp, which each instance replaces with its own`
    : namespacesWork()
      ? undefined
      : 'unshare cannot create mount namespaces here (needs root or user namespaces)';
  if (problem === undefined) return 'namespace';
  if (wanted === 'namespace') throw new FaasbenchError('InvalidParameterValue', `isolation "namespace" is not possible: ${problem}`);
  return 'none';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The bucket root functions share (FAASBENCH_STORAGE_URL): writable by every instance user, as the
 * storage's directories are (functions/_shared/storage.mjs creates them 0777).
 */
function prepareStorageRoot(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return dir;
}

/** Staging folders (`<pid>-<hex>`) of platforms whose process is gone: a kill -9 leaves them behind. */
function sweepStaleCode(codeDir: string): void {
  for (const entry of readdirSync(codeDir, { withFileTypes: true })) {
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(entry.name)?.[1]);
    if (!entry.isDirectory() || !Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(path.join(codeDir, entry.name), { recursive: true, force: true });
  }
}

