/**
 * The `aws-lambda` provider: AWS Lambda through `@aws-sdk/client-lambda`, or any Lambda-compatible
 * endpoint (`endpoint`: the local platform's Lambda API, LocalStack...). The same code path serves
 * both, which is how it is tested without an AWS account.
 *
 * Deploy uploads a zip of the folder (node_modules and `include` files too): CreateFunction, or
 * UpdateFunctionCode then UpdateFunctionConfiguration when the function exists, then waits until
 * it is Active and its last update Successful. Invoke asks for the log tail and reads Lambda's
 * REPORT line: duration, billed duration, memory, max memory used and, on a cold start only, Init
 * Duration. Lambda never says which execution environment served a call, so instanceId stays null.
 *
 * A traced call carries its trace context as headers (aws-trace-header.ts), X-Amzn-Trace-Id among
 * them, so a function with X-Ray active joins the caller's trace.
 *
 * Region and credentials come from the SDK's usual chain (AWS_REGION, AWS_PROFILE, ~/.aws...),
 * else from what `faasbench login aws` stored, which `profile=faasbench` also selects by name
 * (credentials-aws.ts). With `endpoint`, the region defaults to us-east-1 and the credentials are
 * dummies (the platform's token as the access key id when one is given), unless `profile` names
 * real ones.
 *
 * A package whose bytes this target already received is not uploaded again (package-cache.ts):
 * deploy then only updates the configuration, and uploads after all when the function is gone or
 * its CodeSha256 says its code changed since. Option `update` uploads in any case.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
  type LambdaClientConfig,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { FaasbenchError, type ErrorCode } from '../core/errors.ts';
import type { FunctionManifest, FunctionPackage, FunctionSettingsInput } from '../core/function-package.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import { PROVISIONED_ALIAS, type CallOptions, type InvokeResult, type Provider, type Provisioned } from '../core/provider.ts';
import type { Runtime } from '../core/runtime-id.ts';
import { DEFAULT_TIMEOUT_MS, errorTypeIn, statusOfHttp, transportFailure } from './http-client.ts';
import { sendTraceHeaders } from './aws-trace-header.ts';
import { parseReport } from './lambda-report.ts';
import { effectiveManifest, packageZip } from './package-zip.ts';
import { awsAuth } from './credentials-aws.ts';
import { announceUpload, PackageCache, packageHash } from './package-cache.ts';
import { baseUrl, connectionFields, definedFields, parseOptions, type ProviderOptions } from './options.ts';
import { untilReady } from './provisioning.ts';

/** Lambda's identifiers for the runtime families, matching what the local platform runs (Node 20, Python 3.11). */
const DEFAULT_RUNTIMES: Record<Runtime, string> = { nodejs: 'nodejs20.x', python: 'python3.11', provided: 'provided.al2023' };

const schema = z.strictObject({
  region: z.string().min(1).optional(),
  /** A Lambda-compatible endpoint instead of AWS, e.g. http://127.0.0.1:9000. */
  endpoint: baseUrl.optional(),
  /** A profile from ~/.aws for the credentials (and region). */
  profile: z.string().min(1).optional(),
  /** The execution role CreateFunction needs on AWS; a placeholder serves an endpoint. */
  role: z.string().min(1).optional(),
  /** An endpoint's token (the local platform's --token), sent as the access key id. */
  token: z.string().min(1).optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  /** Lambda runtime identifiers per family, e.g. { "nodejs": "nodejs22.x" }. */
  runtimes: z.strictObject({ nodejs: z.string(), python: z.string(), provided: z.string() }).partial().optional(),
  /** How long deploy and update wait for the function to become Active / Successful. */
  readyTimeoutS: z.number().positive().default(300),
  /** Upload the package even when this target already has the same bytes (`--update`). */
  update: z.boolean().default(false),
  ...connectionFields,
});

type Options = z.output<typeof schema>;

/** A function's configuration fields as CreateFunction and UpdateFunctionConfiguration take them. */
type DeploySettings = Record<string, unknown> & { Role: string };

