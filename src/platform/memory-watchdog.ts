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
  private pids: readonly number[] = [];

  /** `members` lists the processes whose resident sets add up to the instance's. */
  constructor(
    private readonly members: () => readonly number[],
    private readonly limitBytes: number,
    private readonly onExceeded: () => void,
  ) {}

  /** Watched only while busy: a frozen process cannot grow. */
  start(): void {
    if (this.timer) return;
    this.pids = this.members();
    this.timer = setInterval(() => this.check(), POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const rssKb = this.pids.reduce((sum, pid) => sum + (readStatusKb(pid, 'VmRSS') ?? 0), 0);
    if (rssKb * 1024 > this.limitBytes) {
      this.stop();
      this.onExceeded();
    }
  }
}
