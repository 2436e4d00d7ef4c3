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
} from '../core/function-package.ts';
import { defaultAccountLimit } from './account-limit.ts';
import { CGROUP_ROOTS, CgroupController } from './cgroup.ts';
import { stageCode, stageCodeAsync, type CodeSource, type StagedCode } from './code-staging.ts';
import { createGateway } from './gateway.ts';
import type { GrpcTrigger, GrpcTriggerOptions } from './grpc-trigger.ts';
import { EventQueue } from './event-queue.ts';
import type { InstanceEnvironment } from './instance.ts';
import type { FunctionSnapshot, InvocationResult } from './invocation.ts';
import { runSpans, timingsOf, traceRun } from './invocation-spans.ts';
import { xrayCall, xrayRequestFields } from './xray-call.ts';
import { XrayTraces, xrayLimitsFromEnv, type XrayLimits } from './xray-traces.ts';
import { epochMicros } from '../core/clock.ts';
import { PlatformMetrics } from './metrics.ts';
import { Pool } from './pool.ts';
import { deadKeysIn, reapLeftovers, type ReapedLeftover } from './leftovers.ts';
import { installBootstraps, prepareRuntimes, runtimes } from './runtimes/index.ts';
import { namespacesWork, unprivilegedUser, type Isolation } from './sandbox.ts';
import { sandboxHelper } from './sandbox-helper.ts';
import { PrewarmedLaunchers, type PlatformActivity } from './prewarmed-launchers.ts';
import { processAlive } from './process-liveness.ts';