/** The settings UpdateFunctionConfiguration can change. */
const CONFIGURABLE = new Set(['memoryMb', 'timeoutS', 'description', 'environment']);

export async function createAwsLambdaProvider(options: ProviderOptions = {}): Promise<AwsLambdaProvider> {
  return new AwsLambdaProvider(parseOptions('aws-lambda', schema, options));
}

export class AwsLambdaProvider implements Provider {
  readonly name = 'aws-lambda';
  /** Deploy, update and remove: with the SDK's retries, which AWS's control plane throttling needs. */
  readonly controlClient: LambdaClient;
  /** Invocations: one attempt each, so a retry never hides a failure or inflates a latency. */
  readonly invokeClient: LambdaClient;

  private readonly packages = new PackageCache();

  constructor(private readonly options: Options) {
    const config = clientConfig(options);
    this.controlClient = new LambdaClient(config);
    this.invokeClient = new LambdaClient({ ...config, maxAttempts: 1 });
  }

  async deploy(pkg: FunctionPackage, overrides: Partial<FunctionSettingsInput> = {}): Promise<void> {
    const manifest = effectiveManifest(pkg, overrides);
    const zip = packageZip(pkg, overrides);
    const FunctionName = manifest.name;
    const settings = { ...this.configurationOf(manifest), Role: this.role() };
    const hash = packageHash(zip);
    const target = await this.target(FunctionName);
    const previous = this.packages.lastUploaded(target);
    const cached = previous === hash;
    if (cached && !this.options.update && (await this.configureOnly(FunctionName, settings, hash))) {
      announceUpload({ provider: this.name, fn: FunctionName, uploaded: false, reason: 'unchanged' });
    } else {
      await this.upload(FunctionName, zip, settings);
      this.packages.remember(target, hash);
      const reason = this.options.update ? '--update' : cached ? 'changed on the target' : previous === undefined ? 'first upload here' : 'changed';
      announceUpload({ provider: this.name, fn: FunctionName, uploaded: true, reason });
    }
    await this.control(`deploy ${FunctionName}`, async () => {
      await waitUntilFunctionActiveV2({ client: this.controlClient, maxWaitTime: this.options.readyTimeoutS }, { FunctionName });
      await this.waitUpdated(FunctionName);
    });
  }

  /**
   * The cache key: where the package went. The architecture is part of it, since
   * UpdateFunctionCode is what changes it.
   */
  private async target(fn: string): Promise<string> {
    const where = this.options.endpoint ?? `region ${await this.control(`deploy ${fn}`, () => this.controlClient.config.region())}`;
    return `${this.name} ${where} ${this.options.architecture ?? 'default-architecture'} ${fn}`;
  }

