/**
 * The function URLs of the local platform: one config per function and qualifier (none, or an
 * alias), each with a url id of its own, as Lambda's CreateFunctionUrlConfig makes them. The
 * config API (lambda-function-urls.ts) edits this registry; the URL routes (function-url-serve.ts)
 * look configs up by url id. The platform owns one and clears a function's configs when the
 * function goes (removeFunction).
 *
 * A URL is `http://<url-id>.lambda-url.<region>.localhost:<port>/`: curl, browsers and Node resolve
 * every `*.localhost` name to loopback (RFC 6761), so it reaches the platform without DNS; the
 * gateway also serves `/lambda-url/<url-id>/...` on its own address for clients that do not.
 */
import { randomInt } from 'node:crypto';
import { definedFields } from '../core/defined-fields.ts';

export type AuthType = 'NONE' | 'AWS_IAM';
export type InvokeMode = 'BUFFERED' | 'RESPONSE_STREAM';
export const AUTH_TYPES: readonly AuthType[] = ['NONE', 'AWS_IAM'];
export const INVOKE_MODES: readonly InvokeMode[] = ['BUFFERED', 'RESPONSE_STREAM'];

/** Lambda's Cors structure, kept as it was given. */
export interface Cors {
  readonly AllowCredentials?: boolean;
  readonly AllowHeaders?: readonly string[];
  readonly AllowMethods?: readonly string[];
  readonly AllowOrigins?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAge?: number;
}

export interface FunctionUrlConfig {
  readonly functionName: string;
  /** An alias; undefined for the function's own URL (which serves $LATEST). */
  readonly qualifier: string | undefined;
  readonly functionArn: string;
  readonly urlId: string;
  readonly functionUrl: string;
  readonly authType: AuthType;
  readonly cors: Cors | undefined;
  /**
   * As given: Lambda echoes InvokeMode from Create and Update only when a call set it, and
   * Get and List show BUFFERED for a config that never had one.
   */
  readonly invokeMode: InvokeMode | undefined;
  /** Lambda's format, `2024-05-01T12:00:00.123456Z`. */
  readonly creationTime: string;
  readonly lastModifiedTime: string;
}

export interface NewFunctionUrl {
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly functionArn: string;
  readonly authType: AuthType;
  readonly cors: Cors | undefined;
  readonly invokeMode: InvokeMode | undefined;
}

export type FunctionUrlChange = Partial<Pick<FunctionUrlConfig, 'authType' | 'cors' | 'invokeMode'>>;

const URL_ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const URL_ID_LENGTH = 32;

/**
 * `<url-id>.lambda-url.<region>.localhost`, with or without a port: the only Host names the URL
 * routes add to the platform's own (request-guard.ts).
 */
const URL_HOST = /^([a-z0-9]{32})\.lambda-url\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.localhost\.?(?::\d{1,5})?$/i;

/** The url id and region a Host header names, when it is a function URL's host. */
export function parseFunctionUrlHost(host: string | undefined): { readonly urlId: string; readonly region: string } | undefined {
  const match = host === undefined ? null : URL_HOST.exec(host.trim());
  return match ? { urlId: (match[1] as string).toLowerCase(), region: (match[2] as string).toLowerCase() } : undefined;
}

/**
 * The path the gateway routes a request by: a function URL's host goes to the path form,
 * `/lambda-url/<url-id>` before its own path, so that host reaches the URL routes and nothing else.
 */
export function routePathOf(host: string | undefined, pathname: string): string {
  const parsed = parseFunctionUrlHost(host);
  return parsed === undefined ? pathname : `/lambda-url/${parsed.urlId}${pathname}`;
}

export class FunctionUrls {
  private readonly byKey = new Map<string, FunctionUrlConfig>();
  private readonly byUrlId = new Map<string, FunctionUrlConfig>();

  constructor(private readonly where: { readonly region: string; readonly port: number }) {}

  get region(): string {
    return this.where.region;
  }

  /** The URL a url id is served at. */
  urlOf(urlId: string): string {
    return `http://${urlId}.lambda-url.${this.where.region}.localhost:${this.where.port}/`;
  }

  get(functionName: string, qualifier: string | undefined): FunctionUrlConfig | undefined {
    return this.byKey.get(key(functionName, qualifier));
  }

  /** The function's configs, its own first, then its aliases' by ARN. */
  list(functionName: string): FunctionUrlConfig[] {
    return [...this.byKey.values()].filter((c) => c.functionName === functionName).sort((a, b) => (a.functionArn < b.functionArn ? -1 : a.functionArn > b.functionArn ? 1 : 0));
  }

  lookup(urlId: string): FunctionUrlConfig | undefined {
    return this.byUrlId.get(urlId.toLowerCase());
  }

  /** The caller checks that none exists yet (Lambda's ResourceConflict names the ARN). */
  create(input: NewFunctionUrl, now: Date = new Date()): FunctionUrlConfig {
    const urlId = this.newUrlId();
    const time = lambdaTimestamp(now);
    const config: FunctionUrlConfig = { ...input, urlId, functionUrl: this.urlOf(urlId), creationTime: time, lastModifiedTime: time };
    this.store(config);
    return config;
  }

  /** Undefined fields keep their value, as Lambda's UpdateFunctionUrlConfig does. */
  update(functionName: string, qualifier: string | undefined, change: FunctionUrlChange, now: Date = new Date()): FunctionUrlConfig | undefined {
    const current = this.get(functionName, qualifier);
    if (!current) return undefined;
    const config: FunctionUrlConfig = { ...current, ...definedFields(change), lastModifiedTime: lambdaTimestamp(now) };
    this.store(config);
    return config;
  }

  delete(functionName: string, qualifier: string | undefined): boolean {
    const current = this.get(functionName, qualifier);
    if (!current) return false;
    this.byKey.delete(key(functionName, qualifier));
    this.byUrlId.delete(current.urlId);
    return true;
  }

  /** A deleted function takes its URLs (its own and its aliases') with it; a new one gets new ids. */
  removeFunction(functionName: string): void {
    for (const config of this.list(functionName)) this.delete(config.functionName, config.qualifier);
  }

  private store(config: FunctionUrlConfig): void {
    this.byKey.set(key(config.functionName, config.qualifier), config);
    this.byUrlId.set(config.urlId, config);
  }

  private newUrlId(): string {
    // 36^32 ids: a collision is as good as impossible, but the loop keeps ids unique regardless.
    for (;;) {
      let id = '';
      for (let i = 0; i < URL_ID_LENGTH; i++) id += URL_ID_CHARS[randomInt(URL_ID_CHARS.length)];
      if (!this.byUrlId.has(id)) return id;
    }
  }
}

function key(functionName: string, qualifier: string | undefined): string {
  // Names and aliases never contain a slash.
  return `${functionName}/${qualifier ?? ''}`;
}

/** Lambda's URL config timestamps carry microseconds: `2021-10-31T12:00:00.123000Z`. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
