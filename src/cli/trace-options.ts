/** Option parsers the `trace` commands share; each error names the option and shows a valid value. */
import { FaasbenchError } from '../core/errors.ts';

/**
 * `--minutes A-B`: an inclusive window of minute labels of the day (`480-959`), as the trace
 * reader's `minutes` option takes it. Whole numbers only, A <= B.
 */
export function parseMinutesWindow(text: string, flag = '--minutes'): { from: number; to: number } {
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new FaasbenchError('InvalidParameterValue', `${flag}: expected a window of minute labels A-B with whole numbers A <= B (e.g. 480-959), got "${text}"`);
  }
  if (from > to) throw new FaasbenchError('InvalidParameterValue', `${flag}: the window ${text} starts after it ends; expected A <= B (e.g. ${to}-${from})`);
  return { from, to };
}
