/**
 * Runtime names. A package says `nodejs`, `python` or `provided`; the Lambda API also accepts
 * Lambda's own identifiers (`nodejs20.x`, `python3.11`, `provided.al2023`) so a deployment written
 * for AWS runs here unchanged. The local platform runs every version of a family on the machine's
 * one interpreter, and says so by keeping the identifier it was given.
 */
export const RUNTIMES = ['nodejs', 'python', 'provided'] as const;
export type Runtime = (typeof RUNTIMES)[number];

const LAMBDA_IDS: ReadonlyArray<[RegExp, Runtime]> = [
  [/^nodejs(\d+\.x)?$/, 'nodejs'],
  [/^python(3(\.\d+)?)?$/, 'python'],
  [/^provided(\.al2|\.al2023)?$/, 'provided'],
];

/** The runtime family for a short name or a Lambda identifier, or undefined when unknown. */
export function parseRuntime(id: string): Runtime | undefined {
  for (const [pattern, runtime] of LAMBDA_IDS) if (pattern.test(id)) return runtime;
  return undefined;
}

export const RUNTIME_HELP = 'nodejs, python, provided, or a Lambda identifier such as nodejs20.x, python3.11, provided.al2023';
