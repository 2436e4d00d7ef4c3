/**
 * The throwaway gRPC server the grpc provider's warm-up calls (request-warm-up.ts): the run's own
 * method, answered with an empty reply, on a loopback port, in this process. Never the target: a
 * call sent to a FaaS platform as warm-up would change what is measured.
 */
import { Server, ServerCredentials, type sendUnaryData } from '@grpc/grpc-js';
import type { GrpcMethod } from '../platform/grpc-method.ts';
import type { WarmUpServer } from './request-warm-up.ts';

export async function startGrpcWarmUpServer(method: GrpcMethod): Promise<WarmUpServer> {
  const server = new Server();
  server.addService({ [method.name]: method.definition }, { [method.name]: (_call: unknown, callback: sendUnaryData<object>) => callback(null, {}) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));
  return { origin: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
}
