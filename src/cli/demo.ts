/**
 * `faasbench demo` (what `npm start` runs): starts the local platform, deploys the example
 * functions, invokes each cold and then warm through the Lambda API, and prints what the platform
 * measured beside what the client saw.
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { defaultDataDir, LocalPlatform } from '../platform/platform.ts';
import { EXIT } from './exit-codes.ts';
import { installPath } from '../core/install-path.ts';

const FUNCTIONS_DIR = installPath('../../functions', import.meta.url);
const EXAMPLES = ['hello', 'hello-py', 'hello-sh'];

interface Row {
  function: string;
  start: 'cold' | 'warm';
  status: number;
  clientMs: number;
  initMs: number | null;
  durationMs: number;
  billedMs: number;
  maxMemoryMb: number;
  instanceId: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the local platform, deploy the example functions and invoke each cold and warm')
    .option('--json', 'print the rows as JSON')
    .option('--data-dir <dir>', 'where deployed code and runtime bootstraps are staged', defaultDataDir())
    .action(async (opts: { json?: boolean; dataDir: string }) => {
      const platform = await LocalPlatform.start({ dataDir: opts.dataDir });
      const stop = (): void => {
        void platform.stop().then(() => process.exit(EXIT.interrupted));
      };
      process.once('SIGINT', stop);
      const rows: Row[] = [];
      try {
        for (const name of EXAMPLES) {
          platform.deployFolder(path.join(FUNCTIONS_DIR, name));
          for (const start of ['cold', 'warm'] as const) {
            const row = await invokeOnce(platform.url, name, start);
            rows.push(row);
            if (!opts.json) process.stderr.write(`  ${name} ${start}: ${row.clientMs.toFixed(1)} ms\n`);
          }
        }
      } finally {
        process.removeListener('SIGINT', stop);
        await platform.stop();
      }
      if (opts.json) console.log(JSON.stringify({ platform: platform.facts, rows }, null, 2));
      else printTable(rows, platform.facts);
      process.exitCode = rows.every((r) => r.status === 200) ? EXIT.ok : EXIT.failed;
    });
}

/** One call through the Lambda API over HTTP; the X-Faasbench headers carry the platform's facts. */
function invokeOnce(baseUrl: string, name: string, expected: 'cold' | 'warm'): Promise<Row> {
  const body = Buffer.from(JSON.stringify({ name: 'faasbench' }));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}/2015-03-31/functions/${name}/invocations`, { method: 'POST', headers: { 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => {
        const h = (k: string): string => String(res.headers[`x-faasbench-${k}`] ?? '');
        resolve({
          function: name,
          start: h('cold') === 'true' ? 'cold' : h('cold') === 'false' ? 'warm' : expected,
          status: res.statusCode ?? 0,
          clientMs: performance.now() - t0,
          initMs: h('init-ms') ? Number(h('init-ms')) : null,
          durationMs: Number(h('duration-ms')),
          billedMs: Number(h('billed-ms')),
          maxMemoryMb: Number(h('max-memory-mb')),
          instanceId: h('instance-id'),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function printTable(rows: Row[], facts: LocalPlatform['facts']): void {
  const table = new Table({
    head: ['function', 'start', 'client ms', 'init ms', 'duration ms', 'billed ms', 'max memory MB'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([r.function, r.start, r.clientMs.toFixed(2), r.initMs === null ? '-' : r.initMs.toFixed(2), r.durationMs.toFixed(2), r.billedMs, r.maxMemoryMb]);
  }
  console.log(table.toString());
  console.log(`local platform: isolation ${facts.isolation}, memory limit ${facts.memoryLimit}, cpu limit ${facts.cpuLimit}, freeze ${facts.freeze}`);
}
