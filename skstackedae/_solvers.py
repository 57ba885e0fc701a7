"""One entry point, :func:`minimize`, for L-BFGS, Adam and SGD.

Every estimator trains every phase through :func:`minimize`: it hands over a
loss/gradient function on ``(coefs, intercepts)`` and gets back one
:class:`MinimizeResult`. Ctrl-C, the non-finite check, the convergence
warnings and the BLAS thread settings are handled here, once, for every solver.

The parameters live in one flat buffer of the working dtype (float32 or
float64) and the arrays handed to the loss are views into it: L-BFGS's
float64 iterate is copied once into that buffer per evaluation, and Adam/SGD
step on the buffer in place, so nothing is packed or unpacked in between.
"""

import contextlib
import copy
import time
import warnings
from typing import NamedTuple

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import gen_batches

from ._network import pack, unpack
from ._stochastic_optimizers import OPTIMIZERS
from ._threads import managed_blas_threads
from .exceptions import NonFiniteLossError


class MinimizeResult(NamedTuple):
    """What :func:`minimize` returns."""

    coefs: list
    """Weight matrices at the solution (views into one new flat buffer)."""
    intercepts: list
    """Bias vectors at the solution."""
    loss: float
    """Loss at the solution (for Adam/SGD: the mean loss of the last epoch)."""
    n_iter: int
    """L-BFGS iterations, or epochs, run."""
    loss_curve: list
    """Loss after each iteration or epoch."""
    validation_scores: list | None
    """Validation score after each epoch, when a ``validation_score`` was given."""
    optimizer: object | None
    """Adam/SGD state to continue from (``partial_fit``); None for L-BFGS."""


# --- the flat parameter vector --------------------------------------------


class _FlatParameters:
    """``coefs`` and ``intercepts`` packed into one new working-dtype vector
    ``theta``, a gradient vector ``grad`` of the same size, and the lists of
    views into each that a loss function reads and writes."""

    def __init__(self, coefs, intercepts):
        n_coefs = len(coefs)
        shapes = [p.shape for p in coefs + intercepts]
        self.theta = pack(coefs + intercepts, dtype=coefs[0].dtype)
        self.grad = np.empty_like(self.theta)
        params, grads = unpack(self.theta, shapes), unpack(self.grad, shapes)
        self.coefs, self.intercepts = params[:n_coefs], params[n_coefs:]
        self.coef_grads, self.intercept_grads = grads[:n_coefs], grads[n_coefs:]

    def loss_grad(self, loss_grad, phase, advice, rows=None):
        """Evaluate ``loss_grad`` at ``theta`` into ``grad``; check finiteness."""
        # OpenBLAS kernels can raise the invalid-operation flag on finite
        # operands (numpy#24067, OpenBLAS#1924): a clean-clone CI run failed
        # on "invalid value encountered in matmul" with every operand finite,
        # and passed on the rerun. A real invalid operation leaves a NaN in
        # the loss or the gradient, which the check below turns into an error.
        with np.errstate(invalid="ignore"):
            loss = loss_grad(
                self.coefs, self.intercepts, self.coef_grads, self.intercept_grads, rows=rows
            )
        if not (np.isfinite(loss) and np.all(np.isfinite(self.grad))):
            raise NonFiniteLossError(
                f"The loss of the {phase} phase became {loss} (non-finite); {advice}."
            )
        return loss


_LBFGS_ADVICE = "scale the input or increase alpha"
_MINIBATCH_ADVICE = "scale the input, lower learning_rate_init or increase alpha"


def _scipy_objective(loss_grad, flat, phase):
    """``fun(x) -> (loss, grad)`` on float64 vectors, as SciPy wants it: ``x``
    is copied into ``flat.theta`` (the working dtype) and evaluated there."""

    def fun(x):
        flat.theta[...] = x
        loss = flat.loss_grad(loss_grad, phase, _LBFGS_ADVICE)
        return loss, flat.grad.astype(np.float64)

    return fun


