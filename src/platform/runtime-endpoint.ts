/**
 * One instance's Runtime API listener: a loopback port of its own, given to the instance as
 * AWS_LAMBDA_RUNTIME_API in Lambda's documented form (host:port, no path). Each connection is held
 * paused until its client is known to be one of the instance's processes (peer-check.ts); any other
 * client (another instance, a local user, a remote one) is cut before a byte is read. The same API
 * is also served on a private channel made at spawn (adopt), which runtimes that know of it use.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { clientSocketInode, heldByAny } from './peer-check.ts';

/**
 * The descriptor at which every runtime process finds its end of the private channel: a socket
 * pair the platform makes when it spawns the instance, so only the instance's processes hold it.
 */
export const RUNTIME_CHANNEL_FD = 3;

/**
 * stdio for a spawned instance (or its launcher): stdout and stderr piped for its log, and a pipe
 * at RUNTIME_CHANNEL_FD, which node makes a socket pair. stdin is a pipe only where a launcher
 * reads its spec from it.
 */
export function instanceStdio(stdin: 'pipe' | 'ignore'): ['pipe' | 'ignore', 'pipe', 'pipe', 'pipe'] {
  return [stdin, 'pipe', 'pipe', 'pipe'];
}

export interface RuntimeEndpointOptions {
  /** The instance's processes now; null when they cannot be told (no isolation: every client is let in). */
  readonly members: () => Iterable<number> | null;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Runtime loops and their children each hold a connection; more than this is not a runtime. */
  readonly maxConnections: number;
  /** Told of each refused client, for the platform's metrics and tests. */
  readonly refused?: () => void;
}

export class RuntimeEndpoint {
  private readonly http: http.Server;
  private readonly listener: net.Server;

  constructor(private readonly options: RuntimeEndpointOptions) {
    this.http = http.createServer({ keepAlive: true }, options.handle);
    // /next is a long poll and a frozen instance holds its connection idle for as long as it sleeps.
    this.http.requestTimeout = 0;
    this.http.keepAliveTimeout = 0;
    this.listener = net.createServer({ pauseOnConnect: true }, (socket) => this.admit(socket));
    this.listener.maxConnections = options.maxConnections;
  }

  /** Listens on a free loopback port and returns it. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(0, '127.0.0.1', () => resolve((this.listener.address() as AddressInfo).port));
    });
  }

  /** Serves the Runtime API on the platform's end of the channel; it needs no peer check. */
  adopt(channel: net.Socket): void {
    this.http.emit('connection', channel);
  }

  close(): void {
    this.listener.close();
    this.http.closeAllConnections();
  }

  private admit(socket: net.Socket): void {
    if (!this.fromInstance(socket)) {
      this.options.refused?.();
      socket.destroy();
      return;
    }
    this.http.emit('connection', socket);
    socket.resume();
  }

  private fromInstance(socket: net.Socket): boolean {
    const members = this.options.members();
    if (members === null) return true;
    const inode = clientSocketInode(socket.remotePort ?? 0, socket.localPort ?? 0);
    return inode !== undefined && heldByAny(inode, members);
  }
}
