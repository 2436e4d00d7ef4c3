# The `net` command: an iperf3 client run, as faas_measure's network_test.
import json
import os
import subprocess

from .args import CommandFailed

# Beyond the test's own seconds: connecting and exchanging results; then iperf3 is killed.
GRACE_S = 5


def _iperf3_binary():
    """MEASURE_IPERF3 when set (a path, or a command looked up on PATH); else an iperf3 shipped in
    the function folder (Lambda has none); else the one on PATH."""
    chosen = os.environ.get("MEASURE_IPERF3")
    if chosen:
        return chosen
    bundled = os.path.join(os.environ.get("LAMBDA_TASK_ROOT", "."), "iperf3")
    return bundled if os.access(bundled, os.X_OK) else "iperf3"


def _not_installed():
    """Where the missing iperf3 was looked for, for the error."""
    chosen = os.environ.get("MEASURE_IPERF3")
    where = f'MEASURE_IPERF3 is "{chosen}", which is neither on PATH nor an executable file' if chosen else "not on PATH, and no executable iperf3 in the function folder"
    return CommandFailed(f"net: iperf3 is not installed ({where})")


def _summarise(report, target):
    """The numbers faas_measure kept, or the reason there are none."""
    if report.get("error"):
        raise CommandFailed(f"net: iperf3 could not measure against {target}: {report['error']}")
    end = report.get("end") or {}
    bps = (end.get("sum_received") or {}).get("bits_per_second")
    streams = end.get("streams") or [{}]
    sender = streams[0].get("sender") or {}
    values = [bps, sender.get("mean_rtt"), sender.get("min_rtt"), sender.get("max_rtt")]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise CommandFailed(f"net: iperf3's report against {target} lacks end.sum_received.bits_per_second or the sender's RTTs")
    return dict(zip(["bps", "meanr", "minr", "maxr"], values))


def net(args):
    target = f"{args['server_ip']}:{args['port']}"
    timeout_s = args["seconds"] + GRACE_S
    argv = [_iperf3_binary(), "-c", args["server_ip"], "-p", str(args["port"]), "-t", str(args["seconds"]), "-J"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s)
    except FileNotFoundError:
        raise _not_installed() from None
    except subprocess.TimeoutExpired:
        raise CommandFailed(f"net: iperf3 against {target} did not finish within {timeout_s} s and was killed") from None
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise CommandFailed(f"net: iperf3 against {target} printed no JSON report (exit {done.returncode}): {done.stderr.strip()}") from None
    return _summarise(report, target)
