/**
 * The memory limit where no memory cgroup can be created: poll the instance's resident set while it
 * runs and kill it past the limit. Coarser than the kernel (a fast allocation can overshoot by one
 * poll interval), which is why the platform reports which mechanism it applied.
 */
import { readFileSync, readSync } from 'node:fs';

const POLL_MS = 10;

const PATTERNS = { VmRSS: /^VmRSS:\s+(\d+) kB/m, VmHWM: /^VmHWM:\s+(\d+) kB/m };
const buffer = Buffer.alloc(4096);

/**
 * A field of /proc/<pid>/status. Read on every invocation (Max Memory Used), so through an fd kept
 * open by the caller when it has one: /proc files read afresh from offset 0.
 */
export function readStatusKb(pid: number, key: 'VmRSS' | 'VmHWM', fd?: number): number | undefined {
  try {
    const status = fd === undefined ? readFileSync(`/proc/${pid}/status`, 'utf8') : buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
    const match = PATTERNS[key].exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export class MemoryWatchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly limitBytes: number,
    private readonly onExceeded: () => void,
  ) {}

  /** Watched only while busy: a frozen process cannot grow. */
  start(): void {
    this.timer ??= setInterval(() => this.check(), POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const rssKb = readStatusKb(this.pid, 'VmRSS');
    if (rssKb !== undefined && rssKb * 1024 > this.limitBytes) {
      this.stop();
      this.onExceeded();
    }
  }
}
