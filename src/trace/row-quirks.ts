/**
 * Oddities in percentile rows that real trace files contain (all-zero percentiles, percentiles
 * that go down): collected with their line numbers and told to the user once, instead of failing
 * a file the published trace itself ships.
 */
const SHOWN_LINES = 8;

export class RowQuirks {
  private readonly zero: number[] = [];
  private readonly nonMonotone: number[] = [];

  constructor(private readonly file: string) {}

  /** `p75` is the figure mapping relies on; a zero there is what a user needs to hear about. */
  check(line: number, percentiles: readonly number[], p75: number): void {
    if (percentiles.some((v, i) => v < 0 || (i > 0 && v < percentiles[i - 1]!))) this.nonMonotone.push(line);
    if (p75 === 0) this.zero.push(line);
  }

  notes(): string[] {
    const notes: string[] = [];
    if (this.zero.length > 0) notes.push(`${this.file}: ${this.zero.length} row(s) with a 75th percentile of 0 (${lines(this.zero)}); kept: mapping treats 0 as the smallest measurable value`);
    if (this.nonMonotone.length > 0) notes.push(`${this.file}: ${this.nonMonotone.length} row(s) whose percentiles decrease or are negative (${lines(this.nonMonotone)}); kept as written`);
    return notes;
  }
}

function lines(list: readonly number[]): string {
  const shown = list.slice(0, SHOWN_LINES).join(', ');
  return `line${list.length > 1 ? 's' : ''} ${shown}${list.length > SHOWN_LINES ? `, and ${list.length - SHOWN_LINES} more` : ''}`;
}
