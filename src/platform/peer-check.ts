/**
 * Which processes hold the client end of a loopback TCP connection: the kernel's socket table
 * (/proc/net/tcp) gives the socket's inode, and a process holds the socket when one of its open
 * descriptors links to `socket:[inode]`. This is how an instance's Runtime API port tells its own
 * processes from every other local process: nothing a client sends can forge it.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The inode of the socket whose local port is `clientPort` and remote port `serverPort`, if any. */
export function clientSocketInode(clientPort: number, serverPort: number, table = readTcpTable()): number | undefined {
  const local = `:${hexPort(clientPort)}`;
  const remote = `:${hexPort(serverPort)}`;
  for (const line of table.split('\n')) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.endsWith(local) && fields[2]?.endsWith(remote)) {
      const inode = Number(fields[9]);
      return Number.isSafeInteger(inode) && inode > 0 ? inode : undefined;
    }
  }
  return undefined;
}

/** True when one of `pids` has the socket `inode` open. */
export function heldByAny(inode: number, pids: Iterable<number>): boolean {
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited meanwhile
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return false;
}

function readTcpTable(): string {
  return readFileSync('/proc/net/tcp', 'utf8');
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}
