/**
 * The physical limit for the gRPC invoker bench: a bare grpc-js server answering vSwarm's
 * helloworld.Greeter/SayHello (`Hello, <name>`), nothing else. Run by server-processes.ts in its
 * own process; its URL is `grpc://127.0.0.1:<port>`.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { DEFAULT_METHOD, HELLOWORLD_PROTO, loadGrpcMethod } from '../src/platform/grpc-method.ts';
import { serveUntilStopped } from './server-processes.ts';

const method = loadGrpcMethod(HELLOWORLD_PROTO, DEFAULT_METHOD, { proto: 'proto', method: 'method' });
const server = new Server();
server.addService(
  { [method.name]: method.definition },
  {
    [method.name]: (call: ServerUnaryCall<{ name?: string }, object>, reply: sendUnaryData<object>) => reply(null, { message: `Hello, ${call.request.name ?? ''}` }),
  },
);
const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));

serveUntilStopped({
  url: `grpc://127.0.0.1:${port}`,
  info: {},
  stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
});
