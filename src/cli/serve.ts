/**
 * `faasbench serve`: the read-only dashboard over a store (src/web), until Ctrl-C. Binds loopback
 * unless --host says otherwise, and then only with --token.
 */
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { openStore } from '../store/index.ts';
import { requireSafeBinding } from '../web/auth.ts';
import { DEFAULT_PORT } from '../web/port.ts';
import { positiveInt } from './option-parsers.ts';
import { READ_ONLY } from './store-path.ts';

const MAX_PORT = 65_535;

interface ServeOptions {
  port: string;
  host: string;
  token?: string;
  store?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the runs dashboard: live status and progress, run detail with charts, comparison of two runs (read-only)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--token <secret>', 'required from every request: "Authorization: Bearer <secret>" or ?token=<secret>')
    .option('--store <target>', 'SQLite file or postgres:// URL (default: $FAASBENCH_STORE or ./faasbench.db)')
    .action(async (opts: ServeOptions) => {
      const port = positiveInt(opts.port, '--port', 0);
      if (port > MAX_PORT) throw new FaasbenchError('InvalidParameterValue', `--port: expected 0 to ${MAX_PORT}, got "${opts.port}"`);
      // Before the store opens: a refused address should not create a database file on the way.
      requireSafeBinding(opts.host, opts.token);
      // A store that does not exist is an error naming it: a mistyped --store served as an empty
      // dashboard looks just like a store with no runs yet.
      const store = await openStore(opts.store, READ_ONLY);
      try {
        // The dashboard renders charts (vega, resvg): loaded when it starts, not for `serve --help`.
        const { startDashboard } = await import('../web/index.ts');
        const dashboard = await startDashboard({
          store,
          host: opts.host,
          port,
          ...(opts.token !== undefined ? { token: opts.token } : {}),
          onError: (err, request) => console.error(`faasbench serve: ${request}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
        });
        console.log(`faasbench dashboard on ${dashboard.url}/ (store ${store.location})`);
        if (opts.token !== undefined) console.log('  every request needs the token: "Authorization: Bearer <token>", or open the address with ?token=<token>');
        console.log('  Ctrl-C to stop');
        await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
        await dashboard.close();
      } finally {
        await store.close();
      }
    });
}
