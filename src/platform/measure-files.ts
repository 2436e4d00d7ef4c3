/**
 * The counter files an instance's measurements read, kept open: each call reads about twenty
 * (cgroup files, /proc/<pid>/stat, io, status of each process), and an open, read and close of
 * each cost three times one read at offset 0 (/proc and cgroup files are generated afresh on
 * every read from 0). A file whose process is gone fails its read and is dropped; close() at the
 * instance's end closes the rest.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Larger than any file read here (a status file is about 1.5 kB). */
const buffer = Buffer.alloc(16 * 1024);

export class OpenFiles {
  private readonly fds = new Map<string, number>();

  /** The file's text now, or null when it cannot be read (a process gone, a file absent). */
  read(file: string): string | null {
    let fd = this.fds.get(file);
    try {
      if (fd === undefined) {
        fd = openSync(file, 'r');
        this.fds.set(file, fd);
      }
      return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
    } catch {
      if (fd !== undefined) this.drop(file, fd);
      return null;
    }
  }

  close(): void {
    for (const [file, fd] of this.fds) this.drop(file, fd);
  }

  private drop(file: string, fd: number): void {
    this.fds.delete(file);
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
  }
}
