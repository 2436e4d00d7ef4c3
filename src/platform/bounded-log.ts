/**
 * Output kept for one invocation (or one init): the tail of what the function printed, at most
 * `limit` characters, and a note saying how much was cut before it. A function that prints without
 * end must not grow the platform's memory, nor a single string past V8's limit.
 */
export const LOG_LIMIT_CHARS = 256 * 1024;

export class BoundedLog {
  private chunks: string[] = [];
  private length = 0;
  private cut = 0;

  constructor(private readonly limit = LOG_LIMIT_CHARS) {}

  append(text: string): void {
    this.chunks.push(text);
    this.length += text.length;
    // Compacted only at twice the limit, so appending stays cheap per chunk.
    if (this.length > 2 * this.limit) this.compact();
  }

  get empty(): boolean {
    return this.length === 0 && this.cut === 0;
  }

  /** Everything kept, after a line saying how many characters were cut, when some were. */
  text(): string {
    this.compact();
    const kept = this.chunks.join('');
    return this.cut === 0 ? kept : `[faasbench: ${this.cut} characters of output cut; the last ${kept.length} follow]\n${kept}`;
  }

  private compact(): void {
    if (this.length <= this.limit) return;
    const joined = this.chunks.join('');
    const tail = joined.slice(joined.length - this.limit);
    this.cut += joined.length - tail.length;
    this.chunks = [tail];
    this.length = tail.length;
  }
}
