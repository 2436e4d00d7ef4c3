/**
 * One unary method of a `.proto` file, as the gRPC provider calls it and the platform's gRPC
 * trigger serves it: its path, its (de)serializers and the field names of its two messages.
 * Messages are plain objects in proto3's JSON shape (64-bit numbers and enums as strings, bytes as
 * base64), so they pass through JSON events and payloads unchanged.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSync, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { FaasbenchError } from '../core/errors.ts';

/** vSwarm's helloworld.proto, shipped with the platform. */
export const HELLOWORLD_PROTO = fileURLToPath(new URL('./protos/helloworld.proto', import.meta.url));
/** What every vSwarm function serves. */
export const DEFAULT_METHOD = 'helloworld.Greeter/SayHello';

export interface GrpcMethod {
  /** `/package.Service/Method`, as sent on the wire. */
  readonly path: string;
  /** `package.Service` and `Method`, for a server's service definition. */
  readonly service: string;
  readonly name: string;
  readonly definition: MethodDefinition<object, object>;
  readonly requestFields: ReadonlySet<string>;
  readonly replyFields: ReadonlySet<string>;
  /** The reply's first string field (HelloReply.message): where a result that is not a reply goes. */
  readonly replyTextField: string | null;
}

const LOAD_OPTIONS = { keepCase: true, longs: String, enums: String, bytes: String, defaults: true, oneofs: true } as const;

interface FieldDescriptor {
  readonly name: string;
  readonly type: string;
}

/**
 * Loads `method` (`package.Service/Method`, a leading slash allowed) from `protoFile`; `option`
 * names the setting in errors. Streaming methods are refused: a call here is one request, one reply.
 */
export function loadGrpcMethod(protoFile: string, method: string, option: { proto: string; method: string }): GrpcMethod {
  const match = /^\/?([\w.]+)\.(\w+)\/(\w+)$/.exec(method);
  if (!match) throw new FaasbenchError('InvalidParameterValue', `${option.method}: expected package.Service/Method (e.g. ${DEFAULT_METHOD}), got "${method}"`);
  const [, pkg, service, name] = match as unknown as [string, string, string, string];
  const definitions = loadProto(protoFile, option.proto);
  const serviceName = `${pkg}.${service}`;
  const serviceDefinition = definitions[serviceName] as Record<string, MethodDefinition<object, object>> | undefined;
  const definition = serviceDefinition && 'format' in serviceDefinition ? undefined : serviceDefinition?.[name];
  if (!definition) {
    throw new FaasbenchError('InvalidParameterValue', `${option.method}: ${protoFile} has no method ${serviceName}/${name} (it has: ${methodsIn(definitions).join(', ') || 'none'})`);
  }
  if (definition.requestStream || definition.responseStream) {
    throw new FaasbenchError('InvalidParameterValue', `${option.method}: ${serviceName}/${name} streams; only unary methods are supported`);
  }
  const replyTypeFields = fieldsOf(definition.responseType.type);
  return {
    path: definition.path,
    service: serviceName,
    name,
    definition,
    requestFields: new Set(fieldsOf(definition.requestType.type).map((f) => f.name)),
    replyFields: new Set(replyTypeFields.map((f) => f.name)),
    replyTextField: replyTypeFields.find((f) => f.type === 'TYPE_STRING')?.name ?? null,
  };
}

function loadProto(protoFile: string, option: string): PackageDefinition {
  if (!existsSync(protoFile)) throw new FaasbenchError('InvalidParameterValue', `${option}: no such file ${protoFile}`);
  try {
    return loadSync(protoFile, LOAD_OPTIONS);
  } catch (err) {
    throw new FaasbenchError('InvalidParameterValue', `${option}: cannot read ${protoFile} as a .proto: ${(err as Error).message}`);
  }
}

function fieldsOf(type: object): FieldDescriptor[] {
  return ((type as { field?: FieldDescriptor[] }).field ?? []).map((f) => ({ name: f.name, type: f.type }));
}

function methodsIn(definitions: PackageDefinition): string[] {
  return Object.entries(definitions).flatMap(([service, def]) => ('format' in def ? [] : Object.keys(def).map((m) => `${service}/${m}`)));
}

/** The names in `message` that `fields` lacks (a typo would otherwise be dropped silently by the encoder). */
export function unknownFields(message: Record<string, unknown>, fields: ReadonlySet<string>): string[] {
  return Object.keys(message).filter((key) => !fields.has(key));
}
