/**
 * Bounds on the gateway's connections: a connection with no request in flight is closed after an
 * idle timeout, and the number of open connections is capped below the process's fd limit.
 *
 * Measured on Node 20.20 for a socket that connects and never sends a byte:
 * - `keepAliveTimeout` does nothing: it only starts after a response.
 * - `headersTimeout` and `requestTimeout` close it with a 408, but they are only checked every
 *   `connectionsCheckingInterval` (30 s by default): with 2 s and a 250 ms interval it closed
 *   after 2.01 s; with the default interval after up to timeout + 30 s.
 * - `server.timeout` closes it on time, but also cuts a response that is merely pending: an
 *   invocation may run 900 s with nothing on the wire.
 * Hence a timer per connection, armed whenever no request is in flight. `requestTimeout` (receiving
 * the request) does not touch a pending response (checked: a 3 s response with a 1 s
 * requestTimeout was delivered), so it keeps Node's default and bounds a body sent a byte at a time.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Node's default, restored: the Runtime API's long polls, which needed 0, no longer come here. */
const REQUEST_TIMEOUT_MS = 300_000;

export interface ConnectionLimits {
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
}

export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  // Sent as `Keep-Alive: timeout=N`, so clients drop a pooled connection before we do.
  server.keepAliveTimeout = limits.idleTimeoutMs;
  server.headersTimeout = 60_000;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const tracked = new WeakMap<Socket, IdleTimer>();
  server.on('connection', (socket: Socket) => tracked.set(socket, new IdleTimer(socket, limits.idleTimeoutMs)));
  server.on('request', (req, res) => {
    const timer = tracked.get(req.socket);
    timer?.requestStarted();
    res.once('close', () => timer?.requestEnded());
  });
}

/** Closes its socket once no request has been in flight for the timeout. */
class IdleTimer {
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.arm();
    socket.once('close', () => this.disarm());
  }

  requestStarted(): void {
    this.inFlight += 1;
    this.disarm();
  }

  requestEnded(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0 && !this.socket.destroyed) this.arm();
  }

  private arm(): void {
    this.disarm();
    this.timer = setTimeout(() => this.socket.destroy(), this.timeoutMs);
    this.timer.unref();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * A quarter of the soft open-files limit, at least 256: the rest is for instances' pipes, staged
 * code and the store. Linux's /proc/self/limits; elsewhere the common default of 1024 is assumed.
 */
export function defaultMaxConnections(): number {
  return Math.max(256, Math.floor(openFilesLimit() / 4));
}

function openFilesLimit(): number {
  let text = '';
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return 1024;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  if (soft === 'unlimited') return 65_536;
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : 1024;
}
