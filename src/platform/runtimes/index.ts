/**
 * How each runtime family starts an instance. Adding a runtime is one entry here plus its
 * bootstrap file beside this one; nothing else in the platform knows runtime details.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../../core/runtime-id.ts';
import { RUNTIME_CHANNEL_FD } from '../runtime-endpoint.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface RuntimeCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** True when the runtime speaks to its Runtime API over the channel at RUNTIME_CHANNEL_FD. */
  readonly usesChannel: boolean;
}

export interface RuntimeSupport {
  /** The command that starts one instance of a function in `codeDir`, bootstraps in `runtimeDir`. */
  command(codeDir: string, runtimeDir: string): RuntimeCommand;
  /** Why `handler` cannot be loaded from `codeDir`, or null when its file is there. */
  missingHandler(codeDir: string, handler: string): string | null;
  /** AWS_EXECUTION_ENV for a function deployed as `runtimeId`, as Lambda sets it; undefined where Lambda sets none. */
  executionEnv(runtimeId: string): string | undefined;
}

function moduleFile(handler: string): { module: string; fn: string } | null {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return null;
  return { module: handler.slice(0, dot), fn: handler.slice(dot + 1) };
}

function missingModule(codeDir: string, handler: string, extensions: readonly string[]): string | null {
  const parts = moduleFile(handler);
  if (!parts) return `handler "${handler}" must look like "file.function"`;
  const candidates = extensions.map((ext) => `${parts.module}${ext}`);
  if (candidates.some((file) => existsSync(path.join(codeDir, file)))) return null;
  return `handler "${handler}" needs ${candidates.join(' or ')} in the package, and none is there`;
}

let python3: { path: string; version: string } | undefined;
/**
 * The real interpreter behind `python3` on PATH, and its version (`3.11`). Version managers put a
 * shell shim first on PATH, which would add its own start-up to every cold start. Given a module,
 * the same run compiles it into its __pycache__.
 */
function lookUpPython(compile?: string): { path: string; version: string } {
  const script = `import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])${compile ? '; import py_compile; py_compile.compile(sys.argv[1], doraise=True)' : ''}`;
  const out = execFileSync('python3', ['-c', script, ...(compile ? [compile] : [])], { encoding: 'utf8' });
  const [file = '', version = ''] = out.trim().split('\n');
  return { path: file.trim(), version: version.trim() };
}

function realPython(): { path: string; version: string } {
  python3 ??= lookUpPython();
  return python3;
}

export function resolvePython(): string {
  return realPython().path;
}

/** Resolves interpreters up front, so the first cold start does not pay for the lookup. */
export function prepareRuntimes(): void {
  try {
    resolvePython();
  } catch {
    /* no python3 on PATH: python functions fail at their first start with the spawn error */
  }
}

const nodejs: RuntimeSupport = {
  command: (_code, runtimeDir) => ({ file: process.execPath, args: [path.join(runtimeDir, 'nodejs-bootstrap.cjs'), `--runtime-fd=${RUNTIME_CHANNEL_FD}`], usesChannel: true }),
  missingHandler: (dir, handler) => missingModule(dir, handler, ['.js', '.mjs', '.cjs']),
  // The identifier the function was deployed with when it names a version, as Lambda's own;
  // a bare `nodejs` is the machine's node.
  executionEnv: (id) => `AWS_Lambda_${/^nodejs\d+\.x$/.test(id) ? id : `nodejs${process.versions.node.split('.')[0]}.x`}`,
};

const python: RuntimeSupport = {
  command: (_code, runtimeDir) => ({ file: resolvePython(), args: ['-u', path.join(runtimeDir, 'python_bootstrap.py'), `--runtime-fd=${RUNTIME_CHANNEL_FD}`], usesChannel: true }),
  missingHandler: (dir, handler) => missingModule(dir, handler, ['.py']),
  // The interpreter that actually runs the function, whatever version the function asked for: AWS's
  // clients (boto3's user agent, awslambdaric's JSON encoder) read the minor version from it.
  executionEnv: () => `AWS_Lambda_python${realPython().version}`,
};

const provided: RuntimeSupport = {
  command: (dir) => ({ file: path.join(dir, 'bootstrap'), args: [], usesChannel: false }),
  missingHandler: (dir) => {
    try {
      accessSync(path.join(dir, 'bootstrap'), constants.X_OK);
      return null;
    } catch {
      return 'runtime "provided" needs an executable file named "bootstrap" in the package';
    }
  },
  // Lambda sets no AWS_EXECUTION_ENV for OS-only runtimes (the provided family).
  executionEnv: () => undefined,
};

export const runtimes: Record<Runtime, RuntimeSupport> = { nodejs, python, provided };

/** The python runtime proper, imported by python_bootstrap.py so that its compiled form is used. */
const PYTHON_RUNTIME = 'faasbench_runtime.py';
const BOOTSTRAPS = ['nodejs-bootstrap.cjs', 'python_bootstrap.py', PYTHON_RUNTIME];

/**
 * Copies the bootstraps into `dir` (the instances' LAMBDA_RUNTIME_DIR). Instances get a private
 * /tmp, so nothing they load may live under /tmp, and this source tree might.
 */
/**
 * Several platforms may share one data directory (parallel runs): each bootstrap is written under a
 * temporary name and renamed over the old one, so an instance starting meanwhile never reads half a file.
 */
export function installBootstraps(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of BOOTSTRAPS) {
    const temporary = path.join(dir, `.${file}.${process.pid}`);
    copyFileSync(path.join(HERE, file), temporary);
    renameSync(temporary, path.join(dir, file));
  }
  // Compiled here, where the platform can write __pycache__ (an instance's view of it is
  // read-only): compiling the runtime on every cold start would cost a few milliseconds each.
  // The interpreter's lookup comes with it, so the first python cold start does not pay for that.
  try {
    python3 = lookUpPython(path.join(dir, PYTHON_RUNTIME));
  } catch {
    /* no python3 on PATH: python functions fail at their first start */
  }
}
