/**
 * The live progress of a running plan on stderr: one rewritten line on a terminal, a plain line
 * every few seconds otherwise (so CI logs stay readable).
 */
import type { ProgressSnapshot } from '../invoker/progress.ts';

export function formatProgress(p: ProgressSnapshot): string {
  const planned = p.planned === undefined ? '' : `/${p.planned}`;
  const waiting = p.recordsWaiting ? `  records waiting for the store ${p.recordsWaiting}` : '';
  return `sent ${p.sent}${planned}  done ${p.done}  errors ${p.errors}  in-flight ${p.inFlight}  dropped ${p.dropped}  lateness p99 ${p.latenessP99Ms === null ? '-' : `${p.latenessP99Ms.toFixed(2)} ms`}${waiting}`;
}

export function startProgress(read: () => ProgressSnapshot, enabled: boolean): () => void {
  if (!enabled) return () => undefined;
  const tty = process.stderr.isTTY === true;
  const timer = setInterval(
    () => process.stderr.write(tty ? `\r${formatProgress(read())}\x1b[K` : `${formatProgress(read())}\n`),
    tty ? 250 : 5000,
  );
  return () => {
    clearInterval(timer);
    process.stderr.write(`${tty ? '\r' : ''}${formatProgress(read())}${tty ? '\x1b[K' : ''}\n`);
  };
}
