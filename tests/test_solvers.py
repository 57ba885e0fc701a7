"""The one solver entry point: exact optimiser steps, stopping rules,
warnings, Ctrl-C and the BLAS thread limit, on small problems."""

import contextlib
import os
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info

import skstackedae
from skstackedae import _solvers, _threads
from skstackedae._solvers import Minibatch, MinimizeResult, minimize
from skstackedae._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from skstackedae._threads import managed_blas_threads, threads_for_load
from skstackedae.exceptions import NonFiniteLossError

TARGET = np.array([[1.0, -2.0]])


def quadratic(coefs, intercepts, coef_grads, intercept_grads, rows=None):
    """0.5 ||W - TARGET||^2 + 0.5 ||b||^2, whatever the rows."""
    coef_grads[0][...] = coefs[0] - TARGET
    intercept_grads[0][...] = intercepts[0]
    return 0.5 * float(np.sum((coefs[0] - TARGET) ** 2) + np.sum(intercepts[0] ** 2))


def start():
    return [np.zeros((1, 2))], [np.ones(2)]


def rosenbrock(coefs, intercepts, coef_grads, intercept_grads, rows=None):
    """A valley that takes L-BFGS dozens of iterations from (-1, 2)."""
    x, y = coefs[0][0]
    coef_grads[0][...] = [[-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)]]
    intercept_grads[0][...] = 0
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_start():
    return [np.array([[-1.0, 2.0]])], [np.zeros(1)]


def test_adam_one_step_is_exact():
    # Kingma & Ba with bias correction, t = 1: the step is lr * g / (|g| + eps')
    theta, grad = np.array([1.0, -3.0]), np.array([0.5, -2.0])
    adam = AdamOptimizer(
        2, np.float64, learning_rate_init=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    )
    adam.step(theta, grad)
    m, v = 0.1 * grad, 0.001 * grad**2
    rate = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)
    assert_allclose(theta, np.array([1.0, -3.0]) - rate * m / (np.sqrt(v) + 1e-8), rtol=1e-15)
    assert adam.t == 1
    assert_allclose(adam.m, m)
    assert_allclose(adam.v, v)


def test_sgd_nesterov_two_steps_are_exact():
    theta, grad = np.array([1.0, -3.0]), np.array([0.5, -2.0])
    sgd = SGDOptimizer(2, np.float64, learning_rate_init=0.1, momentum=0.9)
    sgd.step(theta, grad)
    velocity = -0.1 * grad
    expected = np.array([1.0, -3.0]) + 0.9 * velocity - 0.1 * grad
    assert_allclose(theta, expected, rtol=1e-15)
    sgd.step(theta, grad)
    velocity = 0.9 * velocity - 0.1 * grad
    assert_allclose(theta, expected + 0.9 * velocity - 0.1 * grad, rtol=1e-15)


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_every_solver_returns_one_named_result_and_leaves_its_inputs(solver):
    coefs, intercepts = start()
    result = minimize(
        quadratic,
        coefs,
        intercepts,
        solver=solver,
        max_iter=2000,
        tol=1e-12,
        minibatch=Minibatch(
            n_samples=4,
            rng=np.random.RandomState(0),
            batch_size=4,
            learning_rate_init=0.05,
            n_iter_no_change=100,
            shuffle=False,
        ),
    )
    assert isinstance(result, MinimizeResult)
    tolerance = 1e-6 if solver == "lbfgs" else 1e-2  # mini-batch steps hover
    assert_allclose(result.coefs[0], TARGET, atol=tolerance)
    assert_allclose(result.intercepts[0], 0, atol=tolerance)
    assert result.n_iter == len(result.loss_curve) >= 1
    assert result.loss_curve[-1] < result.loss_curve[0] or result.n_iter == 1
    assert (result.optimizer is None) == (solver == "lbfgs")
    assert result.validation_scores is None
    assert_array_equal(coefs[0], 0)
    assert_array_equal(intercepts[0], 1)


def test_continued_optimiser_state_is_copied_not_changed():
    coefs, intercepts = start()
    common = dict(solver="adam", max_iter=3, tol=0, warn_at_max_iter=False)
    minibatch = Minibatch(n_samples=4, rng=np.random.RandomState(0), batch_size=2, shuffle=False)
    first = minimize(quadratic, coefs, intercepts, minibatch=minibatch, **common)
    t, m = first.optimizer.t, first.optimizer.m.copy()
    second = minimize(
        quadratic,
        first.coefs,
        first.intercepts,
        minibatch=minibatch._replace(optimizer=first.optimizer),
        **common,
    )
    assert first.optimizer.t == t and second.optimizer.t == 2 * t
    assert_array_equal(first.optimizer.m, m)


