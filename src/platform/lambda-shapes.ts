/**
 * Lambda's response shapes built from what the platform reports (FunctionConfiguration,
 * AliasConfiguration, provisioned concurrency configs), request parsing with field-naming errors,
 * and Lambda's Marker/MaxItems pagination.
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { describeIssues } from '../core/function-package.ts';
import { parseJsonBody } from './http-io.ts';
import type { AliasInfo, FunctionInfo, PlatformApi, ProvisionedInfo } from './platform-api.ts';

export function parseWith<T extends z.ZodType>(schema: T, body: Buffer, what: string): z.output<T> {
  const result = schema.safeParse(body.length === 0 ? {} : parseJsonBody(body, 'request body'));
  if (!result.success) throw new FaasbenchError('InvalidParameterValue', `${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Absent API fields never override defaults or current settings. */
export { definedFields as defined } from '../core/defined-fields.ts';

/** Lambda's wire format for times: `2026-12-05T06:00:00.000+0000`. */
export const lambdaTime = (iso: string): string => iso.replace('Z', '+0000');

export function configuration(f: FunctionInfo, platform: PlatformApi): Record<string, unknown> {
  return {
    FunctionName: f.name,
    FunctionArn: f.arn,
    Runtime: f.runtimeId,
    Role: f.recorded.role,
    Handler: f.handler,
    CodeSize: f.codeSize,
    CodeSha256: f.codeSha256,
    Description: f.settings.description,
    Timeout: f.settings.timeoutS,
    MemorySize: f.settings.memoryMb,
    LastModified: lambdaTime(f.lastModified),
    Version: f.version,
    RevisionId: String(f.revision),
    Environment: { Variables: f.settings.environment },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: f.recorded.architectures,
    EphemeralStorage: { Size: f.settings.ephemeralStorageMb },
    TracingConfig: { Mode: f.recorded.tracingMode },
    // Not Lambda fields: the local platform's own settings, for tools that know them.
    FaasbenchSettings: { ...f.settings, platform: platform.facts },
  };
}

export function aliasShape(functionArn: string, a: AliasInfo): Record<string, unknown> {
  const weights = Object.keys(a.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {};
  return { AliasArn: `${functionArn}:${a.name}`, Name: a.name, FunctionVersion: a.functionVersion, Description: a.description, RevisionId: a.revisionId, ...weights };
}

export function provisionedShape(p: ProvisionedInfo, functionArn?: string): Record<string, unknown> {
  return {
    ...(functionArn ? { FunctionArn: `${functionArn}:${p.qualifier}` } : {}),
    RequestedProvisionedConcurrentExecutions: p.requested,
    AvailableProvisionedConcurrentExecutions: p.available,
    AllocatedProvisionedConcurrentExecutions: p.allocated,
    Status: p.status,
    LastModified: lambdaTime(p.lastModified),
  };
}

/**
 * One page of `items` after `Marker` (an opaque position: the index as a string here), at most
 * MaxItems (1..10,000; Lambda's default page of 50). NextMarker only when more remain.
 */
export function page<T>(items: readonly T[], url: URL): { items: T[]; nextMarker?: string } {
  const marker = url.searchParams.get('Marker');
  const maxText = url.searchParams.get('MaxItems');
  const start = marker === null ? 0 : Number(marker);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length) throw new FaasbenchError('InvalidParameterValue', `Marker "${marker}" is not one this API returned`);
  const max = maxText === null ? 50 : Number(maxText);
  if (!Number.isSafeInteger(max) || max < 1 || max > 10_000) throw new FaasbenchError('InvalidParameterValue', `MaxItems: expected a whole number from 1 to 10000, got "${maxText}"`);
  const end = Math.min(items.length, start + max);
  return { items: items.slice(start, end), ...(end < items.length ? { nextMarker: String(end) } : {}) };
}
