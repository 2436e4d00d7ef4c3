/** What a route's handler is given: the request, its parsed URL, and the function name from its path. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PlatformApi } from './platform-api.ts';

export interface RouteContext {
  readonly platform: PlatformApi;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The route's function-name segment, percent-decoded (routes.ts); '' on routes without one. */
  readonly name: string;
  /** Every named segment of the route's path (`name`, `alias`...), percent-decoded. */
  readonly segments: Readonly<Record<string, string>>;
  /** This request's id, already sent as `x-amzn-RequestId`; an invocation takes it as its own. */
  readonly requestId: string;
}