def test_early_stopping_restores_the_best_parameters():
    # The validation score peaks at epoch 3, then MLPClassifier's rule: stop
    # after more than n_iter_no_change=4 epochs without improvement.
    snapshots = []

    def validation_score(coefs, intercepts):
        snapshots.append(coefs[0].copy())
        return -abs(len(snapshots) - 3)

    result = minimize(
        quadratic,
        *start(),
        solver="sgd",
        max_iter=50,
        tol=0.0,
        minibatch=Minibatch(
            n_samples=4,
            rng=np.random.RandomState(0),
            batch_size=4,
            learning_rate_init=0.1,
            n_iter_no_change=4,
            shuffle=False,
            validation_score=validation_score,
        ),
    )
    assert result.n_iter == 8
    assert result.validation_scores == [-2, -1, 0, -1, -2, -3, -4, -5]
    assert_array_equal(result.coefs[0], snapshots[2])
    assert result.loss == result.loss_curve[2]


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_minibatch_warns_at_max_iter_naming_the_phase(solver):
    with pytest.warns(ConvergenceWarning, match=f"^layer 7: {solver} reached max_iter=2 epochs"):
        minimize(
            quadratic,
            *start(),
            solver=solver,
            max_iter=2,
            tol=0,
            phase="layer 7",
            minibatch=Minibatch(n_samples=4, rng=np.random.RandomState(0), batch_size=4),
        )


def test_lbfgs_warns_at_max_iter_naming_the_phase():
    with pytest.warns(
        ConvergenceWarning,
        match=r"^layer 7: L-BFGS reached max_iter=3 .*increase the iteration limit",
    ):
        result = minimize(rosenbrock, *rosenbrock_start(), max_iter=3, tol=1e-12, phase="layer 7")
    assert result.n_iter == 3


def test_lbfgs_line_search_failure_names_scipys_reason():
    def uphill(coefs, intercepts, coef_grads, intercept_grads, rows=None):
        loss = quadratic(coefs, intercepts, coef_grads, intercept_grads)
        coef_grads[0] *= -1
        intercept_grads[0] *= -1
        return loss

    with pytest.warns(
        ConvergenceWarning,
        match=r"^softmax: L-BFGS stopped after \d+ iteration\(s\) without converging "
        r"\(SciPy: ABNORMAL",
    ):
        minimize(uphill, *start(), max_iter=50, tol=1e-10, phase="softmax")


def test_converged_lbfgs_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minimize(quadratic, *start(), max_iter=50, tol=1e-8)


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_non_finite_loss_raises_for_every_solver(solver):
    def nan_loss(coefs, intercepts, coef_grads, intercept_grads, rows=None):
        quadratic(coefs, intercepts, coef_grads, intercept_grads)
        return np.nan

    with pytest.raises(NonFiniteLossError, match="loss of the fine-tuning phase became nan"):
        minimize(
            nan_loss,
            *start(),
            solver=solver,
            max_iter=5,
            tol=0,
            phase="fine-tuning",
            minibatch=Minibatch(n_samples=4, rng=np.random.RandomState(0), batch_size=4),
        )


@pytest.mark.parametrize("solver", ["lbfgs", "adam", "sgd"])
def test_ctrl_c_keeps_the_best_iterate_when_interruptible(solver):
    calls = []

    def interrupted(coefs, intercepts, coef_grads, intercept_grads, rows=None):
        calls.append(1)
        if len(calls) > 6:
            raise KeyboardInterrupt
        return rosenbrock(coefs, intercepts, coef_grads, intercept_grads)

    common = dict(
        solver=solver,
        max_iter=100,
        tol=0,
        phase="fine-tuning",
        minibatch=Minibatch(n_samples=4, rng=np.random.RandomState(0), batch_size=2),
    )
    with pytest.warns(UserWarning, match="fine-tuning: training interrupted by user"):
        result = minimize(interrupted, *rosenbrock_start(), interruptible=True, **common)
    assert 1 <= result.n_iter < 6
    assert result.loss == min(result.loss_curve)
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        minimize(interrupted, *rosenbrock_start(), interruptible=False, **common)


def _blas_threads():
    return [
        (lib["filepath"], lib["num_threads"])
        for lib in threadpool_info()
        if lib["user_api"] == "blas"
    ]


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


