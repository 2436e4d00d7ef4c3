/**
 * How a platform started for one run (platform-process.ts) notices that the process that started it
 * is gone, kill -9 included: the parent holds the write end of the platform's stdin, which the kernel
 * closes when the parent dies, so stdin ends at once. Should that pipe have leaked into another
 * process that outlives the parent, the platform is reparented all the same, so its parent pid is
 * also checked every PARENT_POLL_MS.
 */

/** At 250 ms the fallback still leaves most of the 2 s the platform has to be gone. */
const PARENT_POLL_MS = 250;

/** Calls `onGone` once, with the reason, when `parentPid` is no longer this process's parent or stdin ends. */
export function watchParent(parentPid: number, onGone: (reason: string) => void): void {
  let fired = false;
  const fire = (reason: string): void => {
    if (fired) return;
    fired = true;
    clearInterval(timer);
    onGone(reason);
  };
  const timer = setInterval(() => {
    // A turn later: the end of stdin, already readable by then, tells the more precise story.
    if (process.ppid !== parentPid) setImmediate(() => fire(`its parent (pid ${parentPid}) is gone`));
  }, PARENT_POLL_MS);
  timer.unref();
  if (process.ppid !== parentPid) fire(`its parent (pid ${parentPid}) is gone`);
  // Nothing is ever written to stdin: what arrives is dropped, and its end is the parent's death.
  process.stdin.on('data', () => {});
  process.stdin.once('end', () => fire(`its parent (pid ${parentPid}) closed the pipe`));
  process.stdin.once('error', () => fire(`its parent (pid ${parentPid}) closed the pipe`));
}
