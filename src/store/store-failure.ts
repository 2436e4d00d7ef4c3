/**
 * The store failed and did not come back before a command ended: exit 4, never a raw driver stack.
 * RecordsWaitingError (records left in a journal) is the common case; a run row that could not be
 * marked finished is the other, and its records are all stored.
 */
import { FaasbenchError } from '../core/errors.ts';

export class StoreFailureError extends FaasbenchError {
  constructor(message: string) {
    super('ServiceUnavailable', message);
  }
}

/** Marking a run finished failed: say what is stored and what the run will look like. */
export function finishFailed(store: string, runId: string, status: string, err: unknown, stored = 'every record of the run is stored'): StoreFailureError {
  const cause = err instanceof Error ? err.message : String(err);
  return new StoreFailureError(`the store ${store} failed as run ${runId} ended (${cause}): ${stored}, but it could not be marked ${status}; it will show as abandoned`);
}
