/**
 * The `knative` provider: functions as Knative Services (`serving.knative.dev/v1`).
 *
 * Two ways to deploy. `api` (default): the Service is built from the package's settings
 * (knative-manifest.ts: image, min/max scale, containerConcurrency, memory, timeout, environment)
 * and created or replaced through the Kubernetes API, then awaited until Ready. `commands`: vSwarm's
 * own way, from its config.json (knative-commands.ts): pre-deployment commands, `kubectl apply -f`
 * on the function's YAML, post-deployment commands. Remove deletes the Service (api) or runs the
 * delete command on the YAML (commands).
 *
 * Invoke goes to the cluster's ingress (`ingress`, e.g. http://192.168.1.240), routed by Knative on
 * the host `<fn>.<namespace>.<domain>` (knative-ingress.ts): over HTTP by default, the payload as the
 * body, or over gRPC with `protocol=grpc`, as the grpc provider calls (then the Service's port is
 * named `h2c`, as Knative requires for gRPC).
 */
import path from 'node:path';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { describeIssues, functionSettingsSchema, type FunctionPackage, type FunctionSettings, type FunctionSettingsInput } from '../core/function-package.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { KnativeApi } from './knative-api.ts';
import { deployEntry, entryFor, readVswarmConfig, runCommand, withYaml } from './knative-commands.ts';
import { checkProtocolOptions, GRPC_OPTIONS, ingressCaller, type IngressCaller } from './knative-ingress.ts';
import { knativeService, settingsOf } from './knative-manifest.ts';
import { effectiveManifest } from './package-zip.ts';
import { baseUrl, connectionFields, definedFields, parseOptions, type ProviderOptions } from './options.ts';

const SETTING_KEYS = Object.keys(functionSettingsSchema.shape) as (keyof FunctionSettings)[];
const argv = z.array(z.string()).min(1);
/** Checked by the grpc provider they are passed to, which names them as knative's. */
const grpcFields = Object.fromEntries(GRPC_OPTIONS.map((key) => [key, z.unknown().optional()])) as Record<(typeof GRPC_OPTIONS)[number], z.ZodOptional<z.ZodUnknown>>;

const schema = z.strictObject({
  mode: z.enum(['api', 'commands']).default('api'),
  /** A kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the pod's service account). */
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes namespace name').default('default'),
  /** The container image; `{name}` and `{dir}` are the package's name and folder. */
  image: z.string().min(1).optional(),
  /** The port the image listens on (default: Knative's, 8080 as $PORT). */
  port: z.number().int().min(1).max(65_535).optional(),
  minScale: z.number().int().min(0).default(0),
  /** Default: the package's maxInstances, if any. */
  maxScale: z.number().int().min(1).optional(),
  /** Default: the package's concurrency (1, as Lambda). 0 is Knative's unlimited. */
  containerConcurrency: z.number().int().min(0).max(1000).optional(),
  /** The ingress's address (Kourier, Istio...), where calls go. */
  ingress: baseUrl.optional(),
  /** Knative's domain: the Host is <fn>.<namespace>.<domain>. */
  domain: z.string().min(1).default('example.com'),
  /** `http`, or `grpc`: unary calls as the grpc provider makes them (proto, method, request, deadlineMs, tls...). */
  protocol: z.enum(['http', 'grpc']).default('http'),
  /** http: the path called on the service (default `/`). */
  path: z.string().startsWith('/').optional(),
  /** http: default application/json. */
  contentType: z.string().min(1).optional(),
  ...grpcFields,
  /** commands mode: vSwarm's config.json. */
  config: z.string().min(1).optional(),
  applyCommand: argv.default(['kubectl', 'apply', '-f', '{yaml}']),
  deleteCommand: argv.default(['kubectl', 'delete', '-f', '{yaml}', '--ignore-not-found']),
  readyTimeoutS: z.number().positive().default(300),
  ...connectionFields,
});

type Options = z.output<typeof schema>;

