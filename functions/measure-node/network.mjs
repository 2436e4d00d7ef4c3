// The `net` command: an iperf3 client run, as faas_measure's network_test.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { CommandFailed } from './args.mjs';

/** Beyond the test's own seconds: connecting and exchanging results; then iperf3 is killed. */
const GRACE_S = 5;

/**
 * MEASURE_IPERF3 when set (a path, or a command looked up on PATH); else an iperf3 shipped in the
 * function folder (Lambda has none); else the one on PATH.
 */
function iperf3Binary() {
  if (process.env.MEASURE_IPERF3) return process.env.MEASURE_IPERF3;
  const bundled = path.join(process.env.LAMBDA_TASK_ROOT ?? '.', 'iperf3');
  try {
    accessSync(bundled, constants.X_OK);
    return bundled;
  } catch {
    return 'iperf3';
  }
}

/** Where the missing iperf3 was looked for, for the error. */
function notInstalled() {
  const chosen = process.env.MEASURE_IPERF3;
  const where = chosen ? `MEASURE_IPERF3 is "${chosen}", which is neither on PATH nor an executable file` : 'not on PATH, and no executable iperf3 in the function folder';
  return new CommandFailed(`net: iperf3 is not installed (${where})`);
}

function runIperf3(args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(iperf3Binary(), args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ err, stdout, stderr });
    });
  });
}

/** The numbers faas_measure kept, or the reason there are none. */
function summarise(report, target) {
  if (report.error) throw new CommandFailed(`net: iperf3 could not measure against ${target}: ${report.error}`);
  const bps = report.end?.sum_received?.bits_per_second;
  const sender = report.end?.streams?.[0]?.sender ?? {};
  const { mean_rtt: meanr, min_rtt: minr, max_rtt: maxr } = sender;
  if (![bps, meanr, minr, maxr].every((v) => typeof v === 'number')) {
    throw new CommandFailed(`net: iperf3's report against ${target} lacks end.sum_received.bits_per_second or the sender's RTTs`);
  }
  return { bps, meanr, minr, maxr };
}

export async function net({ serverIp, port, seconds }) {
  const target = `${serverIp}:${port}`;
  const timeoutS = seconds + GRACE_S;
  const { err, stdout, stderr } = await runIperf3(['-c', serverIp, '-p', String(port), '-t', String(seconds), '-J'], timeoutS * 1000);
  if (err?.code === 'ENOENT') throw notInstalled();
  if (err?.killed) throw new CommandFailed(`net: iperf3 against ${target} did not finish within ${timeoutS} s and was killed`);
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new CommandFailed(`net: iperf3 against ${target} printed no JSON report (${err ? err.message : 'exit 0'}): ${stderr.trim()}`);
  }
  return summarise(report, target);
}
