// The knative provider through the shared conformance suite, with no cluster: a loopback stand-in
// for the Kubernetes API acts as Knative's controller (a Service written there is deployed on the
// local platform, with the settings its annotation carries; deleting it removes the function), and
// a loopback ingress routes by Host, <fn>.<namespace>.<domain>, to the platform's gateway.
import { request } from 'node:http';
import type { LocalPlatform } from '../platform/platform.ts';
import { IMAGE_PREFIX, listen, standInCluster, type Listening } from '../../test/support/knative-cluster.ts';
import { scratchDir, startPlatform } from '../../test/support/platform.ts';
import { providerConformance } from './conformance.ts';
import { createKnativeProvider } from './knative.ts';
import { createLocalProvider } from './local.ts';

let workDir = '';

/** Host <fn>.<namespace>.<domain> to the platform's POST /function/<fn> (raw payload in, result out). */
async function fakeIngress(platformUrl: string): Promise<Listening> {
  return listen(
    (req, body) =>
      new Promise((resolve, reject) => {
        const fn = (req.headers.host ?? '').split('.')[0]!;
        const out = request(`${platformUrl}/function/${fn}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        out.once('error', reject);
        out.end(body);
      }),
  );
}

let platform: LocalPlatform;
providerConformance(
  'knative against a stand-in Kubernetes API and ingress over the local platform',
  async () => {
    platform = await startPlatform();
    const local = await createLocalProvider({ platform });
    const cluster = await standInCluster(local, workDir);
    const ingress = await fakeIngress(platform.url);
    const provider = await createKnativeProvider({ kubeconfig: cluster.kubeconfig, namespace: 'bench', image: `${IMAGE_PREFIX}{dir}`, ingress: ingress.url });
    return {
      provider,
      teardown: async () => {
        await ingress.close();
        await cluster.close();
        await local.close();
        await platform.stop();
      },
    };
  },
  {
    workDir: () => (workDir = scratchDir('knative-conformance')),
    reportsInstanceId: true,
    unreachable: (url) => createKnativeProvider({ ingress: url }),
  },
);
