/**
 * How the knative provider's calls reach a Service: through the cluster's ingress (Kourier,
 * Istio...), which routes on the host `<fn>.<namespace>.<domain>`. Over HTTP that host is the Host
 * header and the payload the body. Over gRPC it is the `:authority` and the call is the grpc
 * provider's own (grpc.ts, loaded only then): the same method, request, deadline, metadata and
 * status classes, on one channel to the ingress shared by every function behind it.
 */
import { FaasbenchError } from '../core/errors.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { createDispatcher, errorTypeIn, factsFromHeaders, send, statusOfHttp, transportFailure, type HttpReply } from './http-client.ts';
import { knativeHost } from './knative-manifest.ts';
import type { ProviderOptions } from './options.ts';

/** What invoking needs of a provider: a call, and closing its connections. */
export type IngressCaller = Pick<Provider, 'invoke' | 'close'>;

/** Options of the grpc provider that knative passes on with protocol=grpc; grpc.ts checks them. */
export const GRPC_OPTIONS = ['proto', 'method', 'request', 'metadata', 'deadlineMs', 'tls', 'caFile', 'keepAliveMs'] as const;
/** Options only an HTTP call uses. */
export const HTTP_OPTIONS = ['path', 'contentType'] as const;

export interface IngressOptions extends Partial<Record<(typeof GRPC_OPTIONS)[number], unknown>> {
  readonly protocol: 'http' | 'grpc';
  /** An http(s) URL without a trailing slash. */
  readonly ingress: string;
  readonly namespace: string;
  readonly domain: string;
  readonly path?: string | undefined;
  readonly contentType?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly connections?: number | undefined;
}

/** An option of the other protocol is refused rather than ignored: the user meant something by it. */
export function checkProtocolOptions(o: { readonly protocol: 'http' | 'grpc' } & Readonly<Record<string, unknown>>): void {
  const foreign = o.protocol === 'grpc' ? HTTP_OPTIONS : GRPC_OPTIONS;
  const given = foreign.find((key) => o[key] !== undefined);
  if (given !== undefined) throw new FaasbenchError('InvalidParameterValue', `provider knative: option "${given}": only used with protocol=${o.protocol === 'grpc' ? 'http' : 'grpc'}`);
}

export async function ingressCaller(o: IngressOptions): Promise<IngressCaller> {
  return o.protocol === 'grpc' ? grpcCaller(o) : httpCaller(o);
}

function httpCaller(o: IngressOptions): IngressCaller {
  const http = createDispatcher(new URL(o.ingress).origin, o);
  const url = new URL(`${o.ingress}${o.path ?? '/'}`);
  return {
    invoke: async (fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> => {
      let reply: HttpReply;
      try {
        const headers = { host: knativeHost(fn, o.namespace, o.domain), 'content-type': o.contentType ?? 'application/json', ...call?.traceHeaders };
        reply = await send(http, { method: 'POST', url, headers, body: payload });
      } catch (err) {
        return transportFailure(err);
      }
      const status = statusOfHttp(reply.status);
      const errorClass = status === 'ok' ? null : (errorTypeIn(reply.body) ?? `HTTP ${reply.status}`);
      return { status, httpStatus: reply.status, payload: reply.body, errorClass, facts: factsFromHeaders(reply.headers) ?? NO_FACTS };
    },
    close: () => http.close(),
  };
}

/**
 * The grpc provider aimed at the ingress: h2c unless `tls` (default: an https:// ingress), port
 * the ingress URL's or 80/443, `:authority` Knative's host for the function.
 */
async function grpcCaller(o: IngressOptions): Promise<IngressCaller> {
  const url = new URL(o.ingress);
  const tls = o.tls ?? url.protocol === 'https:';
  const port = url.port === '' ? (tls === true ? 443 : 80) : Number(url.port);
  const passed = Object.fromEntries(GRPC_OPTIONS.map((key) => [key, o[key]]).filter(([, value]) => value !== undefined)) as ProviderOptions;
  const { createGrpcProvider } = await import('./grpc.ts');
  return createGrpcProvider({ ...passed, tls, endpoint: `${url.hostname}:${port}`, authority: knativeHost('{fn}', o.namespace, o.domain) }, 'knative');
}
