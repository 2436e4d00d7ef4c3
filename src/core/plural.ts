/** "1 call", "2 calls": a count with its noun, the plural given where adding an s is wrong ("2 processes"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
