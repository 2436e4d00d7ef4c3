// scripts/provision-test-deps.sh (npm test's pretest, and .ci/run's): on a provisioned machine it
// passes without changing anything; when something is missing and it may not install, it stops at
// once naming each package, why the tests need it and the command that installs it.
// FAASBENCH_PROVISION_ABSENT is the script's documented test-only override: these packages count as
// missing whatever is installed. FAASBENCH_PROVISION=check keeps it from installing anything.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/platform.ts';

const SCRIPT = path.join(REPO, 'scripts/provision-test-deps.sh');

function provision(env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', [SCRIPT], { env: { ...process.env, FAASBENCH_PROVISION: 'check', FAASBENCH_SKIP_PG: '1', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/provision-test-deps.sh', () => {
  it('passes silently when everything the tests need is present (npm test has provisioned this machine)', () => {
    const r = provision({ FAASBENCH_PROVISION_ABSENT: '' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('stops naming each missing package, why, and the command that installs it', () => {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    const r = provision({ FAASBENCH_PROVISION_ABSENT: 'iperf3 chromium' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      'npm test needs what this machine lacks:',
      `  iperf3             measure's net command and its test; install: ${sudo}apt-get install -y iperf3`,
      `  chromium           the dashboard and report tests (/usr/bin/chromium); install: ${sudo}apt-get install -y chromium`,
      `all at once: ${sudo}apt-get install -y iperf3 chromium`,
      `or let this script install and set up everything: ${sudo}bash scripts/provision-test-deps.sh`,
      '',
    ]);
  });
});