class _Progress:
    """What a run has done so far: the loss curve, the validation scores and
    the best iterate, which Ctrl-C falls back to."""

    def __init__(self, flat, phase, verbose, keep_best, on_iteration=None):
        self.flat, self.phase, self.verbose, self.keep_best = flat, phase, verbose, keep_best
        self.on_iteration = on_iteration
        self.loss_curve, self.validation_scores = [], []
        self.best_loss, self.best_score, self.best_theta = np.inf, -np.inf, None
        self.start = time.perf_counter()

    def report(self, unit, extra=""):
        if self.on_iteration is not None:
            self.on_iteration(self.flat.coefs, self.flat.intercepts)
        if self.verbose:
            print(
                f"[{self.phase}] {unit} {len(self.loss_curve)}, "
                f"loss = {self.loss_curve[-1]:.8f}{extra}, "
                f"elapsed = {time.perf_counter() - self.start:.2f}s"
            )

    def keep_if_best(self, loss, theta):
        """Record ``theta`` (a float64 L-BFGS iterate or the working buffer)
        as the best so far if its loss is the lowest."""
        improved = loss < self.best_loss
        if improved:
            self.best_loss = loss
            if self.keep_best:
                self.best_theta = np.array(theta, copy=True)
        return improved

    def validate(self, score, loss, theta, tol):
        """Record the validation score of the iterate ``theta`` (loss
        ``loss``), keeping it as the best if its score is the highest;
        return whether it improved on the best before by at least ``tol``."""
        self.validation_scores.append(score)
        improved = score >= self.best_score + tol
        if score > self.best_score:
            self.best_score, self.best_loss = score, loss
            self.best_theta = np.array(theta, copy=True)
        return improved

    def restore_best_validated(self, phase):
        """Early stopping keeps the best validated weights: put them back
        into the buffer and return their loss."""
        if self.best_theta is None:
            # Every score was NaN (R^2 of a single validation row): no
            # weights were validated, and the last ones are not "the best".
            raise ValueError(
                f"{phase}: early stopping's validation score was not finite at "
                f"any of {len(self.validation_scores)} iteration(s) (for example "
                "R^2 on a single validation row). Raise validation_fraction, use "
                "more samples, or set early_stopping=False."
            )
        self.flat.theta[...] = self.best_theta
        return self.best_loss

    def interrupted(self):
        """Ctrl-C: put the best iterate back into the buffer, warn, return its loss."""
        warnings.warn(
            f"{self.phase}: training interrupted by user after "
            f"{len(self.loss_curve)} iteration(s); keeping the best weights so far.",
            UserWarning,
        )
        if self.best_theta is not None:
            self.flat.theta[...] = self.best_theta
        return float(self.best_loss) if self.loss_curve else float("nan")


#: Iterations over which ``min_decrease`` measures the fall of the loss.
STALL_WINDOW = 10

#: A stall must also be small next to the fall so far (since the first
#: iteration): at most this fraction of it (the stacks' supervised fits;
#: semi-supervised ones keep the first rule alone, see _stacked_base). A
#: slow but steady fall is not a plateau. Hard tables fall by 0.4-2 % per
#: window for hundreds of L-BFGS iterations (a 32-feature 10-class table of
#: 2,000 rows: still 2 % at 400), and the loss-relative rule alone stopped
#: them at the first slow window: held out 0.353 after 56 iterations
#: against 0.543 at 400 (MLPClassifier 0.529); a 16-feature 26-class table
#: 0.370 after 81 against 0.560. With both rules, images and small tables
#: stop where they did (8x8 digits at 138, optdigits at 128, breast cancer
#: at 190). Dev splits; 0.01 stopped the letter-like table and a 64-feature
#: one too early (2.5 and 3.8 points).
STALL_PROGRESS_FRACTION = 0.005


def _stalled(loss_curve, min_decrease, stall_progress):
    """Whether the loss fell, over the last ``STALL_WINDOW`` iterations, by
    less than ``min_decrease`` (a fraction of its value) and, unless
    ``stall_progress`` is None, by at most that fraction of its fall since
    the first iteration."""
    if min_decrease is None or len(loss_curve) <= STALL_WINDOW:
        return False
    first, before, now = loss_curve[0], loss_curve[-1 - STALL_WINDOW], loss_curve[-1]
    fall = before - now
    if stall_progress is not None and fall > stall_progress * (first - now):
        return False
    return bool(fall < min_decrease * abs(before))


