// `load k8s-job` end to end without a cluster: the Job it writes is valid against Kubernetes' schema,
// and its pod command, run once per completion index as the kubelet would run it (each $(VAR) of the
// container's env expanded, the store URL taken from the Secret), makes one run on one PostgreSQL
// holding every planned call exactly once.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadYaml } from '@kubernetes/client-node/dist/yaml.js';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { SKIP_PG } from '../src/store/testing/postgres.ts';
import { runCli, type CliResult } from './support/cli-process.ts';
import { startHttpTarget, type HttpTarget } from './support/http-target.ts';
import { REPO, scratchDir } from './support/platform.ts';
import { pgSchemaUrl, type PgSchemaUrl } from './support/postgres.ts';
import { CLI_TEST_TIMEOUT_MS } from './support/wait-for.ts';

const SHARDS = 3;
/** 10/s for 3 s. */
const CALLS = 30;
const SECRET = { name: 'faasbench-store', key: 'url' };

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Container {
  command: string[];
  args: string[];
  env: EnvVar[];
}

let target: HttpTarget;
let pg: PgSchemaUrl;
beforeAll(async () => {
  target = await startHttpTarget();
  pg = await pgSchemaUrl();
});
afterAll(async () => {
  await target?.close();
  await pg?.drop();
});

/** The container's env as the kubelet fills it for the pod of `index`. */
function podEnv(container: Container, index: number, secrets: Record<string, Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of container.env) {
    const from = v.valueFrom;
    if (from?.fieldRef) {
      expect(from.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
      env[v.name] = String(index);
    } else if (from?.secretKeyRef) env[v.name] = secrets[from.secretKeyRef.name]![from.secretKeyRef.key]!;
    else env[v.name] = v.value!;
  }
  return env;
}

function runPod(container: Container, env: Record<string, string>): Promise<CliResult> {
  const expand = (arg: string): string => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
  const [program, ...rest] = [...container.command, ...container.args].map(expand);
  expect(program).toBe('node');
  // The repository stands for the image's working directory: the image is the repository installed.
  const child = spawn(process.execPath, rest, { cwd: REPO, env: { ...process.env, FAASBENCH_STORE: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(SKIP_PG)('load k8s-job', () => {
  it('writes a valid Indexed Job whose pod commands, one per index against one PostgreSQL, send every planned call once', async () => {
    const dir = scratchDir('k8s-job');
    const file = path.join(dir, 'job.yaml');
    const runId = `k8s-job-${process.pid}`;
    // Calls planned before a slow CLI start go out late (open loop), not lost: the start need not cover the load time.
    const startAt = Date.now() + 4_000;
    const written = await runCli(['load', 'k8s-job', 'echo', 'constant', '--rate', '10', '--duration', '3s', '--shards', String(SHARDS), '--image', 'faasbench:test',
      '--provider', 'http', '-o', `url=${target.url}`, '--run-id', runId, '--start-at', String(startAt), '--out', file]);
    expect(written.code, written.stderr).toBe(0);

    const job = loadYaml<Record<string, unknown>>(readFileSync(file, 'utf8'));
    expect(() => new Job(job).validate()).not.toThrow();
    const spec = (job as { spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: Container[] } } } }).spec;
    expect(spec).toMatchObject({ completionMode: 'Indexed', completions: SHARDS, parallelism: SHARDS });
    const [container] = spec.template.spec.containers;

    const secrets = { [SECRET.name]: { [SECRET.key]: pg.url } };
    const pods = await Promise.all([...Array(SHARDS).keys()].map((i) => runPod(container!, podEnv(container!, i, secrets))));
    for (const pod of pods) expect(pod.code, pod.stderr).toBe(0);
    expect(target.requests()).toBe(CALLS);

    const store = await openStore(pg.url);
    try {
      const seqs: number[] = [];
      for await (const r of store.records(runId)) seqs.push(r.seq);
      expect(seqs.sort((a, b) => a - b)).toEqual([...Array(CALLS).keys()]);
      expect(await store.getRun(runId)).toMatchObject({ status: 'completed', duplicates: 0 });
    } finally {
      await store.close();
    }
  }, CLI_TEST_TIMEOUT_MS);
});
