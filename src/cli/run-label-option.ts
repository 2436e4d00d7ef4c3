/** `--label <text>`: one option, the same on every command that creates runs (invoke, trace replay, experiment run). */
import { InvalidArgumentError, Option } from 'commander';
import { isLabel, LABEL_RULE } from '../store/run-label.ts';

/** Checked as the store checks it, but while parsing: a bad label is a usage error (exit 2) before anything starts. */
export function parseLabel(text: string): string {
  if (!isLabel(text)) throw new InvalidArgumentError(`expected ${LABEL_RULE}`);
  return text;
}

/** Added with `.addOption(labelOption())`; the value lands in `opts.label`. */
export function labelOption(): Option {
  return new Option('--label <text>', 'a name kept with the run, shown by `runs` and the dashboard; `runs --filter label=<text>` finds it').argParser(parseLabel);
}
