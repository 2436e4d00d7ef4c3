/**
 * Provider: one platform under test (DESIGN.md §1). The local platform, AWS Lambda, OpenFaaS,
 * Knative or any HTTP endpoint each implement this in one file of src/providers/; nothing
 * upstream knows which one it talks to.
 */
import type { FunctionPackage, FunctionSettingsInput } from './function-package.ts';
import type { InvocationStatus, PlatformFacts } from './invocation-record.ts';

export interface InvokeResult {
  readonly status: Exclude<InvocationStatus, 'dropped' | 'unknown'>;
  readonly httpStatus: number | null;
  readonly payload: Buffer;
  readonly errorClass: string | null;
  readonly facts: PlatformFacts;
}

/** What one call carries besides its payload. */
export interface CallOptions {
  /** Trace context (traceparent, B3) to send with the call; providers that speak HTTP send them as headers. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
}

/** Instances a provider initialised ahead of calls (Lambda's provisioned concurrency), READY to serve. */
export interface Provisioned {
  /** The alias the instances serve; invoke them as `qualifiedName(fn, qualifier)`. */
  readonly qualifier: string;
  /** The version published for them: the function's code and configuration when provision was called. */
  readonly version: string;
}

/** The alias `provision` points at the version it publishes; one per function, moved on each call. */
export const PROVISIONED_ALIAS = 'faasbench-provisioned';

/** The name that invokes one version or alias of a function, in Lambda's form (`fn:qualifier`). */
export function qualifiedName(fn: string, qualifier: string): string {
  return `${fn}:${qualifier}`;
}

export interface Provider {
  /** The registry name: `local`, `aws-lambda`, `openfaas`, `http`... */
  readonly name: string;
  /** Deploys (or replaces) a function package; resolves when it can be invoked. */
  deploy(pkg: FunctionPackage, overrides?: Partial<FunctionSettingsInput>): Promise<void>;
  /** One call. Rejects only on a bug; platform and transport failures are results. */
  invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult>;
  /** Changes settings; on Lambda-like platforms the next call starts a new instance. */
  updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void>;
  remove(fn: string): Promise<void>;
  /**
   * Optional, where the platform has provisioned concurrency (Lambda's API): publishes a version of
   * the function as it is now, points PROVISIONED_ALIAS at it, asks for `count` instances initialised
   * ahead on that alias and resolves once they are READY. Calls to `qualifiedName(fn, qualifier)`
   * then find them waiting; calls beyond them start on demand. It bills while it lasts on AWS.
   */
  provision?(fn: string, count: number): Promise<Provisioned>;
  /** Drops what provision asked for on `qualifier` (its instances go; version and alias stay). */
  unprovision?(fn: string, qualifier: string): Promise<void>;
  /**
   * Optional: opens what calls to `fns` will use (connections, for about `expectedInFlight` calls
   * at once) before a run's offset 0, so its first calls do not pay for a handshake. It invokes
   * nothing: a call sent as warm-up would change what a FaaS platform is measured doing. Resolves
   * when the connections are open or failed; never rejects (a failure is the run's to record).
   * `load` says the run is a load, not a probe of a few calls: the provider may then also run its
   * own request path off the schedule, against a server of its own, so it is compiled.
   */
  prepare?(fns: readonly string[], expectedInFlight: number, options?: { readonly load?: boolean }): Promise<void>;
  /** Releases connections and anything the provider started. */
  close(): Promise<void>;
}
