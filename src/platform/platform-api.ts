/**
 * What the HTTP APIs (gateway.ts and the API files it routes to) may ask of the platform, and the
 * few values and types they share with it. The APIs import this, never platform.ts: the platform
 * attaches them, they do not reach back into it, and they can be tested against a fake.
 */
import { FaasbenchError } from '../core/errors.ts';
import type { SpanContext } from '../spans/trace-context.ts';
import type { FunctionManifest, FunctionManifestInput, FunctionSettings, FunctionSettingsInput } from '../core/function-package.ts';
import type { CodeSource } from './code-staging.ts';
import { SYNC_REQUEST_MAX_BYTES, type InvocationResult, type ResponseSink } from './invocation.ts';
import type { ReapedLeftover } from './leftovers.ts';
import type { FunctionUrls } from './function-urls.ts';
import type { XrayTraces } from './xray-traces.ts';

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
  /** `$LATEST` or a published version's number; `arn` is qualified for a published version. */
  readonly version: string;
  /** Lambda's fields the platform keeps as given and reports back, without acting on them. */
  readonly recorded: RecordedFields;
}

export interface RecordedFields {
  readonly role: string;
  readonly architectures: readonly ('x86_64' | 'arm64')[];
  readonly tracingMode: 'Active' | 'PassThrough';
}

/** A published version's counterpart of the manifest input: Lambda's fields as the APIs got them. */
export interface DeployOptions {
  readonly recorded?: Partial<RecordedFields>;
  readonly tags?: Readonly<Record<string, string>>;
  /** Publish a version of the result (Lambda's `Publish: true`). */
  readonly publish?: boolean;
  /** Refuse with PreconditionFailed unless `$LATEST` is at this revision. */
  readonly revisionId?: string;
  /** Check everything, change nothing (UpdateFunctionCode's DryRun). */
  readonly dryRun?: boolean;
}

export interface FunctionPatch {
  readonly settings?: Partial<FunctionSettingsInput>;
  readonly handler?: string;
  readonly runtime?: string;
  readonly recorded?: Partial<RecordedFields>;
  readonly revisionId?: string;
}

export interface AliasInfo {
  readonly name: string;
  readonly functionVersion: string;
  readonly description: string;
  /** Version -> share of calls (0..1) taken from the alias's own version (Lambda's AdditionalVersionWeights). */
  readonly weights: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

export interface AliasSpec {
  readonly functionVersion: string;
  readonly description?: string;
  readonly weights?: Readonly<Record<string, number>>;
}


export interface ProvisionedInfo {
  readonly qualifier: string;
  readonly requested: number;
  /** Instances initialised and waiting for calls. */
  readonly available: number;
  readonly allocated: number;
  readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  readonly statusReason?: string;
  readonly lastModified: string;
}

/** Lambda's event invoke config: how an Event call is retried and how old it may grow. */
export interface EventInvokeConfig {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeS: number;
  readonly lastModified: string;
}

export interface AccountSettings {
  readonly concurrentExecutions: number;
  readonly unreservedConcurrentExecutions: number;
  readonly totalCodeSize: number;
  readonly functionCount: number;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeOptions {
  readonly type?: InvocationType;
  /** Base64 JSON, as the Lambda API's X-Amz-Client-Context carries it. */
  readonly clientContext?: string;
  /** A version or alias; also accepted as `name:qualifier` or a qualified ARN. Default `$LATEST`. */
  readonly qualifier?: string;
  /** The caller's X-Amzn-Trace-Id, whose Root the invocation keeps. */
  readonly traceId?: string;
  /** The caller's span (traceparent or B3): the platform's spans for the call are its children. */
  readonly caller?: SpanContext;
  /** The request id to run under (a function URL's event names it before the call); default a new one. */
  readonly requestId?: string;
  /** Receives a streamed response as it comes (InvokeWithResponseStream, a streaming function URL). */
  readonly stream?: ResponseSink;
}

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
  /** Function URL configs: the URL config API edits them, the URL routes serve them (function-urls.ts). */
  readonly functionUrls: FunctionUrls;
  /** The calls' X-Ray traces, which the X-Ray API serves (xray-api.ts); absent, it answers that there are none. */
  readonly xrayTraces?: XrayTraces;
  /** `$LATEST` of every function, by name. */
  list(): FunctionInfo[];
  /** Throws ResourceNotFound for an unknown name. A qualifier (or `name:qualifier`) names a version or alias. */
  get(name: string, qualifier?: string): FunctionInfo;
  /** Creates or replaces a function; a zip is staged off the event loop. */
  deploy(manifest: FunctionManifestInput, code: CodeSource, options?: DeployOptions): Promise<FunctionInfo>;
  /** Changes `$LATEST`: its settings, handler, runtime and recorded fields. */
  update(name: string, patch: FunctionPatch): FunctionInfo;
  /** The function with every version, or one published version when a qualifier is given. */
  remove(name: string, qualifier?: string): void;

