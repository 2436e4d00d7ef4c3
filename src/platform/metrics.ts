/**
 * `GET /metrics`: the platform's state in Prometheus text, through prom-client. Gauges are read
 * from the pool at scrape time, so they cannot disagree with it.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { InvocationResult } from './invocation.ts';
import type { Pool, PoolEvents } from './pool.ts';

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly poolEvents: PoolEvents;
  private readonly invocations: Counter<'function' | 'outcome' | 'start'>;

  constructor(pool: () => Pool) {
    const registers = [this.registry];
    const coldStarts = new Counter({ name: 'faasbench_cold_starts_total', help: 'Instances started', labelNames: ['function'], registers });
    const throttles = new Counter({ name: 'faasbench_throttles_total', help: 'Calls refused with 429', labelNames: ['function'], registers });
    const evictions = new Counter({ name: 'faasbench_evictions_total', help: 'Instances ended, by reason', labelNames: ['function', 'reason'], registers });
    this.invocations = new Counter({ name: 'faasbench_invocations_total', help: 'Finished invocations', labelNames: ['function', 'outcome', 'start'], registers });
    new Counter({ name: 'faasbench_event_dropped_total', help: 'Event invocations that found no instance within the queue timeout', labelNames: ['function'], registers });
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

  droppedEvent(fn: string): void {
    (this.registry.getSingleMetric('faasbench_event_dropped_total') as Counter<'function'>).inc({ function: fn });
  }
}

