/**
 * The sending thread's claim on the CPU. On a host of few cores the thread that sends competes
 * with the process's other threads: V8's compiler and collector threads (busiest in a run's first
 * second, when the send path gets its optimised code), the store's writer, the pool of libuv. When
 * they and the sending thread want more than the host has, the scheduler shares it evenly and the
 * sends fall behind their times. So for a run the other threads of the process are given a higher
 * nice value: they still get every cycle the sending thread leaves, and wait for it only when the
 * host is full. The target's processes, even on this host, are never touched.
 *
 * Linux only (a thread's nice value is its own there, and /proc names the threads); elsewhere
 * nothing is changed. Raising a nice value needs no privilege; putting it back does (or a
 * RLIMIT_NICE above 0), so restore() puts back what it may and leaves the rest lowered.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** Nice value for the process's other threads during a run: about a tenth of a default thread's share when both want the CPU. */
export const LOWERED_NICE = 10;

/** The calling thread's kernel id (its TID), or null where /proc does not say. */
export function currentThreadId(): number | null {
  try {
    // "<pid>/task/<tid>"
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}

/** The process's threads now, by kernel id; empty where /proc does not list them. */
export function processThreadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
}

/** A thread's nice value, or null when it has ended (or is not this process's to read). */
export function niceOf(tid: number): number | null {
  try {
    return os.getPriority(tid);
  } catch {
    return null;
  }
}

/**
 * Lowers every thread of this process but `keep` to LOWERED_NICE (one already lower is left as
 * it is); returns what puts them back. A thread that ends meanwhile is skipped.
 */
export function lowerOtherThreads(keep: ReadonlyArray<number | null>): () => void {
  const kept = new Set(keep);
  const lowered: Array<{ readonly tid: number; readonly nice: number }> = [];
  for (const tid of processThreadIds()) {
    if (kept.has(tid)) continue;
    const nice = niceOf(tid);
    if (nice === null || nice >= LOWERED_NICE) continue;
    try {
      os.setPriority(tid, LOWERED_NICE);
      lowered.push({ tid, nice });
    } catch {
      // ended meanwhile, or not ours to change
    }
  }
  return () => {
    for (const { tid, nice } of lowered) {
      try {
        os.setPriority(tid, nice);
      } catch {
        // without the privilege to raise a priority back, the thread stays lowered
      }
    }
  };
}
