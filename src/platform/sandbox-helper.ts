/**
 * The compiled sandbox launcher (sandbox-exec.c): built once per source version into the data
 * directory with the machine's C compiler, checked to work, and used instead of the shell wrapper.
 * Where no compiler is found, or the build or its check fails, the platform keeps the shell wrapper;
 * both set up the same sandbox, the helper only starts faster.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeSpec, unprivilegedUser } from './sandbox.ts';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sandbox-exec.c');
const COMPILERS = ['cc', 'gcc', 'clang'];

/** The helper's path, or null (with the reason) when the shell wrapper has to do. */
export function sandboxHelper(dataDir: string): { file: string | null; why: string } {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const file = path.join(dataDir, 'bin', `sandbox-exec-${hash}`);
  if (existsSync(file)) return { file, why: 'built before' };
  const compiler = COMPILERS.find((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0);
  if (compiler === undefined) return { file: null, why: `no C compiler (${COMPILERS.join(', ')}) on PATH` };
  mkdirSync(path.dirname(file), { recursive: true });
  // Built beside its final name and renamed: platforms starting together never run half a file.
  const temporary = `${file}.${process.pid}`;
  const build = spawnSync(compiler, ['-O2', '-o', temporary, SOURCE], { encoding: 'utf8' });
  if (build.status !== 0) {
    rmSync(temporary, { force: true });
    return { file: null, why: `${compiler} failed: ${(build.stderr || build.error?.message || '').trim().split('\n')[0]}` };
  }
  const problem = checkHelper(temporary);
  if (problem !== null) {
    rmSync(temporary, { force: true });
    return { file: null, why: problem };
  }
  renameSync(temporary, file);
  return { file, why: `built with ${compiler}` };
}

/** Runs the helper once around `true` in a throwaway code directory: null when it sets up a sandbox. */
function checkHelper(file: string): string | null {
  const base = mkdtempSync(path.join(path.dirname(file), '.check-'));
  try {
    const code = path.join(base, 'code');
    mkdirSync(code);
    const spec = encodeSpec({ isolation: 'namespace', user: unprivilegedUser(), tmpMb: 1, cwd: code, exposed: [{ path: code, readonly: true }], file: 'true', args: [], env: { PATH: '/usr/bin:/bin' } });
    const r = spawnSync(file, ['--wait'], { input: spec, encoding: 'utf8', timeout: 5000 });
    return r.status === 0 ? null : `the built helper does not work here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
