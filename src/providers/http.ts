/**
 * The `http` provider: invokes any URL, for platforms reached by plain HTTP (Knative services, an
 * API gateway, the local platform's `/fn/<name>/` trigger). It deploys nothing: functions are
 * deployed with their platform's own tooling.
 *
 * `url` and `host` may hold `{fn}`, the function's name, so one provider addresses many functions
 * (Knative routes by Host: `host: "{fn}.default.example.com"` against the ingress's address).
 * `body`, when given, is a template in which `{payload}` is replaced by the payload's text;
 * otherwise the payload is the body. GET sends none. Status: 2xx ok, 429 throttled, other 4xx
 * rejected, 5xx function-error. Facts come from X-Faasbench-* headers when the target sends them.
 */
import { z } from 'zod';
import { FaasbenchError } from '../core/errors.ts';
import { NO_FACTS } from '../core/invocation-record.ts';
import type { CallOptions, InvokeResult, Provider } from '../core/provider.ts';
import { createDispatcher, errorTypeIn, factsFromHeaders, send, statusOfHttp, transportFailure, type ConnectionPool, type HttpReply } from './http-client.ts';
import { connectionFields, parseOptions, type ProviderOptions } from './options.ts';
import { warmRequestPath, warmUpTarget } from './request-warm-up.ts';

const schema = z.strictObject({
  /** The URL to call; `{fn}` is replaced by the function's name. */
  url: z.string().refine((s) => {
    const filled = s.replaceAll('{fn}', 'fn');
    return URL.canParse(filled) && /^https?:$/.test(new URL(filled).protocol);
  }, 'expected an http:// or https:// URL, optionally with {fn}'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  headers: z.record(z.string(), z.string()).default({}),
  /** The Host header, e.g. for Knative's routing; `{fn}` is replaced by the function's name. */
  host: z.string().min(1).optional(),
  /** The body, with `{payload}` replaced by the payload's text. */
  body: z.string().optional(),
  ...connectionFields,
});

type Options = z.output<typeof schema>;

export async function createHttpProvider(options: ProviderOptions = {}): Promise<Provider> {
  const o = parseOptions('http', schema, options);
  return new HttpProvider(o, createDispatcher(null, o));
}

/** Where a function's calls go: worked out once per function, not per call. */
interface Target {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
}

class HttpProvider implements Provider {
  readonly name = 'http';
  readonly #targets = new Map<string, Target>();

  constructor(
    private readonly o: Options,
    private readonly http: ConnectionPool,
  ) {}

  async deploy(): Promise<void> {
    throw cannot('deploy');
  }

  /** Opens connections to each function's origin, the expected calls in flight shared among the origins. */
  async prepare(fns: readonly string[], expectedInFlight: number, options?: { readonly load?: boolean }): Promise<void> {
    if (options?.load) {
      // This provider's settings, aimed at a server of the warm-up's own.
      await warmRequestPath('http', (origin) => {
        const twin = new HttpProvider({ ...this.o, url: `${origin}/{fn}` }, createDispatcher(null, this.o));
        return warmUpTarget(twin, fns[0] ?? 'warm-up');
      });
    }
    const origins = new Set(fns.map((fn) => this.#target(fn).url.origin));
    // Over TLS, a Host of its own is a server name of its own, and the connection is opened again for it.
    if (this.o.host !== undefined && [...origins].some((origin) => origin.startsWith('https:'))) return;
    const each = Math.ceil(expectedInFlight / Math.max(1, origins.size));
    await Promise.all([...origins].map((origin) => this.http.prepare(origin, each)));
  }

  async invoke(fn: string, payload: Buffer, call?: CallOptions): Promise<InvokeResult> {
    const target = this.#target(fn);
    const headers = call?.traceHeaders ? { ...target.headers, ...call.traceHeaders } : target.headers;
    const body = this.o.method === 'GET' ? null : this.o.body !== undefined ? this.o.body.replaceAll('{payload}', payload.toString('utf8')) : payload;
    let reply: HttpReply;
    try {
      reply = await send(this.http, { method: this.o.method, url: target.url, headers, body });
    } catch (err) {
      return transportFailure(err);
    }
    const status = statusOfHttp(reply.status);
    const errorClass = status === 'ok' ? null : (errorTypeIn(reply.body) ?? `HTTP ${reply.status}`);
    return { status, httpStatus: reply.status, payload: reply.body, errorClass, facts: factsFromHeaders(reply.headers) ?? NO_FACTS };
  }

  #target(fn: string): Target {
    let target = this.#targets.get(fn);
    if (!target) {
      const name = encodeURIComponent(fn);
      const headers = { ...this.o.headers, ...(this.o.host ? { host: this.o.host.replaceAll('{fn}', name) } : {}) };
      this.#targets.set(fn, (target = { url: new URL(this.o.url.replaceAll('{fn}', name)), headers }));
    }
    return target;
  }

  async updateConfiguration(): Promise<void> {
    throw cannot('update a configuration');
  }

  async remove(): Promise<void> {
    throw cannot('remove');
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

function cannot(what: string): FaasbenchError {
  return new FaasbenchError(
    'InvalidParameterValue',
    `provider http cannot ${what}: it only invokes URLs; manage the function with its platform's tools or another provider (local, aws-lambda, openfaas)`,
  );
}
