/**
 * Knative Services through the Kubernetes API (the official @kubernetes/client-node): create or
 * replace, read, delete, and wait for Ready. The client loads only when a knative provider in
 * `api` mode first talks to its cluster.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { monotonicMs } from '../core/clock.ts';
import { FaasbenchError } from '../core/errors.ts';
import type { KnativeService } from './knative-manifest.ts';

const GROUP = 'serving.knative.dev';
const VERSION = 'v1';
const PLURAL = 'services';

export interface ClusterOptions {
  /** A kubeconfig file; undefined: $KUBECONFIG, ~/.kube/config or the pod's service account. */
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  readonly namespace: string;
}

interface ServiceStatus {
  metadata?: { generation?: number; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: KnativeService['spec'];
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; message?: string }[] };
}

export class KnativeApi {
  private client: Promise<CustomObjectsApi> | undefined;

  constructor(private readonly o: ClusterOptions) {}

  async get(name: string): Promise<ServiceStatus | null> {
    try {
      return (await (await this.api()).getNamespacedCustomObject({ ...this.where(), name })) as ServiceStatus;
    } catch (err) {
      if (codeOf(err) === 404) return null;
      throw apiError(`read service ${name}`, err);
    }
  }

  /** Creates the Service, or replaces the one there (keeping its resourceVersion, as replace requires). */
  async apply(service: KnativeService): Promise<void> {
    const api = await this.api();
    const name = service.metadata.name;
    const current = await this.get(name);
    try {
      if (current === null) await api.createNamespacedCustomObject({ ...this.where(), body: service });
      else {
        const body = { ...service, metadata: { ...service.metadata, resourceVersion: current.metadata?.resourceVersion } };
        await api.replaceNamespacedCustomObject({ ...this.where(), name, body });
      }
    } catch (err) {
      throw apiError(`${current === null ? 'create' : 'replace'} service ${name}`, err);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await (await this.api()).deleteNamespacedCustomObject({ ...this.where(), name });
    } catch (err) {
      if (codeOf(err) === 404) throw new FaasbenchError('ResourceNotFound', `provider knative: remove ${name}: no service ${name} in namespace ${this.o.namespace}`);
      throw apiError(`delete service ${name}`, err);
    }
  }

  /** Until the latest generation is Ready (Knative's condition), or the timeout. */
  async waitReady(name: string, timeoutS: number): Promise<void> {
    const deadline = monotonicMs() + timeoutS * 1000;
    for (;;) {
      const s = await this.get(name);
      const ready = s?.status?.conditions?.find((c) => c.type === 'Ready');
      const current = (s?.status?.observedGeneration ?? -1) >= (s?.metadata?.generation ?? 0);
      if (current && ready?.status === 'True') return;
      if (monotonicMs() > deadline) {
        const why = s === null ? 'not found' : ready ? `Ready=${ready.status}${ready.message ? ` (${ready.message})` : ''}` : 'no Ready condition yet';
        throw new FaasbenchError('ServiceUnavailable', `provider knative: service ${name} not ready after ${timeoutS} s: ${why}`);
      }
      await sleep(500);
    }
  }

  private where(): { group: string; version: string; namespace: string; plural: string } {
    return { group: GROUP, version: VERSION, namespace: this.o.namespace, plural: PLURAL };
  }

  private api(): Promise<CustomObjectsApi> {
    this.client ??= (async () => {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      try {
        if (this.o.kubeconfig !== undefined) kc.loadFromFile(this.o.kubeconfig);
        else kc.loadFromDefault();
        if (this.o.context !== undefined) kc.setCurrentContext(this.o.context);
      } catch (err) {
        throw new FaasbenchError('InvalidParameterValue', `provider knative: option "kubeconfig": ${this.o.kubeconfig ?? 'the default kubeconfig'}: ${(err as Error).message}`);
      }
      return kc.makeApiClient(k8s.CustomObjectsApi);
    })();
    return this.client;
  }
}

function codeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function apiError(what: string, err: unknown): FaasbenchError {
  const code = codeOf(err);
  const body = (err as { body?: unknown }).body;
  const message = typeof body === 'string' ? body : body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : (err as Error).message;
  return new FaasbenchError('ServiceUnavailable', `provider knative: ${what}: ${code !== undefined ? `HTTP ${code}: ` : ''}${message}`);
}
