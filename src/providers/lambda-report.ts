/**
 * Lambda's REPORT line, the only account AWS gives of one invocation:
 * `REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t
 * Max Memory Used: 40 MB\tInit Duration: 98.70 ms\t`. Init Duration appears only on the call that
 * started the execution environment, which is what makes a call cold.
 */
import type { PlatformFacts } from '../core/invocation-record.ts';

/** The facts of the last REPORT line in a log, or null when the log has none. */
export function parseReport(log: string): PlatformFacts | null {
  const line = log
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('REPORT RequestId: '));
  if (line === undefined) return null;
  const fields = new Map<string, string>();
  for (const part of line.slice('REPORT '.length).split('\t')) {
    const colon = part.indexOf(': ');
    if (colon > 0) fields.set(part.slice(0, colon).trim(), part.slice(colon + 2).trim());
  }
  const initMs = amount(fields.get('Init Duration'));
  return {
    requestId: fields.get('RequestId') ?? null,
    instanceId: null,
    cold: initMs !== null,
    initMs,
    durationMs: amount(fields.get('Duration')),
    billedMs: amount(fields.get('Billed Duration')),
    memoryMb: amount(fields.get('Memory Size')),
    maxMemoryMb: amount(fields.get('Max Memory Used')),
  };
}

/** `12.34 ms` or `128 MB` as a number. */
function amount(text: string | undefined): number | null {
  const match = text === undefined ? null : /^(\d+(?:\.\d+)?) (?:ms|MB)$/.exec(text);
  return match ? Number(match[1]) : null;
}
