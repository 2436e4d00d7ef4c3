/**
 * Which function a call to the gRPC trigger runs: the `faasbench-function` metadata key when sent,
 * else the first label of the `:authority` host, as Knative routes vSwarm's functions
 * (`aes-go.default.192.168.1.240.sslip.io:80` runs `aes-go`). An address (127.0.0.1, [::1]) or
 * `localhost` names no function.
 */
import { isIP } from 'node:net';

export const FUNCTION_METADATA_KEY = 'faasbench-function';

export function routedFunction(named: string | undefined, authority: string): string | null {
  if (named) return named;
  const host = authority.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (host === '' || isIP(host) !== 0 || host === 'localhost') return null;
  return host.split('.')[0] || null;
}

export const ROUTING_HELP = `name the function in metadata "${FUNCTION_METADATA_KEY}: <name>" or as the authority's first label (<name>.default.example.com)`;
