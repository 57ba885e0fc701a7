"""Timing shared by the benchmark scripts."""

import time


def best_time(fn, repeat, warm_up=True):
    """The least wall time of ``repeat`` calls of ``fn()``, after one untimed
    call when ``warm_up`` (first-touch allocations, thread start-up)."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
