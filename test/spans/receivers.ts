/**
 * Collectors for the span tests: plain node:http servers on loopback that keep every request body,
 * an OTLP/HTTP receiver that decodes both of OTLP/HTTP's encodings into flat spans (protobuf with
 * the code OpenTelemetry generated from its own .proto files, JSON by its JSON mapping), and
 * Zipkin's v2 span schema (after zipkin-api's zipkin2-api.yaml) as zod.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import otlpProto from 'otlp-proto-definitions/build/src/generated/root.js';
import { z } from 'zod';

/** How a request's body was encoded, by its content type. */
export type BodyEncoding = 'protobuf' | 'json' | 'other';

export interface Receiver {
  readonly url: string;
  readonly bodies: Array<{ readonly path: string; readonly contentType: string; readonly encoding: BodyEncoding; readonly raw: Buffer; readonly body: string }>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const bodies: Receiver['bodies'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type']);
      const raw = Buffer.concat(chunks);
      bodies.push({ path: req.url ?? '', contentType, encoding: encodingOf(contentType), raw, body: raw.toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function encodingOf(contentType: string): BodyEncoding {
  const type = contentType.split(';')[0]!.trim();
  return type === 'application/x-protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : 'other';
}

/** OTLP's AnyValue in its JSON mapping (opentelemetry-proto common.proto). */
const anyValue = z.union([
  z.strictObject({ stringValue: z.string() }),
  z.strictObject({ boolValue: z.boolean() }),
  z.strictObject({ intValue: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]) }),
  z.strictObject({ doubleValue: z.number() }),
]);
const keyValue = z.object({ key: z.string(), value: anyValue });
const hex = (digits: number) => z.string().regex(new RegExp(`^[0-9a-f]{${digits}}$`));
const nanos = z.union([z.string().regex(/^\d+$/), z.number().int()]);

/**
 * ExportTraceServiceRequest (trace_service.proto, trace.proto) as OTLP/JSON writes it, ids as hex,
 * and as the generated protobuf code's toObject gives it (ids as base64, see PROTO_OBJECT): the same
 * fields either way, so one schema holds both.
 */
function exportTraceServiceRequest(id: (bytes: number) => z.ZodType<string>) {
  return z.object({
    resourceSpans: z.array(
      z.object({
        resource: z.object({ attributes: z.array(keyValue) }),
        scopeSpans: z.array(
          z.object({
            scope: z.object({ name: z.string() }),
            spans: z.array(
              z.object({
                traceId: id(16),
                spanId: id(8),
                parentSpanId: z.union([id(8), z.literal('')]).optional(),
                name: z.string(),
                kind: z.number().int().min(1).max(5),
                startTimeUnixNano: nanos,
                endTimeUnixNano: nanos,
                attributes: z.array(keyValue),
                status: z.object({ code: z.number().int().min(0).max(2) }),
              }),
            ),
          }),
        ),
      }),
    ),
  });
}

const jsonRequest = exportTraceServiceRequest((bytes) => hex(bytes * 2));
/** Base64 of exactly `bytes` bytes, read back as hex so both encodings give the same ids. */
const protoRequest = exportTraceServiceRequest((bytes) =>
  z
    .string()
    .refine((b64) => Buffer.from(b64, 'base64').length === bytes, `${bytes} bytes`)
    .transform((b64) => Buffer.from(b64, 'base64').toString('hex')),
);

/** The generated message type, as much of protobufjs's static API as is used here (root.d.ts types it only as a Root). */
interface GeneratedMessage {
  decode(body: Uint8Array): object;
  toObject(message: object, options: { longs: StringConstructor; bytes: StringConstructor; enums: NumberConstructor; defaults: boolean }): unknown;
}
const ExportTraceServiceRequest = (otlpProto as unknown as { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: GeneratedMessage } } } } } }).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
/** int64 times as decimal strings (exact), bytes as base64, enums as numbers; defaults filled so every span has its status. */
const PROTO_OBJECT = { longs: String, bytes: String, enums: Number, defaults: true } as const;

export interface OtlpSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** 2 SERVER, 3 CLIENT, 1 INTERNAL (SpanKind in trace.proto, shifted by one from the API's enum). */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly error: boolean;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

/** Every span in every request the receiver got, each body decoded by its encoding and checked against OTLP's shape. */
export function otlpSpans(receiver: Receiver): OtlpSpan[] {
  return receiver.bodies.flatMap(({ raw, contentType, encoding }) => {
    if (encoding === 'other') throw new Error(`OTLP request with content type ${contentType}`);
    const request = encoding === 'protobuf' ? protoRequest.parse(ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(raw), PROTO_OBJECT)) : jsonRequest.parse(JSON.parse(raw.toString('utf8')));
    return request.resourceSpans.flatMap((rs) => {
      const service = attributesOf(rs.resource.attributes)['service.name'] as string;
      return rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((s) => ({
          service,
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId || undefined,
          name: s.name,
          kind: s.kind,
          startNs: BigInt(s.startTimeUnixNano),
          endNs: BigInt(s.endTimeUnixNano),
          error: s.status.code === 2,
          attributes: attributesOf(s.attributes),
        })),
      );
    });
  });
}

function attributesOf(list: ReadonlyArray<z.infer<typeof keyValue>>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list) {
    if ('stringValue' in value) out[key] = value.stringValue;
    else if ('boolValue' in value) out[key] = value.boolValue;
    else if ('intValue' in value) out[key] = Number(value.intValue);
    else out[key] = value.doubleValue;
  }
  return out;
}

/** Zipkin's v2 Endpoint: serviceName lower case, addresses optional. */
const endpoint = z.strictObject({
  serviceName: z.string().regex(/^[a-z0-9._-]+$/),
  ipv4: z.string().optional(),
  ipv6: z.string().optional(),
  port: z.number().int().optional(),
});

/** Zipkin's v2 Span (zipkin2-api.yaml): hex ids, integer µs, string tags. */
export const zipkinSpanSchema = z.strictObject({
  traceId: z.string().regex(/^([0-9a-f]{16}|[0-9a-f]{32})$/),
  id: z.string().regex(/^[0-9a-f]{16}$/),
  parentId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  name: z.string().optional(),
  kind: z.enum(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']).optional(),
  timestamp: z.number().int().positive(),
  duration: z.number().int().min(1),
  debug: z.boolean().optional(),
  shared: z.boolean().optional(),
  localEndpoint: endpoint,
  remoteEndpoint: endpoint.optional(),
  annotations: z.array(z.strictObject({ timestamp: z.number().int().positive(), value: z.string() })).optional(),
  tags: z.record(z.string(), z.string()),
});

export type ZipkinSpan = z.infer<typeof zipkinSpanSchema>;

/** Every span the Zipkin receiver got; a body that is not a list of valid v2 spans throws. */
export function zipkinSpans(receiver: Receiver): ZipkinSpan[] {
  return receiver.bodies.flatMap(({ body }) => z.array(zipkinSpanSchema).parse(JSON.parse(body)));
}
