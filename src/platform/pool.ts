/**
 * Placement and scaling: which instance serves a call, when a new one starts (a cold start), what
 * happens at the per-function and account limits (429 or a bounded queue), and when idle
 * instances are evicted. It never touches processes itself; that is Instance's job.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FaasbenchError } from '../core/errors.ts';
import { Instance, type InstanceEnvironment } from './instance.ts';
import type { EvictionReason, FunctionSnapshot, InitializationType, InvocationResult, InvokeRequest } from './invocation.ts';
import { keepAliveMs, recordIdleEviction } from './keep-alive.ts';

export interface PoolEvents {
  coldStart(fn: string): void;
  throttled(fn: string): void;
  evicted(fn: string, reason: EvictionReason): void;
}

interface Waiter {
  readonly fn: FunctionSnapshot;
  /** Places the call on the instance synchronously, so the slot is taken before the next waiter looks. */
  readonly admit: (instance: Instance) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** An instance's place in its function's keep-alive streams (see keep-alive.ts). */
interface Draws {
  readonly ordinal: number;
  periods: number;
}

/** Which limit refused a call: Lambda's throttle `Reason` tells them apart. */
type Limit = 'function' | 'account';

const REASON: Record<Limit, string> = {
  function: 'ReservedFunctionConcurrentInvocationLimitExceeded',
  account: 'ConcurrentInvocationLimitExceeded',
};

/**
 * Per-version bookkeeping (`$LATEST` under the function's name, a published version under
 * `name:version`: each has instances of its own); instances of older revisions stay listed until
 * they drain.
 */
interface FunctionState {
  readonly instances: Set<Instance>;
  readonly waiters: Waiter[];
  readonly idleTimers: Map<Instance, NodeJS.Timeout>;
  /** Instances started so far, and each live one's ordinal and idle periods: the keys of its keep-alive draws. */
  started: number;
  readonly draws: Map<Instance, Draws>;
  /** Provisioned concurrency: instances kept initialised ahead of calls, never evicted for idleness. */
  provisionTarget: number;
  readonly provisioned: Set<Instance>;
}

/** The pool key of a deployment: `$LATEST` keeps the bare name, so per-function views stay as they were. */
export function poolKey(fn: Pick<FunctionSnapshot, 'name' | 'version'>): string {
  return fn.version === '$LATEST' ? fn.name : `${fn.name}:${fn.version}`;
}

const functionOfKey = (key: string): string => key.split(':')[0] as string;

export class Pool {
  private readonly functions = new Map<string, FunctionState>();
  /** Reserved concurrency by function name (all its versions together). */
  private readonly reserved = new Map<string, number>();

  constructor(
    private readonly env: InstanceEnvironment,
    private readonly accountLimit: number,
    private readonly events: PoolEvents,
  ) {}

  /** Runs one invocation: on a warm instance, a new (cold) one, after a wait, or not at all (429). */
  invoke(fn: FunctionSnapshot, request: InvokeRequest, mode: 'throttle' | 'queue' = fn.settings.onLimit): Promise<InvocationResult> {
    const since = performance.now();
    const instance = this.acquire(fn);
    if (instance instanceof Instance) return this.runOn(instance, request, since);
    if (mode === 'throttle') {
      this.events.throttled(fn.name);
      return Promise.reject(tooManyRequests(fn.name, instance));
    }
    return this.enqueue(fn, (i) => this.runOn(i, request, since), fn.settings.queueTimeoutS * 1000, () => {
      this.events.throttled(fn.name);
      return tooManyRequests(fn.name, this.limitNow(fn), fn.settings.queueTimeoutS);
    });
  }

