/**
 * Writes a synthetic trace the size of a raw Azure day (46,000 functions x 1,440 minutes by
 * default) in the raw Azure layout: memory.csv per app. Counts are seeded and shaped like the
 * published trace: most functions are idle most minutes, a few fire every minute, a handful are
 * very busy; about three functions per app.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { createPrng } from '../src/core/prng.ts';

const MINUTES = 1440;
const FUNCTIONS_PER_APP = 3;

const hex = (prng: ReturnType<typeof createPrng>): string => Array.from({ length: 8 }, () => prng.int(0, 0xffff_ffff).toString(16).padStart(8, '0')).join('');

async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  for (const line of lines) {
    bytes += line.length + 1;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

function* invocationRows(functions: number, keys: string[][], onRow: (i: number) => void): Generator<string> {
  yield `HashOwner,HashApp,HashFunction,Trigger,${Array.from({ length: MINUTES }, (_, m) => m + 1).join(',')}`;
  const prng = createPrng(2019, 'azure-day');
  const cells = new Array<number>(MINUTES);
  for (let f = 0; f < functions; f++) {
    const kind = prng.next();
    // 70% rare (a call in ~2% of minutes), 25% steady (0-5 a minute), 5% busy (hundreds a minute).
    const rate = kind < 0.7 ? 0.02 : kind < 0.95 ? 2.5 : 50 + prng.next() * 500;
    for (let m = 0; m < MINUTES; m++) cells[m] = rate < 1 ? (prng.next() < rate ? 1 : 0) : Math.floor(prng.next() * rate * 2);
    yield `${keys[f]!.join(',')},http,${cells.join(',')}`;
    onRow(f);
  }
}

export async function writeAzureDay(dir: string, functions: number, onRow: (i: number) => void): Promise<{ bytes: number }> {
  const prng = createPrng(2019, 'azure-day-keys');
  const keys: string[][] = [];
  for (let f = 0; f < functions; f++) {
    const app = Math.floor(f / FUNCTIONS_PER_APP);
    keys.push([`owner${app.toString(16).padStart(6, '0')}`, `app${app.toString(16).padStart(6, '0')}`, hex(prng)]);
  }
  const bytes = await writeLines(path.join(dir, 'invocations.csv'), invocationRows(functions, keys, onRow));
  await writeLines(
    path.join(dir, 'durations.csv'),
    (function* () {
      yield 'HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100';
      for (const key of keys) yield `${key.join(',')},120,100,1,900,1,2,40,100,150,700,900`;
    })(),
  );
  await writeLines(
    path.join(dir, 'memory.csv'),
    (function* () {
      yield 'HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100';
      for (let f = 0; f < functions; f += FUNCTIONS_PER_APP) yield `${keys[f]![0]},${keys[f]![1]},100,180,120,130,150,170,200,240,300,400`;
    })(),
  );
  return { bytes };
}