@pytest.fixture
def machine_load(monkeypatch):
    """Set the CPU time other processes take, in cores: the clock
    ``_cpu_seconds`` reads is faked and no earlier decision carries over."""
    load = {"others": 0.0}

    def cpu_seconds():
        now = time.monotonic()
        return now * load["others"], 0.0

    monkeypatch.setattr(_threads, "_cpu_seconds", cpu_seconds)
    monkeypatch.setattr(_threads, "_last_load", {"at": -np.inf, "threads": None})
    monkeypatch.setattr(_threads, "LOAD_CHECK_SECONDS", 0.02)
    with skstackedae.config_context(adaptive_blas_threads=True):
        yield load


def _numpy_blas_paths():
    network, _ = _threads._blas_pools(_threads._controller())
    return network


def _numpy_blas_threads():
    numpy_blas = _numpy_blas_paths()
    return [n for path, n in _blas_threads() if path in numpy_blas]


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


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
        assert _wait_for(lambda: _numpy_blas_threads() == [lowered])
        machine_load["others"] = 0.0  # it ends: the pool grows back
        assert _wait_for(lambda: _numpy_blas_threads() == [pool])
        machine_load["others"] = os.cpu_count()
        assert _wait_for(lambda: _numpy_blas_threads() == [lowered])
    assert _blas_threads() == found
    # The next phase starts at the threads the last look chose.
    with managed_blas_threads():
        assert _numpy_blas_threads() == [lowered]
    assert _blas_threads() == found


def test_an_idle_machine_leaves_numpys_pool_alone(machine_load):
    found = _numpy_blas_threads()
    with managed_blas_threads():
        time.sleep(0.2)  # ten looks at the load
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


def test_lbfgs_resamples_every_run_of_iterations_and_counts_them_all():
    draws = []
    with pytest.warns(ConvergenceWarning, match=r"^fine-tuning: L-BFGS reached max_iter=35 "):
        result = minimize(
            rosenbrock,
            *rosenbrock_start(),
            max_iter=35,
            tol=1e-12,
            phase="fine-tuning",
            resample=lambda: draws.append(1),
            resample_every=10,
        )
    # Runs of 10, 10, 10 and 5 iterations, each on a fresh draw.
    assert len(draws) == 4
    assert result.n_iter == 35 and len(result.loss_curve) == 35
    assert result.loss < rosenbrock(*rosenbrock_start(), *start())


def test_lbfgs_resampling_stops_at_the_first_converged_run():
    draws = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = minimize(
            quadratic,
            *start(),
            max_iter=100,
            tol=1e-8,
            resample=lambda: draws.append(1),
            resample_every=10,
        )
    assert draws == [1] and result.n_iter < 10
    assert_allclose(result.coefs[0], TARGET, atol=1e-6)


def test_lbfgs_resampling_follows_the_drawn_cost():
    # The cost's minimum moves with each draw: the solution is the last one's.
    target = {"value": None}
    targets = iter([np.array([[5.0, 5.0]]), TARGET])

    def moving(coefs, intercepts, coef_grads, intercept_grads, rows=None):
        coef_grads[0][...] = coefs[0] - target["value"]
        intercept_grads[0][...] = intercepts[0]
        return 0.5 * float(np.sum((coefs[0] - target["value"]) ** 2) + np.sum(intercepts[0] ** 2))

    def resample():
        target["value"] = next(targets)

    with pytest.warns(ConvergenceWarning):
        result = minimize(moving, *start(), max_iter=2, tol=0, resample=resample, resample_every=1)
    assert result.n_iter == 2
    # One iteration toward (5, 5), then one from there toward TARGET.
    distance_to_last = np.linalg.norm(result.coefs[0] - TARGET)
    assert distance_to_last < 0.5 * np.linalg.norm(result.coefs[0] - 5.0)
    assert distance_to_last < np.linalg.norm(np.array([[5.0, 5.0]]) - TARGET)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_minibatch_resamples_before_every_epoch(solver):
    draws = []
    with pytest.warns(ConvergenceWarning):
        result = minimize(
            quadratic,
            *start(),
            solver=solver,
            max_iter=4,
            tol=0,
            minibatch=Minibatch(n_samples=8, rng=np.random.RandomState(0), batch_size=3),
            resample=lambda: draws.append(1),
        )
    assert len(draws) == result.n_iter == 4


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
        time.sleep(0.005)  # let the watch look between evaluations
        return real(*args, **kwargs)

    monkeypatch.setattr(sae, "autoencoder_loss_grad", loss_grad)
    machine_load["others"] = os.cpu_count()
    sae.SparseAutoencoder(8, solver=solver, max_iter=40, random_state=0).fit(X)
    assert seen[0] == pool  # the first look comes after LOAD_CHECK_SECONDS
    assert seen[-1] == (1 if pool > 1 else pool)
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