  /**
   * An Event call's attempt: never throttled and never held to queueTimeoutS; it waits for a slot
   * as long as `maxWaitMs` allows (what is left of the event's maximum age).
   */
  invokeEvent(fn: FunctionSnapshot, request: InvokeRequest, maxWaitMs: number): Promise<InvocationResult> {
    const since = performance.now();
    const instance = this.acquire(fn);
    if (instance instanceof Instance) return this.runOn(instance, request, since);
    const expired = (): Error => new FaasbenchError('TooManyRequests', `Event call ${request.requestId} to ${fn.name} found no free instance within its maximum age`);
    return this.enqueue(fn, (i) => this.runOn(i, request, since), maxWaitMs, expired);
  }

  instancesOf(name: string): readonly Instance[] {
    return [...(this.functions.get(name)?.instances ?? [])];
  }

  /** Instance lookup for the Runtime API. */
  find(instanceId: string): Instance | undefined {
    for (const state of this.functions.values()) for (const i of state.instances) if (i.id === instanceId) return i;
    return undefined;
  }

  queueDepth(name: string): number {
    return this.functions.get(name)?.waiters.length ?? 0;
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  /** After a configuration change: idle old instances go now, busy ones when they finish. */
  retire(name: string, reason: EvictionReason, belowRevision: number): void {
    for (const instance of this.instancesOf(name)) {
      if (instance.fn.revision < belowRevision && instance.load === 0) instance.kill(reason);
    }
  }

  /** Kills every instance of a function (every version; or of all functions) and fails its queued calls. */
  drain(name: string | undefined, reason: EvictionReason): void {
    for (const key of this.functions.keys()) if (name === undefined || functionOfKey(key) === name) this.drainKey(key, reason);
    if (name === undefined) this.reserved.clear();
    else this.reserved.delete(name);
  }

  /** Kills the instances of one version (a deleted version) and fails its queued calls. */
  drainVersion(fn: Pick<FunctionSnapshot, 'name' | 'version'>, reason: EvictionReason): void {
    this.drainKey(poolKey(fn), reason);
  }

  private drainKey(key: string, reason: EvictionReason): void {
    const state = this.functions.get(key);
    if (!state) return;
    state.provisionTarget = 0;
    for (const waiter of state.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new FaasbenchError('ResourceNotFound', `Function ${key} was removed while this call waited`));
    }
    for (const instance of state.instances) instance.kill(reason);
  }

  // ---- concurrency controls ----

  setReserved(name: string, count: number | undefined): void {
    if (count === undefined) this.reserved.delete(name);
    else this.reserved.set(name, count);
    queueMicrotask(() => this.admitWaiters(name));
  }

  /** Executions the account leaves to functions without a reservation. */
  get unreserved(): number {
    let sum = 0;
    for (const n of this.reserved.values()) sum += n;
    return this.accountLimit - sum;
  }

  /**
   * Keeps `count` instances of this version initialised ahead of calls (0 stops keeping them: they
   * become ordinary instances and idle out).
   */
  provision(fn: FunctionSnapshot, count: number): void {
    const state = this.state(poolKey(fn));
    state.provisionTarget = count;
    const kept = [...state.provisioned].filter((i) => i.live);
    for (const extra of kept.slice(count)) this.release(extra, state);
    for (let n = kept.length; n < count; n += 1) this.startInstance(fn, state, 'provisioned-concurrency');
  }

  /** How many provisioned instances exist (allocated) and how many have finished init (available). */
  provisionedCounts(fn: Pick<FunctionSnapshot, 'name' | 'version'>): { allocated: number; available: number } {
    const live = [...(this.functions.get(poolKey(fn))?.provisioned ?? [])].filter((i) => i.live);
    return { allocated: live.length, available: live.filter((i) => i.phase === 'ready').length };
  }

  private release(instance: Instance, state: FunctionState): void {
    state.provisioned.delete(instance);
    if (instance.load === 0 && instance.live) this.scheduleIdle(instance, state);
  }

