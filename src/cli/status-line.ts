/**
 * A live status line for work that runs synchronously (no timer can fire inside it): the loop
 * calls `update` as often as it likes and the line is redrawn at most every 250 ms on a terminal,
 * every 5 s otherwise (CI logs stay readable).
 */
export class StatusLine {
  private readonly tty = process.stderr.isTTY === true;
  private last = 0;

  constructor(private readonly enabled: boolean) {}

  update(text: () => string): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < (this.tty ? 250 : 5000)) return;
    this.last = now;
    process.stderr.write(this.tty ? `\r${text()}\x1b[K` : `${text()}\n`);
  }

  done(text: string): void {
    if (this.enabled) process.stderr.write(this.tty ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}
