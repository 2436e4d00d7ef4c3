/**
 * How `login` reads a secret: from stdin when asked (`--secret-stdin`, `--password-stdin`, as
 * `docker login` and `faas-cli login` take theirs), from the environment variable the provider's
 * own tools read, or from a prompt that does not echo. Never from a flag's value, which would land
 * in the shell's history and in `ps`.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { FaasbenchError } from '../core/errors.ts';

/** All of stdin, split in lines without their line ends; empty lines at the end dropped. */
export async function stdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The first line of stdin, which must not be empty; `what` names it in the error. */
export async function firstStdinLine(what: string, flag: string): Promise<{ first: string; rest: string[] }> {
  const [first, ...rest] = await stdinLines();
  if (!first) throw new FaasbenchError('InvalidParameterValue', `${flag}: stdin held no ${what} (expected it on the first line)`);
  return { first, rest };
}

/** Asks on the terminal; with `hidden`, what is typed is not echoed. Refused when stdin is not a terminal. */
export async function prompt(question: string, hidden: boolean, missing: string): Promise<string> {
  if (!process.stdin.isTTY) throw new FaasbenchError('InvalidParameterValue', missing, { reason: 'usage' });
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => rl.question(question, resolve));
    muted = hidden;
    const text = (await answer).trim();
    if (hidden) process.stderr.write('\n');
    if (!text) throw new FaasbenchError('InvalidParameterValue', `${missing} (nothing was typed)`, { reason: 'usage' });
    return text;
  } finally {
    rl.close();
  }
}

/** An access key id or user name for messages: enough to recognise, never a secret. */
export function masked(id: string): string {
  return id.length <= 8 ? id : `${id.slice(0, 4)}…${id.slice(-4)}`;
}