  /** Resolves once every instance has exited, or after 5 s (a stuck process must not hang shutdown). */
  async settled(): Promise<void> {
    for (let waited = 0; this.liveInstances > 0 && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Instances still starting: a fork of the platform now would hold up their first /next. */
  get initializing(): number {
    let n = 0;
    for (const state of this.functions.values()) for (const i of state.instances) if (i.phase === 'init') n += 1;
    return n;
  }

  get liveInstances(): number {
    let n = 0;
    for (const state of this.functions.values()) n += state.instances.size;
    return n;
  }

  private state(key: string): FunctionState {
    let state = this.functions.get(key);
    if (!state) {
      state = { instances: new Set(), waiters: [], idleTimers: new Map(), started: 0, draws: new Map(), provisionTarget: 0, provisioned: new Set() };
      this.functions.set(key, state);
    }
    return state;
  }

  /**
   * A free slot on a current instance (provisioned first, then most recently used), else a new
   * instance, else the limit that refuses the call.
   */
  private acquire(fn: FunctionSnapshot): Instance | Limit {
    const limit = this.limitNow(fn);
    if (limit) return limit;
    const state = this.state(poolKey(fn));
    let best: Instance | undefined;
    for (const instance of state.instances) {
      if (instance.fn.revision !== fn.revision || !instance.hasFreeSlot) continue;
      if (!best || rank(instance, state) > rank(best, state)) best = instance;
    }
    if (best) return best;
    const current = [...state.instances].filter((i) => i.live).length;
    if (fn.settings.maxInstances !== undefined && current >= fn.settings.maxInstances) return 'function';
    return this.startInstance(fn, state);
  }

  /** The limit one more execution of `fn` would pass, if any. */
  private limitNow(fn: FunctionSnapshot): Limit | undefined {
    if (this.inFlight >= this.accountLimit) return 'account';
    // Without reservations the whole account is unreserved: the check above was the only one.
    if (this.reserved.size === 0) return undefined;
    const reserved = this.reserved.get(fn.name);
    if (reserved !== undefined) return this.loadOf((name) => name === fn.name) >= reserved ? 'function' : undefined;
    return this.loadOf((name) => !this.reserved.has(name)) >= this.unreserved ? 'account' : undefined;
  }

  /** Executions in flight, of the functions `counted` names (of all without it). */
  private loadOf(counted?: (functionName: string) => boolean): number {
    let n = 0;
    for (const [key, state] of this.functions) {
      if (counted && !counted(functionOfKey(key))) continue;
      for (const i of state.instances) n += i.load;
    }
    return n;
  }

  private startInstance(fn: FunctionSnapshot, state: FunctionState, type: InitializationType = 'on-demand'): Instance {
    const instance = new Instance(
      randomUUID(),
      fn,
      this.env,
      { slotFreed: (i) => this.slotFreed(i), gone: (i, reason) => this.gone(i, reason) },
      type,
    );
    if (type === 'provisioned-concurrency') state.provisioned.add(instance);
    state.instances.add(instance);
    state.started += 1;
    state.draws.set(instance, { ordinal: state.started, periods: 0 });
    this.events.coldStart(fn.name);
    return instance;
  }

  private runOn(instance: Instance, request: InvokeRequest, since: number): Promise<InvocationResult> {
    this.cancelIdle(instance);
    return instance.run(request, performance.now() - since);
  }

  private enqueue(fn: FunctionSnapshot, place: (instance: Instance) => Promise<InvocationResult>, waitMs: number, expired: () => Error): Promise<InvocationResult> {
    const state = this.state(poolKey(fn));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        state.waiters.splice(state.waiters.indexOf(waiter), 1);
        reject(expired());
      }, waitMs);
      const waiter: Waiter = { fn, admit: (instance) => resolve(place(instance)), reject, timer };
      state.waiters.push(waiter);
    });
  }

  /** Account-wide concurrent executions, derived rather than counted so it cannot drift. */
  get inFlight(): number {
    return this.loadOf();
  }

  /** Admits queued calls, oldest first, while capacity allows: their own function's first. */
  private admitWaiters(first: string): void {
    const order = [first, ...[...this.functions.keys()].filter((n) => n !== first)];
    for (const key of order) {
      const waiters = this.functions.get(key)?.waiters ?? [];
      while (waiters.length > 0) {
        const head = waiters[0] as Waiter;
        const instance = this.acquire(head.fn);
        if (!(instance instanceof Instance)) break;
        waiters.shift();
        clearTimeout(head.timer);
        head.admit(instance);
      }
    }
  }

  private slotFreed(instance: Instance): void {
    const state = this.state(poolKey(instance.fn));
    const stale = [...state.instances].some((i) => i !== instance && i.fn.revision > instance.fn.revision);
    if (instance.load === 0 && stale) {
      instance.kill('config-change');
      return;
    }
    queueMicrotask(() => {
      this.admitWaiters(poolKey(instance.fn));
      if (instance.load === 0 && instance.live && !state.provisioned.has(instance)) this.scheduleIdle(instance, state);
    });
  }

  private scheduleIdle(instance: Instance, state: FunctionState): void {
    const draw = state.draws.get(instance) as Draws; // set when the pool started it
    draw.periods += 1;
    const ms = keepAliveMs(instance.fn.settings, { fn: instance.fn.name, ordinal: draw.ordinal, period: draw.periods });
    this.cancelIdle(instance);
    this.idleExpired(instance, state, ms);
  }

  /** Evicts the instance once it has been idle for `ms`, else waits out the rest. */
  private idleExpired(instance: Instance, state: FunctionState, ms: number): void {
    // Measured from the end of the last invocation, not from when the timer was set; and libuv's
    // timers run on a millisecond loop clock and can fire a fraction of a millisecond early by
    // performance.now(): so no instance is evicted before its keep-alive is over.
    const idleMs = performance.now() - instance.lastUsed;
    if (idleMs < ms) {
      state.idleTimers.set(instance, setTimeout(() => this.idleExpired(instance, state, ms), Math.ceil(ms - idleMs)));
      return;
    }
    state.idleTimers.delete(instance);
    recordIdleEviction(instance, { keepAliveMs: ms, idleMs });
    instance.retire('idle');
  }

  private cancelIdle(instance: Instance): void {
    const timers = this.state(poolKey(instance.fn)).idleTimers;
    clearTimeout(timers.get(instance));
    timers.delete(instance);
  }

  private gone(instance: Instance, reason: EvictionReason): void {
    const key = poolKey(instance.fn);
    const state = this.state(key);
    this.cancelIdle(instance);
    state.instances.delete(instance);
    state.draws.delete(instance);
    this.events.evicted(instance.fn.name, reason);
    // A provisioned instance that died (a crash, an OOM) is replaced, as Lambda keeps the count.
    if (state.provisioned.delete(instance) && state.provisioned.size < state.provisionTarget && reason !== 'shutdown' && reason !== 'removed') {
      this.startInstance(instance.fn, state, 'provisioned-concurrency');
    }
    queueMicrotask(() => this.admitWaiters(key));
  }
}

/** Ready instances before starting ones; provisioned before on-demand; then the most recently used. */
function rank(instance: Instance, state: FunctionState): number {
  return (instance.phase === 'ready' ? 2e12 : 0) + (state.provisioned.has(instance) ? 1e12 : 0) + instance.lastUsed;
}

function tooManyRequests(fn: string, limit: Limit | undefined, waitedS?: number): FaasbenchError {
  const which = limit === 'account' ? "the account's concurrency limit" : "the function's instance or reserved concurrency limit";
  const detail = waitedS === undefined ? `no instance is free and the function is at ${which}` : `no instance became free within the queue timeout of ${waitedS} s`;
  return new FaasbenchError('TooManyRequests', `Rate Exceeded. Function ${fn}: ${detail}`, { reason: REASON[limit ?? 'function'] });
}
