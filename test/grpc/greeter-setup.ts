/**
 * What the grpc provider's tests against a Greeter share, whichever implementation serves it
 * (grpc-js in greeter-server.ts, python3-grpcio in python.ts): the server and a provider on it for
 * the whole file, the acceptance load's checks, and the deadline check.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { NO_FACTS, type InvocationRecord } from '../../src/core/invocation-record.ts';
import type { Provider } from '../../src/core/provider.ts';
import { createGrpcProvider } from '../../src/providers/grpc.ts';
import { constantRun, latenessSummary, RATE, SECONDS } from './constant-run.ts';

export interface Greeter {
  readonly port: number;
  stop(): Promise<void>;
}

export interface GreeterSetup<S extends Greeter> {
  /** Set before the file's first test. */
  readonly server: S;
  /** A grpc provider on 127.0.0.1 and the server's port. */
  readonly grpc: Provider;
}

/** Starts the server and its provider before the file's tests; closes both after them. */
export function useGreeter<S extends Greeter>(start: () => Promise<S>): GreeterSetup<S> {
  const setup = {} as { server: S; grpc: Provider };
  beforeAll(async () => {
    setup.server = await start();
    setup.grpc = await createGrpcProvider({ endpoint: '127.0.0.1', port: setup.server.port });
  });
  afterAll(async () => {
    await setup.grpc?.close();
    await setup.server?.stop();
  });
  return setup;
}

/** The acceptance: constant RATE/s for SECONDS s, every call recorded ok, sent no earlier than planned. */
export async function expectConstantRunOk(grpc: Provider, label: string): Promise<InvocationRecord[]> {
  const records = await constantRun(grpc, 'greeter', { name: 'bench' });
  console.log(`${label}: ${records.length} calls, ${latenessSummary(records)}`);
  expect(records).toHaveLength(RATE * SECONDS);
  expect(records.map((r) => r.seq)).toEqual([...Array(RATE * SECONDS).keys()]);
  for (const r of records) {
    expect(r).toMatchObject({ status: 'ok', errorClass: null, httpStatus: null });
    expect(r.sentUs).toBeGreaterThanOrEqual(r.plannedUs);
    expect(r.receivedUs).toBeGreaterThanOrEqual(r.sentUs!);
  }
  return records;
}

/** A call the server answers after 1 s, with a 100 ms deadline, ends as DEADLINE_EXCEEDED. */
export async function expectDeadlineExceeded(port: number): Promise<void> {
  const hurried = await createGrpcProvider({ endpoint: `127.0.0.1:${port}`, deadlineMs: 100 });
  try {
    expect(await hurried.invoke('greeter', Buffer.from('{"name":"sleep:1000"}'))).toMatchObject({ status: 'transport-error', httpStatus: null, errorClass: 'DEADLINE_EXCEEDED', facts: NO_FACTS });
  } finally {
    await hurried.close();
  }
}