import {
  ACCOUNT_ID,
  functionNameOf,
  functionRefOf,
  MAX_PAYLOAD_BYTES,
  type AccountSettings,
  type AliasInfo,
  type AliasSpec,
  type DeployOptions,
  type EventInvokeConfig,
  type FunctionInfo,
  type FunctionPatch,
  type InvokeOptions,
  type PlatformApi,
  type ProvisionedInfo,
  type RecordedFields,
} from './platform-api.ts';
import { FunctionUrls } from './function-urls.ts';
import { FunctionRecord, LATEST, preconditionFailed, type Deployment } from './function-record.ts';
import { zipFolder } from './zip-folder.ts';
import { parseRuntime, RUNTIME_HELP } from '../core/runtime-id.ts';
import { spanExportTo, type Collectors } from '../spans/collectors.ts';
import { PlatformSpans } from '../spans/platform-spans.ts';

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
  /** Collectors for the platform's own spans of calls that carry a trace context (queue wait, init, invoke). */
  spans?: Collectors;
  /** A gRPC trigger (grpc-trigger.ts) on a port of its own, on `host`; off when absent. */
  grpc?: GrpcTriggerOptions;
  /** How many X-Ray segments (and bytes) the platform keeps for the X-Ray API; default xray-traces.ts's, or FAASBENCH_XRAY_MAX_SEGMENTS / _BYTES. */
  xray?: XrayLimits;
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
  /** Function URL configs (function-urls.ts); removed with their function. */
  readonly functionUrls: FunctionUrls;
  private readonly functions = new Map<string, FunctionRecord>();
  /** Provisioned concurrency configs by `name:qualifier`: what was asked for, and when. */
  private readonly provisionedConfigs = new Map<string, { requested: number; lastModified: string; fn: FunctionSnapshot }>();
  private readonly pool: Pool;
  private readonly eventQueue: EventQueue;
  private readonly background = new Set<Promise<unknown>>();
  private revisions = 0;
  /** Set by start() when collectors are given. */
  private spans: PlatformSpans | null = null;
  private grpcTrigger: GrpcTrigger | null = null;
  /** Every call's X-Ray segments (Event attempts' through the event queue), in a bounded ring (xray-traces.ts), for the X-Ray API. */
  private xray = new XrayTraces(xrayLimitsFromEnv());

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
    this.functionUrls = new FunctionUrls({ region, port: Number(new URL(url).port || 80) });
    this.metrics = new PlatformMetrics(() => this.pool);
    this.pool = new Pool(env, facts.accountLimit, this.metrics.poolEvents);
    this.eventQueue = new EventQueue(
      { attempt: (fn, request, maxWaitMs) => this.pool.invokeEvent(fn, request, maxWaitMs), current: (fn) => this.snapshot(fn), spans: () => this.spans, xray: () => this.xray },
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
    const spanExport = spanExportTo(options.spans, 'faasbench-platform', (message) => console.error(`faasbench platform: ${message}`));
    if (spanExport) holder.platform.spans = new PlatformSpans(spanExport);
    if (options.xray) holder.platform.xray = new XrayTraces(options.xray);
    if (options.grpc) await holder.platform.startGrpc(options.grpc, host, [options.token, invokeToken].filter((t) => t !== undefined));
    return holder.platform;
  }

  /** grpc-js loads only for a platform that serves gRPC; a trigger that cannot listen stops the platform. */
  private async startGrpc(options: GrpcTriggerOptions, host: string, tokens: string[]): Promise<void> {
    try {
      const { startGrpcTrigger } = await import('./grpc-trigger.ts');
      this.grpcTrigger = await startGrpcTrigger(options, host, () => this, tokens);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** The gRPC trigger's port and method, when the platform was started with `grpc`. */
  get grpc(): { readonly port: number; readonly method: string } | null {
    return this.grpcTrigger && { port: this.grpcTrigger.port, method: this.grpcTrigger.method };
  }

  // ---- deployment ----

  /** Deploys `functions/<name>/` as it stands; `overrides` change settings for this deployment. */
  deployFolder(dir: string, overrides: Partial<FunctionManifestInput> = {}): FunctionInfo {
    const pkg = loadFunctionPackage(dir);
    return this.create({ ...pkg.manifest, ...overrides }, { folder: pkg.dir, include: resolvedIncludes(pkg) });
  }

  /** Creates (or replaces) a function from a manifest and a folder: staged synchronously (deployFolder and tests). */
  create(manifestInput: FunctionManifestInput, code: CodeSource, options: DeployOptions = {}): FunctionInfo {
    const { manifest, revision, dir } = this.prepare(manifestInput, options);
    try {
      return this.install(manifestInput, manifest, revision, stageCode(code, dir), options);
    } catch (err) {
      this.dropEmptyFunctionFolder(dir);
      throw err;
    }
  }

  /** Creates (or replaces) a function from a manifest and a zip or folder, staged off the event loop (the APIs). */
  async deploy(manifestInput: FunctionManifestInput, code: CodeSource, options: DeployOptions = {}): Promise<FunctionInfo> {
    const { manifest, revision, dir } = this.prepare(manifestInput, options);
    try {
      return this.install(manifestInput, manifest, revision, await stageCodeAsync(code, dir), options);
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

  private prepare(manifestInput: FunctionManifestInput, options: DeployOptions): { manifest: FunctionManifest; revision: number; dir: string } {
    const parsed = functionPackageSchema.safeParse(manifestInput);
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', describeIssues(parsed.error));
    this.checkRevision(parsed.data.name, options.revisionId);
    const revision = ++this.revisions;
    return { manifest: parsed.data, revision, dir: path.join(this.codeRoot, parsed.data.name, String(revision)) };
  }

  private install(manifestInput: FunctionManifestInput, manifest: FunctionManifest, revision: number, staged: StagedCode, options: DeployOptions): FunctionInfo {
    const missing = runtimes[manifest.runtime].missingHandler(staged.dir, manifest.handler);
    const record = this.functions.get(manifest.name);
    const previous = record?.latest;
    // A deploy staged while a later one finished first must not replace it.
    const superseded = previous !== undefined && previous.revision > revision;
    if (missing || superseded || options.dryRun) rmSync(staged.dir, { recursive: true, force: true });
    if (missing) throw new FaasbenchError('InvalidParameterValue', `function ${manifest.name}: ${missing}`);
    if (superseded) throw new FaasbenchError('ResourceConflict', `function ${manifest.name} was updated while this deployment was being staged: deploy again`);
    const runtimeId = typeof manifestInput.runtime === 'string' ? manifestInput.runtime : manifest.runtime;
    const { name, runtime, handler, inputs, include: _include, inputGenerator: _generator, ...settings } = manifest;
    const info: Deployment = {
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
      version: LATEST,
      recorded: { ...(previous?.recorded ?? DEFAULT_RECORDED), ...options.recorded },
      codeDir: staged.dir,
    };
    if (options.dryRun) return publicInfo(info);
    this.checkRevision(name, options.revisionId);
    if (record) record.latest = info;
    else this.functions.set(name, new FunctionRecord(info));
    const current = this.functions.get(name) as FunctionRecord;
    if (options.tags) current.tags = { ...current.tags, ...options.tags };
    if (previous) this.pool.retire(name, 'config-change', revision);
    return publicInfo(options.publish ? this.publish(current) : info);
  }

  get(name: string, qualifier?: string): FunctionInfo {
    const { record, qualifier: q } = this.resolve(name, qualifier);
    return publicInfo(q === undefined ? record.latest : record.deploymentOf(q));
  }

  list(): FunctionInfo[] {
    return [...this.functions.values()].map((r) => publicInfo(r.latest)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Changes `$LATEST`; like Lambda, the next invocation starts a new instance. */
  update(name: string, p: FunctionPatch): FunctionInfo {
    const record = this.record(name);
    const current = record.latest;
    this.checkRevision(record.name, p.revisionId);
    const parsed = functionSettingsSchema.safeParse({ ...current.settings, ...p.settings });
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', `function ${record.name}: ${describeIssues(parsed.error)}`);
    const runtimeId = p.runtime ?? current.runtimeId;
    const runtime = parseRuntime(runtimeId);
    if (!runtime) throw new FaasbenchError('InvalidParameterValue', `function ${record.name}: runtime "${runtimeId}" is not one the local platform runs (${RUNTIME_HELP})`);
    const handler = p.handler ?? current.handler;
    const missing = runtimes[runtime].missingHandler(current.codeDir, handler);
    if (missing) throw new FaasbenchError('InvalidParameterValue', `function ${record.name}: ${missing}`);
    const revision = ++this.revisions;
    record.latest = { ...current, runtime, runtimeId, handler, settings: parsed.data, recorded: { ...current.recorded, ...p.recorded }, revision, lastModified: new Date().toISOString() };
    this.pool.retire(record.name, 'config-change', revision);
    return publicInfo(record.latest);
  }

  remove(name: string, qualifier?: string): void {
    const { record, qualifier: q } = this.resolve(name, qualifier);
    if (q !== undefined && q !== LATEST) {
      if (record.aliases.has(q)) throw new FaasbenchError('InvalidParameterValue', `Deletion of aliases is not supported by DeleteFunction: use DeleteAlias for ${q}`);
      const version = record.deleteVersion(q);
      this.dropProvisioned(record.name, (key) => key === q);
      this.pool.drainVersion(version, 'removed');
      return;
    }
    if (q === LATEST) throw new FaasbenchError('InvalidParameterValue', '$LATEST version cannot be deleted without deleting the function.');
    this.functions.delete(record.name);
    this.dropProvisioned(record.name, () => true);
    this.functionUrls.removeFunction(record.name);
    this.pool.drain(record.name, 'removed');
    rmSync(path.dirname(record.latest.codeDir), { recursive: true, force: true });
  }

  // ---- versions and aliases ----

  publishVersion(name: string, options: { description?: string; codeSha256?: string; revisionId?: string } = {}): FunctionInfo {
    const record = this.record(name);
    this.checkRevision(record.name, options.revisionId);
    if (options.codeSha256 !== undefined && options.codeSha256 !== record.latest.codeSha256) {
      throw new FaasbenchError('InvalidParameterValue', `CodeSHA256 (${options.codeSha256}) is different from current CodeSHA256 in $LATEST (${record.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`);
    }
    return publicInfo(this.publish(record, options.description));
  }

  private publish(record: FunctionRecord, description?: string): Deployment {
    return record.publish((version) => `${this.arn(record.name)}:${version}`, description);
  }

  versions(name: string): FunctionInfo[] {
    const record = this.record(name);
    return [record.latest, ...record.versions.values()].map(publicInfo);
  }

  aliases(name: string): AliasInfo[] {
    return [...this.record(name).aliases.values()];
  }

  alias(name: string, alias: string): AliasInfo {
    return this.record(name).alias(alias);
  }

  createAlias(name: string, alias: string, spec: AliasSpec): AliasInfo {
    return this.record(name).createAlias(alias, spec);
  }

  updateAlias(name: string, alias: string, patch: Partial<AliasSpec>, revisionId?: string): AliasInfo {
    const record = this.record(name);
    const updated = record.updateAlias(alias, patch, revisionId);
    this.reprovision(record, alias);
    return updated;
  }

  deleteAlias(name: string, alias: string): void {
    const record = this.record(name);
    record.deleteAlias(alias);
    this.dropProvisioned(record.name, (key) => key === alias);
  }

  // ---- concurrency ----

  reservedConcurrency(name: string): number | undefined {
    return this.record(name).reserved;
  }

  setReservedConcurrency(name: string, count: number | undefined): void {
    const record = this.record(name);
    if (count !== undefined) {
      const others = [...this.functions.values()].reduce((sum, r) => sum + (r === record ? 0 : (r.reserved ?? 0)), 0);
      const left = this.facts.accountLimit - others - count;
      if (left < minimumUnreserved(this.facts.accountLimit)) {
        throw new FaasbenchError('InvalidParameterValue', `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimumUnreserved(this.facts.accountLimit)}].`);
      }
    }
    record.reserved = count;
    this.pool.setReserved(record.name, count);
  }

  accountSettings(): AccountSettings {
    const records = [...this.functions.values()];
    const totalCodeSize = records.reduce((sum, r) => sum + r.latest.codeSize + [...r.versions.values()].reduce((s, v) => s + v.codeSize, 0), 0);
    return { concurrentExecutions: this.facts.accountLimit, unreservedConcurrentExecutions: this.pool.unreserved, totalCodeSize, functionCount: records.length };
  }

  /** Instances initialised ahead for a version or alias (an alias's own version; its weighted extra is not provisioned). */
  putProvisioned(name: string, qualifier: string, count: number): ProvisionedInfo {
    const record = this.record(name);
    if (qualifier === LATEST) throw new FaasbenchError('InvalidParameterValue', 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    const fn = snapshotOf(record.deploymentOf(qualifier));
    if (!Number.isInteger(count) || count < 1) throw new FaasbenchError('InvalidParameterValue', `ProvisionedConcurrentExecutions: expected a whole number of at least 1, got ${count}`);
    const key = `${record.name}:${qualifier}`;
    const previous = this.provisionedConfigs.get(key);
    if (previous && previous.fn.version !== fn.version) this.pool.provision(previous.fn, 0);
    this.provisionedConfigs.set(key, { requested: count, lastModified: new Date().toISOString(), fn });
    this.pool.provision(fn, count);
    return this.provisioned(record.name, qualifier);
  }

  provisioned(name: string, qualifier: string): ProvisionedInfo {
    const record = this.record(name);
    const config = this.provisionedConfigs.get(`${record.name}:${qualifier}`);
    if (!config) throw new FaasbenchError('ResourceNotFound', 'No Provisioned Concurrency Config found for this function', { reason: 'ProvisionedConcurrencyConfigNotFoundException' });
    const { allocated, available } = this.pool.provisionedCounts(config.fn);
    const ready = available >= config.requested;
    return { qualifier, requested: config.requested, allocated, available: Math.min(available, config.requested), status: ready ? 'READY' : 'IN_PROGRESS', lastModified: config.lastModified };
  }

  listProvisioned(name: string): ProvisionedInfo[] {
    const record = this.record(name);
    const prefix = `${record.name}:`;
    return [...this.provisionedConfigs.keys()].filter((k) => k.startsWith(prefix)).map((k) => this.provisioned(record.name, k.slice(prefix.length)));
  }

  deleteProvisioned(name: string, qualifier: string): void {
    const record = this.record(name);
    this.provisioned(record.name, qualifier);
    this.dropProvisioned(record.name, (key) => key === qualifier);
  }

  private dropProvisioned(name: string, which: (qualifier: string) => boolean): void {
    for (const [key, config] of this.provisionedConfigs) {
      if (!key.startsWith(`${name}:`) || !which(key.slice(name.length + 1))) continue;
      this.provisionedConfigs.delete(key);
      this.pool.provision(config.fn, 0);
    }
  }

  /** An alias moved to another version: its provisioned instances move with it. */
  private reprovision(record: FunctionRecord, alias: string): void {
    const config = this.provisionedConfigs.get(`${record.name}:${alias}`);
    if (config) this.putProvisioned(record.name, alias, config.requested);
  }

  // ---- event invoke config ----

  eventInvokeConfig(name: string): EventInvokeConfig | undefined {
    const record = this.record(name);
    if (record.eventInvokeConfigAt === undefined) return undefined;
    const { eventRetryAttempts, eventMaxAgeS } = record.latest.settings;
    return { maximumRetryAttempts: eventRetryAttempts, maximumEventAgeS: eventMaxAgeS, lastModified: record.eventInvokeConfigAt };
  }

  /**
   * Changes how `$LATEST`'s Event calls are retried and aged. Unlike other settings this starts no
   * new instances, as on Lambda: only the event queue reads them.
   */
  putEventInvokeConfig(name: string, values: { maximumRetryAttempts?: number; maximumEventAgeS?: number }, mode: 'put' | 'update'): EventInvokeConfig {
    const record = this.record(name);
    const defaults = functionSettingsSchema.parse({});
    const base = mode === 'put' || record.eventInvokeConfigAt === undefined ? defaults : record.latest.settings;
    const patch = { eventRetryAttempts: values.maximumRetryAttempts ?? base.eventRetryAttempts, eventMaxAgeS: values.maximumEventAgeS ?? base.eventMaxAgeS };
    const parsed = functionSettingsSchema.safeParse({ ...record.latest.settings, ...patch });
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', `function ${record.name}: ${describeIssues(parsed.error)}`);
    record.latest = { ...record.latest, settings: parsed.data };
    record.eventInvokeConfigAt = new Date().toISOString();
    return this.eventInvokeConfig(record.name) as EventInvokeConfig;
  }

  deleteEventInvokeConfig(name: string): void {
    const record = this.record(name);
    if (record.eventInvokeConfigAt === undefined) throw noEventInvokeConfig(this.arn(record.name));
    const defaults = functionSettingsSchema.parse({});
    record.latest = { ...record.latest, settings: { ...record.latest.settings, eventRetryAttempts: defaults.eventRetryAttempts, eventMaxAgeS: defaults.eventMaxAgeS } };
    record.eventInvokeConfigAt = undefined;
  }

  // ---- tags and code ----

  tags(name: string): Record<string, string> {
    return { ...this.record(name).tags };
  }

  tag(name: string, tags: Readonly<Record<string, string>>): void {
    const record = this.record(name);
    record.tags = { ...record.tags, ...tags };
  }

  untag(name: string, keys: readonly string[]): void {
    const record = this.record(name);
    record.tags = Object.fromEntries(Object.entries(record.tags).filter(([k]) => !keys.includes(k)));
  }

  async codeZip(name: string, qualifier?: string): Promise<Buffer> {
    const { record, qualifier: q } = this.resolve(name, qualifier);
    return zipFolder((q === undefined ? record.latest : record.deploymentOf(q)).codeDir);
  }

  // ---- invocation ----

  /**
   * RequestResponse waits for the result; Event returns at once (202) and runs from its function's
   * event queue (event-queue.ts: bounded, retried, never throttled); DryRun only checks that the
   * call would be accepted.
   */
  async invoke(name: string, payload: Buffer, options: InvokeOptions = {}): Promise<InvocationResult | null> {
    const { type = 'RequestResponse', clientContext } = options;
    const { record, qualifier } = this.resolve(name, options.qualifier);
    const info = record.pick(qualifier ?? LATEST);
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new FaasbenchError('RequestTooLarge', `payload of ${payload.length} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`);
    }
    if (type === 'DryRun') return null;
    const invokedArn = qualifier === undefined ? undefined : `${this.arn(record.name)}:${qualifier}`;
    const request = { requestId: options.requestId ?? randomUUID(), payload, ...(clientContext ? { clientContext } : {}), ...(invokedArn ? { invokedArn } : {}), ...(options.traceId ? { traceId: options.traceId } : {}), ...(options.stream ? { stream: options.stream } : {}) };
    const snapshot = snapshotOf(info);
    if (type === 'Event') {
      const run = this.eventQueue.submit(snapshot, payload, request.requestId, { traceId: options.traceId, caller: options.caller }).done;
      this.background.add(run);
      void run.finally(() => this.background.delete(run));
      return null;
    }
    const startUs = epochMicros();
    const traced = traceRun(options.caller, this.spans, startUs);
    const xray = xrayCall(options.traceId, traced);
    const result = await this.pool.invoke(snapshot, { ...request, ...xrayRequestFields(xray, options.traceId, traced !== undefined), ...(traced ? { parent: traced.parent } : {}) });
    const endUs = epochMicros();
    this.metrics.invocation(result);
    runSpans(this.spans, traced, result, undefined, endUs);
    this.xray.add({ ...xray, arn: snapshot.arn, timings: timingsOf(result, startUs, endUs) });
    return result;
  }

  /** The X-Ray traces of the calls this platform ran (the X-Ray API serves them). */
  get xrayTraces(): XrayTraces {
    return this.xray;
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
    this.grpcTrigger?.close();
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
    await this.spans?.close();
    rmSync(this.tmpRoot, { recursive: true, force: true });
    // Deployments live as long as the platform: staged code is not reused by a later start.
    rmSync(this.codeRoot, { recursive: true, force: true });
  }

  /** The current deployment of the version `fn` ran (an Event retry); undefined once removed. */
  private snapshot(fn: FunctionSnapshot): FunctionSnapshot | undefined {
    const record = this.functions.get(fn.name);
    const current = fn.version === LATEST ? record?.latest : record?.versions.get(fn.version);
    return current && snapshotOf(current);
  }

  private record(name: string): FunctionRecord {
    const found = this.functions.get(functionNameOf(name));
    if (!found) throw new FaasbenchError('ResourceNotFound', `Function not found: ${this.arn(functionNameOf(name))}`);
    return found;
  }

  /** The record and qualifier a name (`fn`, `fn:q`, an ARN) and an explicit qualifier name; checks the qualifier exists. */
  private resolve(name: string, qualifier?: string): { record: FunctionRecord; qualifier: string | undefined } {
    const ref = functionRefOf(name, qualifier);
    const record = this.record(ref.name);
    if (ref.qualifier !== undefined) record.deploymentOf(ref.qualifier);
    return { record, qualifier: ref.qualifier };
  }

  private checkRevision(name: string, revisionId: string | undefined): void {
    const current = this.functions.get(name)?.latest;
    if (revisionId !== undefined && current !== undefined && revisionId !== String(current.revision)) throw preconditionFailed();
  }
}

function noEventInvokeConfig(arn: string): FaasbenchError {
  return new FaasbenchError('ResourceNotFound', `The function ${arn} doesn't have an EventInvokeConfig`);
}

const DEFAULT_RECORDED: RecordedFields = {
  role: `arn:aws:iam::${ACCOUNT_ID}:role/faasbench-local`,
  architectures: [process.arch === 'arm64' ? 'arm64' : 'x86_64'],
  tracingMode: 'PassThrough',
};

/** Lambda keeps 100 executions unreserved; a smaller local account keeps a tenth of its limit. */
function minimumUnreserved(accountLimit: number): number {
  return Math.min(100, Math.ceil(accountLimit / 10));
}

function snapshotOf(info: Deployment): FunctionSnapshot {
  const { name, arn, runtime, runtimeId, handler, codeDir, settings, revision, version } = info;
  return { name, arn, runtime, runtimeId, handler, codeDir, settings, revision, version };
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

