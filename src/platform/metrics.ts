/**
 * `GET /metrics`: the platform's state in Prometheus text, through prom-client. Gauges are read
 * from the pool at scrape time, so they cannot disagree with it.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { EventDropReason, EventQueueState } from './event-queue.ts';
import type { InvocationResult } from './invocation.ts';
import type { Pool, PoolEvents } from './pool.ts';

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly poolEvents: PoolEvents;
  private readonly invocations: Counter<'function' | 'outcome' | 'start'>;
  private readonly eventsAccepted: Counter<'function'>;
  private readonly eventRetries: Counter<'function'>;
  private readonly eventsDropped: Counter<'function' | 'reason'>;
  /** The event queues' state, read at scrape time; set once the platform has its queue. */
  private eventQueues: () => readonly EventQueueState[] = () => [];

  constructor(pool: () => Pool) {
    const registers = [this.registry];
    const coldStarts = new Counter({ name: 'faasbench_cold_starts_total', help: 'Instances started', labelNames: ['function'], registers });
    const throttles = new Counter({ name: 'faasbench_throttles_total', help: 'Calls refused with 429', labelNames: ['function'], registers });
    const evictions = new Counter({ name: 'faasbench_evictions_total', help: 'Instances ended, by reason', labelNames: ['function', 'reason'], registers });
    this.invocations = new Counter({ name: 'faasbench_invocations_total', help: 'Finished invocations', labelNames: ['function', 'outcome', 'start'], registers });
    this.eventsAccepted = new Counter({ name: 'faasbench_events_accepted_total', help: 'Event (asynchronous) calls accepted into a function\'s event queue', labelNames: ['function'], registers });
    this.eventRetries = new Counter({ name: 'faasbench_event_retries_total', help: 'Event calls run again after a function error', labelNames: ['function'], registers });
    this.eventsDropped = new Counter({
      name: 'faasbench_event_dropped_total',
      help: 'Event calls dropped, by reason: queue-full (refused at the door), max-age, retries-exhausted, removed, shutdown, platform-error',
      labelNames: ['function', 'reason'],
      registers,
    });
    new Gauge({
      name: 'faasbench_event_queue_events',
      help: 'Event calls accepted and not yet finished (waiting, running or waiting to retry)',
      labelNames: ['function'],
      registers,
      collect: () => this.collectQueue('faasbench_event_queue_events', (q) => q.events),
    });
    new Gauge({
      name: 'faasbench_event_queue_limit',
      help: 'The bound of each function\'s event queue (setting eventQueueLimit)',
      labelNames: ['function'],
      registers,
      collect: () => this.collectQueue('faasbench_event_queue_limit', (q) => q.limit),
    });
    new Gauge({
      name: 'faasbench_instances',
      help: 'Live instances by state',
      labelNames: ['function', 'state'],
      registers,
      collect() {
        this.reset();
        const p = pool();
        for (const fn of p.functionNames()) {
          const counts = { starting: 0, busy: 0, idle: 0 };
          for (const i of p.instancesOf(fn)) {
            if (i.phase === 'init') counts.starting += 1;
            else if (i.phase === 'ready') counts[i.load > 0 ? 'busy' : 'idle'] += 1;
          }
          for (const [state, n] of Object.entries(counts)) this.set({ function: fn, state }, n);
        }
      },
    });
    new Gauge({
      name: 'faasbench_queue_depth',
      help: 'Calls waiting for an instance',
      labelNames: ['function'],
      registers,
      collect() {
        this.reset();
        const p = pool();
        for (const fn of p.functionNames()) this.set({ function: fn }, p.queueDepth(fn));
      },
    });
    this.poolEvents = {
      coldStart: (fn) => coldStarts.inc({ function: fn }),
      throttled: (fn) => throttles.inc({ function: fn }),
      evicted: (fn, reason) => evictions.inc({ function: fn, reason }),
    };
  }

  invocation(result: InvocationResult): void {
    const outcome = result.outcome.kind === 'success' ? 'success' : result.outcome.errorType;
    this.invocations.inc({ function: result.functionName, outcome, start: result.cold ? 'cold' : 'warm' });
  }

  watchEventQueues(state: () => readonly EventQueueState[]): void {
    this.eventQueues = state;
  }

  eventAccepted(fn: string): void {
    this.eventsAccepted.inc({ function: fn });
  }

  eventRetried(fn: string): void {
    this.eventRetries.inc({ function: fn });
  }

  eventDropped(fn: string, reason: EventDropReason): void {
    this.eventsDropped.inc({ function: fn, reason });
  }

  private collectQueue(name: string, value: (q: EventQueueState) => number): void {
    const gauge = this.registry.getSingleMetric(name) as Gauge<'function'>;
    gauge.reset();
    for (const q of this.eventQueues()) gauge.set({ function: q.function }, value(q));
  }
}

