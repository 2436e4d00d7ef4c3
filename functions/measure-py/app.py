# The measure function (after faas_measure): runs the commands in `event["cmds"]` and reports what
# each measured, with the handler's start and end times. See README.md for the commands.
import os
import re
import tempfile
import urllib.parse

from measure.args import MISSING, InvalidCommand, expect_flag, expect_integer, expect_number, expect_object, is_number, show
from measure.clock import now_ms, sleep_for, sleep_till
from measure.compute import cpu, cpuu
from measure.disk import io, parse_size
from measure.network import net
from measure.sysinfo import stat

# Lambda's longest timeout: no sleep can usefully be longer.
MAX_SLEEP_MS = 900_000
DAY_MS = 86_400_000
MAX_NET_SECONDS = 10
MAX_FACTORIAL = 200_000
MAX_CPUU = 10_000_000


def parse_sleep_till(value):
    current = now_ms()
    # A target more than a day back is almost surely epoch seconds rather than ms.
    if not (is_number(value) and current - DAY_MS <= value <= current + MAX_SLEEP_MS):
        raise InvalidCommand(f"sleep_till: expected an epoch time in ms within the last day or the next {MAX_SLEEP_MS} ms, got {show(value)}")
    return value


def _is_http_url(url):
    if not (isinstance(url, str) and re.fullmatch(r"https?://\S+", url)):
        return False
    try:
        return bool(urllib.parse.urlsplit(url).hostname)
    except ValueError:
        return False


def parse_stat(value):
    url = expect_flag("stat", value, ["argv", "pub_ip_url"]).get("pub_ip_url", MISSING)
    if url is not MISSING and not _is_http_url(url):
        raise InvalidCommand(f"stat.pub_ip_url: expected an http(s) URL, got {show(url)}")
    return {"pub_ip_url": None if url is MISSING else url}


def max_block_bytes():
    """A block must fit in memory beside the runtime: a quarter of the function's memory at most."""
    try:
        memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    except ValueError:
        memory_mb = 128
    return memory_mb * 1024 * 1024 // 4


def parse_io(value):
    args = expect_object("io", value, ["rd", "size", "cnt"])
    size = parse_size(args.get("size", MISSING))
    if size is None:
        raise InvalidCommand(f"io.size: expected a size like 4096, 64kB, 1K, 1MB or 1M, got {show(args.get('size', MISSING))}")
    if size > max_block_bytes():
        raise InvalidCommand(f"io.size: {show(args['size'])} is over {max_block_bytes()} bytes, a quarter of the function's memory")
    return {
        "rd": expect_integer("io", "rd", args.get("rd", MISSING), 1, 1000),
        "size": size,
        "cnt": expect_integer("io", "cnt", args.get("cnt", MISSING), 1, 1_000_000),
    }


def parse_net(value):
    args = expect_object("net", value, ["server_ip", "port", "seconds"])
    server_ip = args.get("server_ip", MISSING)
    # No leading "-": iperf3 would read it as an option.
    if not (isinstance(server_ip, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.:-]*", server_ip)):
        raise InvalidCommand(f"net.server_ip: expected an IP address or host name, got {show(server_ip)}")
    seconds = args.get("seconds", MISSING)
    return {
        "server_ip": server_ip,
        "port": expect_integer("net", "port", args.get("port", MISSING), 1, 65535),
        "seconds": 2 if seconds is MISSING else expect_integer("net", "seconds", seconds, 1, MAX_NET_SECONDS),
    }


def n_arg(cmd, value, high):
    return {"n": expect_integer(cmd, "n", expect_object(cmd, value, ["n"]).get("n", MISSING), 1, high)}


def ls_tmp(_args):
    return sorted(os.listdir(tempfile.gettempdir()))


# Every command, in the order they run: the sleeps first, so the rest start at a synchronised moment.
COMMANDS = {
    "sleep": (lambda v: expect_number("sleep", None, v, 0, MAX_SLEEP_MS), sleep_for),
    "sleep_till": (parse_sleep_till, sleep_till),
    "stat": (parse_stat, stat),
    "io": (parse_io, io),
    "net": (parse_net, net),
    "cpu": (lambda v: n_arg("cpu", v, MAX_FACTORIAL), cpu),
    "cpuu": (lambda v: n_arg("cpuu", v, MAX_CPUU), cpuu),
    # Last, so it shows what the other commands left in the temp dir.
    "ls_tmp": (lambda v: expect_flag("ls_tmp", v), ls_tmp),
}


def plan(cmds):
    """Checks every command before any runs, so bad input costs nothing and leaves nothing behind."""
    if not isinstance(cmds, dict):
        raise InvalidCommand(f"cmds: expected an object of commands, got {show(cmds)}")
    for name in cmds:
        if name not in COMMANDS:
            raise InvalidCommand(f'unknown command "{name}" (known: {", ".join(COMMANDS)})')
    return [(name, COMMANDS[name][0](cmds[name])) for name in COMMANDS if name in cmds]


def handler(event, context):
    start_time = now_ms()
    steps = plan(event.get("cmds", MISSING) if isinstance(event, dict) else MISSING)
    results = {name: COMMANDS[name][1](args) for name, args in steps}
    end_time = now_ms()
    return {"start_time": start_time, "end_time": end_time, "elapsed_time": end_time - start_time, **results}
