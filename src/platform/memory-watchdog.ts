/**
 * The memory limit where no memory cgroup can be created: poll the instance's resident set while it
 * runs and kill it past the limit. Coarser than the kernel (a fast allocation can overshoot by one
 * poll interval), which is why the platform reports which mechanism it applied.
 */
import { readFileSync } from 'node:fs';

const POLL_MS = 10;

export function readStatusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
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
