"""The BLAS thread settings of a training run (:func:`managed_blas_threads`).

Always: SciPy's own OpenBLAS (pip wheels bundle one for NumPy and one for
SciPy) is held to one thread while a fit runs; see :func:`_limit_foreign_blas`.

Opt-in, with ``skstackedae.set_config(adaptive_blas_threads=True)``: NumPy's
BLAS follows the machine's load (:class:`_LoadWatch`), and fits that overlap
in threads of one process run every BLAS at one thread. Off by default
because OpenBLAS's products differ in their last bits between thread counts
and L-BFGS amplifies that: a fit's result would depend on what else the
machine was doing.
"""

import contextlib
import functools
import os
import threading
import time

import numpy as np
from joblib import cpu_count
from threadpoolctl import ThreadpoolController

from ._config import get_config

#: Seconds between two looks at the machine's load while a run trains.
LOAD_CHECK_SECONDS = 0.2
#: How long a decision on the load carries over to the next phase.
LOAD_MEMORY_SECONDS = 1.0
_last_load = {"at": -np.inf, "threads": None}


@functools.cache
def _controller():
    """The process's thread pools, scanned once (a scan costs 1-3 ms, and
    the BLAS libraries are loaded with NumPy and SciPy, before any fit)."""
    return ThreadpoolController()


def _blas_pools(controller):
    """The BLAS pools of this process, split as (NumPy's, the others).

    NumPy and SciPy wheels each bundle their own OpenBLAS (NumPy's in
    ``numpy.libs`` or ``numpy/.dylibs``, beside or inside NumPy's package
    folder); where one BLAS serves both (conda, system packages) it is
    NumPy's and the others are empty.
    """
    numpy_dir = os.path.dirname(np.__file__)
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    foreign = [lib.filepath for lib in blas if not lib.filepath.startswith(numpy_dir)]
    if len(foreign) == len(blas):
        foreign = []
    network = [lib.filepath for lib in blas if lib.filepath not in foreign]
    return network, foreign


def _limit_foreign_blas(controller):
    """Limit the BLAS libraries that NumPy does not use to one thread.

    L-BFGS-B's update runs in SciPy's OpenBLAS, the network's products in
    NumPy's; with both pools at full size their idle threads spin against
    each other and a fit on 2 cores ran 5x slower (measured on digits,
    64-200-64). L-BFGS-B's vector work gains nothing from threads, so
    SciPy's pool is held to one thread. Where one BLAS serves both nothing
    changes and None is returned.
    """
    _, foreign = _blas_pools(controller)
    if not foreign:
        return None
    return controller.select(filepath=foreign).limit(limits=1)


#: The load watch's clock (a function, so that the tests can step it).
_clock = time.monotonic


