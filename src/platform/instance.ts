/**
 * One function instance: one sandboxed OS process tree speaking the Lambda Runtime API on a port of
 * its own. It owns the process's life (init, freeze between invocations, timeout and memory kills,
 * exit) and turns each invocation into an InvocationResult with Lambda's accounting. Placement is
 * the pool's business.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { appliedVcpus, groupMembers, type CgroupController, type InstanceCgroup } from './cgroup.ts';
import { BoundedLog } from './bounded-log.ts';
import {
  errorPayload,
  RESPONSE_TOO_LARGE,
  STREAM_MAX_BYTES,
  responseTooLargePayload,
  type EvictionReason,
  type FunctionSnapshot,
  type InitializationType,
  type InvocationOutcome,
  type InvocationResult,
  type InvokeRequest,
} from './invocation.ts';
import { billedMs, endLine, initReportLine, initStartLine, reportLine, startLine, timeoutMessage } from './lambda-log.ts';
import { MemoryWatchdog, readStatusKb } from './memory-watchdog.ts';
import { InstanceMeter, measureLevel, type CallMeter } from './measure-call.ts';
import { processGroupMembers } from './process-group.ts';
import { runtimes } from './runtimes/index.ts';
import { markInstance, unmarkInstance } from './instance-marker.ts';
import type { PrewarmedLaunchers } from './prewarmed-launchers.ts';
import { refuseTransition, reportedErrorType, runtimeApi, type RuntimeState } from './runtime-api.ts';
import { instanceStdio, RUNTIME_CHANNEL_FD, RuntimeEndpoint } from './runtime-endpoint.ts';
import { runtimeClientContext } from './client-context.ts';
import {
  encodeSpec,
  lambdaMountPoints,
  reachable,
  RUNTIME_ROOT,
  sandboxPath,
  shellWrapperCommand,
  spawnLauncher,
  TASK_ROOT,
  type Exposure,
  type InstanceUser,
  type Isolation,
  type LaunchSpec,
} from './sandbox.ts';
import { runtimeTraceHeader } from './trace-id.ts';

/** How long an idle instance runs on before it is stopped; see freezeIfIdle. */
const FREEZE_GRACE_MS = 2;
/** Lambda gives init 10 s before it gives up on a sandbox. */
const INIT_LIMIT_MS = 10_000;
const MB = 1024 * 1024;
/** 1,769 MB buys one vCPU on Lambda. */
export const MB_PER_VCPU = 1769;

export interface InstanceEnvironment {
  readonly tmpRoot: string;
  /** Where the runtime bootstraps were installed (LAMBDA_RUNTIME_DIR). */
  readonly runtimeDir: string;
  readonly isolation: Isolation;
  /** Who instances run as with namespace isolation. */
  readonly user: InstanceUser;
  /** Paths every instance needs besides its code (the storage root, writable). */
  readonly exposed: readonly Exposure[];
  /** The compiled sandbox launcher, or null for the shell wrapper. */
  readonly sandboxHelper: string | null;
  /** Launchers forked ahead of need (with the compiled launcher), or null: every start spawns. */
  readonly launchers: PrewarmedLaunchers | null;
  readonly cgroups: CgroupController;
  readonly freeze: boolean;
  readonly region: string;
  /**
   * The platform's own variables for functions: FAASBENCH_INVOKE_URL (its Lambda API, for nested
   * invocations), FAASBENCH_STORAGE_URL (the bucket root), FAASBENCH_INVOKE_TOKEN (which may only
   * invoke) when the platform requires a token. Never the platform's token itself.
   */
  readonly platformVariables: Readonly<Record<string, string>>;
  /** Told when a process outside an instance tried its Runtime API port. */
  readonly runtimeApiRefused?: () => void;
}

export interface InstanceHooks {
  /** A slot became free (an invocation ended); queued calls may now fit. */
  slotFreed(instance: Instance): void;
  gone(instance: Instance, reason: EvictionReason): void;
}

type Failure = {
  readonly errorType: string;
  readonly message: string;
  readonly status: 'timeout' | 'error';
  /** What the caller receives, when the runtime said it (an /init/error body, kept as posted). */
  readonly payload?: Buffer;
  /** The error type Lambda's log lines name, when it differs from errorType (see reportedErrorType). */
  readonly reportedType?: string;
};

/** Where the code and the runtime's files are, as the instance sees them. */
export interface InstancePaths {
  readonly taskRoot: string;
  readonly runtimeDir: string;
}

