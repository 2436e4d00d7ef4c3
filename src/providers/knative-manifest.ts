/**
 * The Knative Service (`serving.knative.dev/v1`) a function deploys as, built from its settings
 * alone: no cluster, no client, so tests validate it against Knative's schema directly.
 *
 * Scale bounds are the revision template's `autoscaling.knative.dev/min-scale` and `max-scale`
 * annotations (vSwarm's and the loader's YAMLs set them there: they are per revision),
 * concurrency is `containerConcurrency` (a hard limit; the package's concurrency, Lambda's 1, by default), memory is the
 * container's limit and request. The package's settings are also kept whole in the Service's
 * annotation `com.faasbench.settings`, which updateConfiguration reads back.
 *
 * A function served over gRPC names its port `h2c`: Knative's documented way to say the container
 * speaks HTTP/2 without TLS, which its ingress and queue-proxy then keep end to end (gRPC needs it).
 */
import type { FunctionSettings } from '../core/function-package.ts';
import { SETTINGS_ANNOTATION } from '../platform/openfaas-api.ts';

export const KNATIVE_API_VERSION = 'serving.knative.dev/v1';
export const MIN_SCALE_ANNOTATION = 'autoscaling.knative.dev/min-scale';
export const MAX_SCALE_ANNOTATION = 'autoscaling.knative.dev/max-scale';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The port Knative gives a container that names none (passed as $PORT). */
export const KNATIVE_DEFAULT_PORT = 8080;

export interface KnativeServiceInput {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly settings: FunctionSettings;
  /** Pods kept when idle; 0 lets the service scale to zero. */
  readonly minScale: number;
  /** Upper bound on pods; undefined leaves Knative's own (unbounded) default. */
  readonly maxScale: number | undefined;
  /** Calls one pod takes at once; 0 is Knative's unlimited. */
  readonly containerConcurrency: number;
  /** The port the container listens on; undefined leaves Knative's (8080, passed as $PORT). */
  readonly port: number | undefined;
  /** `grpc` names the port `h2c` (on 8080 when no port is given); `http` leaves it unnamed. */
  readonly protocol: 'http' | 'grpc';
}

/** A Knative Service as the Kubernetes API takes it (and as `kubectl apply -f` reads it). */
export interface KnativeService {
  apiVersion: typeof KNATIVE_API_VERSION;
  kind: 'Service';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string>; resourceVersion?: string };
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        containerConcurrency: number;
        timeoutSeconds: number;
        containers: KnativeContainer[];
      };
    };
  };
}

interface KnativeContainer {
  image: string;
  env: { name: string; value: string }[];
  ports?: { name?: 'h2c'; containerPort: number }[];
  resources: { limits: { memory: string }; requests: { memory: string } };
}

export function knativeService(input: KnativeServiceInput): KnativeService {
  const { settings: s } = input;
  const scale: Record<string, string> = { [MIN_SCALE_ANNOTATION]: String(input.minScale) };
  if (input.maxScale !== undefined) scale[MAX_SCALE_ANNOTATION] = String(input.maxScale);
  const memory = `${s.memoryMb}Mi`;
  return {
    apiVersion: KNATIVE_API_VERSION,
    kind: 'Service',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { [MANAGED_BY_LABEL]: 'faasbench' },
      annotations: { [SETTINGS_ANNOTATION]: JSON.stringify(s) },
    },
    spec: {
      template: {
        metadata: { annotations: scale },
        spec: {
          containerConcurrency: input.containerConcurrency,
          // Knative takes whole seconds; rounding down would cut calls the function allows.
          timeoutSeconds: Math.ceil(s.timeoutS),
          containers: [
            {
              image: input.image,
              env: Object.entries(s.environment).map(([name, value]) => ({ name, value })),
              ...portsOf(input),
              resources: { limits: { memory }, requests: { memory } },
            },
          ],
        },
      },
    },
  };
}

function portsOf(input: KnativeServiceInput): Pick<KnativeContainer, 'ports'> {
  if (input.protocol === 'grpc') return { ports: [{ name: 'h2c', containerPort: input.port ?? KNATIVE_DEFAULT_PORT }] };
  return input.port !== undefined ? { ports: [{ containerPort: input.port }] } : {};
}

/** The settings a Service was deployed with, from its annotation; null for one deployed otherwise. */
export function settingsOf(service: { metadata?: { annotations?: Record<string, string> } }): Record<string, unknown> | null {
  const text = service.metadata?.annotations?.[SETTINGS_ANNOTATION];
  if (text === undefined) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Knative's route for a service: `<name>.<namespace>.<domain>`, the Host the ingress dispatches on. */
export function knativeHost(fn: string, namespace: string, domain: string): string {
  return `${fn}.${namespace}.${domain}`;
}
