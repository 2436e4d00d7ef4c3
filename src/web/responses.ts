/**
 * What a route answers before it meets node:http (status, content type, body, extra headers), and
 * how an error becomes one: every JSON error is `{ error: { code, message } }` with a message a
 * person can act on, so a page can show it as it is.
 */
import { isFaasbenchError, type ErrorCode } from '../core/errors.ts';

export interface WebResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

export function jsonResponse(value: unknown, status = 200): WebResponse {
  return { status, type: JSON_TYPE, body: JSON.stringify(value) };
}

export function htmlResponse(text: string, status = 200): WebResponse {
  return { status, type: HTML_TYPE, body: text };
}

/** A refusal the dashboard itself decides on (bad query, wrong method, missing token). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  ResourceNotFound: 404,
  InvalidParameterValue: 400,
  InvalidRequestContent: 400,
  Unauthorized: 401,
  ServiceUnavailable: 503,
};

export interface ErrorView {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Any thrown value as status, code and message. What is neither ours nor the project's (a store
 * that went away, a bug) is a 500 that still says what happened: the dashboard is a local tool,
 * and its user is the one who can fix the store.
 */
export function errorView(err: unknown): ErrorView {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  if (isFaasbenchError(err)) return { status: STATUS_OF[err.code] ?? 500, code: err.code, message: err.message, headers: {} };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, code: 'InternalError', message: `the dashboard could not read the store: ${message}`, headers: {} };
}

export function jsonError(view: ErrorView): WebResponse {
  return { ...jsonResponse({ error: { code: view.code, message: view.message } }, view.status), headers: view.headers };
}
