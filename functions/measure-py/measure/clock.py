# Wall-clock time in fractional ms, and sleeps that end on time.
import time

# How early the timer hands over to the spin. Sleeps wake up to about a ms late; a longer spin
# outlasts the scheduler's slice on a busy machine (and a small instance's CPU quota) and gets
# preempted, which makes it later, not earlier.
TIMER_MARGIN_MS = 1


def now_ms():
    return time.time() * 1000


def sleep_for(ms):
    """Sleeps `ms` and returns the ms actually slept."""
    start = now_ms()
    time.sleep(ms / 1000)
    # time.sleep keeps to the monotonic clock; by the wall clock it can end a hair early (NTP
    # slewing): spin out the rest, so a sleep never reports (or lasts) less than was asked.
    while now_ms() - start < ms:
        pass
    return now_ms() - start


def sleep_till(target):
    """Sleeps until epoch ms `target` (a timer, then a spin) and returns the epoch ms it woke at."""
    lead = target - now_ms() - TIMER_MARGIN_MS
    if lead > 0:
        time.sleep(lead / 1000)
    while now_ms() < target:
        pass  # spin: the last ms, where a sleep would overshoot
    return now_ms()