def _run_lbfgs(loss_grad, flat, progress, *, max_iter, tol, phase, warn, resample=None,
               resample_every=None, min_decrease=None, stall_progress=None,
               validation_score=None, n_iter_no_change=10):
    """SciPy's L-BFGS-B from ``flat.theta``, stopped early (as converged)
    once the loss stalls (:func:`_stalled`: by less than ``min_decrease`` of
    its value over ``STALL_WINDOW`` iterations and, with ``stall_progress``,
    little next to its fall so far), when ``min_decrease`` is given. With
    ``resample``, a cost that changes with a random draw (the consistency
    term's noise) is minimised in runs of ``resample_every`` iterations,
    each on a fresh draw and each starting L-BFGS's curvature memory anew
    (it describes the previous cost); the runs stop at ``max_iter``
    iterations in all, or at the first that converges. With
    ``validation_score`` (early stopping), the run also stops after more
    than ``n_iter_no_change`` iterations in a row whose score did not rise
    by :data:`LBFGS_VALIDATION_TOL`, and the best validated iterate is kept."""
    fun = _scipy_objective(loss_grad, flat, phase)

    def callback(intermediate_result):
        # The iterate, not the last point the line search evaluated.
        flat.theta[...] = intermediate_result.x
        loss = float(intermediate_result.fun)
        progress.loss_curve.append(loss)
        if validation_score is None:
            progress.keep_if_best(loss, intermediate_result.x)
            progress.report("iteration")
        else:
            score = validation_score(flat.coefs, flat.intercepts)
            improved = progress.validate(score, loss, flat.theta, LBFGS_VALIDATION_TOL)
            no_improvement[0] = 0 if improved else no_improvement[0] + 1
            progress.report("iteration", f", validation score = {score:.6f}")
            if no_improvement[0] > n_iter_no_change:
                stalled.append(True)
                raise StopIteration
        if _stalled(progress.loss_curve, min_decrease, stall_progress):
            stalled.append(True)
            raise StopIteration  # SciPy ends the run at this iterate

    stalled, no_improvement = [], [0]

    n_iter, segment = 0, max_iter if resample is None else resample_every
    with managed_blas_threads():
        while True:
            if resample is not None:
                resample()
            budget = min(segment, max_iter - n_iter)
            result = scipy.optimize.minimize(
                fun,
                flat.theta.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=callback,
                options={"maxiter": budget, "gtol": tol},
            )
            flat.theta[...] = result.x
            n_iter += min(result.nit, budget)
            # Status 1: this run used its budget (0: converged, 2: failed).
            if resample is None or result.status != 1 or n_iter >= max_iter:
                break
    if warn and result.status != 0 and not stalled:
        message = str(result.message)
        if n_iter >= max_iter:
            advice = "increase the iteration limit of this phase"
            reason = f"reached max_iter={max_iter} before converging"
        else:
            # Typically ABNORMAL_TERMINATION_IN_LNSRCH: no step along the
            # search direction lowered the loss (rounding, likelier in float32).
            advice = "scale the input, or use float64 input if it is float32"
            reason = f"stopped after {n_iter} iteration(s) without converging"
        warnings.warn(
            f"{phase}: L-BFGS {reason} (SciPy: {message}); {advice}.",
            ConvergenceWarning,
        )
    if progress.validation_scores:
        return float(progress.restore_best_validated(phase)), n_iter
    return float(result.fun), n_iter


#: Early stopping with L-BFGS: the least rise of the validation score (R^2
#: or accuracy) that counts as an improvement. L-BFGS's ``tol`` is a
#: gradient bound, not a score difference, so it cannot serve here.
LBFGS_VALIDATION_TOL = 1e-4