  /**
   * Deploys the settings alone, for a package the target already has. False when the target
   * says otherwise (the function is gone, or its code is not these bytes): then it needs the upload.
   */
  private async configureOnly(FunctionName: string, settings: DeploySettings, hash: string): Promise<boolean> {
    try {
      const out = await this.controlClient.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...settings }));
      return out.CodeSha256 === hash;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return false;
      throw sdkError(`deploy ${FunctionName}`, err);
    }
  }

  private async upload(FunctionName: string, zip: Uint8Array, settings: DeploySettings): Promise<void> {
    const architectures = this.options.architecture ? { Architectures: [this.options.architecture] } : {};
    try {
      await this.controlClient.send(new CreateFunctionCommand({ FunctionName, PackageType: 'Zip', Code: { ZipFile: zip }, ...settings, ...architectures }));
    } catch (err) {
      if ((err as Error).name !== 'ResourceConflictException') throw sdkError(`deploy ${FunctionName}`, err);
      await this.control(`deploy ${FunctionName}`, async () => {
        await this.controlClient.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: zip, ...architectures }));
        await this.waitUpdated(FunctionName);
        await this.controlClient.send(new UpdateFunctionConfigurationCommand({ FunctionName, ...settings }));
      });
    }
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    const command = new InvokeCommand({ FunctionName: fn, Payload: payload, LogType: 'Tail' });
    if (call?.traceHeaders) sendTraceHeaders(command, call.traceHeaders);
    try {
      const out = await this.invokeClient.send(command);
      const body = out.Payload ? Buffer.from(out.Payload.buffer, out.Payload.byteOffset, out.Payload.byteLength) : Buffer.alloc(0);
      const report = out.LogResult ? parseReport(Buffer.from(out.LogResult, 'base64').toString('utf8')) : null;
      const facts = report ?? { ...NO_FACTS, requestId: out.$metadata.requestId ?? null };
      const httpStatus = out.StatusCode ?? out.$metadata.httpStatusCode ?? null;
      if (out.FunctionError) return { status: 'function-error', httpStatus, payload: body, errorClass: errorTypeIn(body) ?? out.FunctionError, facts };
      return { status: 'ok', httpStatus, payload: body, errorClass: null, facts };
    } catch (err) {
      return refusal(err) ?? transportFailure(err);
    }
  }

  async updateConfiguration(fn: string, patch: Partial<FunctionSettingsInput>): Promise<void> {
    const unknown = Object.keys(definedFields(patch)).filter((key) => !CONFIGURABLE.has(key));
    if (unknown.length) {
      throw new FaasbenchError('InvalidParameterValue', `provider aws-lambda: Lambda's configuration has no "${unknown.join('", "')}"; settings it can change: ${[...CONFIGURABLE].join(', ')}`);
    }
    await this.control(`update ${fn}`, async () => {
      await this.controlClient.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, ...this.configurationOf(definedFields(patch)) }));
      await this.waitUpdated(fn);
    });
  }

  async remove(fn: string): Promise<void> {
    await this.control(`remove ${fn}`, () => this.controlClient.send(new DeleteFunctionCommand({ FunctionName: fn })));
  }

  /**
   * The same operations as on the local platform's API; on AWS allocation takes minutes (polled
   * every 5 s up to readyTimeoutS) and bills from the moment it is put until unprovision or remove.
   */
  async provision(fn: string, count: number): Promise<Provisioned> {
    const what = `provision ${fn}`;
    const FunctionName = fn;
    const Name = PROVISIONED_ALIAS;
    const local = this.options.endpoint !== undefined;
    return this.control(what, async () => {
      const { Version: version } = await this.controlClient.send(new PublishVersionCommand({ FunctionName }));
      if (version === undefined) throw new FaasbenchError('ServiceUnavailable', `provider aws-lambda: ${what}: PublishVersion answered without a Version`);
      await waitUntilPublishedVersionActive({ client: this.controlClient, maxWaitTime: this.options.readyTimeoutS }, { FunctionName, Qualifier: version });
      try {
        await this.controlClient.send(new CreateAliasCommand({ FunctionName, Name, FunctionVersion: version }));
      } catch (err) {
        if ((err as Error).name !== 'ResourceConflictException') throw err;
        // The alias of an earlier provision: what it still provisions goes before it moves.
        await this.unprovisionIfAny(FunctionName, Name);
        await this.controlClient.send(new UpdateAliasCommand({ FunctionName, Name, FunctionVersion: version }));
      }
      await this.controlClient.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier: Name, ProvisionedConcurrentExecutions: count }));
      const status = async (): Promise<{ status: string | undefined; reason: string | undefined }> => {
        const got = await this.controlClient.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier: Name }));
        return { status: got.Status, reason: got.StatusReason };
      };
      await untilReady(`provider aws-lambda: ${what}`, status, { timeoutS: this.options.readyTimeoutS, intervalMs: local ? 20 : 5000 });
      return { qualifier: Name, version };
    });
  }

  async unprovision(fn: string, qualifier: string): Promise<void> {
    await this.control(`unprovision ${fn}:${qualifier}`, () => this.controlClient.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: qualifier })));
  }

  private async unprovisionIfAny(FunctionName: string, Qualifier: string): Promise<void> {
    try {
      await this.controlClient.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier }));
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException' && (err as Error).name !== 'ProvisionedConcurrencyConfigNotFoundException') throw err;
    }
  }

  async close(): Promise<void> {
    this.controlClient.destroy();
    this.invokeClient.destroy();
  }

  /** Lambda's configuration fields for the settings given (all of a manifest, or a patch). */
  private configurationOf(s: Partial<FunctionManifest>): Record<string, unknown> {
    const runtime = s.runtime ? { Runtime: this.options.runtimes?.[s.runtime] ?? DEFAULT_RUNTIMES[s.runtime] } : {};
    return {
      ...runtime,
      ...(s.handler !== undefined ? { Handler: s.handler } : {}),
      ...(s.memoryMb !== undefined ? { MemorySize: s.memoryMb } : {}),
      // Lambda takes whole seconds.
      ...(s.timeoutS !== undefined ? { Timeout: Math.ceil(s.timeoutS) } : {}),
      ...(s.description !== undefined ? { Description: s.description } : {}),
      ...(s.environment !== undefined ? { Environment: { Variables: s.environment } } : {}),
    };
  }

  private role(): string {
    if (this.options.role) return this.options.role;
    if (this.options.endpoint) return 'arn:aws:iam::000000000000:role/faasbench';
    throw new FaasbenchError('InvalidParameterValue', 'provider aws-lambda: option "role" (the ARN of the functions\' execution role) is required to create a function on AWS');
  }

  private async waitUpdated(FunctionName: string): Promise<void> {
    await waitUntilFunctionUpdatedV2({ client: this.controlClient, maxWaitTime: this.options.readyTimeoutS }, { FunctionName });
  }

  private async control<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw sdkError(what, err);
    }
  }
}

