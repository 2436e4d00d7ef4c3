/**
 * The knative provider's `commands` mode: deploys as vSwarm's tools do, from their `config.json`,
 * a list of `{ "yaml-location", "predeployment-commands", "postdeployment-commands" }`. For the
 * entry whose YAML names the function (its `metadata.name`), it runs the predeployment commands,
 * the apply command on the YAML (`kubectl apply -f <yaml>`, as vSwarm's profiler does), then the
 * postdeployment commands, in that order, stopping at the first that fails.
 *
 * A command given as a string runs through `sh -c` (vSwarm runs its strings through a shell); one
 * given as an array of strings is an argv, run without a shell. Relative paths (yaml-location and
 * the commands' own) are taken from the config file's folder, where vSwarm's tools run them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node/dist/yaml.js';
import { FaasbenchError } from '../core/errors.ts';

/** A shell line, or an argv. */
export type ShellCommand = string | readonly string[];

export interface VswarmEntry {
  /** Absolute. */
  readonly yaml: string;
  readonly pre: readonly ShellCommand[];
  readonly post: readonly ShellCommand[];
}

const FIELDS = { yaml: 'yaml-location', pre: 'predeployment-commands', post: 'postdeployment-commands' } as const;
/** Output of a failing command kept for its message. */
const OUTPUT_TAIL_CHARS = 2000;

export function readVswarmConfig(file: string): VswarmEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot read it as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new FaasbenchError('InvalidParameterValue', `${file}: expected a list of {"${FIELDS.yaml}", "${FIELDS.pre}", "${FIELDS.post}"}`);
  const dir = path.dirname(path.resolve(file));
  return raw.map((entry: unknown, i) => entryOf(entry, `${file}: entry ${i}`, dir));
}

function entryOf(entry: unknown, where: string, dir: string): VswarmEntry {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const yaml = e[FIELDS.yaml];
  if (typeof yaml !== 'string' || !yaml) throw new FaasbenchError('InvalidParameterValue', `${where}: field "${FIELDS.yaml}": expected the path of a Knative Service YAML`);
  return { yaml: path.resolve(dir, yaml), pre: commandsOf(e[FIELDS.pre], `${where}: field "${FIELDS.pre}"`), post: commandsOf(e[FIELDS.post], `${where}: field "${FIELDS.post}"`) };
}

/** Missing means none, as in vSwarm. */
function commandsOf(value: unknown, where: string): ShellCommand[] {
  if (value === undefined) return [];
  const isArgv = (c: unknown): c is string[] => Array.isArray(c) && c.length > 0 && c.every((a) => typeof a === 'string');
  if (!Array.isArray(value) || !value.every((c) => (typeof c === 'string' && c.trim() !== '') || isArgv(c))) {
    throw new FaasbenchError('InvalidParameterValue', `${where}: expected a list of commands, each a shell line or a non-empty list of strings (an argv)`);
  }
  return value as ShellCommand[];
}

/** The entry whose YAML holds a Service named `fn`. */
export function entryFor(entries: readonly VswarmEntry[], fn: string, file: string): VswarmEntry {
  const names: string[] = [];
  for (const entry of entries) {
    const name = serviceName(entry.yaml);
    if (name === fn) return entry;
    names.push(name);
  }
  throw new FaasbenchError('ResourceNotFound', `${file}: no entry's YAML names a Service "${fn}" (they name: ${names.join(', ') || 'none'})`);
}

function serviceName(file: string): string {
  let docs: unknown[];
  try {
    docs = loadAllYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `${file}: cannot read it as YAML (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const service = docs.find((d) => (d as { kind?: unknown } | null)?.kind === 'Service') as { metadata?: { name?: unknown } } | undefined;
  if (typeof service?.metadata?.name !== 'string') throw new FaasbenchError('InvalidParameterValue', `${file}: expected a Service with metadata.name`);
  return service.metadata.name;
}

/** `{yaml}` in an argv template (the apply and delete commands) is the entry's YAML. */
export function withYaml(template: readonly string[], yaml: string): string[] {
  return template.map((arg) => arg.replaceAll('{yaml}', yaml));
}

/** Runs one command in `cwd`; rejects naming it (`what`), its exit code or signal and its output's tail. */
export function runCommand(command: ShellCommand, cwd: string, what: string): Promise<void> {
  const [file, ...args] = typeof command === 'string' ? ['sh', '-c', command] : command;
  const shown = JSON.stringify(command);
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err: NodeJS.ErrnoException) => reject(new FaasbenchError('InvalidParameterValue', `${what} ${shown} could not start: ${err.code ?? err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = output.trim();
      reject(new FaasbenchError('ServiceUnavailable', `${what} ${shown} ${how}${tail ? `: ${tail}` : ''}`));
    });
  });
}

/** Pre, apply, post: the first failure stops the deployment. */
export async function deployEntry(entry: VswarmEntry, apply: readonly string[], cwd: string, what: string): Promise<void> {
  for (const [i, c] of entry.pre.entries()) await runCommand(c, cwd, `${what}: ${FIELDS.pre}[${i}]`);
  await runCommand(withYaml(apply, entry.yaml), cwd, `${what}: apply`);
  for (const [i, c] of entry.post.entries()) await runCommand(c, cwd, `${what}: ${FIELDS.post}[${i}]`);
}