#: n_iter_no_change="auto" (the stacks'): the patience of early stopping and
#: of Adam/SGD's plateau rule. In epochs for Adam/SGD, MLPClassifier's 10.
#: In iterations for L-BFGS, whose validation score can stay flat for tens
#: of iterations while the output layer settles and then rise again:
#: StackedAERegressor with early stopping, R^2 on dev splits (3 draws), 10 /
#: 20 / 50 / 100 iterations: make_friedman1 on 225 rows 0.694 / 0.777 /
#: 0.846 / 0.883 (no early stopping: 0.874), make_friedman3 on 393 rows
#: 0.712 / 0.752 / 0.819 / 0.840 (0.850), diabetes 0.547 / 0.553 / 0.573 /
#: 0.573 (0.298).
#: Adam/SGD keep 10 epochs even on large data: about 500 steps of patience
#: instead (2 to 7 epochs on 15,000 to 67,500 rows) cut full-MNIST
#: fine-tuning from 163 to 50-61 epochs at the same accuracy, but cost
#: large generated tables 0.4 to 2.5 points (benchmarks page, "Full MNIST").
MINIBATCH_N_ITER_NO_CHANGE = 10
LBFGS_N_ITER_NO_CHANGE = 100

#: Fine-tuning that refines (a classifier's output layer already fits the
#: pretrained codes; ``_stacked_base.REFINE_LOSS_RATIO``, where the
#: measurements are): Adam/SGD start from this fraction of
#: learning_rate_init, with this many epochs of "auto" patience.
REFINE_STEP_SCALE = 0.5
REFINE_N_ITER_NO_CHANGE = 5


#: learning_rate="adaptive": the step size is divided by 5 at most this many
#: times (down to learning_rate_init / 25) before a plateau stops the phase.
#: Measured by refitting with warm starts at each fifth of the step
#: (generated tables of 32 features, 10 classes, 2 clusters each; default
#: stack, solver="adam", held-out accuracy after each division): 15,000 rows
#: 0.773 -> 0.790 -> 0.798 (a third: 0.797; MLPClassifier 0.802), 37,500
#: rows 0.795 -> 0.830 -> 0.835 (a third: 0.838; MLP 0.895). The shipped
#: schedule gave 0.795 and 0.838 there (user guide, "Choosing the parameters").
ADAPTIVE_DIVISIONS = 2


def _run_minibatch(loss_grad, flat, progress, *, solver, max_iter, tol, phase, warn,
                   settings, optimizer, resample=None, validation_score=None,
                   n_iter_no_change=10):
    """Adam/SGD epochs with MLPClassifier's stopping rule: an epoch improves
    when the validation score rises by at least ``tol`` (or, without one,
    the epoch loss falls by at least ``tol``); stop after more than
    ``n_iter_no_change`` epochs in a row without improvement, or with
    ``settings.learning_rate="adaptive"`` divide the step size by 5 there
    and go on, up to ``ADAPTIVE_DIVISIONS`` times. ``resample``
    draws the cost's noise anew before every epoch (each row is seen once
    per epoch, so every batch sees a fresh draw). ``settings`` is a
    :class:`Minibatch`."""
    n_samples = settings.n_samples
    no_improvement = divisions = 0
    for _ in range(max_iter):
        if resample is not None:
            resample()
        order = settings.rng.permutation(n_samples) if settings.shuffle else None
        epoch_loss = 0.0
        for batch in gen_batches(n_samples, settings.batch_size):
            rows = order[batch] if settings.shuffle else batch
            loss = flat.loss_grad(loss_grad, phase, _MINIBATCH_ADVICE, rows=rows)
            epoch_loss += loss * (batch.stop - batch.start)
            optimizer.step(flat.theta, flat.grad)
        progress.loss_curve.append(epoch_loss / n_samples)

        if validation_score is not None:
            score = validation_score(flat.coefs, flat.intercepts)
            improved = progress.validate(score, progress.loss_curve[-1], flat.theta, tol)
            progress.report("epoch", f", validation score = {score:.6f}")
        else:
            improved = progress.loss_curve[-1] <= progress.best_loss - tol
            progress.keep_if_best(progress.loss_curve[-1], flat.theta)
            progress.report("epoch")
        no_improvement = 0 if improved else no_improvement + 1
        if no_improvement > n_iter_no_change:
            if settings.learning_rate != "adaptive" or divisions == ADAPTIVE_DIVISIONS:
                break
            # A plateau at this step size: go on with a smaller one.
            optimizer.learning_rate_init /= 5
            divisions, no_improvement = divisions + 1, 0
    else:
        if warn:
            warnings.warn(
                f"{phase}: {solver} reached max_iter={max_iter} epochs before "
                "converging; increase the iteration limit of this phase.",
                ConvergenceWarning,
            )
    if progress.validation_scores:
        return progress.restore_best_validated(phase)
    return progress.loss_curve[-1]


