/**
 * AWS's own clients, as a user on Debian has them: `awscli` and `python3-boto3` from apt (.ci/run
 * installs both). Always by absolute path: pyenv's shims put another `aws` and `python3` first on
 * PATH, and their packages are not the ones the conformance suite is judged by.
 *
 * CI installs them, so there a missing client is a failure; elsewhere the suite is skipped and
 * says what to install.
 */
import { execFile, execFileSync } from 'node:child_process';

export const AWS_CLI = '/usr/bin/aws';
export const PYTHON = '/usr/bin/python3';

function whyMissing(): string | undefined {
  const missing: string[] = [];
  try {
    execFileSync(AWS_CLI, ['--version'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    missing.push(`awscli (${AWS_CLI})`);
  }
  try {
    execFileSync(PYTHON, ['-c', 'import boto3'], { stdio: 'ignore', timeout: 30_000, env: clientEnv() });
  } catch {
    missing.push(`python3-boto3 (import boto3 in ${PYTHON})`);
  }
  if (missing.length === 0) return undefined;
  return `${missing.join(' and ')} not installed: apt-get install awscli python3-boto3 (Debian's packages; .ci/run installs them)`;
}

export interface ClientsCheck {
  /** Set when a client is missing: what, and what to install. */
  readonly missing: string | undefined;
  /** Missing outside CI: describe.skipIf(skip). In CI the suite runs and fails on `missing`. */
  readonly skip: boolean;
}

let checked: ClientsCheck | undefined;

/** Checks once per file; warns when the suite is skipped. */
export function checkClients(file: string): ClientsCheck {
  if (!checked) {
    const missing = whyMissing();
    checked = { missing, skip: missing !== undefined && !process.env.CI };
  }
  if (checked.skip) console.warn(`${file} skipped: ${checked.missing}`);
  return checked;
}

/** For beforeAll: throws (a failure, not a skip) when a client is missing in CI. */
export function requireClients(check: ClientsCheck): void {
  if (check.missing) throw new Error(`${check.missing}; CI=${process.env.CI ?? ''}: in CI the third-party clients are required, so this is a failure`);
}

/**
 * The clients' whole environment, not the test process's: no developer profile, config file or
 * user-site package can change what is tested. Dummy credentials (the platform accepts any on
 * loopback); one attempt per call, so an error is answered as it came and not retried.
 */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    PYTHONNOUSERSITE: '1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_RETRY_MODE: 'standard',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    ...extra,
  };
}

export interface ProcessResult {
  /** Exit code; null when killed (the timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a client without blocking the event loop: the platform under test runs in this process. */
export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, input?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      // A non-zero exit is an answer to look at; only a failure to start is an error here.
      if (err && typeof err.code === 'string') reject(new Error(`${file} did not start: ${err.message}`));
      else resolve({ code: child.exitCode, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}
