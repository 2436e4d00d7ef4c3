/**
 * The event that makes a workload function hold its instance for a given time. Scaling and load
 * experiments need calls that overlap for a known span, and each function spells "wait" its own
 * way (measure in ms under cmds, lab in seconds, synthetic as a busy duration).
 */
import { FaasbenchError } from '../core/errors.ts';

const SPELLINGS: Record<string, (ms: number) => unknown> = {
  'measure-node': (ms) => ({ cmds: { sleep: ms } }),
  'measure-py': (ms) => ({ cmds: { sleep: ms } }),
  'lab-node': (ms) => ({ sleep: ms / 1000 }),
  'lab-py': (ms) => ({ sleep: ms / 1000 }),
  // Busy rather than asleep: it still holds the instance for the whole span.
  synthetic: (ms) => ({ durationMs: ms, memoryMb: 0 }),
};

export const SLEEPING_FUNCTIONS: readonly string[] = Object.keys(SPELLINGS);

export function sleepingEvent(fn: string, ms: number): unknown {
  const spell = SPELLINGS[fn];
  if (!spell) throw new FaasbenchError('InvalidParameterValue', `parameter fn: ${fn} has no known way to sleep; use one of ${SLEEPING_FUNCTIONS.join(', ')}`);
  return spell(ms);
}

/**
 * The same wait, asking the function to say which instance served it where it can
 * (reported-identity.ts): measure runs `stat` after its sleep; lab names its instance anyway;
 * synthetic cannot.
 */
export function identifiedSleepingEvent(fn: string, ms: number): unknown {
  const event = sleepingEvent(fn, ms);
  if (fn.startsWith('measure-')) return { cmds: { ...(event as { cmds: Record<string, unknown> }).cmds, stat: { argv: 1 } } };
  return event;
}
