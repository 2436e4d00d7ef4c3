/**
 * The trace pipeline's two heavy jobs, each in a fresh process so its peak RSS is its own:
 *
 * 1. Plan generation for the 5-function full-day set (25.3 million calls): time, peak RSS and calls
 *    per second (aim: under 60 s and 200 MB), next to its floor in the same run: drawing two
 *    uniforms per call and writing as many bytes as the plan file holds.
 * 2. Reading a synthetic Azure-size day (46,000 x 1,440, written here first): time and peak RSS,
 *    next to reading the same bytes with nothing else (the disk and page-cache floor).
 *
 *   node bin/run-ts.mjs bench/trace-pipeline.bench.ts [--functions 46000] [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineLine, positiveFlag, printJson, progress } from './bench-cli.ts';
import { writeAzureDay } from './azure-day.ts';
import { fixed, markdownTable, verdict } from './markdown-table.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_TS = path.join(HERE, '../bin/run-ts.mjs');
const FIVE_FN = path.resolve(HERE, '../../shared/traces/invitro-5fn-1440min');
const args = process.argv.slice(2);
const functions = positiveFlag(args.includes('--functions') ? args[args.indexOf('--functions') + 1] : undefined, 'functions', 46_000);
const json = args.includes('--json');

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  calls: number;
  bytes: number;
  functions: number;
}

function child(...jobArgs: string[]): ChildResult {
  return JSON.parse(execFileSync(process.execPath, [RUN_TS, path.join(HERE, 'trace-child.ts'), ...jobArgs], { encoding: 'utf8', maxBuffer: 1 << 20 })) as ChildResult;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'fbtrace-'));
try {
  const machine = await describeMachine();
  progress('planning the 5-function day...');
  const plan = child('plan', FIVE_FN, path.join(work, 'day.fbplan'));
  const floor = child('floor-plan', String(plan.calls), String(plan.bytes), path.join(work, 'floor.bin'));
  rmSync(path.join(work, 'day.fbplan'));
  rmSync(path.join(work, 'floor.bin'));

  progress(`writing a ${functions} x 1,440 Azure-size day...`);
  const dayDir = path.join(work, 'azure-day');
  execFileSync('mkdir', ['-p', dayDir]);
  const written = await writeAzureDay(dayDir, functions, (i) => (i + 1) % 10_000 === 0 && progress(`  ${i + 1} functions written`));
  progress('reading it...');
  const read = child('read', dayDir);
  const raw = child('raw-read', path.join(dayDir, 'invocations.csv'));

  const planAim = plan.seconds < 60 && plan.peakRssMb < 200;
  const out = {
    machine,
    plan: { ...plan, callsPerSecond: plan.calls / plan.seconds, floor, ratioToFloor: plan.seconds / floor.seconds, aimMet: planAim },
    read: { ...read, invocationsCsvBytes: written.bytes, mbPerSecond: written.bytes / 1e6 / read.seconds, raw, ratioToRaw: read.seconds / raw.seconds },
  };
  if (json) printJson(out);
  else {
    console.log(machineLine(machine));
    console.log(
      '\n' +
        markdownTable(
          ['job', 'calls / functions', 'wall s', 'peak RSS MB', 'rate', 'floor s', 'x floor'],
          [
            ['plan 5-fn day (uniform, shift, synthetic)', plan.calls.toLocaleString('en-US'), fixed(plan.seconds, 1), fixed(plan.peakRssMb, 0), `${fixed(plan.calls / plan.seconds / 1e6, 2)} M calls/s`, fixed(floor.seconds, 1), fixed(out.plan.ratioToFloor, 1)],
            [`read ${functions} x 1,440 day (${fixed(written.bytes / 1e6, 0)} MB)`, read.functions.toLocaleString('en-US'), fixed(read.seconds, 1), fixed(read.peakRssMb, 0), `${fixed(out.read.mbPerSecond, 0)} MB/s`, fixed(raw.seconds, 2), fixed(out.read.ratioToRaw, 1)],
          ],
          ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
        ),
    );
    console.log(`\nPlan floor: ${plan.calls.toLocaleString('en-US')} x 2 PRNG draws and ${plan.bytes.toLocaleString('en-US')} bytes written. Read floor: the same file's bytes read, not parsed.`);
    console.log(`Aim (plan under 60 s and 200 MB): ${verdict(planAim)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