  // Versions and aliases (Lambda's versioning API).
  publishVersion(name: string, options?: { description?: string; codeSha256?: string; revisionId?: string }): FunctionInfo;
  /** `$LATEST` first, then the published versions in order. */
  versions(name: string): FunctionInfo[];
  aliases(name: string): AliasInfo[];
  alias(name: string, alias: string): AliasInfo;
  createAlias(name: string, alias: string, spec: AliasSpec): AliasInfo;
  updateAlias(name: string, alias: string, patch: Partial<AliasSpec>, revisionId?: string): AliasInfo;
  deleteAlias(name: string, alias: string): void;

  // Concurrency.
  reservedConcurrency(name: string): number | undefined;
  setReservedConcurrency(name: string, count: number | undefined): void;
  accountSettings(): AccountSettings;
  putProvisioned(name: string, qualifier: string, count: number): ProvisionedInfo;
  provisioned(name: string, qualifier: string): ProvisionedInfo;
  listProvisioned(name: string): ProvisionedInfo[];
  deleteProvisioned(name: string, qualifier: string): void;

  // Event invoke config, on `$LATEST` (eventRetryAttempts and eventMaxAgeS of its settings).
  eventInvokeConfig(name: string): EventInvokeConfig | undefined;
  /** Put replaces (what is not given returns to Lambda's default); update keeps what is not given. */
  putEventInvokeConfig(name: string, values: { maximumRetryAttempts?: number; maximumEventAgeS?: number }, mode: 'put' | 'update'): EventInvokeConfig;
  deleteEventInvokeConfig(name: string): void;

  // Tags, on the unqualified function.
  tags(name: string): Record<string, string>;
  tag(name: string, tags: Readonly<Record<string, string>>): void;
  untag(name: string, keys: readonly string[]): void;

  /** The deployment package of a version, zipped again from its staged files. */
  codeZip(name: string, qualifier?: string): Promise<Buffer>;
  /** The result, or null for Event and DryRun calls. */
  invoke(name: string, payload: Buffer, options?: InvokeOptions): Promise<InvocationResult | null>;
  instances(name: string): readonly InstanceView[];
}

/** Accepts a name, a partial ARN or a full ARN, as Lambda does. */
export function functionNameOf(nameOrArn: string): string {
  return functionRefOf(nameOrArn).name;
}

/**
 * A name, `name:qualifier`, a partial ARN (`123456789012:function:name[:qualifier]`) or a full ARN,
 * with an explicit qualifier that must agree with one inside the name.
 */
export function functionRefOf(nameOrArn: string, qualifier?: string): { name: string; qualifier: string | undefined } {
  const arn = /(?:^|:)function:([^:]+)(?::([^:]+))?$/.exec(nameOrArn);
  const plain = arn ? undefined : /^([^:]+)(?::([^:]+))?$/.exec(nameOrArn);
  const name = arn?.[1] ?? plain?.[1] ?? nameOrArn;
  const inName = arn?.[2] ?? plain?.[2];
  if (inName !== undefined && qualifier !== undefined && inName !== qualifier) {
    throw new FaasbenchError('InvalidParameterValue', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  return { name, qualifier: qualifier ?? inName };
}