function clientConfig(o: Options): LambdaClientConfig {
  const agent = { keepAlive: true, ...(o.connections ? { maxSockets: o.connections } : {}) };
  const auth = awsAuth(o);
  const region = o.region ?? auth.region;
  const endpoint = o.endpoint ? { endpoint: o.endpoint, region: region ?? 'us-east-1' } : region ? { region } : {};
  const credentials = auth.credentials ? { credentials: auth.credentials } : auth.profile ? { profile: auth.profile } : {};
  return {
    ...endpoint,
    ...credentials,
    requestHandler: { httpAgent: agent, httpsAgent: agent, requestTimeout: o.timeoutMs ?? DEFAULT_TIMEOUT_MS, throwOnRequestTimeout: true },
  };
}

/** A call Lambda answered with an error status (throttled, not found...): a result, not a failure to reach it. */
function refusal(err: unknown): InvokeResult | null {
  const meta = (err as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  const httpStatus = meta?.httpStatusCode;
  if (typeof httpStatus !== 'number') return null;
  const status = statusOfHttp(httpStatus);
  return {
    status: status === 'ok' ? 'rejected' : status,
    httpStatus,
    payload: Buffer.alloc(0),
    errorClass: (err as Error).name,
    facts: { ...NO_FACTS, requestId: meta?.requestId ?? null },
  };
}

const CODE_OF_EXCEPTION: Record<string, ErrorCode> = {
  ResourceNotFoundException: 'ResourceNotFound',
  ResourceConflictException: 'ResourceConflict',
  InvalidParameterValueException: 'InvalidParameterValue',
  RequestTooLargeException: 'RequestTooLarge',
  CodeStorageExceededException: 'RequestTooLarge',
  TooManyRequestsException: 'TooManyRequests',
  AccessDeniedException: 'Unauthorized',
  UnrecognizedClientException: 'Unauthorized',
};

function sdkError(what: string, err: unknown): FaasbenchError {
  if (err instanceof FaasbenchError) return err;
  const e = err as Error;
  return new FaasbenchError(CODE_OF_EXCEPTION[e.name] ?? 'ServiceUnavailable', `provider aws-lambda: ${what}: ${e.name}: ${e.message}`, { cause: err });
}