/**
 * As on Lambda, the code at /var/task and the runtime's files at /var/runtime, bound there in the
 * instance's own mount namespace. Without isolation there is no namespace to bind them in, and the
 * instance sees the host's paths (as it does where the mount points could not be made).
 */
export function instancePaths(isolation: Isolation, codeDir: string, runtimeDir: string, mountPoints: () => boolean): InstancePaths {
  if (isolation === 'namespace' && mountPoints()) return { taskRoot: TASK_ROOT, runtimeDir: RUNTIME_ROOT };
  return { taskRoot: codeDir, runtimeDir };
}

/** An invocation placed on this instance. */
class Active {
  deliveredAt: number | undefined;
  readonly log = new BoundedLog();
  timer: NodeJS.Timeout | undefined;
  /** The runtime's answer, received and waiting a loop turn to be settled (see complete). */
  answered: { readonly outcome: InvocationOutcome; readonly endedAt: number } | undefined;
  /** A streamed response under way: its bytes so far, kept for a caller that reads it whole. */
  streamed: { size: number; readonly chunks: Buffer[] } | undefined;
  /** Its in-function measurement, from delivery on. */
  meter: CallMeter | undefined;
  constructor(
    readonly request: InvokeRequest,
    readonly cold: boolean,
    readonly queueMs: number,
    readonly settle: (result: InvocationResult) => void,
  ) {}
}

export class Instance {
  readonly id: string;
  readonly fn: FunctionSnapshot;
  /** performance.now() just before the process was started: Init Duration counts from here. */
  startedAt: number;
  /** performance.now() when the instance last finished an invocation or became ready. */
  lastUsed: number;
  phase: 'init' | 'ready' | 'gone' = 'init';
  initMs: number | undefined;

  /** Undefined until the Runtime API port is open, which the process must be told at start. */
  private proc: ChildProcess | undefined;
  private readonly tmpDir: string;
  private cgroup: InstanceCgroup | null = null;
  private readonly endpoint: RuntimeEndpoint;
  private watchdog: MemoryWatchdog | undefined;
  /** Made at the first delivery, when the instance's processes are known. */
  private meter: InstanceMeter | undefined;
  private readonly active = new Map<string, Active>();
  private readonly pending: Active[] = [];
  private readonly waiting: ServerResponse[] = [];
  private frozen = false;
  private freezeTimer: NodeJS.Timeout | undefined;
  /** /proc/<pid>/status, kept open: it is read on every invocation. */
  private statusFd: number | undefined;
  private runtimePid: number | undefined;
  /** False while the process is being moved into its cgroups: no invocation is delivered before. */
  private inCgroup = true;
  /**
   * Output printed while no invocation runs: the init's, then what a runtime prints after its
   * response or in the background. It goes into the next invocation's log, before its START line.
   */
  private idleLog = new BoundedLog();
  private initError: Failure | undefined;
  /** performance.now() when the init ended without a ready runtime (an /init/error, the init limit). */
  private initEndedAt: number | undefined;
  /** The INIT_REPORT line of an init that failed, for the log of each call that waited on it. */
  private initReport = '';
  private killReason: EvictionReason | undefined;
  private watchdogFired = false;
  private initTimer: NodeJS.Timeout | undefined;
  private readonly applied: { cpuVcpus: number | null; memory: 'cgroup' | 'watchdog' } = { cpuVcpus: null, memory: 'watchdog' };

  constructor(
    id: string,
    fn: FunctionSnapshot,
    private readonly env: InstanceEnvironment,
    private readonly hooks: InstanceHooks,
    readonly initializationType: InitializationType = 'on-demand',
  ) {
    this.id = id;
    this.fn = fn;
    this.tmpDir = path.join(env.tmpRoot, id);
    mkdirSync(this.tmpDir, { mode: 0o700 });
    this.startedAt = performance.now();
    this.lastUsed = this.startedAt;
    this.endpoint = new RuntimeEndpoint({
      members: () => this.members(),
      handle: (req, res) => runtimeApi(this, req, res),
      maxConnections: 2 * fn.settings.concurrency + 16,
      refused: env.runtimeApiRefused,
    });
    this.endpoint.listen().then(
      (port) => {
        try {
          this.launch(port);
        } catch (err) {
          // A runtime that cannot even be started (python3 missing from PATH) fails its calls, not the platform.
          this.exited(null, null, `cannot start runtime: ${(err as Error).message}`);
        }
      },
      (err: Error) => this.exited(null, null, `cannot open the Runtime API: ${err.message}`),
    );
    this.initTimer = setTimeout(() => {
      // A runtime that posted its init error and then hung keeps that error; its init had ended.
      this.initEndedAt ??= performance.now();
      this.initError ??= { errorType: 'Runtime.InitTimeout', message: `Init timed out after ${INIT_LIMIT_MS / 1000} seconds`, status: 'timeout' };
      this.kill('timeout');
    }, INIT_LIMIT_MS);
  }

