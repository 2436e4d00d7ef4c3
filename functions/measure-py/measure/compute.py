# The `cpu` and `cpuu` commands: faas_measure's cpu_test and cpu_util_test.
import time


def cpu(args):
    """ms to compute n! with big integers."""
    start = time.perf_counter()
    product = 1
    for i in range(1, args["n"] + 1):
        product *= i
    return (time.perf_counter() - start) * 1000


def cpuu(args):
    """The distinct ms timestamps seen in n iterations of a busy loop. Under a CPU quota the
    instance is descheduled for stretches, which show as gaps between consecutive timestamps."""
    seen = set()
    for _ in range(args["n"]):
        seen.add(int(time.time() * 1000))
    return sorted(seen)
