/**
 * How many worker threads send a run's plan (`--workers`): by default one per core the host
 * offers, less one when the target runs on this host (the local platform's instances, or a server
 * under test at a loopback address, need a core as much as the invoker does), and always one where a plan cannot be split or its client spans
 * are sent from one thread. The reason goes with the count, so the run can say its choice.
 */
import { FaasbenchError } from '../core/errors.ts';

export interface WorkerCountInput {
  /** `--workers N`; undefined: the default. */
  readonly requested: number | undefined;
  /** os.availableParallelism() of this host. */
  readonly cores: number;
  /** The target runs on this host (the local platform started for the run, or a loopback address). */
  readonly localTarget: boolean;
  /** A closed-loop (sequential) plan: each call waits for the previous one, so it is one shard. */
  readonly closedLoop: boolean;
  /** Client spans (--otlp, --zipkin) are built and sent on the main thread. */
  readonly spans: boolean;
  /** Each worker needs at least one call of the in-flight bound, which the workers share. */
  readonly maxInFlight: number;
}

export interface WorkerCount {
  readonly count: number;
  /** Why this count, for the run's status line: `2 cores`, `--workers 3`... */
  readonly why: string;
}

export function workerCount(input: WorkerCountInput): WorkerCount {
  if (input.requested !== undefined) return requestedCount(input, input.requested);
  if (input.closedLoop) return { count: 1, why: 'a sequential plan waits for each answer' };
  if (input.spans) return { count: 1, why: 'client spans are sent from one thread' };
  const cores = Math.max(1, input.cores);
  const count = Math.max(1, Math.min(input.maxInFlight, input.localTarget ? cores - 1 : cores));
  const coresText = `${cores} core${cores === 1 ? '' : 's'}`;
  return { count, why: input.localTarget ? `${coresText}, one left to the target on this host` : coresText };
}

function requestedCount(input: WorkerCountInput, n: number): WorkerCount {
  if (n > 1) {
    const refuse = (why: string): never => {
      throw new FaasbenchError('InvalidParameterValue', `--workers ${n}: ${why}; give --workers 1`, { reason: 'usage' });
    };
    if (input.closedLoop) refuse('a sequential plan cannot be split (each call waits for the previous one)');
    if (input.spans) refuse('client spans (--otlp, --zipkin) are sent from one thread');
    if (n > input.maxInFlight) refuse(`the workers share --max-in-flight ${input.maxInFlight}, at least one call each`);
  }
  return { count: n, why: `--workers ${n}` };
}

/** Provider options that name where calls go: http/local/openfaas `url`, grpc `endpoint`, knative `ingress`. */
const ADDRESS_OPTIONS = ['url', 'endpoint', 'ingress'] as const;

/**
 * Whether the target answers on this host, and so needs a core as much as the invoker does: `local`
 * with no URL (the CLI starts the platform here), or any provider whose address is a loopback one
 * (a server under test beside the invoker).
 */
export function targetOnThisHost(provider: string, options: Readonly<Record<string, unknown>>): boolean {
  if (provider === 'local' && options.url === undefined) return true;
  return ADDRESS_OPTIONS.some((name) => isLoopback(options[name]));
}

function isLoopback(address: unknown): boolean {
  if (typeof address !== 'string') return false;
  // grpc's endpoint is host[:port] without a scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `grpc://${address}`;
  try {
    const host = new URL(withScheme).hostname;
    return LOOPBACK.has(host) || host.startsWith('127.');
  } catch {
    return false;
  }
}

const LOOPBACK = new Set(['localhost', '[::1]', '::1']);