def _cpu_seconds():
    """``(busy CPU seconds of the machine, CPU seconds of this process)``
    since boot, or None where the kernel does not say (``/proc/stat`` is
    Linux's)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), time.process_time()


def threads_for_load(before, after, wall, n_cpus, pool):
    """The threads NumPy's BLAS should use, given the CPU time other
    processes took while ``wall`` seconds passed (``before``/``after`` from
    :func:`_cpu_seconds`): the cores they leave free, rounded, between 1
    and the pool's own size.

    With another process's BLAS job on the machine, a digits fit (64-200-
    200-10) took 4.0x its time alone with NumPy's pool at 2 threads on 2
    cores and 1.7x at one thread (threads that wait by spinning lose their
    turn to the neighbour); alone, 2 threads are 1.45x faster than one
    (``benchmarks/bench_load.py``).
    """
    others = max(0.0, (after[0] - before[0]) - (after[1] - before[1])) / wall
    return int(max(1, min(pool, round(n_cpus - others))))


class _LoadWatch:
    """Run by the holder thread: every ``LOAD_CHECK_SECONDS``, fit NumPy's
    BLAS pool to the cores other processes leave free (see
    :func:`threads_for_load`), through a limit it restores when the load
    goes (or when the holder restores everything).

    Only for a BLAS whose pool is process-wide (OpenBLAS on pthreads, as in
    the pip wheels): an OpenMP BLAS takes limits per calling thread, so a
    limit set by the holder would never reach the fitting thread.
    """

    def __init__(self, limiters, controller):
        self.limiters, self.limiter = limiters, None
        self.at, self.sample = _clock(), _cpu_seconds()
        network, _ = _blas_pools(controller)
        self.controller = controller.select(filepath=network)
        libs = self.controller.lib_controllers
        self.pool = self.threads = max([lib.num_threads for lib in libs], default=1)
        # joblib's count follows cgroup quotas and CPU affinity; os.cpu_count does not.
        self.n_cpus = cpu_count()
        per_thread = any(getattr(lib, "threading_layer", None) == "openmp" for lib in libs)
        if self.sample is None or self.pool == 1 or per_thread:
            self.sample = None  # nothing to measure, nothing to lower, or no reach
        elif _clock() - _last_load["at"] < LOAD_MEMORY_SECONDS:
            self.apply(_last_load["threads"])  # the phase before saw this load

    def apply(self, threads):
        if threads == self.threads:
            return
        if self.limiter is not None:
            self.limiter.restore_original_limits()
            self.limiters.remove(self.limiter)
            self.limiter = None
        if threads < self.pool:
            self.limiter = self.controller.limit(limits=threads)
            self.limiters.append(self.limiter)
        self.threads = threads

    def check(self):
        if self.sample is None:
            return
        now, sample = _clock(), _cpu_seconds()
        if now - self.at < 0.5 * LOAD_CHECK_SECONDS:
            return
        threads = threads_for_load(self.sample, sample, now - self.at, self.n_cpus, self.pool)
        self.sample, self.at = sample, now
        _last_load.update(at=now, threads=threads)
        self.apply(threads)

    def stop(self):
        self.sample = None


class _Holder:
    """The one thread that lowers the BLAS limits and restores them, for
    every fit that runs while it lives.

    Why a thread of our own: threadpoolctl (from 3.8) lets only one
    "controlling" thread change a process-wide OpenBLAS pool while that
    thread is alive, and ignores the others (measured: the main thread sets
    1, another thread sets 2 -> 1). Whichever fits overlap, this thread is
    the one that sets and restores.

    With ``adaptive`` (``set_config(adaptive_blas_threads=True)`` in the
    fit that started it) NumPy's pool follows the machine's load while one
    fit runs (:class:`_LoadWatch`); from :meth:`single_threaded` on, every
    BLAS is held to one thread: two fits in threads of one process
    (joblib's threading backend) each ran 2.6x slower than alone with
    NumPy's pool at 2 threads on 2 cores, 1.2x with it at one
    (``benchmarks/bench_load.py --search``).
    """

    def __init__(self, adaptive):
        self.adaptive = adaptive
        self._wake, self._taken, self._one_thread, self._looked = (
            threading.Event() for _ in range(4)
        )
        self._overlap = self._release = self._look = False
        self._thread = threading.Thread(
            target=self._run, daemon=True, name="skstackedae-blas-limit"
        )
        self._thread.start()
        self._taken.wait()

    def single_threaded(self):
        """Hold every BLAS to one thread until :meth:`release`."""
        self._overlap = True
        self._wake.set()
        self._one_thread.wait()

    def look(self):
        """Have the load watch look at the machine now, and return once it
        has acted on what it saw (it otherwise looks every
        ``LOAD_CHECK_SECONDS``): a deterministic step for the tests."""
        self._looked.clear()
        self._look = True
        self._wake.set()
        self._looked.wait()

    def release(self):
        """Restore every setting and end the thread."""
        self._release = True
        self._wake.set()
        self._thread.join()

    def _run(self):
        limiters, watch = [], None
        try:
            limiters.append(_limit_foreign_blas(_controller()))
            if self.adaptive:
                watch = _LoadWatch(limiters, _controller())
        except Exception:  # the limits are only a speed-up: never fail a fit on them
            pass
        self._taken.set()
        limited = False
        while True:
            if self._overlap and not limited:
                limited = True
                if watch is not None:
                    watch.stop()
                try:
                    limiters.append(_controller().limit(limits=1, user_api="blas"))
                except Exception:
                    pass
                self._one_thread.set()
            if self._release:
                break
            self._wake.wait(timeout=None if watch is None else LOAD_CHECK_SECONDS)
            self._wake.clear()
            if watch is not None and not self._release:
                try:
                    watch.check()
                except Exception:
                    watch = None
            if self._look:
                self._look = False
                self._looked.set()
        for limiter in reversed(limiters):  # the last taken recorded the first's limit
            if limiter is not None:
                limiter.restore_original_limits()


_blas_lock = threading.Lock()
_blas_users = 0
_blas_holder = None  # the _Holder while any fit runs


@contextlib.contextmanager
def managed_blas_threads():
    """The BLAS thread settings of a training run, shared by all threads,
    for the block: :func:`_limit_foreign_blas` always; with
    ``adaptive_blas_threads`` also NumPy's pool fitted to the machine's load
    and the overlap rule (see :class:`_Holder`).

    The limits are taken when the first block enters and restored when the
    last one leaves, so overlapping fits (joblib's threading backend, a
    thread pool) never record an already-lowered setting as the one to
    restore: once every fit has returned, every thread setting is as it
    was found. The setting of the fit that enters first decides whether the
    load is watched; a second fit that enters with the setting on, while a
    first started with it on, holds every BLAS to one thread until the last
    one leaves.
    """
    global _blas_users, _blas_holder
    adaptive = get_config()["adaptive_blas_threads"]
    with _blas_lock:
        if _blas_users == 0:
            _blas_holder = _Holder(adaptive)
        elif adaptive and _blas_holder.adaptive:
            _blas_holder.single_threaded()  # both fits go on single-threaded
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                holder, _blas_holder = _blas_holder, None
                holder.release()


def _reset_after_fork():
    # A child forked while a fit held the limit inherits the counters but
    # not the holder thread; its BLAS settings are its own from here on.
    global _blas_lock, _blas_users, _blas_holder
    _blas_lock, _blas_users, _blas_holder = threading.Lock(), 0, None


os.register_at_fork(after_in_child=_reset_after_fork)
