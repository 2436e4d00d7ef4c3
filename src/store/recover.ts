/**
 * `faasbench store recover <journal>`: loads a journal (journal.ts) into the store it names, or
 * another. Idempotent: (run, seq) is unique and a final record replaces only an 'unknown' one, so
 * loading a journal twice adds nothing (and counts no duplicates). The run is created from the
 * journal's header when the store lacks it, and marked as the journal says the run ended.
 */
import { FaasbenchError } from '../core/errors.ts';
import { readJournal, type JournalHeader } from './journal.ts';
import { openStore } from './open.ts';
import type { FinalRunStatus, ShownRunStatus, Store } from './store.ts';

export interface RecoverResult {
  readonly journal: string;
  /** Where the records went (Store.location). */
  readonly store: string;
  readonly runId: string;
  /** Records in the journal. */
  readonly records: number;
  /** Rows the store did not have (or had as 'unknown'). */
  readonly stored: number;
  /** Records the store already held: from an earlier recover, or written before the store failed. */
  readonly alreadyStored: number;
  /** The store lacked the run: created from the journal's header. */
  readonly runCreated: boolean;
  /** The run's status after: `marked` when this recover finished it as the journal says. */
  readonly runStatus: ShownRunStatus;
  readonly marked: FinalRunStatus | null;
  /** The journal's last line was cut short (its writer was killed mid-line) and left out. */
  readonly partialLastLine: boolean;
}

/** Records per store write. */
const BATCH_RECORDS = 2_000;

export async function recoverJournal(file: string, target?: string): Promise<RecoverResult> {
  let store: Store | undefined;
  let header: JournalHeader | undefined;
  let runCreated = false;
  let records = 0;
  let stored = 0;
  try {
    const contents = await readJournal(file, {
      batchSize: BATCH_RECORDS,
      onHeader: async (found) => {
        header = found;
        store = await openStore(storeFor(file, found, target));
        runCreated = await ensureRun(store, found, file);
      },
      onBatch: async (batch) => {
        const foreign = batch.find((r) => r.runId !== header!.runId);
        if (foreign) throw new FaasbenchError('InvalidParameterValue', `${file}: record ${foreign.runId}#${foreign.seq} is not of the journal's run ${header!.runId}`);
        const result = await store!.writeRecords(batch, { countDuplicates: false });
        records += batch.length;
        stored += result.stored;
      },
    });
    const { runId } = contents.header;
    let run = await store!.getRun(runId);
    let marked: FinalRunStatus | null = null;
    // A run whose writer died with the store away shows as abandoned: still unfinished, so marked.
    if (contents.end !== null && (run?.status === 'running' || run?.status === 'abandoned')) {
      await store!.finishRun(runId, contents.end.status, contents.end.summary);
      marked = contents.end.status;
      run = await store!.getRun(runId);
    }
    return { journal: file, store: store!.location, runId, records, stored, alreadyStored: records - stored, runCreated, runStatus: run!.status, marked, partialLastLine: contents.partialLastLine };
  } finally {
    await store?.close();
  }
}

function storeFor(file: string, header: JournalHeader, target: string | undefined): string {
  if (target) return target;
  if (header.store.includes(':***@')) {
    throw new FaasbenchError('InvalidParameterValue', `${file} names the store ${header.store}, whose password a journal does not keep: give it with --store`);
  }
  return header.store;
}

/** True when the run had to be created from the header. */
async function ensureRun(store: Store, header: JournalHeader, file: string): Promise<boolean> {
  if ((await store.getRun(header.runId)) !== undefined) return false;
  if (header.run === null) {
    throw new FaasbenchError('ResourceNotFound', `no run ${header.runId} in the store ${store.location}, and ${file} does not say what the run was: recover into the store the run was created in`);
  }
  await store.createRun({ ...header.run, id: header.runId });
  return true;
}