  /** Starts the runtime once its Runtime API port is known. */
  private launch(port: number): void {
    if (this.phase === 'gone') return;
    if (this.killReason !== undefined) return this.exited(null, 'SIGKILL');
    const { fn, env } = this;
    const runtime = runtimes[fn.runtime];
    const paths = this.paths();
    const command = runtime.command(paths.taskRoot, paths.runtimeDir);
    const spec: LaunchSpec = {
      isolation: env.isolation,
      user: env.isolation === 'namespace' ? env.user : null,
      tmpMb: fn.settings.ephemeralStorageMb,
      cwd: paths.taskRoot,
      exposed: this.exposures(command.file, paths),
      file: command.file,
      args: command.args,
      env: this.lambdaEnvironment(runtime.executionEnv(fn.runtimeId), port, paths),
    };
    this.startedAt = performance.now();
    this.lastUsed = this.startedAt;
    const proc = this.start(spec);
    this.proc = proc;
    const channel = proc.stdio[RUNTIME_CHANNEL_FD];
    if (channel instanceof Socket && command.usesChannel) this.endpoint.adopt(channel);
    else channel?.destroy();
    const pid = proc.pid;
    // So that a platform starting after a crash of this one finds the process without a cgroup.
    if (pid !== undefined) markInstance(env.tmpRoot, this.id, pid);
    proc.stdout?.on('data', (chunk: Buffer) => this.captureOutput(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => this.captureOutput(chunk));
    proc.on('error', (err) => this.exited(null, null, `cannot start runtime: ${err.message}`));
    proc.on('exit', (code, signal) => this.exited(code, signal));
  }

  /**
   * The process, started by a prewarmed launcher, a fresh compiled one, the shell wrapper, or as is
   * (no isolation). Through a launcher, every process of the instance is born in its cgroups.
   */
  private start(spec: LaunchSpec): ChildProcess {
    const { env } = this;
    const memoryBytes = this.fn.settings.memoryMb * MB;
    if (env.isolation === 'none') return this.spawnUnisolated(spec, memoryBytes);
    const taken = env.sandboxHelper ? env.launchers?.take() : null;
    if (taken) {
      this.cgroup = adopt(taken.cgroup, this.id);
      this.cgroup?.setMemoryLimit(memoryBytes);
    } else {
      this.cgroup = env.cgroups.create(this.id, memoryBytes);
    }
    this.applied.memory = env.cgroups.support.memory !== null && this.cgroup !== null ? 'cgroup' : 'watchdog';
    const procsFiles = this.cgroup?.procsFiles ?? [];
    let proc: ChildProcess;
    if (taken) proc = taken.proc;
    else if (env.sandboxHelper) proc = spawnLauncher(env.sandboxHelper, procsFiles);
    else {
      const cmd = shellWrapperCommand(spec, procsFiles);
      proc = spawn(cmd.file, cmd.args, { cwd: '/', env: spec.env, detached: true, stdio: instanceStdio('ignore') });
    }
    // A launcher that died before reading its request closes the pipe: the write's EPIPE must not
    // become the platform's uncaught error; the launcher's exit already fails the instance.
    if (proc.stdin) proc.stdin.on('error', () => {}).end(encodeSpec(spec));
    if (this.applied.memory === 'watchdog' && proc.pid !== undefined) this.guardMemory(proc.pid, memoryBytes);
    return proc;
  }

  /** The runtime spawned directly; it joins its cgroups once running, off the event loop. */
  private spawnUnisolated(spec: LaunchSpec, memoryBytes: number): ChildProcess {
    const proc = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: instanceStdio('ignore') });
    this.cgroup = this.env.cgroups.create(this.id, memoryBytes);
    const pid = proc.pid;
    const memoryByCgroup = this.env.cgroups.support.memory !== null && this.cgroup !== null;
    if (pid === undefined) return proc;
    // Until the process is in its memory cgroup (or if it never gets there), the watchdog guards.
    this.guardMemory(pid, memoryBytes);
    if (!memoryByCgroup || !this.cgroup) return proc;
    this.inCgroup = false;
    this.cgroup.join(pid).then(
      () => {
        this.applied.memory = 'cgroup';
        this.watchdog?.stop();
        this.watchdog = undefined;
      },
      () => (this.applied.memory = 'watchdog'),
    ).finally(() => {
      // A function that reads /proc/self/cgroup (measure, lab) must already see its own group.
      this.inCgroup = true;
      this.pump();
    });
    return proc;
  }

  private guardMemory(pid: number, memoryBytes: number): void {
    // Isolated, the runtime is the launcher's grandchild, in the launcher's process group.
    const members = this.env.isolation === 'none' ? () => [pid] : () => processGroupMembers(pid);
    this.watchdog = new MemoryWatchdog(members, memoryBytes, () => {
      this.watchdogFired = true;
      this.kill('oom');
    });
  }

  private paths(): InstancePaths {
    const { fn, env } = this;
    return instancePaths(env.isolation, fn.codeDir, env.runtimeDir, () => lambdaMountPoints());
  }

  /** The code read-only, and what the runtime itself needs where the instance user cannot reach it. */
  private exposures(runtimeFile: string, paths: InstancePaths): Exposure[] {
    const { fn, env } = this;
    if (env.isolation === 'none') return [];
    const own: Exposure[] = [{ path: fn.codeDir, target: paths.taskRoot, readonly: true }];
    if (paths.runtimeDir !== env.runtimeDir) own.push({ path: env.runtimeDir, target: paths.runtimeDir, readonly: true });
    // An interpreter installed under a private home (pyenv, nvm): its whole prefix.
    const prefix = path.dirname(path.dirname(runtimeFile));
    const dirs = paths.runtimeDir === env.runtimeDir ? [env.runtimeDir, prefix] : [prefix];
    for (const dir of dirs) if (!reachable(path.join(dir, 'x')) && !dir.startsWith(fn.codeDir)) own.push({ path: dir, readonly: true });
    return [...own, ...env.exposed];
  }

  /** The instance's processes, for the Runtime API's peer check; null when they cannot be told. */
  private members(): Iterable<number> | null {
    const launcher = this.proc?.pid;
    const procs = this.cgroup?.procsFiles[0];
    if (launcher === undefined) return [];
    if (procs) return new Set([launcher, ...groupMembers(path.dirname(procs))]);
    // Unisolated and without cgroups, a runtime's child cannot be told from a stranger.
    if (this.env.isolation === 'none') return null;
    // Isolated without cgroups: the launcher's process group, which only root could leave from inside.
    return processGroupMembers(launcher);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Invocations placed here and not yet finished. */
  get load(): number {
    return this.active.size;
  }

  /** False from the moment a kill is decided, before the process has actually exited. */
  get live(): boolean {
    return this.phase !== 'gone' && this.killReason === undefined;
  }

  get hasFreeSlot(): boolean {
    return this.live && this.active.size < this.fn.settings.concurrency;
  }

  /** The vCPUs the cpu cgroup was given (null: none applied) and how memory is enforced. */
  get limits(): { cpuVcpus: number | null; memory: 'cgroup' | 'watchdog' } {
    return this.applied;
  }

  /** Places an invocation here; it is delivered when the runtime next asks for work. */
  run(request: InvokeRequest, queueMs: number): Promise<InvocationResult> {
    return new Promise((resolve) => {
      const active = new Active(request, this.phase === 'init', queueMs, resolve);
      this.active.set(request.requestId, active);
      this.pending.push(active);
      this.pump();
    });
  }

  // ---- Runtime API, called by the gateway for this instance's path prefix ----

  next(res: ServerResponse): void {
    if (this.phase === 'gone') {
      res.writeHead(410).end();
      return;
    }
    // A runtime that reported an init error gets no invocation: Lambda refuses, and ends the instance.
    if (this.initError?.payload) {
      refuseTransition(res, 'InitError', 'Ready');
      this.kill('init-error');
      return;
    }
    if (this.phase === 'init') this.becameReady();
    this.waiting.push(res);
    res.on('close', () => {
      const i = this.waiting.indexOf(res);
      if (i >= 0) this.waiting.splice(i, 1);
    });
    // What the runtime printed before asking (its init's output, or after its last response) is
    // in the pipe already, but the kernel may report the pipe after this request: a call waiting
    // here is handed over a loop turn later, when that output has been read into the idle log.
    if (this.pending.length > 0) setImmediate(() => this.pump());
    this.freezeIfIdle();
  }

  /** Returns false when the request id is not an invocation in flight here. */
  respond(requestId: string, payload: Buffer): boolean {
    return this.complete(requestId, { kind: 'success', payload });
  }

  fail(requestId: string, payload: Buffer, errorType: string | undefined): boolean {
    return this.complete(requestId, { kind: 'function-error', payload, errorType: errorType ?? errorTypeOf(payload) });
  }

  /** The runtime's answer passed Lambda's response limit: the call ends now, the instance lives on. */
  responseTooLarge(requestId: string, sizeBytes: number | undefined): boolean {
    return this.complete(requestId, { kind: 'function-error', payload: responseTooLargePayload(sizeBytes), errorType: RESPONSE_TOO_LARGE });
  }

  // ---- streamed responses (Lambda-Runtime-Function-Response-Mode: streaming) ----

  /** The runtime began a streamed response; false when the request is not in flight here. */
  streamStart(requestId: string, contentType: string): boolean {
    const active = this.active.get(requestId);
    if (!active || active.deliveredAt === undefined || active.answered || active.streamed) return false;
    active.streamed = { size: 0, chunks: [] };
    active.request.stream?.start(contentType, this.fn.version);
    return true;
  }

  /** One chunk, passed on at once to a streaming caller; false once the response passed Lambda's limit (the call has ended). */
  streamChunk(requestId: string, bytes: Buffer): boolean {
    const active = this.active.get(requestId);
    const streamed = active?.streamed;
    if (!active || !streamed || active.answered) return false;
    streamed.size += bytes.length;
    if (streamed.size > STREAM_MAX_BYTES) {
      this.responseTooLarge(requestId, undefined);
      return false;
    }
    if (active.request.stream) active.request.stream.chunk(bytes);
    else streamed.chunks.push(bytes);
    return true;
  }

  /**
   * The streamed response ended: with the error its trailers named, or as a success whose payload
   * is what was sent (empty for a streaming caller, who has had it already).
   */
  streamEnd(requestId: string, error: { type: string; body: Buffer } | undefined): boolean {
    const active = this.active.get(requestId);
    if (!active?.streamed) return false;
    const payload = Buffer.concat(active.streamed.chunks);
    if (error) return this.complete(requestId, { kind: 'function-error', payload: error.body, errorType: error.type });
    return this.complete(requestId, { kind: 'success', payload });
  }

  /** Keeps the runtime's init error for the caller, as posted; or names the state that refuses one. */
  reportInitError(payload: Buffer, errorType: string | undefined): RuntimeState | null {
    if (this.initError?.payload) return 'InitError';
    if (this.phase !== 'init') return [...this.active.values()].some((a) => a.deliveredAt !== undefined && !a.answered) ? 'Running' : 'Ready';
    const type = errorType ?? errorTypeOf(payload);
    this.initError = { errorType: type, message: messageOf(payload) ?? type, status: 'error', payload, reportedType: reportedErrorType(errorType) };
    this.initEndedAt = performance.now();
    return null;
  }

  // ---- life cycle ----

  kill(reason: EvictionReason): void {
    if (this.phase === 'gone' || this.killReason) return;
    this.killReason = reason;
    this.signalKill();
  }

  /**
   * Ends the instance as kill() does, but sends the signal a loop turn later: an instance idle for
   * no keep-alive at all is retired as its last call settles, and signalling a process group takes
   * 0.3-2.6 ms, which would delay that call's answer. It takes no call meanwhile (it is not live).
   */
  retire(reason: EvictionReason): void {
    if (this.phase === 'gone' || this.killReason) return;
    this.killReason = reason;
    setImmediate(() => this.signalKill());
  }

  private signalKill(): void {
    // Not started yet: launch() sees the reason and ends the instance instead.
    const pid = this.proc?.pid;
    if (pid === undefined || this.phase === 'gone') return;
    try {
      // The whole process group: a provided bootstrap may have children of its own.
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private lambdaEnvironment(executionEnv: string | undefined, runtimeApiPort: number, paths: InstancePaths): Record<string, string> {
    const { fn, env } = this;
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    return {
      ...fn.settings.environment,
      ...env.platformVariables,
      PATH: sandboxPath(),
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      TMPDIR: env.isolation === 'namespace' ? '/tmp' : this.tmpDir,
      LAMBDA_TASK_ROOT: paths.taskRoot,
      LAMBDA_RUNTIME_DIR: paths.runtimeDir,
      _HANDLER: fn.handler,
      AWS_REGION: env.region,
      AWS_DEFAULT_REGION: env.region,
      // None for the provided runtimes, as on Lambda.
      ...(executionEnv ? { AWS_EXECUTION_ENV: executionEnv } : {}),
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.settings.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: fn.version,
      AWS_LAMBDA_INITIALIZATION_TYPE: this.initializationType,
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${fn.version}]${this.id}`,
      AWS_LAMBDA_MAX_CONCURRENCY: String(fn.settings.concurrency),
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${runtimeApiPort}`,
    };
  }

  private becameReady(): void {
    clearTimeout(this.initTimer);
    this.phase = 'ready';
    this.initMs = performance.now() - this.startedAt;
    this.lastUsed = performance.now();
    // Init runs unthrottled, as Lambda boosts CPU during init; the share applies to invocations.
    if (this.fn.settings.cpuModel === 'proportional' && this.env.cgroups.support.cpu) {
      const vcpus = this.fn.settings.memoryMb / MB_PER_VCPU;
      try {
        this.cgroup?.setCpuLimit(vcpus);
        this.applied.cpuVcpus = appliedVcpus(vcpus);
      } catch {
        /* reported as not applied */
      }
    }
  }

  private pump(): void {
    while (this.inCgroup && this.pending.length > 0 && this.waiting.length > 0) {
      const active = this.pending.shift() as Active;
      const res = this.waiting.shift() as ServerResponse;
      this.deliver(active, res);
    }
  }

  private deliver(active: Active, res: ServerResponse): void {
    this.thaw();
    this.watchdog?.start();
    const level = measureLevel(this.fn.settings.environment);
    if (level !== 'off') this.meter ??= new InstanceMeter({ group: () => this.cgroup?.counters ?? null, pids: () => this.measuredPids() }, level === 'counters');
    active.meter = this.meter?.begin();
    // With counters, the call waits until perf counts (measure-counters.ts).
    if (active.meter?.ready) void active.meter.ready.then(() => (this.active.get(active.request.requestId) === active ? this.handOver(active, res) : res.destroy()));
    else this.handOver(active, res);
  }

  private handOver(active: Active, res: ServerResponse): void {
    const { request } = active;
    const timeoutMs = this.fn.settings.timeoutS * 1000;
    active.deliveredAt = performance.now();
    active.timer = setTimeout(() => this.timedOut(active), timeoutMs);
    // Decoded, as Lambda hands it over; the Lambda API refuses one that does not decode.
    const clientContext = request.clientContext === undefined ? undefined : runtimeClientContext(request.clientContext);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': request.payload.length,
      'lambda-runtime-aws-request-id': request.requestId,
      'lambda-runtime-deadline-ms': String(Date.now() + timeoutMs),
      'lambda-runtime-invoked-function-arn': request.invokedArn ?? this.fn.arn,
      'lambda-runtime-trace-id': runtimeTraceHeader(request),
      ...(clientContext ? { 'lambda-runtime-client-context': clientContext } : {}),
    });
    res.end(request.payload);
  }

  /**
   * Stops the idle instance FREEZE_GRACE_MS after it asked for work, unless work came first: back-
   * to-back calls then skip a SIGSTOP/SIGCONT pair each, and background work still gets no more
   * than that grace while idle.
   */
  private freezeIfIdle(): void {
    if (!this.env.freeze || this.frozen || this.freezeTimer || this.active.size > 0 || this.phase !== 'ready') return;
    this.freezeTimer = setTimeout(() => {
      this.freezeTimer = undefined;
      if (this.active.size > 0 || this.phase !== 'ready') return;
      this.signalGroup('SIGSTOP');
      this.frozen = true;
    }, FREEZE_GRACE_MS);
  }

  private thaw(): void {
    clearTimeout(this.freezeTimer);
    this.freezeTimer = undefined;
    if (!this.frozen) return;
    this.signalGroup('SIGCONT');
    this.frozen = false;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.proc?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      /* exited meanwhile; the exit handler settles everything */
    }
  }

  private captureOutput(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    const running = [...this.active.values()].filter((a) => a.deliveredAt !== undefined);
    if (running.length === 0) {
      this.idleLog.append(text);
      return;
    }
    // One call running owns all output: no need to split the chunk into lines.
    if (running.length === 1) {
      (running[0] as Active).log.append(text);
      return;
    }
    // With several invocations in flight, Lambda-formatted lines name their request id, and one
    // chunk of output can hold lines of several: each line goes to the call it names, a line that
    // names none to every call running.
    for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
      const owner = running.find((a) => line.includes(a.request.requestId));
      for (const a of owner ? [owner] : running) a.log.append(line);
    }
  }

  private timedOut(active: Active): void {
    // libuv's timers run on a millisecond loop clock and can fire a fraction of a millisecond
    // early by performance.now(): wait out the rest, so a timed-out call never reports less than its limit.
    const left = (active.deliveredAt ?? 0) + this.fn.settings.timeoutS * 1000 - performance.now();
    if (left > 0) {
      active.timer = setTimeout(() => this.timedOut(active), Math.ceil(left));
      return;
    }
    const message = timeoutMessage(this.fn.settings.timeoutS);
    active.log.append(`${new Date().toISOString()} ${active.request.requestId} ${message}\n`);
    this.finish(active, { errorType: 'Sandbox.Timedout', message, status: 'timeout' });
    this.kill('timeout');
  }

  private complete(requestId: string, outcome: InvocationOutcome): boolean {
    const active = this.active.get(requestId);
    if (!active || active.deliveredAt === undefined || active.answered) return false;
    // The runtime wrote its output before it posted the result, but the pipe and the socket are
    // read in whatever order the event loop sees them: settling a turn later lets output that
    // was already waiting reach this call's log, not the next one's. The call ended now: its
    // duration stops here, and neither its timeout nor an exit in that turn can undo the answer.
    clearTimeout(active.timer);
    const answered = { outcome, endedAt: performance.now() };
    active.answered = answered;
    setImmediate(() => {
      if (this.active.get(requestId) === active) this.finish(active, answered.outcome, answered.endedAt);
    });
    return true;
  }

  /** Settles one invocation with a runtime outcome or a platform failure, ended at `endedAt`. */
  private finish(active: Active, result: InvocationOutcome | Failure, endedAt = performance.now()): void {
    clearTimeout(active.timer);
    this.active.delete(active.request.requestId);
    const pendingAt = this.pending.indexOf(active);
    if (pendingAt >= 0) this.pending.splice(pendingAt, 1);
    const durationMs = active.deliveredAt === undefined ? 0 : endedAt - active.deliveredAt;
    const requestId = active.request.requestId;
    const outcome: InvocationOutcome =
      'kind' in result
        ? result
        : { kind: 'function-error', errorType: result.errorType, payload: result.payload ?? errorPayload(result.errorType, `RequestId: ${requestId} Error: ${result.message}`) };
    const facts = {
      requestId,
      durationMs,
      billedMs: billedMs(durationMs),
      memoryMb: this.fn.settings.memoryMb,
      maxMemoryMb: this.maxMemoryMb(),
      ...(active.cold && this.initMs !== undefined ? { initMs: this.initMs } : {}),
    };
    const failure = 'kind' in result ? undefined : { status: result.status, errorType: result.status === 'error' ? (result.reportedType ?? result.errorType) : undefined };
    // Lambda's log stream is one for the instance: what was printed between two calls (after a
    // response, or in the background) shows between the first's REPORT and the next one's START.
    // Each call's log here is its own piece of that stream, so that output opens the next call's
    // log; on a cold start it is the init's output, after INIT_START (and before INIT_REPORT).
    const prelude = active.cold ? initStartLine(this.fn.runtimeId) + this.takeIdleLog() + this.initReport : this.takeIdleLog();
    const log = prelude + startLine(requestId, this.fn.version) + active.log.text() + endLine(requestId) + reportLine({ ...facts, ...(failure ? { failure } : {}) });
    this.lastUsed = endedAt;
    if (this.active.size === 0) this.watchdog?.stop();
    const settled = { ...facts, cpuVcpus: this.applied.cpuVcpus, functionName: this.fn.name, executedVersion: this.fn.version, instanceId: this.id, cold: active.cold, queueMs: active.queueMs, outcome, log };
    if (active.meter) active.meter.end((measurement) => active.settle({ ...settled, measurement }));
    else active.settle(settled);
    if (this.phase !== 'gone') this.hooks.slotFreed(this);
  }

  private takeIdleLog(): string {
    if (this.idleLog.empty) return '';
    const log = this.idleLog.text();
    this.idleLog = new BoundedLog();
    return log;
  }

  /**
   * The larger of the cgroup's peak and the process's peak resident set: pages of the runtime
   * binary that another process loaded first are charged to that process's cgroup, not this one.
   */
  private maxMemoryMb(): number {
    const pid = this.runtimePid ??= this.findRuntimePid();
    if (pid !== undefined && this.statusFd === undefined) this.statusFd = tryOpen(`/proc/${pid}/status`);
    const hwm = pid !== undefined ? (readStatusKb(pid, 'VmHWM', this.statusFd) ?? 0) * 1024 : 0;
    // A call's measurement restarts the kernel's peak (measure-sources.ts) and keeps the one before.
    return Math.ceil(Math.max(hwm, this.cgroup?.peakMemoryBytes() ?? 0, this.meter?.priorPeakBytes ?? 0) / MB);
  }

  /** The processes a call's measurement reads: the instance's members, or the one spawned. */
  private measuredPids(): number[] {
    const pid = this.proc?.pid;
    return [...(this.members() ?? (pid === undefined ? [] : [pid]))];
  }

  /**
   * The runtime process: the spawned one without isolation; isolated, the largest of the launcher's
   * descendants (the launcher and the namespace's init are a few hundred kB each). Found once.
   */
  private findRuntimePid(): number | undefined {
    const launcher = this.proc?.pid;
    if (launcher === undefined || this.env.isolation === 'none') return launcher;
    const procs = this.cgroup?.procsFiles[0];
    const members = procs ? groupMembers(path.dirname(procs)) : processGroupMembers(launcher);
    let best: { pid: number; kb: number } | undefined;
    for (const pid of members) {
      const kb = pid === launcher ? undefined : readStatusKb(pid, 'VmHWM');
      if (kb !== undefined && (best === undefined || kb > best.kb)) best = { pid, kb };
    }
    return best?.pid;
  }

  private exited(code: number | null, signal: NodeJS.Signals | null, startError?: string): void {
    if (this.phase === 'gone') return;
    const oom = this.watchdogFired || (this.cgroup?.oomKills() ?? 0) > 0;
    const exitText = startError ?? (signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal.replace(/^SIG/, '').toLowerCase()}` : `exit status ${code}`);
    const failure: Failure = oom
      ? { errorType: 'Runtime.OutOfMemory', message: `Runtime exited with error: ${exitText}`, status: 'error' }
      : (this.initError ?? { errorType: 'Runtime.ExitError', message: `Runtime exited with error: ${exitText}`, status: 'error' });
    const reason: EvictionReason = oom ? 'oom' : this.initError ? (this.killReason ?? 'init-error') : (this.killReason ?? 'exit');
    if (this.phase === 'init') {
      const initMs = (this.initEndedAt ?? performance.now()) - this.startedAt;
      this.initReport = initReportLine(initMs, failure.status === 'timeout' ? { status: 'timeout' } : { status: 'error', errorType: failure.reportedType ?? failure.errorType });
    }
    for (const active of [...this.active.values()]) this.finish(active, active.answered?.outcome ?? failure, active.answered?.endedAt);
    this.phase = 'gone';
    clearTimeout(this.initTimer);
    clearTimeout(this.freezeTimer);
    this.watchdog?.stop();
    for (const res of this.waiting.splice(0)) res.destroy();
    this.endpoint.close();
    // Whatever of the instance is still running (a child that left its process group, without a
    // PID namespace to take it down) goes with it.
    this.cgroup?.kill();
    this.cgroup?.remove();
    if (this.statusFd !== undefined) closeSync(this.statusFd);
    this.meter?.close();
    rmSync(this.tmpDir, { recursive: true, force: true });
    unmarkInstance(this.env.tmpRoot, this.id);
    this.hooks.gone(this, reason);
  }
}

/** A prewarmed launcher's groups, renamed for the instance; kept under their old name if that fails. */
function adopt(cgroup: InstanceCgroup | null, id: string): InstanceCgroup | null {
  try {
    return cgroup?.rename(id) ?? null;
  } catch {
    return cgroup;
  }
}

function tryOpen(file: string): number | undefined {
  try {
    return openSync(file, 'r');
  } catch {
    return undefined;
  }
}

function parseError(payload: Buffer): { errorType?: unknown; errorMessage?: unknown } {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function errorTypeOf(payload: Buffer): string {
  const type = parseError(payload).errorType;
  return typeof type === 'string' && type ? type : 'Unhandled';
}

function messageOf(payload: Buffer): string | undefined {
  const message = parseError(payload).errorMessage;
  return typeof message === 'string' ? message : undefined;
}
