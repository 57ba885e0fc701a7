"""Timing shared by the benchmark scripts."""

import threading
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


def alone_and_two_at_once(make_run):
    """Wall time of one run alone, then of two runs at once in two threads.

    ``make_run()`` returns a fresh zero-argument run (its own state: runs in
    two threads must not share buffers). Returns ``(alone, both, results)``,
    ``results`` being what the two threaded runs returned. Call it under
    the thread limits to compare (e.g. ``threadpool_limits(1)``).
    """
    run = make_run()
    start = time.perf_counter()
    run()
    alone = time.perf_counter() - start
    runs, results = [make_run() for _ in range(2)], []
    threads = [threading.Thread(target=lambda run=run: results.append(run())) for run in runs]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return alone, time.perf_counter() - start, results
