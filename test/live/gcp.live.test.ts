// LIVE: the gcp-functions provider against Google Cloud itself. It runs only when FAASBENCH_LIVE
// names gcp (FAASBENCH_LIVE=gcp or gcp,azure) and Application Default Credentials and a project
// are present; otherwise every test here is reported as skipped, with the reason in the suite's
// name. It creates functions named faasbench-live-* in the project and removes them; a run takes
// several minutes (each deploy is a Cloud Build) and bills a few cents.
//
//   gcloud auth application-default login
//   FAASBENCH_LIVE=gcp FAASBENCH_GCP_PROJECT=my-project FAASBENCH_GCP_REGION=europe-west1 \
//     npx vitest run test/live/gcp.live.test.ts
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadFunctionPackage } from '../../src/core/function-package.ts';
import { providerConformance } from '../../src/providers/conformance.ts';
import { createGcpFunctionsProvider, type GcpFunctionsProvider } from '../../src/providers/gcp-functions.ts';
import { scratchDir, writeFunction, REPO } from '../support/platform.ts';

/** Why the suite cannot run here, or null when it can. */
function skipReason(): string | null {
  const live = (process.env.FAASBENCH_LIVE ?? '').split(',').map((s) => s.trim());
  if (!live.includes('gcp')) return 'FAASBENCH_LIVE does not include gcp';
  const adc = process.env.GOOGLE_APPLICATION_CREDENTIALS ?? path.join(os.homedir(), '.config/gcloud/application_default_credentials.json');
  if (!existsSync(adc)) return `no Application Default Credentials (${adc}; run gcloud auth application-default login)`;
  if (!project()) return 'no project (set FAASBENCH_GCP_PROJECT or GOOGLE_CLOUD_PROJECT)';
  return null;
}

function project(): string | undefined {
  return process.env.FAASBENCH_GCP_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT ?? process.env.GCLOUD_PROJECT;
}

const reason = skipReason();
const options = { project: project(), region: process.env.FAASBENCH_GCP_REGION ?? 'us-central1' };
const suffix = randomBytes(3).toString('hex');

if (reason === null) {
  // Deploys are Cloud Builds of a minute or more each; the conformance suite makes four.
  vi.setConfig({ testTimeout: 1_800_000, hookTimeout: 600_000 });
  providerConformance('gcp-functions on Google Cloud (live)', async () => ({ provider: await createGcpFunctionsProvider(options) }), {
    workDir: () => scratchDir('gcp-live'),
    reportsInstanceId: true,
    prefix: `faasbench-live-${suffix}`,
  });
}

describe.skipIf(reason !== null)(`gcp-functions on Google Cloud (live)${reason ? `: skipped, ${reason}` : ''}`, () => {
  let provider: GcpFunctionsProvider;
  let privateProvider: GcpFunctionsProvider;
  const deployed: string[] = [];

  beforeAll(async () => {
    provider = await createGcpFunctionsProvider(options);
    privateProvider = await createGcpFunctionsProvider({ ...options, public: false });
  });
  afterAll(async () => {
    for (const fn of deployed) await provider?.remove(fn).catch(() => undefined);
    await provider?.close();
    await privateProvider?.close();
  });

  it('runs a python package through the generated main.py', async () => {
    const name = `faasbench-live-py-${suffix}`;
    const source = readFileSync(path.join(REPO, 'functions/hello-py/app.py'), 'utf8');
    await provider.deploy(loadFunctionPackage(writeFunction({ name, runtime: 'python', handler: 'app.handler', memoryMb: 256 }, { 'app.py': source })));
    deployed.push(name);
    const r = await provider.invoke(name, Buffer.from('{"name":"live"}'));
    expect(r.status).toBe('ok');
    expect(JSON.parse(r.payload.toString())).toMatchObject({ event: { name: 'live' } });
    expect(r.facts).toMatchObject({ cold: true, memoryMb: 256 });
  });

  it('calls a private function with an ID token; without one Google refuses it', async () => {
    const name = `faasbench-live-private-${suffix}`;
    await privateProvider.deploy(loadFunctionPackage(writeFunction({ name, runtime: 'nodejs', handler: 'index.handler' }, { 'index.mjs': 'export const handler = async (event) => ({ event });\n' })));
    deployed.push(name);
    const r = await privateProvider.invoke(name, Buffer.from('{"a":1}'));
    expect([r.status, JSON.parse(r.payload.toString())]).toEqual(['ok', { event: { a: 1 } }]);
    const anonymous = await createGcpFunctionsProvider({ ...options, url: (await privateProvider.backend.urlOf(name)) ?? '' });
    try {
      const refused = await anonymous.invoke('', Buffer.from('{}'));
      expect(refused.status).toBe('rejected');
      expect([401, 403]).toContain(refused.httpStatus);
    } finally {
      await anonymous.close();
    }
  });
});
