/**
 * The parts of undici the connection pool uses, loaded one by one: undici's index also loads
 * fetch, WebSocket, the cache, the mocks and the proxy agents, and so cost every process that
 * sends a call 20 MB of RSS where these parts cost 10 MB. Types come from the package as usual.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

export const UndiciClient = load('undici/lib/dispatcher/client.js') as typeof Undici.Client;
export const UndiciDispatcher = load('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
export const buildUndiciConnector = load('undici/lib/core/connect.js') as typeof Undici.buildConnector;
export const undiciErrors = load('undici/lib/core/errors.js') as typeof Undici.errors;
/** A handler in undici's current shape: an old-shaped one (onConnect, onHeaders, ...) wrapped, any other as it is. */
export const wrapUndiciHandler = (load('undici/lib/handler/wrap-handler.js') as { wrap(handler: Undici.Dispatcher.DispatchHandler): Undici.Dispatcher.DispatchHandler }).wrap;
