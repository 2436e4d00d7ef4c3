/**
 * The subset of AWS X-Ray's API that `@aws-sdk/client-xray` uses to fetch traces:
 * GetTraceSummaries (POST /TraceSummaries) and BatchGetTraces (POST /Traces), answered from the
 * platform's own traces (xray-query.ts) in X-Ray's JSON shapes. Errors come as X-Ray's
 * InvalidRequestException, through the Lambda API's error writer (the same header and body fields).
 */
import { FaasbenchError } from '../core/errors.ts';
import { parseJsonBody, readBody, sendJson } from './http-io.ts';
import type { RouteContext } from './route-context.ts';
import { batchTraces, invalidRequest, traceSummaries } from './xray-query.ts';
import type { XrayTraces } from './xray-traces.ts';

/** A query is a few hundred bytes; anything much larger is not one. */
const MAX_REQUEST_BYTES = 64 * 1024;
const TIME_RANGE_TYPES = ['TraceId', 'Event', 'Service'];

export async function getTraceSummaries({ platform, req, res }: RouteContext): Promise<void> {
  const body = await requestObject(req);
  const startUs = epochUs(body, 'StartTime');
  const endUs = epochUs(body, 'EndTime');
  if (endUs < startUs) throw invalidRequest('EndTime: expected a time at or after StartTime');
  if (typeof body.FilterExpression === 'string' && body.FilterExpression.trim() !== '') {
    throw invalidRequest('FilterExpression: not supported by the local platform; leave it out and filter the summaries that come back');
  }
  if (body.TimeRangeType !== undefined && !TIME_RANGE_TYPES.includes(String(body.TimeRangeType))) {
    throw invalidRequest(`TimeRangeType: expected ${TIME_RANGE_TYPES.join(', ')}, got "${String(body.TimeRangeType)}"`);
  }
  const nextToken = optionalString(body, 'NextToken');
  const page = traceSummaries(tracesOf(platform), { startUs, endUs, nextToken });
  sendJson(res, 200, { TraceSummaries: page.summaries, ApproximateTime: Date.now() / 1000, TracesProcessedCount: page.matched, ...(page.nextToken ? { NextToken: page.nextToken } : {}) });
}

export async function batchGetTraces({ platform, req, res }: RouteContext): Promise<void> {
  const body = await requestObject(req);
  const ids = body.TraceIds;
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) throw invalidRequest('TraceIds: expected a list of 1 to 5 trace ids (strings)');
  const { traces, unprocessed } = batchTraces(tracesOf(platform), ids);
  sendJson(res, 200, { Traces: traces, UnprocessedTraceIds: unprocessed });
}

function tracesOf(platform: RouteContext['platform']): XrayTraces {
  if (!platform.xrayTraces) throw new FaasbenchError('ServiceUnavailable', 'this platform keeps no X-Ray traces');
  return platform.xrayTraces;
}

async function requestObject(req: RouteContext['req']): Promise<Record<string, unknown>> {
  const body = parseJsonBody(await readBody(req, MAX_REQUEST_BYTES), 'request body');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('request body: expected a JSON object');
  return body as Record<string, unknown>;
}

/** The SDK sends timestamps as epoch seconds (with fractions); an ISO 8601 string is taken too. */
function epochUs(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1e6;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) * 1000;
  throw invalidRequest(`${field}: expected a time (epoch seconds), got ${value === undefined ? 'none' : JSON.stringify(value)}`);
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${field}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}
