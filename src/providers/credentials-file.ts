/**
 * The per-user credentials file `faasbench login` writes and the providers read:
 * `$XDG_CONFIG_HOME/faasbench/credentials.json` (`~/.config/faasbench/credentials.json`), mode
 * 0600 in a folder of mode 0700, outside every project so it is never committed or copied with
 * one. One entry per provider: AWS keys for `aws-lambda`, and user and password per gateway URL
 * for `openfaas` (as faas-cli keeps them per gateway).
 *
 * Reading it never prints it: errors name the file and the field, never a value.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';

export const awsEntrySchema = z.strictObject({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
});

export const openFaasEntrySchema = z.strictObject({ user: z.string().min(1), password: z.string().min(1) });

const fileSchema = z.strictObject({
  version: z.literal(1),
  'aws-lambda': awsEntrySchema.optional(),
  /** By gateway URL, without a trailing slash. */
  openfaas: z.record(z.string(), openFaasEntrySchema).optional(),
});

export type AwsEntry = z.output<typeof awsEntrySchema>;
export type OpenFaasEntry = z.output<typeof openFaasEntrySchema>;
export type CredentialsFile = z.output<typeof fileSchema>;

const EMPTY: CredentialsFile = { version: 1 };

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'faasbench', 'credentials.json');
}

/** The stored credentials; none when the file does not exist. A malformed file names the field, never a value. */
export function readCredentials(file = credentialsPath()): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot be read: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text around the fault, which may be a secret.
    throw new FaasbenchError('InvalidParameterValue', `${file}: not valid JSON (fix it or remove it with \`faasbench logout\`)`);
  }
  const parsed = fileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `field "${i.path.join('.') || '(top level)'}": ${i.code === 'unrecognized_keys' ? 'unknown keys' : 'expected ' + expectedOf(i)}`);
  throw new FaasbenchError('InvalidParameterValue', `${file}: ${where.join('; ')}`);
}

function expectedOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' ? String(issue.expected) : issue.code === 'too_small' ? 'a non-empty value' : 'a valid value';
}

/**
 * Writes the file whole (temporary file, then rename), created 0600 inside a 0700 folder, so no
 * moment exists where another user could read it. An existing folder is tightened to 0700.
 */
export function writeCredentials(content: CredentialsFile, file = credentialsPath()): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  // The mode given to writeFileSync passes through the umask and is ignored for a file that existed.
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** Writes the file, or removes it when nothing is left in it (the last logout). */
export function saveOrRemove(content: CredentialsFile, file = credentialsPath()): void {
  const empty = content['aws-lambda'] === undefined && Object.keys(content.openfaas ?? {}).length === 0;
  if (empty) rmSync(file, { force: true });
  else writeCredentials(content, file);
}

/** The file's permission bits, or null when it does not exist. */
export function credentialsMode(file = credentialsPath()): number | null {
  const st = statSync(file, { throwIfNoEntry: false });
  return st ? st.mode & 0o777 : null;
}

export function storedAws(file = credentialsPath()): AwsEntry | undefined {
  return readCredentials(file)['aws-lambda'];
}

/** A gateway's stored login; the URL compared without a trailing slash. */
export function storedOpenFaas(url: string, file = credentialsPath()): OpenFaasEntry | undefined {
  const entries = readCredentials(file).openfaas ?? {};
  const key = gatewayKey(url);
  return Object.hasOwn(entries, key) ? entries[key] : undefined;
}

export function gatewayKey(url: string): string {
  return url.replace(/\/+$/, '');
}
