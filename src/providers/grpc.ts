/**
 * The `grpc` provider: unary calls to one method of a `.proto`, by default vSwarm's
 * `helloworld.Greeter/SayHello`, for platforms whose functions are gRPC services (vHive/Knative
 * with vSwarm's functions, the local platform's gRPC trigger). It deploys nothing.
 *
 * A function's address is `endpoint` with `{fn}` replaced by its name (`{fn}` alone by default:
 * the endpoints of an imported vSwarm load.json are host names), with `:port` added when it has
 * none. Each address has a pool of channels sized to the calls in flight (grpc-channel-pool.ts),
 * kept open and reused by every call to it, and made ready before a run's offset 0 (prepare:
 * connected, no call sent). `authority`, when
 * given, is sent as `:authority` on each call, so one ingress address can route by name.
 *
 * The payload (a JSON object) is the request message, over the fields of `request`; the reply is
 * the payload of the result, as JSON. Records carry the gRPC status's name as the error class.
 */
import { readFileSync } from 'node:fs';
import { Client, credentials, Metadata, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { DEFAULT_METHOD, HELLOWORLD_PROTO, loadGrpcMethod, unknownFields, type GrpcMethod } from '../platform/grpc-method.ts';
import { GrpcChannelPool } from './grpc-channel-pool.ts';
import { grpcStatusName, statusOfGrpc } from './grpc-status.ts';
import { startGrpcWarmUpServer } from './grpc-warm-up-server.ts';
import { factsFromHeaders } from './http-client.ts';
import { parseOptions, type ProviderOptions } from './options.ts';
import { warmRequestPath, warmUpTarget } from './request-warm-up.ts';

/** How long prepare waits for a channel to connect: a run must not wait on an address that never answers. */
const READY_WITHIN_MS = 3_000;

const schema = z.strictObject({
  /** host[:port] of a function; `{fn}` is replaced by its name. */
  endpoint: z.string().min(1).default('{fn}'),
  /** Added to an endpoint that names no port (vSwarm's invoker: 80). */
  port: z.number().int().min(1).max(65_535).default(80),
  /** Sent as `:authority`, `{fn}` replaced (e.g. `{fn}.default.example.com` through an ingress). */
  authority: z.string().min(1).optional(),
  /** The .proto file; default vSwarm's helloworld.proto. */
  proto: z.string().min(1).default(HELLOWORLD_PROTO),
  method: z.string().min(1).default(DEFAULT_METHOD),
  /** Request fields every call sends unless its payload sets them; `{fn}` in strings is replaced. */
  request: z.record(z.string(), z.unknown()).default({}),
  /** Metadata (headers) sent with every call, e.g. `{"faasbench-function":"hello"}`. */
  metadata: z.record(z.string(), z.string()).default({}),
  tls: z.boolean().default(false),
  /** PEM roots to trust with `tls` (a self-signed server); default the system's. */
  caFile: z.string().min(1).optional(),
  /** The deadline of each call; past it the call ends as DEADLINE_EXCEEDED. */
  deadlineMs: z.number().int().positive().default(960_000),
  /** HTTP/2 pings on an open channel at this interval (servers may refuse pings more often than every 5 min). */
  keepAliveMs: z.number().int().positive().optional(),
});

type Options = z.output<typeof schema>;

/**
 * `label` names the provider in errors: another provider that calls through this one (knative with
 * protocol=grpc) passes its own name, so a bad option is reported as the user wrote it.
 */
export async function createGrpcProvider(options: ProviderOptions = {}, label = 'grpc'): Promise<Provider> {
  const o = parseOptions(label, schema, options);
  if (o.caFile && !o.tls) throw new FaasbenchError('InvalidParameterValue', `provider ${label}: option "caFile": only used with tls=true`);
  const method = loadGrpcMethod(o.proto, o.method, { proto: `provider ${label}: option "proto"`, method: `provider ${label}: option "method"` });
  const extra = unknownFields(o.request, method.requestFields);
  if (extra.length) throw new FaasbenchError('InvalidParameterValue', `provider ${label}: option "request": ${method.service}/${method.name}'s request has no field ${extra.map((f) => `"${f}"`).join(', ')}`);
  return new GrpcProvider(o, method);
}

class GrpcProvider implements Provider {
  readonly name = 'grpc';
  private readonly pools = new Map<string, GrpcChannelPool>();
  private readonly channelOptions: ChannelOptions;

  constructor(
    private readonly o: Options,
    private readonly method: GrpcMethod,
  ) {
    this.channelOptions = o.keepAliveMs ? { 'grpc.keepalive_time_ms': o.keepAliveMs, 'grpc.keepalive_permit_without_calls': 1 } : {};
  }

  async deploy(): Promise<void> {
    throw cannot('deploy');
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    let request: Record<string, unknown>;
    try {
      request = this.requestFor(fn, payload);
    } catch (err) {
      return { status: 'rejected', httpStatus: null, payload: Buffer.from((err as Error).message), errorClass: 'INVALID_ARGUMENT', facts: NO_FACTS };
    }
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.o.metadata)) metadata.set(key, value);
    // Trace context (traceparent, B3) travels as metadata, where gRPC's OpenTelemetry instrumentation looks for it.
    for (const [key, value] of Object.entries(call?.traceHeaders ?? {})) metadata.set(key.toLowerCase(), value);
    const { definition } = this.method;
    const callOptions = { deadline: Date.now() + this.o.deadlineMs, ...(this.o.authority ? { host: this.o.authority.replaceAll('{fn}', fn) } : {}) };
    const pool = this.pool(fn);
    const channel = pool.acquire();
    return new Promise((resolve) => {
      let initial: Metadata | undefined;
      const pending = channel.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, metadata, callOptions, (err?: ServiceError | null, reply?: object) => {
        pool.release(channel);
        if (err) resolve(failure(err, initial));
        else resolve({ status: 'ok', httpStatus: null, payload: Buffer.from(JSON.stringify(reply ?? {})), errorClass: null, facts: factsIn(initial) ?? NO_FACTS });
      });
      pending.on('metadata', (m: Metadata) => (initial = m));
    });
  }

  /**
   * Connects the channels the calls in flight need, for each function's address (HTTP/2 and, with
   * tls, its handshake), without a call; for a
   * load, first runs this provider's own request path against a gRPC server of its own, so the
   * first calls do not pay for compiling it. Never rejects: an address that does not connect in
   * READY_WITHIN_MS is left to the run's calls, which record what happens.
   */
  async prepare(fns: readonly string[], expectedInFlight: number, options?: { readonly load?: boolean }): Promise<void> {
    if (options?.load) {
      await warmRequestPath(
        'grpc',
        (address) => {
          const twin = new GrpcProvider({ ...this.o, endpoint: address, tls: false, caFile: undefined, authority: undefined }, this.method);
          return warmUpTarget(twin, fns[0] ?? 'warm-up');
        },
        () => startGrpcWarmUpServer(this.method),
      );
    }
    const pools = new Set(fns.map((fn) => this.pool(fn)));
    const channels = [...pools].flatMap((pool) => pool.sizeFor(Math.ceil(expectedInFlight / pools.size)));
    await Promise.all(channels.map((client) => new Promise<void>((resolve) => client.waitForReady(Date.now() + READY_WITHIN_MS, () => resolve()))));
  }

  async updateConfiguration(): Promise<void> {
    throw cannot('update a configuration');
  }

  async remove(): Promise<void> {
    throw cannot('remove');
  }

  async close(): Promise<void> {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }

  /** The channels to `fn`'s address, made on first use and shared by every function there. */
  private pool(fn: string): GrpcChannelPool {
    const filled = this.o.endpoint.replaceAll('{fn}', fn);
    const address = /:\d+$/.test(filled) ? filled : `${filled}:${this.o.port}`;
    let pool = this.pools.get(address);
    if (!pool) {
      const creds = this.o.tls ? credentials.createSsl(this.o.caFile ? readFileSync(this.o.caFile) : null) : credentials.createInsecure();
      pool = new GrpcChannelPool((options) => new Client(address, creds, options), this.channelOptions);
      this.pools.set(address, pool);
    }
    return pool;
  }

  /** `request`'s fields under the payload's; a field the message lacks is refused, not dropped. */
  private requestFor(fn: string, payload: Buffer): Record<string, unknown> {
    const text = payload.toString('utf8').trim();
    const value: unknown = text === '' ? {} : JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`the payload must be a JSON object (the ${this.method.service}/${this.method.name} request), got ${text.slice(0, 80)}`);
    }
    const message = { ...withName(this.o.request, fn), ...(value as Record<string, unknown>) };
    const extra = unknownFields(message, this.method.requestFields);
    if (extra.length) throw new Error(`the request message has no field ${extra.map((f) => `"${f}"`).join(', ')} (it has ${[...this.method.requestFields].join(', ')})`);
    return message;
  }
}

function withName(request: Record<string, unknown>, fn: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).map(([key, value]) => [key, typeof value === 'string' ? value.replaceAll('{fn}', fn) : value]));
}

function failure(err: ServiceError, initial: Metadata | undefined): InvokeResult {
  return { status: statusOfGrpc(err.code), httpStatus: null, payload: Buffer.from(err.details ?? ''), errorClass: grpcStatusName(err.code), facts: factsIn(initial) ?? factsIn(err.metadata) ?? NO_FACTS };
}

/** The platform's ground truth, which the local platform's gRPC trigger sends as x-faasbench-* metadata. */
function factsIn(metadata: Metadata | undefined): ReturnType<typeof factsFromHeaders> {
  if (!metadata) return null;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) headers[key] = typeof value === 'string' ? value : value.toString('utf8');
  return factsFromHeaders(headers);
}

function cannot(what: string): FaasbenchError {
  return new FaasbenchError(
    'InvalidParameterValue',
    `provider grpc cannot ${what}: it only calls gRPC endpoints; manage the function with its platform's tools or another provider (local, aws-lambda, openfaas)`,
  );
}
