/**
 * `faasbench invoke <fn>`: deploy one function on the local platform and invoke it with a named
 * input (or a payload), N times; the first call is cold. Prints the platform's account of each
 * call and the last response.
 */
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { FaasbenchError } from '../core/errors.ts';
import { defaultDataDir, LocalPlatform } from '../platform/platform.ts';
import type { InvocationResult } from '../platform/invocation.ts';
import { resolveInput } from '../workload/function-inputs.ts';
import { EXIT } from './exit-codes.ts';
import { findPackage, FUNCTIONS_DIR } from './functions-list.ts';

interface InvokeOptions {
  input?: string;
  payload?: string;
  seed: string;
  times: string;
  memory?: string;
  dir: string;
  dataDir: string;
  json?: boolean;
}

export function registerInvoke(program: Command): void {
  program
    .command('invoke <function>')
    .description('deploy a function on the local platform and invoke it (first call cold)')
    .option('--input <name>', 'a named input of the function (test, small, large...)')
    .option('--payload <json>', 'the event as JSON (instead of --input)')
    .option('--seed <n>', 'seed for generated inputs', '42')
    .option('--times <n>', 'number of invocations', '1')
    .option('--memory <mb>', 'memory size for this deployment')
    .option('--dir <dir>', 'folder of function folders', FUNCTIONS_DIR)
    .option('--data-dir <dir>', 'where deployed code is staged', defaultDataDir())
    .option('--json', 'print the invocations and the last response as JSON')
    .action(async (name: string, opts: InvokeOptions) => {
      const pkg = findPackage(name, opts.dir);
      const times = positiveInt(opts.times, '--times');
      const platform = await LocalPlatform.start({ dataDir: opts.dataDir });
      const results: Array<InvocationResult & { clientMs: number }> = [];
      let interrupted = false;
      const onSigint = (): void => {
        interrupted = true;
      };
      process.once('SIGINT', onSigint);
      try {
        const event = await eventFor(pkg, opts, platform.storageUrl);
        platform.deployFolder(pkg.dir, opts.memory ? { memoryMb: positiveInt(opts.memory, '--memory') } : {});
        const payload = Buffer.from(JSON.stringify(event));
        for (let i = 0; i < times && !interrupted; i++) {
          const t0 = performance.now();
          const result = (await platform.invoke(pkg.manifest.name, payload)) as InvocationResult;
          results.push({ ...result, clientMs: performance.now() - t0 });
          if (!opts.json) process.stderr.write(`\r  ${i + 1}/${times} invocations`);
        }
        if (!opts.json) process.stderr.write('\n');
      } finally {
        process.removeListener('SIGINT', onSigint);
        await platform.stop();
      }
      report(results, opts.json === true);
      const failed = results.some((r) => r.outcome.kind !== 'success');
      process.exitCode = interrupted ? EXIT.interrupted : failed ? EXIT.failed : EXIT.ok;
    });
}

async function eventFor(pkg: ReturnType<typeof findPackage>, opts: InvokeOptions, storageUrl: string): Promise<unknown> {
  if (opts.payload !== undefined && opts.input !== undefined) throw new FaasbenchError('InvalidParameterValue', 'give --input or --payload, not both');
  if (opts.payload !== undefined) {
    try {
      return JSON.parse(opts.payload) as unknown;
    } catch (err) {
      throw new FaasbenchError('InvalidParameterValue', `--payload is not valid JSON: ${(err as Error).message}`);
    }
  }
  return opts.input === undefined ? {} : resolveInput(pkg, opts.input, { seed: positiveInt(opts.seed, '--seed', 0), storageUrl });
}

function positiveInt(text: string, flag: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new FaasbenchError('InvalidParameterValue', `${flag}: expected an integer >= ${min}, got "${text}"`);
  return n;
}

function parsePayload(r: InvocationResult): unknown {
  const text = r.outcome.payload.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function report(results: Array<InvocationResult & { clientMs: number }>, json: boolean): void {
  const rows = results.map((r) => ({
    requestId: r.requestId,
    instanceId: r.instanceId,
    start: r.cold ? 'cold' : 'warm',
    status: r.outcome.kind === 'success' ? 'ok' : r.outcome.errorType,
    clientMs: r.clientMs,
    initMs: r.initMs ?? null,
    durationMs: r.durationMs,
    billedMs: r.billedMs,
    maxMemoryMb: r.maxMemoryMb,
  }));
  const last = results.at(-1);
  if (json) {
    console.log(JSON.stringify({ invocations: rows, response: last ? parsePayload(last) : null }, null, 2));
    return;
  }
  const table = new Table({ head: ['#', 'start', 'status', 'client ms', 'init ms', 'duration ms', 'billed ms', 'max memory MB'], style: { head: [], border: [] } });
  rows.forEach((r, i) => table.push([i + 1, r.start, r.status, r.clientMs.toFixed(2), r.initMs === null ? '-' : r.initMs.toFixed(2), r.durationMs.toFixed(2), r.billedMs, r.maxMemoryMb]));
  console.log(table.toString());
  if (last) console.log(JSON.stringify(parsePayload(last), null, 2));
}