export async function createKnativeProvider(options: ProviderOptions = {}): Promise<Provider> {
  const o = parseOptions('knative', schema, options);
  if (o.mode === 'commands' && o.config === undefined) throw new FaasbenchError('InvalidParameterValue', 'provider knative: option "config": mode "commands" needs vSwarm\'s config.json');
  // Read now: a config it cannot use is an error before anything runs.
  if (o.config !== undefined) readVswarmConfig(o.config);
  checkProtocolOptions(o);
  return new KnativeProvider(o, o.ingress === undefined ? null : await ingressCaller({ ...o, ingress: o.ingress }));
}

class KnativeProvider implements Provider {
  readonly name = 'knative';
  private readonly api: KnativeApi;

  constructor(
    private readonly o: Options,
    private readonly caller: IngressCaller | null,
  ) {
    this.api = new KnativeApi({ kubeconfig: o.kubeconfig, context: o.context, namespace: o.namespace });
  }

  async deploy(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): Promise<void> {
    const manifest = effectiveManifest(pkg, overrides);
    if (this.o.mode === 'commands') return this.deployByCommands(manifest.name);
    if (this.o.image === undefined) throw new FaasbenchError('InvalidParameterValue', 'provider knative: option "image": needed to deploy in mode "api" (a template with {name}, {dir})');
    const image = this.o.image.replaceAll('{name}', manifest.name).replaceAll('{dir}', path.basename(pkg.dir));
    await this.put(manifest.name, image, settingsIn(manifest));
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    if (this.caller === null) throw new FaasbenchError('InvalidParameterValue', 'provider knative: option "ingress": needed to invoke (the address of the cluster\'s Knative ingress)');
    return this.caller.invoke(fn, payload, call);
  }

  async updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    if (this.o.mode === 'commands') throw new FaasbenchError('InvalidParameterValue', `provider knative: update ${fn}: mode "commands" deploys vSwarm's YAML as it is; edit the YAML and deploy again`);
    const current = await this.api.get(fn);
    if (current === null) throw new FaasbenchError('ResourceNotFound', `provider knative: update ${fn}: no service ${fn} in namespace ${this.o.namespace}`);
    const parsed = functionSettingsSchema.safeParse({ ...settingsOf(current), ...definedFields(patch) });
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', `provider knative: update ${fn}: ${describeIssues(parsed.error)}`);
    await this.put(fn, current.spec?.template.spec.containers[0]?.image ?? '', parsed.data);
  }

  async remove(fn: string): Promise<void> {
    if (this.o.mode === 'api') return this.api.delete(fn);
    const entry = entryFor(readVswarmConfig(this.o.config!), fn, this.o.config!);
    await runCommand(withYaml(this.o.deleteCommand, entry.yaml), path.dirname(path.resolve(this.o.config!)), `provider knative: remove ${fn}: delete`);
  }

  async close(): Promise<void> {
    await this.caller?.close();
  }

  private async put(name: string, image: string, settings: FunctionSettings): Promise<void> {
    const service = knativeService({
      name,
      namespace: this.o.namespace,
      image,
      settings,
      containerConcurrency: this.o.containerConcurrency ?? settings.concurrency,
      minScale: this.o.minScale,
      maxScale: this.o.maxScale ?? settings.maxInstances,
      port: this.o.port,
      protocol: this.o.protocol,
    });
    await this.api.apply(service);
    await this.api.waitReady(name, this.o.readyTimeoutS);
  }

  private async deployByCommands(fn: string): Promise<void> {
    const file = this.o.config!;
    const entry = entryFor(readVswarmConfig(file), fn, file);
    await deployEntry(entry, this.o.applyCommand, path.dirname(path.resolve(file)), `provider knative: deploy ${fn}`);
  }
}

function settingsIn(manifest: FunctionSettings): FunctionSettings {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, manifest[k]]).filter(([, v]) => v !== undefined)) as FunctionSettings;
}
