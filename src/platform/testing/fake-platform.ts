/**
 * An in-memory PlatformApi for the gateway's tests. A fake is right here, and only here: what those
 * tests check is the HTTP adapter (routing, decoding, the guard, connection bounds, the APIs' shapes),
 * which talks to the platform through PlatformApi alone; the real platform behind it is tested
 * end to end elsewhere (test/lambda-sdk.test.ts, openfaas-api.test.ts, test/http-trigger.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { FaasbenchError } from '../../core/errors.ts';
import { describeIssues, functionPackageSchema, functionSettingsSchema, type FunctionManifestInput } from '../../core/function-package.ts';
import type { CodeSource } from '../code-staging.ts';
import { FunctionUrls } from '../function-urls.ts';
import type { InvocationResult } from '../invocation.ts';
import {
  ACCOUNT_ID,
  functionNameOf,
  type AccountSettings,
  type AliasInfo,
  type EventInvokeConfig,
  type FunctionInfo,
  type FunctionPatch,
  type InstanceView,
  type InvocationType,
  type InvokeOptions,
  type PlatformApi,
  type ProvisionedInfo,
} from '../platform-api.ts';

/** What a call asked for, so a test can say what ran (and what did not). */
export type FakeCall = { readonly op: 'deploy' | 'update' | 'remove'; readonly name: string } | { readonly op: 'invoke'; readonly name: string; readonly type: InvocationType; readonly payload: string };

export class FakePlatform implements PlatformApi {
  readonly facts = { isolation: 'none' };
  readonly reaped = [];
  readonly metrics = { registry: { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => '# fake platform\n' } };
  /** Port 0: the fake does not know its gateway's port, so its FunctionUrls name none. */
  readonly functionUrls = new FunctionUrls({ region: 'us-east-1', port: 0 });
  readonly calls: FakeCall[] = [];
  /** The function's answer to a RequestResponse call: by default, the event echoed. Replace to delay it. */
  answer: (name: string, payload: Buffer) => Promise<Buffer> = async (_name, payload) => payload;
  private readonly functions = new Map<string, FunctionInfo>();

  list(): FunctionInfo[] {
    return [...this.functions.values()];
  }

  get(name: string): FunctionInfo {
    const info = this.functions.get(functionNameOf(name));
    if (!info) throw new FaasbenchError('ResourceNotFound', `Function not found: ${name}`);
    return info;
  }

  async deploy(manifestInput: FunctionManifestInput, _code: CodeSource): Promise<FunctionInfo> {
    const parsed = functionPackageSchema.safeParse(manifestInput);
    if (!parsed.success) throw new FaasbenchError('InvalidParameterValue', describeIssues(parsed.error));
    const { name, runtime, handler, inputs, include: _include, inputGenerator: _generator, ...settings } = parsed.data;
    this.calls.push({ op: 'deploy', name });
    const info: FunctionInfo = {
      name,
      arn: `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:${name}`,
      runtime,
      runtimeId: typeof manifestInput.runtime === 'string' ? manifestInput.runtime : runtime,
      handler,
      settings,
      inputs,
      codeSize: 0,
      codeSha256: '',
      lastModified: new Date(0).toISOString(),
      revision: (this.functions.get(name)?.revision ?? 0) + 1,
      version: '$LATEST',
      recorded: { role: 'arn:aws:iam::000000000000:role/fake', architectures: ['x86_64'], tracingMode: 'PassThrough' },
    };
    this.functions.set(name, info);
    return info;
  }

  update(name: string, patch: FunctionPatch): FunctionInfo {
    const current = this.get(name);
    const settings = functionSettingsSchema.parse({ ...current.settings, ...patch.settings });
    this.calls.push({ op: 'update', name: current.name });
    const info = { ...current, settings, revision: current.revision + 1 };
    this.functions.set(current.name, info);
    return info;
  }

  remove(name: string): void {
    const info = this.get(name);
    this.calls.push({ op: 'remove', name: info.name });
    this.functions.delete(info.name);
    this.functionUrls.removeFunction(info.name);
  }

  async invoke(name: string, payload: Buffer, options: InvokeOptions = {}): Promise<InvocationResult | null> {
    const { type = 'RequestResponse' } = options;
    const info = this.get(name);
    this.calls.push({ op: 'invoke', name: info.name, type, payload: payload.toString('utf8') });
    if (type !== 'RequestResponse') return null;
    const answer = await this.answer(info.name, payload);
    const requestId = options.requestId ?? randomUUID();
    return {
      functionName: info.name,
      executedVersion: '$LATEST',
      requestId,
      instanceId: 'fake-instance',
      cold: false,
      durationMs: 1,
      billedMs: 1,
      memoryMb: info.settings.memoryMb,
      maxMemoryMb: 1,
      cpuVcpus: null,
      queueMs: 0,
      outcome: { kind: 'success', payload: answer },
      log: '',
    };
  }

  instances(_name: string): readonly InstanceView[] {
    return [];
  }

  // Versions, aliases, concurrency, tags and code: the gateway's tests do not reach them; the real
  // platform's are tested through AWS's clients (test/lambda-conformance/).
  publishVersion(): FunctionInfo {
    return notFaked('publishVersion');
  }
  versions(name: string): FunctionInfo[] {
    return [this.get(name)];
  }
  aliases(): AliasInfo[] {
    return [];
  }
  alias(): AliasInfo {
    return notFaked('alias');
  }
  createAlias(): AliasInfo {
    return notFaked('createAlias');
  }
  updateAlias(): AliasInfo {
    return notFaked('updateAlias');
  }
  deleteAlias(): void {
    notFaked('deleteAlias');
  }
  reservedConcurrency(): number | undefined {
    return undefined;
  }
  setReservedConcurrency(): void {
    notFaked('setReservedConcurrency');
  }
  accountSettings(): AccountSettings {
    return { concurrentExecutions: 1000, unreservedConcurrentExecutions: 1000, totalCodeSize: 0, functionCount: this.functions.size };
  }
  putProvisioned(): ProvisionedInfo {
    return notFaked('putProvisioned');
  }
  provisioned(): ProvisionedInfo {
    return notFaked('provisioned');
  }
  listProvisioned(): ProvisionedInfo[] {
    return [];
  }
  deleteProvisioned(): void {
    notFaked('deleteProvisioned');
  }
  eventInvokeConfig(): EventInvokeConfig | undefined {
    return undefined;
  }
  putEventInvokeConfig(): EventInvokeConfig {
    return notFaked('putEventInvokeConfig');
  }
  deleteEventInvokeConfig(): void {
    notFaked('deleteEventInvokeConfig');
  }
  tags(): Record<string, string> {
    return {};
  }
  tag(): void {
    notFaked('tag');
  }
  untag(): void {
    notFaked('untag');
  }
  async codeZip(): Promise<Buffer> {
    return notFaked('codeZip');
  }
}

function notFaked(op: string): never {
  throw new Error(`FakePlatform does not fake ${op}: test it against LocalPlatform`);
}