#: The default step size of "adam" and "sgd", ten times MLPClassifier's 1e-3:
#: sigmoid units with UFLDL's initialisation need larger steps than ReLUs.
#: Measured on dev splits (50 epochs per phase unless said): 8x8 digits
#: 0.929 -> 0.970 (10 epochs: 0.560 -> 0.834; 3e-2: 0.976 and 0.920), 5,000
#: MNIST digits 0.937 (3e-3) -> 0.949 (3e-2: 0.938); SparseAutoencoder(200)'s
#: cost after 50 epochs 2.31 -> 0.73 (L-BFGS, 50 iterations: 0.58);
#: StackedAERegressor R^2 0.777 -> 0.983, StackedAutoencoder's test error
#: 0.024 -> 0.006; "sgd" classifier 0.276 -> 0.522. Pendigits 0.971 -> 0.987,
#: a 16-feature 26-class table 0.375 -> 0.841; worse on breast cancer only
#: (0.944 -> 0.909).
LEARNING_RATE_INIT = 1e-2

#: tol="auto" (the stacks'): L-BFGS stops at this largest gradient component
#: (minFunc's default, which UFLDL ran with); Adam and SGD at MLPClassifier's
#: least improvement of the epoch loss. With 1e-5 our Adam fine-tuned 20,000
#: MNIST digits for 191 epochs (97.40 % held out), with 1e-4 for 104
#: (97.49 %; MLPClassifier 97.22 % in 33 epochs).
LBFGS_TOL = 1e-5
MINIBATCH_TOL = 1e-4


class Minibatch(NamedTuple):
    """The settings of Adam and SGD that L-BFGS does not use (``minimize``'s
    ``minibatch``), with ``MLPClassifier``'s meanings."""

    n_samples: int
    """Number of training samples."""
    rng: np.random.RandomState
    """Shuffles the samples; advanced in place."""
    batch_size: int = 200
    learning_rate_init: float = LEARNING_RATE_INIT
    learning_rate: str = "constant"
    """"constant", or "adaptive": divide the step size by 5 at a plateau
    (see :func:`_run_minibatch`)."""
    shuffle: bool = True
    optimizer: object = None
    """:class:`~skstackedae._stochastic_optimizers.AdamOptimizer` or
    ``SGDOptimizer`` state to continue from (``partial_fit``); it is copied,
    not changed. None starts afresh."""
    manage_threads: bool = True
    """Run under :func:`managed_blas_threads` (L-BFGS always does). Entering
    costs about 3 ms, more than a small ``partial_fit`` epoch, so
    ``partial_fit`` passes False."""


