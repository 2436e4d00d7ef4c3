/**
 * Just enough of `kn` and `kubectl` for vSwarm's load generator (tools/load-generator, `main.py
 * loadgen`) to run end to end without a cluster: it deletes all services, deploys one proxy per
 * trace function (`kubectl apply -f`), waits for them to be ready and reads their URLs from
 * `kn service list`, and only then generates the load. Every stub answers at once, so what is
 * timed is the generator, as a user on a ready cluster would see it.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KUBECTL = `#!/bin/sh
# kubectl apply -f <yaml>: remember the service's metadata.name
name=$(grep -m1 '^  name:' "$3" | awk '{print $2}')
echo "$name" >> "$STUB_STATE"
`;

// kn service list prints NAME URL LATEST AGE CONDITIONS READY REASON; vSwarm reads fields 1, 2 and 9.
const KN = `#!/bin/sh
case "$2" in
delete) : > "$STUB_STATE" ;;
list)
  if [ -s "$STUB_STATE" ]; then
    while read n; do echo "$n http://$n.default.127.0.0.1.sslip.io $n-00001 1s 3 OK / 3 True"; done < "$STUB_STATE"
  else echo "No services found."; fi ;;
esac
`;

/** Writes the stubs under `dir`; returns the environment that puts them first on PATH. */
export function stubCluster(dir: string): NodeJS.ProcessEnv {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, script] of [['kubectl', KUBECTL], ['kn', KN]] as const) {
    writeFileSync(path.join(bin, name), script);
    chmodSync(path.join(bin, name), 0o755);
  }
  // vSwarm refuses to run unless $SHELL is bash (it writes and runs bash scripts per deployment).
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, STUB_STATE: path.join(dir, 'services'), SHELL: '/bin/bash' };
}
