/**
 * The heartbeat a writer keeps on its run row while it runs, so readers can tell a run that is
 * still going from one whose writer died (run-status.ts). A beat that fails (the store is down)
 * is skipped, never thrown: the run goes on, and the next beat tries again.
 */
import type { Store } from './store.ts';

export interface Heartbeat {
  /** Stops beating; a beat already sent may still land (harmless: it only touches heartbeat_at). */
  stop(): void;
}

export function startHeartbeat(store: Pick<Store, 'heartbeat'>, runId: string, intervalMs: number): Heartbeat {
  let pending = false;
  const beat = (): void => {
    // A store that hangs (a dead PostgreSQL connection) must not pile up one UPDATE per interval.
    if (pending) return;
    pending = true;
    store
      .heartbeat(runId, intervalMs)
      .catch(() => undefined)
      .finally(() => (pending = false));
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  // Never the reason a finished command stays alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
