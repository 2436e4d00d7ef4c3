/**
 * What the HTTP APIs (gateway.ts and the API files it routes to) may ask of the platform, and the
 * few values and types they share with it. The APIs import this, never platform.ts: the platform
 * attaches them, they do not reach back into it, and they can be tested against a fake.
 */
import type { FunctionManifest, FunctionManifestInput, FunctionSettings, FunctionSettingsInput } from '../core/function-package.ts';
import type { CodeSource } from './code-staging.ts';
import { SYNC_REQUEST_MAX_BYTES, type InvocationResult } from './invocation.ts';
import type { ReapedLeftover } from './leftovers.ts';

/** Lambda's synchronous request limit (invocation.ts), also the bound on any request body read. */
export const MAX_PAYLOAD_BYTES = SYNC_REQUEST_MAX_BYTES;
export const ACCOUNT_ID = '000000000000';

export interface FunctionInfo {
  readonly name: string;
  readonly arn: string;
  readonly runtime: FunctionManifest['runtime'];
  readonly runtimeId: string;
  readonly handler: string;
  readonly settings: FunctionSettings;
  readonly inputs: Record<string, unknown>;
  readonly codeSize: number;
  readonly codeSha256: string;
  readonly lastModified: string;
  readonly revision: number;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** What the OpenFaaS status routes count as replicas. */
export interface InstanceView {
  readonly live: boolean;
  readonly phase: string;
}

export interface PlatformApi {
  /** Echoed as they are (healthz, Lambda's FaasbenchSettings); the APIs never read a field of them. */
  readonly facts: object;
  readonly reaped: readonly ReapedLeftover[];
  readonly metrics: { readonly registry: { metrics(): Promise<string>; readonly contentType: string } };
  list(): FunctionInfo[];
  /** Throws ResourceNotFound for an unknown name. */
  get(name: string): FunctionInfo;
  /** Creates or replaces a function; a zip is staged off the event loop. */
  deploy(manifest: FunctionManifestInput, code: CodeSource): Promise<FunctionInfo>;
  update(name: string, patch: Partial<FunctionSettingsInput>): FunctionInfo;
  remove(name: string): void;
  /** The result, or null for Event and DryRun calls. */
  invoke(name: string, payload: Buffer, type?: InvocationType, clientContext?: string): Promise<InvocationResult | null>;
  instances(name: string): readonly InstanceView[];
}

/** Accepts a name, a partial ARN or a full ARN, as Lambda does. */
export function functionNameOf(nameOrArn: string): string {
  const match = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}
