"""BLAS thread handling: SciPy's pool held at one thread and restored, the
opt-in load watch and the overlap rule (adaptive_blas_threads)."""

import contextlib
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import skstackedae
import skstackedae._sparse_autoencoder
import skstackedae._stacked_base
from skstackedae import (
    SparseAutoencoder,
    _solvers,
    _threads,
)
from skstackedae._threads import managed_blas_threads, threads_for_load


def _blas_threads():
    return [
        (lib["filepath"], lib["num_threads"])
        for lib in threadpool_info()
        if lib["user_api"] == "blas"
    ]


def _numpy_blas_paths():
    network, _ = _threads._blas_pools(_threads._controller())
    return network


def _numpy_blas_threads():
    numpy_blas = _numpy_blas_paths()
    return [n for path, n in _blas_threads() if path in numpy_blas]


def _look():
    """The load watch of the running block looks at the machine now."""
    _threads._blas_holder.look()


@pytest.fixture
def machine_load(monkeypatch):
    """Set the CPU time other processes take, in cores. The watch's clock
    and ``_cpu_seconds`` are faked, the watch looks only when a test calls
    :func:`_look` (its timer is an hour), every look sees a full interval,
    and no earlier decision carries over."""
    load, clock = {"others": 0.0}, {"now": 0.0}

    def step():
        clock["now"] += 2 * 3600.0
        return clock["now"]

    monkeypatch.setattr(_threads, "_clock", step)
    monkeypatch.setattr(_threads, "_cpu_seconds", lambda: (clock["now"] * load["others"], 0.0))
    monkeypatch.setattr(_threads, "_last_load", {"at": -np.inf, "threads": None})
    monkeypatch.setattr(_threads, "LOAD_CHECK_SECONDS", 3600.0)
    monkeypatch.setattr(_threads, "LOAD_MEMORY_SECONDS", np.inf)
    with skstackedae.config_context(adaptive_blas_threads=True):
        yield load


@pytest.mark.parametrize("adaptive", [False, True])
def test_thread_limit_is_shared_and_restored_by_the_last_to_leave(adaptive):
    found = _blas_threads()
    inside, release = threading.Barrier(3, timeout=30), threading.Event()
    seen = []

    def hold():
        with managed_blas_threads():
            inside.wait()
            seen.append(_blas_threads())
            release.wait(timeout=30)

    with skstackedae.config_context(adaptive_blas_threads=adaptive):
        threads = [threading.Thread(target=hold) for _ in range(2)]
        for thread in threads:
            thread.start()
        inside.wait()
        release.set()
        for thread in threads:
            thread.join()
    assert _blas_threads() == found
    numpy_blas = _numpy_blas_paths()
    for threads_seen in seen:
        for path, n in threads_seen:
            if adaptive:  # while two adaptive fits overlap, every BLAS runs one thread
                assert n == 1, (seen, found)
            elif path in numpy_blas:  # by default NumPy's pool is left alone
                assert n == dict(found)[path], (seen, found)


@pytest.mark.parametrize(
    "others, n_cpus, pool, expected",
    [
        (0.0, 2, 2, 2),
        (1.0, 2, 2, 1),
        (0.4, 2, 2, 2),
        (2.0, 2, 2, 1),
        (0.3, 8, 8, 8),
        (3.0, 8, 8, 5),
        (0.0, 8, 4, 4),
        (7.5, 8, 8, 1),
    ],
)
def test_threads_for_load_leaves_the_cores_others_take(others, n_cpus, pool, expected):
    # others cores busy for 2 s besides this process's 1.5 CPU seconds.
    before, after = (10.0, 3.0), (10.0 + 2 * others + 1.5, 4.5)
    assert threads_for_load(before, after, 2.0, n_cpus, pool) == expected


def test_cpu_seconds_reads_the_machine_and_this_process():
    sample = _threads._cpu_seconds()
    if sys.platform.startswith("linux"):
        busy, own = sample
        assert busy > 0 and own > 0
        sum(i * i for i in range(200_000))  # some CPU time of our own
        assert _threads._cpu_seconds()[1] > own
    else:  # no /proc/stat: the load is not watched
        assert sample is None


