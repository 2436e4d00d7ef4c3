/**
 * Lambda's event invoke config: MaximumRetryAttempts and MaximumEventAgeInSeconds for a function's
 * Event calls, which the platform's event queue honours (its `eventRetryAttempts` and
 * `eventMaxAgeS`). Kept for `$LATEST`: a version's settings are immutable here. Destinations
 * (SQS, SNS, EventBridge, another function) are refused: nothing local could receive them.
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { parseWith } from './lambda-shapes.ts';
import { MAX_PAYLOAD_BYTES, type EventInvokeConfig, type PlatformApi } from './platform-api.ts';
import type { RouteContext } from './route-context.ts';

const destination = z.object({ Destination: z.string().optional() }).optional();
const configSchema = z.strictObject({
  MaximumRetryAttempts: z.number().int().min(0).max(2).optional(),
  MaximumEventAgeInSeconds: z.number().int().min(60).max(21_600).optional(),
  DestinationConfig: z.object({ OnSuccess: destination, OnFailure: destination }).optional(),
});

export const putEventInvokeConfig = (ctx: RouteContext): Promise<void> => store(ctx, 'put');
export const updateEventInvokeConfig = (ctx: RouteContext): Promise<void> => store(ctx, 'update');

async function store({ platform, req, res, name, url }: RouteContext, mode: 'put' | 'update'): Promise<void> {
  latestOnly(url);
  const input = parseWith(configSchema, await readBody(req, MAX_PAYLOAD_BYTES), mode === 'put' ? 'PutFunctionEventInvokeConfig' : 'UpdateFunctionEventInvokeConfig');
  if (input.DestinationConfig?.OnSuccess?.Destination || input.DestinationConfig?.OnFailure?.Destination) {
    throw new FaasbenchError('InvalidParameterValue', 'field "DestinationConfig" is not supported: the local platform has no queue, topic or bus to send to (docs/lambda-fidelity.md)');
  }
  const values = { ...(input.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: input.MaximumRetryAttempts } : {}), ...(input.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeS: input.MaximumEventAgeInSeconds } : {}) };
  sendJson(res, 200, shape(platform, name, platform.putEventInvokeConfig(name, values, mode)));
}

export async function getEventInvokeConfig({ platform, res, name, url }: RouteContext): Promise<void> {
  latestOnly(url);
  const config = platform.eventInvokeConfig(name);
  if (!config) throw new FaasbenchError('ResourceNotFound', `The function ${platform.get(name).arn} doesn't have an EventInvokeConfig`);
  sendJson(res, 200, shape(platform, name, config));
}

export async function deleteEventInvokeConfig({ platform, res, name, url }: RouteContext): Promise<void> {
  latestOnly(url);
  platform.deleteEventInvokeConfig(name);
  res.writeHead(204).end();
}

export async function listEventInvokeConfigs({ platform, res, name }: RouteContext): Promise<void> {
  const config = platform.eventInvokeConfig(name);
  sendJson(res, 200, { FunctionEventInvokeConfigs: config ? [shape(platform, name, config)] : [] });
}

function latestOnly(url: URL): void {
  const q = url.searchParams.get('Qualifier');
  if (q !== null && q !== '$LATEST') throw new FaasbenchError('InvalidParameterValue', `Qualifier "${q}": the local platform keeps event invoke config for $LATEST only`);
}

function shape(platform: PlatformApi, name: string, c: EventInvokeConfig): Record<string, unknown> {
  return {
    // A timestamp member: the clients read epoch seconds.
    LastModified: Date.parse(c.lastModified) / 1000,
    FunctionArn: `${platform.get(name).arn}:$LATEST`,
    MaximumRetryAttempts: c.maximumRetryAttempts,
    MaximumEventAgeInSeconds: c.maximumEventAgeS,
    DestinationConfig: { OnSuccess: {}, OnFailure: {} },
  };
}
