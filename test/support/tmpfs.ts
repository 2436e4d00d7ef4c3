/**
 * A small tmpfs of the test's own, to fill to the last byte (a full disk) without touching the
 * machine's disks. Mounting needs root; without it the tests that need one say so and are skipped,
 * except under CI, where they fail.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { scratchDir } from './platform.ts';

export type Tmpfs = { readonly dir: string; fill(): void; free(): void; unmount(): void } | { readonly dir: null; readonly why: string };

export function mountTmpfs(sizeKb: number): Tmpfs {
  const dir = scratchDir('tmpfs');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    const why = `cannot mount a tmpfs at ${dir} (${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}): the full-disk tests need root`;
    if (process.env.CI) throw new Error(why);
    console.warn(`${why}; skipping them`);
    return { dir: null, why };
  }
  const filler = path.join(dir, 'filler');
  return {
    dir,
    /** Writes a file until the file system refuses a single byte more. */
    fill() {
      for (const chunk of [1 << 16, 4096, 512, 1]) {
        for (let i = 0; i < 100_000; i++) {
          try {
            appendFileSync(filler, Buffer.alloc(chunk));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            break;
          }
        }
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