def test_a_loaded_machine_lowers_numpys_pool_during_a_block_and_restores_it(machine_load):
    found = _blas_threads()
    (pool,) = _numpy_blas_threads()
    lowered = 1 if pool > 1 else pool  # a one-thread pool has nothing to give up
    machine_load["others"] = os.cpu_count()  # another job takes every core
    with managed_blas_threads():
        assert _numpy_blas_threads() == [pool]  # before its first look
        _look()
        assert _numpy_blas_threads() == [lowered]
        machine_load["others"] = 0.0  # it ends: the pool grows back
        _look()
        assert _numpy_blas_threads() == [pool]
        machine_load["others"] = os.cpu_count()
        _look()
        assert _numpy_blas_threads() == [lowered]
    assert _blas_threads() == found
    # The next phase starts at the threads the last look chose.
    with managed_blas_threads():
        assert _numpy_blas_threads() == [lowered]
    assert _blas_threads() == found


def test_an_idle_machine_leaves_numpys_pool_alone(machine_load):
    found = _numpy_blas_threads()
    with managed_blas_threads():
        for _ in range(10):
            _look()
            assert _numpy_blas_threads() == found
    assert _numpy_blas_threads() == found


def test_a_lone_block_limits_only_the_foreign_blas(machine_load):
    found = _blas_threads()
    with managed_blas_threads():
        inside = dict(_blas_threads())
    assert _blas_threads() == found
    numpy_blas = _numpy_blas_paths()
    foreign = [path for path, _ in found if path not in numpy_blas]
    if numpy_blas and foreign:  # two OpenBLAS (pip wheels): SciPy's held to 1
        assert all(inside[path] == 1 for path in foreign)
        assert [inside[path] for path in numpy_blas] == [n for p, n in found if p in numpy_blas]


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_a_fit_on_a_loaded_machine_runs_single_threaded_and_restores(
    machine_load, monkeypatch, solver
):
    from sklearn.datasets import load_digits

    import skstackedae._sparse_autoencoder as sae

    X = load_digits().data[:300] / 16.0
    found = _blas_threads()
    (pool,) = _numpy_blas_threads()
    real, seen = sae.autoencoder_loss_grad, []

    def loss_grad(*args, **kwargs):
        seen.append(_numpy_blas_threads()[0])
        if len(seen) == 3:
            _look()  # the watch looks once, between two evaluations
        return real(*args, **kwargs)

    monkeypatch.setattr(sae, "autoencoder_loss_grad", loss_grad)
    machine_load["others"] = os.cpu_count()
    sae.SparseAutoencoder(8, solver=solver, max_iter=40, random_state=0).fit(X)
    assert seen[:3] == [pool] * 3  # before the look
    assert set(seen[3:]) == {1 if pool > 1 else pool}
    assert _blas_threads() == found


def test_partial_fit_leaves_the_blas_threads_alone(monkeypatch):
    # Entering the managed block costs ~3 ms: more than a small epoch.
    import skstackedae._sparse_autoencoder as sae

    entered = []

    @contextlib.contextmanager
    def counted():
        entered.append(1)
        yield

    monkeypatch.setattr(_solvers, "managed_blas_threads", counted)
    X = np.random.default_rng(0).random((50, 6))
    ae = sae.SparseAutoencoder(3, solver="adam", random_state=0)
    ae.partial_fit(X)
    ae.partial_fit(X)
    assert entered == []
    ae.set_params(max_iter=2).fit(X)
    assert entered == [1]


# 2. Overlapping fits restore every thread setting once they have all returned.
def test_overlapping_fits_restore_the_blas_thread_settings(small_digits, monkeypatch):
    X, _ = small_digits
    before = [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]
    real = skstackedae._sparse_autoencoder.autoencoder_loss_grad
    both_inside = threading.Barrier(2, timeout=60)
    first_done = threading.Event()
    calls = {"first": 0, "second": 0}

    def ordered_loss(*args, **kwargs):
        # "first" enters, then "second"; "first" returns; then "second".
        name = threading.current_thread().name
        calls[name] += 1
        if calls[name] == 1:
            both_inside.wait()
        if name == "second" and calls[name] == 2:
            assert first_done.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", ordered_loss)

    def fit(name, max_iter):
        threading.current_thread().name = name
        SparseAutoencoder(5, max_iter=max_iter, random_state=0).fit(X)
        if name == "first":
            first_done.set()

    threads = [
        threading.Thread(target=fit, args=("first", 2)),
        threading.Thread(target=fit, args=("second", 5)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert calls["first"] >= 2 and calls["second"] >= 2
    assert [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()] == before


def test_many_concurrent_fits_restore_the_blas_thread_settings(small_classifier, small_digits):
    X, y = small_digits
    before = [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        fitted = list(
            pool.map(lambda seed: small_classifier(random_state=seed).fit(X, y), range(6))
        )
    assert all(clf.score(X, y) > 0.5 for clf in fitted)
    assert [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()] == before
