// Which modules a command loads, recorded by a loader hook in the child (testing/record-imports.mjs):
// none of the heavy ones (the renderer, the AWS SDK, PostgreSQL's driver) for commands that do not
// use them. Exact, not timed: a module is either loaded or not.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/faasbench.mjs');
const RECORDER = path.join(REPO, 'src/cli/testing/record-imports.mjs');
const HEAVY = ['vega', 'vega-lite', '@resvg/resvg-js', '@aws-sdk/client-lambda', 'pg', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/exporter-trace-otlp-proto', '@google-cloud/functions', '@google-cloud/storage', '@google-cloud/functions-framework', 'google-auth-library', 'google-gax', '@azure/identity', '@azure/arm-resources', '@azure/arm-storage', '@azure/arm-appservice', '@azure/functions', '@azure/storage-blob'];

interface Loaded {
  /** Packages under node_modules, by name (`@scope/name` for scoped ones). */
  readonly packages: Set<string>;
  /** The project's own modules, relative to src/, named as their sources even when run from build/. */
  readonly sources: Set<string>;
  readonly stdout: string;
}

function packageOf(line: string): string | undefined {
  const parts = line.split('/node_modules/').at(-1)?.split('/') ?? [];
  if (!line.includes('/node_modules/') || !parts[0]) return undefined;
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

async function loadedBy(dir: string, args: string[]): Promise<Loaded> {
  const log = path.join(dir, `${args.join('_').replace(/\W/g, '')}.log`);
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', RECORDER, BIN, ...args], { cwd: dir, env: { ...process.env, FAASBENCH_IMPORT_LOG: log } });
  const lines = readFileSync(log, 'utf8').split('\n');
  const own = new RegExp(`${REPO}/(?:build/)?src/(.*?)(?:\\.js)?$`);
  const sources = lines.map((l) => own.exec(l)).filter((m) => m !== null);
  return {
    packages: new Set(lines.map(packageOf).filter((p): p is string => p !== undefined)),
    sources: new Set(sources.map((m) => (m[0].includes('/build/src/') && m[0].endsWith('.js') ? `${m[1]}.ts` : m[1]!))),
    stdout,
  };
}

function heavyIn(loaded: Loaded): string[] {
  return HEAVY.filter((p) => loaded.packages.has(p));
}

describe('lazy commands', () => {
  it('--version, --help, runs and invoke --help load no module they do not use', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'faasbench-lazy-'));
    const store = path.join(dir, 'runs.db');
    await (await openStore(store)).close();

    // --version is answered by the bin itself: not even tsx loads.
    const version = await loadedBy(dir, ['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect([...version.packages]).toEqual([]);

    // The help lists every command from command-table.ts: no command module loads.
    const help = await loadedBy(dir, ['--help']);
    expect(help.stdout).toContain('invoke [options] <function> [pattern...]');
    expect([...help.sources].filter((s) => s.startsWith('cli/')).sort()).toEqual(['cli/command-table.ts', 'cli/exit-codes.ts', 'cli/main.ts']);
    expect(heavyIn(help)).toEqual([]);

    const runs = await loadedBy(dir, ['runs', '--store', store]);
    // The recorder sees packages the TypeScript sources import: the store's SQLite driver is one.
    expect(runs.packages.has('better-sqlite3')).toBe(true);
    expect(heavyIn(runs)).toEqual([]);
    expect([...runs.sources].filter((s) => /^(report|web|platform|providers)\//.test(s))).toEqual([]);

    const invoke = await loadedBy(dir, ['invoke', '--help']);
    expect(invoke.stdout).toContain('Usage: faasbench invoke');
    expect(invoke.sources.has('cli/invoke.ts')).toBe(true);
    expect(heavyIn(invoke)).toEqual([]);
    // The providers' modules load when a provider is created, not when a command names one.
    expect([...invoke.sources].filter((s) => /^(report|web|platform)\/|^providers\/(local|aws-lambda|openfaas|http)\.ts$/.test(s))).toEqual([]);
  }, 120_000);
});
