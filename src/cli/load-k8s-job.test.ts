import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadYaml } from '@kubernetes/client-node/dist/yaml.js';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { k8sJob } from './k8s-job-manifest.ts';
import { registerLoad } from './load-k8s-job.ts';

async function run(...args: string[]): Promise<void> {
  const program = new Command('faasbench').exitOverride();
  registerLoad(program);
  await program.parseAsync(['load', 'k8s-job', ...args], { from: 'user' });
}

const BASE = { name: 'load', namespace: 'bench', image: 'registry.example/faasbench:1', secretName: 's', secretKey: 'url', invokeArgs: ['invoke', 'echo', 'constant', '--rate', '5'] };

describe('the k8s-job manifest', () => {
  it('is a valid Indexed Job: N completions, the shard from the completion index, the store from the Secret', () => {
    const job = k8sJob({ ...BASE, shards: 4, parallelism: 2 });
    expect(() => new Job(job).validate()).not.toThrow();
    const { spec } = job as { spec: { completionMode: string; completions: number; parallelism: number; backoffLimit: number; template: { spec: { containers: { args: string[]; env: unknown[] }[] } } } };
    expect(spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 2, backoffLimit: 0 });
    const [container] = spec.template.spec.containers;
    expect(container!.args.slice(-2)).toEqual(['--shard', '$(JOB_COMPLETION_INDEX)/4']);
    expect(container!.env).toContainEqual({ name: 'FAASBENCH_STORE', valueFrom: { secretKeyRef: { name: 's', key: 'url' } } });
  });

  it('fails the schema when broken, so the check above means something', () => {
    const job = k8sJob({ ...BASE, shards: 2, parallelism: 2 }) as { spec: Record<string, unknown> };
    job.spec.completions = '2';
    expect(() => new Job(job as never).validate()).toThrow(/completions/);
  });
});

describe('load k8s-job', () => {
  it('writes the Job, with every invoke option the pods share, and a copy of the Dockerfile', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-job-'));
    await run('echo', 'constant', '--rate', '5', '--duration', '2s', '--shards', '2', '--image', 'img', '--run-id', 'r7', '--start-at', '1800000000000', '--provider', 'http', '-o', 'url=http://x/', '--out', path.join(dir, 'job.yaml'), '--dockerfile', path.join(dir, 'Dockerfile'));
    const job = loadYaml<{ spec: { template: { spec: { containers: { args: string[] }[] } } } }>(readFileSync(path.join(dir, 'job.yaml'), 'utf8'));
    expect(job.spec.template.spec.containers[0]!.args).toEqual([
      'invoke', 'echo', 'constant', '--rate', '5', '--duration', '2s', '--provider', 'http', '-o', 'url=http://x/', '--payload', '{}', '--seed', '42', '--max-in-flight', '1000',
      '--no-deploy', '--run-id', 'r7', '--start-at', '1800000000000', '--shard', '$(JOB_COMPLETION_INDEX)/2',
    ]);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20-slim$/m);
  });

  it('refuses a plan that cannot be sharded, a bad Kubernetes name and an unknown provider', async () => {
    await expect(run('echo', '--shards', '2', '--image', 'x')).rejects.toThrow('expected a load pattern after the function');
    await expect(run('echo', 'constant', '--rate', '1', '--duration', '1s', '--shards', '2', '--image', 'x', '--name', 'Load_1')).rejects.toThrow('--name: expected a Kubernetes name');
    await expect(run('echo', 'constant', '--rate', '1', '--duration', '1s', '--shards', '2', '--image', 'x', '--provider', 'lambda')).rejects.toThrow('--provider: unknown provider "lambda"');
  });
});
