/**
 * The Bench API an experiment's hooks receive: deploy, invoke (one, n at once, or a whole plan
 * through the open-loop invoker), reconfigure, sleep, keep state across runs (kv), store its own
 * rows (record), log and report progress. Every call goes through the invoker, so each one is an
 * InvocationRecord of the run with planned, sent and received times like any load run.
 */
import type { CallTracer } from '../spans/client-spans.ts';
import type { FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import type { InvocationRecord } from '../core/invocation-record.ts';
import { planOf, type LoadPlan, type PlannedInvocation } from '../core/load-plan.ts';
import { epochMicros } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import { qualifiedName, type Provider, type Provisioned } from '../core/provider.ts';
import { SummaryBuilder, type RunSummary } from '../analysis/run-summary.ts';
import { settleHeap } from '../core/settle-heap.ts';
import { runPlan } from '../invoker/invoker.ts';
import { openRecordSink, type JournalEnd, type JsonValue, type RunMeta, type RunRecordSink, type SinkOutcome, type Store } from '../store/index.ts';
import { resolveInput } from '../workload/function-inputs.ts';

export type Payload = { readonly input: string } | { readonly event: unknown };

export interface InvocationOutcome {
  readonly record: InvocationRecord;
  /** The answer parsed as JSON (or its text when it is not JSON); null when none came back. */
  readonly response: unknown;
}

export interface LoadOutcome {
  readonly summary: RunSummary;
  readonly status: 'completed' | 'interrupted';
}

export interface Bench {
  readonly runId: string;
  readonly providerName: string;
  readonly seed: number;
  /** Aborted on Ctrl-C: long waits and loads stop; the runner then runs cleanup. */
  readonly signal: AbortSignal;
  /** Deploys a function of the functions folder (optionally under another name); returns the deployed name. */
  deploy(fn: string, settings?: Partial<FunctionSettingsInput> & { readonly as?: string }): Promise<string>;
  invoke(fn: string, payload?: Payload, options?: { readonly tag?: string }): Promise<InvocationOutcome>;
  /** n calls sent at the same instant (one planned time), answers in call order. */
  invokeConcurrently(n: number, fn: string, payload?: Payload, options?: { readonly tag?: string }): Promise<InvocationOutcome[]>;
  /** A whole plan through the open-loop invoker; `payloadOf` gives each call's payload (default: the plan's). */
  runLoad(plan: LoadPlan, options?: LoadOptions): Promise<LoadOutcome>;
  /** Changes settings (memory, environment...): on Lambda-like platforms the next call starts a new instance. */
  updateConfig(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void>;
  /** Whether the provider has provisioned concurrency (Provider.provision). */
  readonly canProvision: boolean;
  /** `count` instances initialised ahead for a new version of `fn`, READY; invoke them as `invokeAs`. */
  provision(fn: string, count: number): Promise<Provisioned & { readonly invokeAs: string }>;
  unprovision(fn: string, qualifier: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** State kept per experiment across runs. */
  readonly kv: {
    get(key: string): Promise<JsonValue | undefined>;
    set(key: string, value: JsonValue): Promise<void>;
    delete(key: string): Promise<void>;
  };
  /** An experiment-specific row, stored as JSON with the run. */
  record(kind: string, row: JsonValue): Promise<void>;
  /**
   * This run's stored invocations so far, in seq order. Every call made through the bench is
   * written before its promise resolves, unless the store is failing (then they wait in a journal).
   */
  records(): AsyncIterable<InvocationRecord>;
  log(message: string): void;
  progress(done: number, total: number, label?: string): void;
}

export interface LoadOptions {
  readonly payloadOf?: (call: PlannedInvocation) => Payload;
  readonly maxInFlight?: number;
  /**
   * Each answer, parsed as invoke gives it, under its record's seq (a plan's calls return no
   * outcomes: this is how an experiment reads what the function said, e.g. its instance id).
   */
  readonly onAnswer?: (seq: number, response: unknown) => void;
  /**
   * Reports the load's progress (calls answered of the plan's count) under this label every
   * PROGRESS_INTERVAL_MS while it runs, and once at its end: a long load is never silent.
   */
  readonly progressLabel?: string;
}

/** How often a load with a progress label reports it: the CLI's and the dashboard's view refresh. */
export const PROGRESS_INTERVAL_MS = 1000;

export interface BenchContext {
  readonly runId: string;
  /** The run as created, for the journal's header (records the store does not take wait there). */
  readonly run: RunMeta;
  readonly experiment: string;
  readonly provider: Provider;
  readonly store: Store;
  readonly seed: number;
  readonly signal: AbortSignal;
  /** Finds a function folder by name (the CLI's functions folder). */
  readonly findPackage: (name: string) => FunctionPackage;
  /** Bucket root generated inputs upload to (the local platform's storage, or --storage-url). */
  readonly storageUrl: string;
  readonly log: (message: string) => void;
  readonly progress: (done: number, total: number, label?: string) => void;
  /** A client span per call, when the run sends spans. */
  readonly spans?: CallTracer;
}

/** Calls of one plan go out this long after runLoad is called: time to set up, short enough to not matter. */
const START_DELAY_US = 2_000;

export class BenchSession implements Bench {
  readonly runId: string;
  readonly providerName: string;
  readonly seed: number;
  readonly signal: AbortSignal;
  /** What this run deployed, by deployed name: the runner removes them at the end. */
  readonly deployed = new Map<string, FunctionPackage>();
  private nextSeq = 0;
  private readonly bodies = new Map<string, Buffer>();
  /**
   * The run's one sink, for every load and call: a store failure never fails a load; records wait
   * (memory, then a journal) and the runner's close() says where, as `invoke` does.
   */
  private readonly sink: RunRecordSink;
  /** Each send's view of the records of its own seqs (loads may overlap). */
  private readonly listeners = new Set<(record: InvocationRecord) => void>();

  constructor(private readonly context: BenchContext) {
    this.runId = context.runId;
    this.providerName = context.provider.name;
    this.seed = context.seed;
    this.signal = context.signal;
    this.sink = openRecordSink(context.store, {
      runId: context.runId,
      run: context.run,
      onRecord: (record) => {
        for (const listener of this.listeners) listener(record);
      },
      onNotice: (message) => context.log(message),
    });
  }

  /** Writes what is left (see RecordSink.close, threaded-sink.ts); the runner calls it once, as the run ends. */
  close(end?: JournalEnd): Promise<SinkOutcome> {
    return this.sink.close(end);
  }

  readonly kv = {
    get: (key: string) => this.context.store.kvGet(this.context.experiment, key),
    set: (key: string, value: JsonValue) => this.context.store.kvSet(this.context.experiment, key, value),
    delete: (key: string) => this.context.store.kvDelete(this.context.experiment, key),
  };

  async deploy(fn: string, settings: Partial<FunctionSettingsInput> & { readonly as?: string } = {}): Promise<string> {
    const { as, ...overrides } = settings;
    const found = this.context.findPackage(fn);
    const pkg = as ? { ...found, manifest: { ...found.manifest, name: as } } : found;
    await this.context.provider.deploy(pkg, overrides);
    this.deployed.set(pkg.manifest.name, pkg);
    return pkg.manifest.name;
  }

  async invoke(fn: string, payload: Payload = { event: {} }, options: { readonly tag?: string } = {}): Promise<InvocationOutcome> {
    const [outcome] = await this.invokeConcurrently(1, fn, payload, options);
    return outcome!;
  }

  async invokeConcurrently(n: number, fn: string, payload: Payload = { event: {} }, options: { readonly tag?: string } = {}): Promise<InvocationOutcome[]> {
    const body = await this.body(fn, payload);
    const calls: PlannedInvocation[] = Array.from({ length: n }, (_, seq) => ({ seq, offsetUs: 0, fn, payload: { event: null }, phase: 'measure', ...(options.tag ? { tag: options.tag } : {}) }));
    const records = new Map<number, InvocationRecord>();
    const responses = new Map<number, Buffer>();
    const plan = planOf({ functions: [fn], count: n, durationUs: 0 }, function* () {
      yield* calls;
    });
    // Not stopped by Ctrl-C: these calls go out 2 ms from now, and a Ctrl-C landing in those 2 ms
    // would leave them unsent and this promise with no record to give; the experiment sees the
    // signal as soon as they answer.
    const { base } = await this.send(plan, () => body, { collect: records, onPayload: (seq, payload) => responses.set(seq, payload), stoppable: false });
    return calls.map((call) => {
      const record = records.get(base + call.seq);
      if (!record) throw new Error(`call ${call.seq} of ${fn} left no record`);
      return { record, response: parse(responses.get(record.seq)) };
    });
  }

  async runLoad(plan: LoadPlan, options: LoadOptions = {}): Promise<LoadOutcome> {
    const cache = new Map<string, Buffer>();
    // Inputs are resolved before the run, never while calls go out.
    for (const call of plan) {
      const payload = options.payloadOf ? options.payloadOf(call) : call.payload;
      if ('input' in payload && !cache.has(`${call.fn}\0${payload.input}`)) cache.set(`${call.fn}\0${payload.input}`, await this.body(call.fn, payload));
    }
    const payloadOf = (call: PlannedInvocation): Buffer => {
      const payload = options.payloadOf ? options.payloadOf(call) : call.payload;
      return 'input' in payload ? cache.get(`${call.fn}\0${payload.input}`)! : Buffer.from(JSON.stringify(payload.event));
    };
    // A load's lateness must not measure the garbage of what ran before it; a single invoke skips
    // this. Collected here, before send() fixes the start 2 ms ahead, which leaves prepareRun no lead for it.
    settleHeap();
    const { onAnswer } = options;
    const { outcome } = await this.send(plan, payloadOf, {
      ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
      // Handed on as each comes, never all held at once.
      ...(onAnswer ? { onPayload: (seq: number, payload: Buffer) => onAnswer(seq, parse(payload)) } : {}),
      ...(options.progressLabel === undefined ? {} : { progressLabel: options.progressLabel }),
    });
    return outcome;
  }

  updateConfig(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    return this.context.provider.updateConfiguration(fn, patch);
  }

  get canProvision(): boolean {
    return this.context.provider.provision !== undefined;
  }

  async provision(fn: string, count: number): Promise<Provisioned & { readonly invokeAs: string }> {
    const { provider } = this.context;
    if (!provider.provision) throw new FaasbenchError('InvalidParameterValue', `provider ${provider.name} has no provisioned concurrency`);
    const provisioned = await provider.provision(fn, count);
    return { ...provisioned, invokeAs: qualifiedName(fn, provisioned.qualifier) };
  }

  async unprovision(fn: string, qualifier: string): Promise<void> {
    await this.context.provider.unprovision?.(fn, qualifier);
  }

  sleep(ms: number): Promise<void> {
    const { signal } = this;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        // Removed, not left for Ctrl-C: an experiment sleeping in a loop would pile up listeners.
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  record(kind: string, row: JsonValue): Promise<void> {
    return this.context.store.addRecord(this.runId, kind, row);
  }

  records(): AsyncIterable<InvocationRecord> {
    return this.context.store.records(this.runId);
  }

  log(message: string): void {
    this.context.log(message);
  }

  progress(done: number, total: number, label?: string): void {
    this.context.progress(done, total, label);
  }

  /** Sends a plan, renumbered after the run's earlier calls so every record has its own seq. */
  private async send(
    plan: LoadPlan,
    payloadOf: (call: PlannedInvocation) => Buffer,
    options: {
      readonly collect?: Map<number, InvocationRecord>;
      readonly onPayload?: (seq: number, payload: Buffer) => void;
      readonly maxInFlight?: number;
      readonly stoppable?: boolean;
      readonly progressLabel?: string;
    },
  ): Promise<{ outcome: LoadOutcome; base: number }> {
    const base = this.nextSeq;
    let count = 0;
    const renumbered = planOf({ functions: plan.functions, ...(plan.count === undefined ? {} : { count: plan.count }), ...(plan.closedLoop ? { closedLoop: plan.closedLoop } : {}) }, function* () {
      for (const call of plan) {
        count++;
        yield { ...call, seq: base + call.seq };
      }
    });
    const summary = new SummaryBuilder();
    let answered = 0;
    const listener = (record: InvocationRecord): void => {
      if (record.seq < base || record.seq >= base + (plan.count ?? Infinity)) return;
      answered++;
      summary.add(record);
      options.collect?.set(record.seq, record);
    };
    this.listeners.add(listener);
    const label = options.progressLabel;
    // A plan of unknown length reports the calls sent so far as its total.
    const report = (): void => this.progress(answered, plan.count ?? Math.max(count, answered), label);
    const ticker = label === undefined ? null : setInterval(report, PROGRESS_INTERVAL_MS);
    // A timer of its own must not keep the process alive after a crash elsewhere.
    ticker?.unref();
    if (label !== undefined) report();
    let outcome: Awaited<ReturnType<typeof runPlan>>;
    try {
      // The store writer's thread is up before the first call is planned (a wait only the first time).
      await this.sink.ready();
      outcome = await runPlan({
        runId: this.runId,
        plan: renumbered,
        provider: this.context.provider,
        payloadOf,
        sink: this.sink,
        ...(options.stoppable === false ? {} : { signal: this.signal }),
        startUs: epochMicros() + START_DELAY_US,
        ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
        ...(this.context.spans ? { spans: this.context.spans } : {}),
        ...(options.onPayload ? { onAnswer: (call: PlannedInvocation, result: { payload: Buffer }) => options.onPayload!(call.seq, result.payload) } : {}),
      });
    } finally {
      this.nextSeq = base + Math.max(count, plan.count ?? 0);
      this.listeners.delete(listener);
      if (ticker) clearInterval(ticker);
    }
    if (label !== undefined) report();
    // The calls are written before the promise resolves (records() reads them), unless the store fails.
    await this.sink.flush();
    return { outcome: { summary: summary.summary(), status: outcome.status }, base };
  }

  private async body(fn: string, payload: Payload): Promise<Buffer> {
    if ('event' in payload) return Buffer.from(JSON.stringify(payload.event));
    const key = `${fn}\0${payload.input}`;
    const cached = this.bodies.get(key);
    if (cached) return cached;
    const pkg = this.deployed.get(fn) ?? this.context.findPackage(fn);
    const body = Buffer.from(JSON.stringify(await resolveInput(pkg, payload.input, { seed: this.seed, storageUrl: this.context.storageUrl })));
    this.bodies.set(key, body);
    return body;
  }
}

function parse(payload: Buffer | undefined): unknown {
  if (payload === undefined || payload.length === 0) return null;
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
