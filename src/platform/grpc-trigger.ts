/**
 * The gRPC trigger: the platform serves one unary method (vSwarm's `helloworld.Greeter/SayHello` by
 * default) on a port of its own, so any gRPC client, vSwarm's invoker included, can drive a local
 * function. The request message, as a JSON object, is the function's event; the result is the reply
 * (grpc-trigger-reply.ts). grpc-trigger-route.ts says which function runs.
 *
 * Statuses: an unknown function NOT_FOUND, over the function's or account's limit
 * RESOURCE_EXHAUSTED, a function error UNKNOWN (what gRPC servers answer for a handler's exception)
 * with `<errorType>: <errorMessage>` as details. The platform's ground truth goes with every answer
 * as `x-faasbench-*` metadata (initial metadata on success, trailers on error).
 */
import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js';
import { FaasbenchError } from '../core/errors.ts';
import { DEFAULT_METHOD, HELLOWORLD_PROTO, loadGrpcMethod, type GrpcMethod } from './grpc-method.ts';
import { replyOf } from './grpc-trigger-reply.ts';
import { FUNCTION_METADATA_KEY, routedFunction, ROUTING_HELP } from './grpc-trigger-route.ts';
import { groundTruthHeaders } from './ground-truth.ts';
import type { InvocationResult } from './invocation.ts';
import { MAX_PAYLOAD_BYTES, type InvokeOptions } from './platform-api.ts';
import { callerSpanContext } from '../spans/trace-context.ts';
import { sameSecret } from './request-guard.ts';

export interface GrpcTriggerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default vSwarm's helloworld.proto. */
  readonly proto?: string;
  /** Default `helloworld.Greeter/SayHello`. */
  readonly method?: string;
}

/** What the trigger needs of the platform. */
export interface GrpcTriggerTarget {
  invoke(name: string, payload: Buffer, options?: Pick<InvokeOptions, 'caller'>): Promise<InvocationResult | null>;
}

export interface GrpcTrigger {
  readonly port: number;
  readonly method: string;
  close(): void;
}

interface TriggerContext {
  readonly method: GrpcMethod;
  readonly target: () => GrpcTriggerTarget;
  /** Bearer tokens accepted (the platform's and its invoke-only one); none: no check. */
  readonly tokens: readonly string[];
}

/** Listens on `host`; the port is the option's, or a free one for 0. */
export async function startGrpcTrigger(options: GrpcTriggerOptions, host: string, target: () => GrpcTriggerTarget, tokens: readonly string[]): Promise<GrpcTrigger> {
  const method = loadGrpcMethod(options.proto ?? HELLOWORLD_PROTO, options.method ?? DEFAULT_METHOD, { proto: 'grpc trigger proto', method: 'grpc trigger method' });
  const server = new Server({ 'grpc.max_receive_message_length': MAX_PAYLOAD_BYTES });
  const context: TriggerContext = { method, target, tokens };
  server.addService({ [method.name]: method.definition }, { [method.name]: (call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => void answer(context, call, callback) });
  const address = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => {
      if (!err) return resolve(bound);
      server.forceShutdown();
      reject(new FaasbenchError('InvalidParameterValue', `gRPC trigger port: cannot listen on ${address} (in use by another process, or not an address of this machine; 0 takes any free port): ${err.message}`));
    }),
  );
  return { port, method: `${method.service}/${method.name}`, close: () => server.forceShutdown() };
}

async function answer(context: TriggerContext, call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>): Promise<void> {
  const refusal = refusalOf(context, call);
  if (refusal) return callback(refusal);
  const named = call.metadata.get(FUNCTION_METADATA_KEY)[0];
  const fn = routedFunction(typeof named === 'string' ? named : undefined, call.getHost());
  if (fn === null) return callback({ code: status.NOT_FOUND, details: `no function named: ${ROUTING_HELP}` });
  let result: InvocationResult;
  try {
    const caller = callerSpanContext(headersOf(call.metadata));
    result = (await context.target().invoke(fn, Buffer.from(JSON.stringify(call.request)), caller ? { caller } : {})) as InvocationResult;
  } catch (err) {
    return callback(statusOfRefusal(err, fn));
  }
  const truth = metadataOf(groundTruthHeaders(result));
  if (result.outcome.kind === 'function-error') {
    return callback({ code: status.UNKNOWN, details: errorDetails(result.outcome.payload, result.outcome.errorType), metadata: truth });
  }
  call.sendMetadata(truth);
  callback(null, replyOf(result.outcome.payload, context.method));
}

function refusalOf(context: TriggerContext, call: ServerUnaryCall<object, object>): Partial<StatusObject> | null {
  if (context.tokens.length === 0) return null;
  const offered = /^Bearer (.+)$/.exec(String(call.metadata.get('authorization')[0] ?? ''))?.[1];
  if (offered !== undefined && context.tokens.some((token) => sameSecret(offered, token))) return null;
  return { code: status.UNAUTHENTICATED, details: 'a token is required: send metadata "authorization: Bearer <token>"' };
}

function statusOfRefusal(err: unknown, fn: string): Partial<StatusObject> {
  if (!(err instanceof FaasbenchError)) return { code: status.INTERNAL, details: `the platform failed: ${(err as Error).message}` };
  const code =
    err.code === 'ResourceNotFound' ? status.NOT_FOUND : err.code === 'TooManyRequests' ? status.RESOURCE_EXHAUSTED : err.code === 'RequestTooLarge' || err.code === 'InvalidParameterValue' ? status.INVALID_ARGUMENT : status.INTERNAL;
  return { code, details: err.code === 'ResourceNotFound' ? `no function "${fn}" is deployed (${ROUTING_HELP})` : err.message };
}

function errorDetails(payload: Buffer, errorType: string): string {
  try {
    const message = (JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown }).errorMessage;
    return typeof message === 'string' ? `${errorType}: ${message}` : errorType;
  } catch {
    return errorType;
  }
}

/** Text metadata as headers: the caller's trace context (traceparent, B3) is read from them. */
function headersOf(metadata: Metadata): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata.getMap()).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function metadataOf(headers: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) if (value !== '') metadata.set(key, value);
  return metadata;
}
