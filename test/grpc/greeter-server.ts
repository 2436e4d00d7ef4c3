/**
 * A Greeter served by grpc-js for the gRPC provider's tests: SayHello answers `hello <name>`, after
 * `sleep:<ms>` in the name has passed, and keeps what each call carried.
 */
import { Server, ServerCredentials, type Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { DEFAULT_METHOD, HELLOWORLD_PROTO, loadGrpcMethod } from '../../src/platform/grpc-method.ts';

export interface SeenCall {
  readonly name: string;
  readonly authority: string;
  /** The client's address and port: one per connection. */
  readonly peer: string;
  readonly metadata: Record<string, unknown>;
}

export interface GreeterServer {
  readonly port: number;
  readonly seen: SeenCall[];
  stop(): Promise<void>;
}

/** Plaintext, or TLS with `tls`'s PEM key and certificate. */
export async function startGreeter(tls?: { key: Buffer; cert: Buffer }): Promise<GreeterServer> {
  const method = loadGrpcMethod(HELLOWORLD_PROTO, DEFAULT_METHOD, { proto: 'proto', method: 'method' });
  const seen: SeenCall[] = [];
  const server = new Server();
  server.addService({ [method.name]: method.definition }, {
    [method.name]: (call: ServerUnaryCall<{ name: string }, object>, callback: sendUnaryData<object>) => {
      const { name } = call.request;
      seen.push({ name, authority: call.getHost(), peer: call.getPeer(), metadata: (call.metadata as Metadata).getMap() });
      const sleep = /^sleep:(\d+)$/.exec(name);
      const answer = (): void => callback(null, { message: `hello ${name}` });
      if (sleep) setTimeout(answer, Number(sleep[1]));
      else answer();
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', tls ? ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }]) : ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    port,
    seen,
    stop: async () => server.forceShutdown(),
  };
}