def minimize(
    loss_grad,
    coefs,
    intercepts,
    *,
    solver="lbfgs",
    max_iter,
    tol,
    phase="training",
    verbose=0,
    interruptible=False,
    warn_at_max_iter=True,
    on_iteration=None,
    resample=None,
    resample_every=None,
    min_decrease=None,
    stall_progress=None,
    validation_score=None,
    n_iter_no_change=10,
    minibatch=None,
):
    """Minimise ``loss_grad`` over ``(coefs, intercepts)`` with one solver.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(coefs, intercepts, coef_grads, intercept_grads, rows=None)
        -> float``: the mean loss over the samples ``rows`` (all of them when
        None; an index array or a slice otherwise), its gradient written into
        ``coef_grads`` and ``intercept_grads`` (arrays of the parameters'
        shapes).
    coefs, intercepts : list of ndarray
        Starting point; their dtype is the working dtype. Not modified.
    solver : {"lbfgs", "adam", "sgd"}
        SciPy's full-batch L-BFGS-B, or mini-batch epochs of Adam or SGD with
        Nesterov momentum.
    max_iter : int
        Maximum L-BFGS iterations, or epochs.
    tol : float
        L-BFGS: stop when the largest gradient component is below ``tol``
        (``gtol``). Adam/SGD: the least improvement that counts (see
        :func:`_run_minibatch`).
    phase : str
        Name of the phase, in messages, warnings and verbose lines.
    verbose : int
        Print the loss after every iteration or epoch when positive.
    interruptible : bool
        If True, Ctrl-C stops the run, warns and returns the best iterate so
        far (lowest loss; for early stopping, best validation score) as
        ``MLPClassifier`` does; if False it propagates.
    warn_at_max_iter : bool
        Warn with a ``ConvergenceWarning`` when the run ends unconverged.
    on_iteration : callable or None
        ``on_iteration(coefs, intercepts)`` after every iteration or epoch,
        with views of the current parameters (scikit-learn's callbacks).
    resample : callable or None
        ``resample()`` draws the random part of a stochastic cost anew (the
        consistency term's noise): before every epoch of Adam/SGD, and
        before every run of ``resample_every`` L-BFGS iterations (L-BFGS
        needs a fixed cost while it runs; see :func:`_run_lbfgs`).
    resample_every : int or None
        L-BFGS iterations per draw (needed with ``resample`` and L-BFGS).
    min_decrease : float or None
        L-BFGS without ``resample``: stop, as converged, once the loss has
        fallen by less than this fraction of its value over the last
        ``STALL_WINDOW`` iterations. None: only ``max_iter`` and ``tol``
        stop it.
    stall_progress : float or None
        With ``min_decrease``: the loss must also have fallen, over that
        window, by at most this fraction of its fall since the first
        iteration (``STALL_PROGRESS_FRACTION``; see :func:`_stalled`), so
        that a slow steady fall goes on. None: the first rule alone.
    validation_score : callable or None
        ``validation_score(coefs, intercepts) -> float``, higher is better,
        or None. When given, training stops early on it (after more than
        ``n_iter_no_change`` iterations or epochs without improvement) and
        the best validated parameters are restored, with either solver.
    n_iter_no_change : int
        Adam/SGD: epochs without improvement of the validation score, or
        without one of the epoch loss, before stopping (or, with
        ``learning_rate="adaptive"``, dividing the step size). L-BFGS:
        iterations without improvement of ``validation_score``.
    minibatch : Minibatch or None
        Adam/SGD's settings (required with them, ignored by L-BFGS).

    Returns
    -------
    result : MinimizeResult
    """
    flat = _FlatParameters(coefs, intercepts)
    keep_best = interruptible or validation_score is not None
    progress = _Progress(flat, phase, verbose, keep_best, on_iteration)
    optimizer = None
    if solver != "lbfgs":
        optimizer = (
            copy.deepcopy(minibatch.optimizer)
            if minibatch.optimizer is not None
            else OPTIMIZERS[solver](
                flat.theta.size, flat.theta.dtype, minibatch.learning_rate_init
            )
        )
    try:
        if solver == "lbfgs":
            loss, n_iter = _run_lbfgs(
                loss_grad, flat, progress, max_iter=max_iter, tol=tol, phase=phase,
                warn=warn_at_max_iter, resample=resample, resample_every=resample_every,
                min_decrease=None if resample is not None else min_decrease,
                stall_progress=stall_progress, validation_score=validation_score,
                n_iter_no_change=n_iter_no_change,
            )
        else:
            threads = (
                managed_blas_threads() if minibatch.manage_threads
                else contextlib.nullcontext()
            )
            with threads:
                loss = _run_minibatch(
                    loss_grad, flat, progress, solver=solver, max_iter=max_iter, tol=tol,
                    phase=phase, warn=warn_at_max_iter, settings=minibatch,
                    optimizer=optimizer, resample=resample,
                    validation_score=validation_score, n_iter_no_change=n_iter_no_change,
                )
            n_iter = len(progress.loss_curve)
    except KeyboardInterrupt:
        if not interruptible:
            raise
        loss, n_iter = progress.interrupted(), len(progress.loss_curve)
    return MinimizeResult(
        flat.coefs,
        flat.intercepts,
        float(loss),
        n_iter,
        progress.loss_curve,
        progress.validation_scores or None,
        optimizer,
    )
