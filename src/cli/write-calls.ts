/**
 * Drives a CallWriter (plan file, load.json) over a schedule's batches with a live count, and
 * stops cleanly on Ctrl-C: generation is synchronous, so the loop yields to the event loop every
 * ~100 ms to let the signal in, then removes the unfinished file.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { CallWriter } from '../trace/plan-file.ts';
import type { CallBatch } from '../trace/schedule.ts';
import { StatusLine } from './status-line.ts';

const YIELD_EVERY_MS = 100;

export type WriteOutcome = { readonly status: 'completed'; readonly calls: number; readonly bytes: number } | { readonly status: 'interrupted'; readonly calls: number };

export async function writeCalls(batches: Iterable<CallBatch>, writer: CallWriter, total: number, showProgress: boolean): Promise<WriteOutcome> {
  const status = new StatusLine(showProgress);
  const line = (calls: number): string => `planned ${calls.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} calls`;
  let stopped = false;
  const onSigint = (): void => {
    stopped = true;
  };
  process.once('SIGINT', onSigint);
  let calls = 0;
  let yielded = performance.now();
  try {
    for (const batch of batches) {
      writer.write(batch);
      calls += batch.fns.length;
      status.update(() => line(calls));
      if (performance.now() - yielded > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        yielded = performance.now();
      }
      if (stopped) {
        writer.abort();
        status.done(`${line(calls)}: stopped, nothing written`);
        return { status: 'interrupted', calls };
      }
    }
    const written = writer.finish();
    status.done(line(calls));
    return { status: 'completed', ...written };
  } catch (err) {
    writer.abort();
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
