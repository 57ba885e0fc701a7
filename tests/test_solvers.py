"""minimize, the one solver entry point, on small problems: its result,
stopping rules (including the L-BFGS stall rule), warnings, Ctrl-C, early
stopping and the resampled cost."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skstackedae._solvers import (
    STALL_PROGRESS_FRACTION,
    STALL_WINDOW,
    Minibatch,
    MinimizeResult,
    _stalled,
    minimize,
)
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
        n_iter_no_change=100,
        minibatch=Minibatch(
            n_samples=4,
            rng=np.random.RandomState(0),
            batch_size=4,
            learning_rate_init=0.05,
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


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("schedule, n_epochs, divisor", [("constant", 4, 1), ("adaptive", 10, 25)])
def test_adaptive_step_divides_by_five_at_each_plateau(solver, schedule, n_epochs, divisor):
    # A tolerance no epoch meets: every plateau is n_iter_no_change + 1 = 3
    # epochs after the first. "constant" stops at the first; "adaptive"
    # divides the step by 5 at the first two and stops at the third.
    result = minimize(
        quadratic, *start(), solver=solver, max_iter=100, tol=1e6, n_iter_no_change=2,
        minibatch=Minibatch(
            n_samples=4, rng=np.random.RandomState(0), batch_size=4, learning_rate_init=0.05,
            learning_rate=schedule, shuffle=False,
        ),
    )
    assert result.n_iter == n_epochs
    assert result.optimizer.learning_rate_init == pytest.approx(0.05 / divisor)


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
        validation_score=validation_score,
        n_iter_no_change=4,
        minibatch=Minibatch(
            n_samples=4,
            rng=np.random.RandomState(0),
            batch_size=4,
            learning_rate_init=0.1,
            shuffle=False,
        ),
    )
    assert result.n_iter == 8
    assert result.validation_scores == [-2, -1, 0, -1, -2, -3, -4, -5]
    assert_array_equal(result.coefs[0], snapshots[2])


def test_lbfgs_early_stopping_keeps_the_best_validated_iterate():
    # The same rule with L-BFGS (on a valley that takes it dozens of
    # iterations): the score peaks at iteration 3, the run stops after more
    # than n_iter_no_change=4 iterations without a rise of
    # LBFGS_VALIDATION_TOL, and it returns iteration 3's iterate and loss,
    # not the last ones (nor those of the lowest loss).
    snapshots, losses = [], []

    def validation_score(coefs, intercepts):
        snapshots.append(coefs[0].copy())
        grads = [np.empty((1, 2))], [np.empty(1)]
        losses.append(rosenbrock(coefs, intercepts, *grads))
        return -abs(len(snapshots) - 3)

    result = minimize(
        rosenbrock, *rosenbrock_start(), solver="lbfgs", max_iter=50, tol=1e-12,
        validation_score=validation_score, n_iter_no_change=4,
    )
    assert result.n_iter == 8
    assert result.validation_scores == [-2, -1, 0, -1, -2, -3, -4, -5]
    assert_array_equal(result.coefs[0], snapshots[2])
    assert result.loss_curve[-1] < result.loss_curve[2]
    assert result.loss == pytest.approx(losses[2])
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
def test_a_stray_invalid_flag_with_a_finite_loss_does_not_warn(solver):
    # What an OpenBLAS kernel can do on finite operands (numpy#24067): set the
    # invalid-operation flag, so NumPy warns, while every result is finite.
    # The finiteness check is the guard; a stray flag must not warn.
    def flagged_loss(coefs, intercepts, coef_grads, intercept_grads, rows=None):
        np.subtract(np.array([np.inf]), np.array([np.inf]))  # sets the flag
        return quadratic(coefs, intercepts, coef_grads, intercept_grads)

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        minimize(
            flagged_loss,
            *start(),
            solver=solver,
            max_iter=3,
            tol=0,
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
        # Rosenbrock's steep walls: SGD with momentum diverges at the
        # estimators' default step, 1e-2, before the interruption.
        minibatch=Minibatch(
            n_samples=4, rng=np.random.RandomState(0), batch_size=2, learning_rate_init=1e-3
        ),
    )
    with pytest.warns(UserWarning, match="fine-tuning: training interrupted by user"):
        result = minimize(interrupted, *rosenbrock_start(), interruptible=True, **common)
    assert 1 <= result.n_iter < 6
    assert result.loss == min(result.loss_curve)
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        minimize(interrupted, *rosenbrock_start(), interruptible=False, **common)


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


def _quadratic_with_a_long_tail(coefs, intercepts, coef_grads, intercept_grads, rows=None):
    # sum_k c_k w_k^2 / 2 with curvatures over six decades: L-BFGS creeps.
    (W,) = coefs
    c = np.logspace(0, -6, W.size).reshape(W.shape)
    coef_grads[0][...] = c * W
    intercept_grads[0][...] = 0
    return 0.5 * float(np.sum(c * W * W)) + 1.0


@pytest.mark.parametrize(
    "curve, min_decrease, expected",
    [
        ([1.0] * (STALL_WINDOW + 1), 0.01, True),  # flat
        ([1.0] * STALL_WINDOW, 0.01, False),  # too short to judge
        # 0.5 % over the window, after a fall from 2.0 (so 0.5 % of the fall
        # so far): a plateau.
        ([2.0] + list(np.linspace(1.0, 0.995, STALL_WINDOW + 1)), 0.01, True),
        # The same 0.5 % after a fall from 1.5: 1 % of the fall so far.
        ([1.5] + list(np.linspace(1.0, 0.995, STALL_WINDOW + 1)), 0.01, False),
        # A slow but steady fall from the start is not a plateau.
        (list(np.linspace(1.0, 0.995, STALL_WINDOW + 1)), 0.01, False),
        ([2.0] + list(np.linspace(1.0, 0.98, STALL_WINDOW + 1)), 0.01, False),  # 2 %
        ([1.0] * (STALL_WINDOW + 1), None, False),  # rule off
    ],
)
def test_stalled(curve, min_decrease, expected):
    assert _stalled(curve, min_decrease, STALL_PROGRESS_FRACTION) is expected


def test_stalled_on_the_loss_alone_without_stall_progress():
    # The rule of the semi-supervised fits: a steady 0.5 % fall stalls.
    steady = list(np.linspace(1.0, 0.995, STALL_WINDOW + 1))
    assert _stalled(steady, 0.01, None) is True
    assert _stalled(steady, 0.01, STALL_PROGRESS_FRACTION) is False


def test_min_decrease_stops_lbfgs_early_without_a_warning():
    coefs, intercepts = [np.ones((20, 5))], [np.zeros(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped = minimize(
            _quadratic_with_a_long_tail, coefs, intercepts, max_iter=500, tol=0.0, min_decrease=0.01
        )
    assert STALL_WINDOW < stopped.n_iter < 500
    curve = stopped.loss_curve
    assert curve[-1 - STALL_WINDOW] - curve[-1] < 0.01 * curve[-1 - STALL_WINDOW]
    with pytest.warns(ConvergenceWarning, match="max_iter=40"):
        full = minimize(_quadratic_with_a_long_tail, coefs, intercepts, max_iter=40, tol=0.0)
    assert full.n_iter == 40
