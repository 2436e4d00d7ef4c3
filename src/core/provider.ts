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

export interface Provider {
  /** The registry name: `local`, `aws-lambda`, `openfaas`, `http`... */
  readonly name: string;
  /** Deploys (or replaces) a function package; resolves when it can be invoked. */
  deploy(pkg: FunctionPackage, overrides?: Partial<FunctionSettingsInput>): Promise<void>;
  /** One call. Rejects only on a bug; platform and transport failures are results. */
  invoke(fn: string, payload: Buffer): Promise<InvokeResult>;
  /** Changes settings; on Lambda-like platforms the next call starts a new instance. */
  updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void>;
  remove(fn: string): Promise<void>;
  /** Releases connections and anything the provider started. */
  close(): Promise<void>;
}
