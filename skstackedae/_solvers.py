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
import os
import threading
import time
import warnings
from typing import NamedTuple

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import gen_batches
from threadpoolctl import ThreadpoolController

from ._network import pack, unpack
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


# --- BLAS threads ----------------------------------------------------------

_blas_lock = threading.Lock()
_blas_users = 0
_blas_holder = None  # (wake event, state, holder thread) while the limit is held


def _blas_pools(controller):
    """The BLAS pools of this process, split as (NumPy's, the others).

    NumPy and SciPy wheels each bundle their own OpenBLAS; where one BLAS
    serves both (conda, system packages) it is NumPy's and the others are
    empty.
    """
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    foreign = [lib.filepath for lib in blas if "numpy" not in lib.filepath]
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


#: Whether NumPy's BLAS pool follows the machine's load during a training
#: run (:class:`_LoadWatch`). The test suite turns it off: OpenBLAS's products
#: differ in their last bits between thread counts (measured on digits-sized
#: products: up to 1e-13), L-BFGS amplifies that, and tests that compare two
#: fits need both to run at the same count.
WATCH_LOAD = True
#: Seconds between two looks at the machine's load while a run trains.
LOAD_CHECK_SECONDS = 0.2
#: How long a decision on the load carries over to the next phase.
LOAD_MEMORY_SECONDS = 1.0
_last_load = {"at": -np.inf, "threads": None}


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
    goes (or when the holder restores everything)."""

    def __init__(self, limiters, controller):
        self.limiters, self.limiter = limiters, None
        self.sample, self.at = _cpu_seconds(), time.monotonic()
        network, _ = _blas_pools(controller)
        self.controller = controller.select(filepath=network)
        self.pool = self.threads = max(
            [lib.num_threads for lib in self.controller.lib_controllers], default=1
        )
        self.n_cpus = os.cpu_count() or 1
        if self.sample is None or self.pool == 1:
            self.sample = None  # nothing to measure, or nothing to lower
        elif time.monotonic() - _last_load["at"] < LOAD_MEMORY_SECONDS:
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
        now, sample = time.monotonic(), _cpu_seconds()
        if now - self.at < 0.5 * LOAD_CHECK_SECONDS:
            return
        threads = threads_for_load(self.sample, sample, now - self.at, self.n_cpus, self.pool)
        self.sample, self.at = sample, now
        _last_load.update(at=now, threads=threads)
        self.apply(threads)

    def stop(self):
        self.sample = None


def _hold_limit(taken, wake, state):
    """Body of the holder thread: lower the limits, wait, restore them.

    OpenBLAS (0.3.30, SciPy's wheel) ignores a call that raises its thread
    count while the thread that lowered it is alive, unless it comes from
    that same thread (measured: main thread sets 1, another sets 2 -> 1).
    So one thread of our own lowers and restores, whichever fits overlap.

    While one fit runs, NumPy's pool follows the machine's load
    (:class:`_LoadWatch`). While fits overlap (``state["overlap"]``) every
    BLAS is held to one thread: two fits in threads of one process
    (joblib's threading backend) each ran 2.6x slower than alone with
    NumPy's pool at 2 threads on 2 cores, 1.2x with it at one
    (``benchmarks/bench_load.py --search``). Everything is restored when
    the last fit leaves (``state["release"]``).
    """
    limiters = []
    watch = None
    try:
        controller = ThreadpoolController()  # 1-3 ms: once per phase
        limiters.append(_limit_foreign_blas(controller))
        if WATCH_LOAD:
            watch = _LoadWatch(limiters, controller)
    except Exception:  # the limits are only a speed-up: never fail a fit on them
        pass
    taken.set()
    overlap_limited = False
    while True:
        if state["overlap"] and not overlap_limited:
            overlap_limited = True
            if watch is not None:
                watch.stop()
            try:
                limiters.append(ThreadpoolController().limit(limits=1, user_api="blas"))
            except Exception:
                pass
            state["overlapping"].set()
        if state["release"]:
            break
        wake.wait(timeout=None if watch is None else LOAD_CHECK_SECONDS)
        wake.clear()
        if watch is not None and not state["release"]:
            try:
                watch.check()
            except Exception:
                watch = None
    for limiter in reversed(limiters):  # the last taken recorded the first's limit
        if limiter is not None:
            limiter.restore_original_limits()


@contextlib.contextmanager
def managed_blas_threads():
    """The BLAS thread settings of a training run, shared by all threads:
    :func:`_limit_foreign_blas`, NumPy's pool fitted to the machine's load
    and the overlap rule (see :func:`_hold_limit`), for the block.

    The limit is taken when the first block enters and restored when the
    last one leaves, so overlapping fits (joblib's threading backend, a
    thread pool) never record an already-lowered setting as the one to
    restore: once every fit has returned, every thread setting is as it
    was found. From the moment a second block enters until the last one
    leaves, every BLAS is held to one thread (see :func:`_hold_limit`).
    """
    global _blas_users, _blas_holder
    with _blas_lock:
        if _blas_users == 0:
            taken, wake = threading.Event(), threading.Event()
            state = {"overlap": False, "overlapping": threading.Event(), "release": False}
            holder = threading.Thread(
                target=_hold_limit, args=(taken, wake, state), daemon=True,
                name="skstackedae-blas-limit",
            )
            holder.start()
            taken.wait()
            _blas_holder = (wake, state, holder)
        elif _blas_users == 1:
            wake, state, _ = _blas_holder
            state["overlap"] = True
            wake.set()
            state["overlapping"].wait()  # both fits start single-threaded
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                wake, state, holder = _blas_holder
                _blas_holder = None
                state["release"] = True
                wake.set()
                holder.join()


def _reset_after_fork():
    # A child forked while a fit held the limit inherits the counters but
    # not the holder thread; its BLAS settings are its own from here on.
    global _blas_lock, _blas_users, _blas_holder
    _blas_lock, _blas_users, _blas_holder = threading.Lock(), 0, None


os.register_at_fork(after_in_child=_reset_after_fork)


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


def flat_objective(loss_grad, coefs, intercepts, phase="training"):
    """The function L-BFGS sees for ``loss_grad`` at ``(coefs, intercepts)``.

    Returns ``fun`` (see :func:`_scipy_objective`) and the float64 starting
    vector. Raises :class:`NonFiniteLossError` when the loss or gradient
    stops being finite. Used by ``benchmarks/bench_lossgrad.py`` to time
    exactly what the solver calls.
    """
    flat = _FlatParameters(coefs, intercepts)
    return _scipy_objective(loss_grad, flat, phase), flat.theta.astype(np.float64)


# --- the optimisers ------------------------------------------------------


class AdamOptimizer:
    """Adam (Kingma & Ba, 2015) on a flat parameter vector, in place.

    The same update as scikit-learn's ``AdamOptimizer``::

        m <- beta_1 m + (1 - beta_1) g
        v <- beta_2 v + (1 - beta_2) g^2
        theta <- theta - lr sqrt(1 - beta_2^t) / (1 - beta_1^t) m / (sqrt(v) + eps)
    """

    def __init__(self, size, dtype, learning_rate_init, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate_init = learning_rate_init
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)
        self._step = np.empty(size, dtype=dtype)

    def step(self, theta, grad):
        self.t += 1
        self.m *= self.beta_1
        self.m += (1 - self.beta_1) * grad
        self.v *= self.beta_2
        self.v += (1 - self.beta_2) * grad * grad
        rate = (
            self.learning_rate_init
            * np.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(self.v, out=self._step)
        self._step += self.epsilon
        np.divide(self.m, self._step, out=self._step)
        self._step *= rate
        theta -= self._step


class SGDOptimizer:
    """SGD with Nesterov momentum (MLPClassifier's defaults), in place::

        velocity <- momentum velocity - lr g
        theta <- theta + momentum velocity - lr g
    """

    def __init__(self, size, dtype, learning_rate_init, momentum=0.9):
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def step(self, theta, grad):
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate_init * grad
        theta += self.momentum * self.velocity - self.learning_rate_init * grad


_OPTIMIZERS = {"adam": AdamOptimizer, "sgd": SGDOptimizer}


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


def _stalled(loss_curve, min_decrease):
    """Whether the loss fell by less than ``min_decrease`` (a fraction of its
    value) over the last ``STALL_WINDOW`` iterations."""
    if min_decrease is None or len(loss_curve) <= STALL_WINDOW:
        return False
    before, now = loss_curve[-1 - STALL_WINDOW], loss_curve[-1]
    return bool(before - now < min_decrease * abs(before))


def _run_lbfgs(loss_grad, flat, progress, *, max_iter, tol, phase, warn, resample=None,
               resample_every=None, min_decrease=None):
    """SciPy's L-BFGS-B from ``flat.theta``, stopped early (as converged)
    once the loss falls by less than ``min_decrease`` of its value over
    ``STALL_WINDOW`` iterations, when given. With ``resample``, a cost that
    changes with a random draw (the consistency term's noise) is minimised
    in runs of ``resample_every`` iterations, each on a fresh draw and each
    starting L-BFGS's curvature memory anew (it describes the previous
    cost); the runs stop at ``max_iter`` iterations in all, or at the first
    that converges."""
    fun = _scipy_objective(loss_grad, flat, phase)

    def callback(intermediate_result):
        # The iterate, not the last point the line search evaluated.
        flat.theta[...] = intermediate_result.x
        progress.loss_curve.append(float(intermediate_result.fun))
        progress.keep_if_best(progress.loss_curve[-1], intermediate_result.x)
        progress.report("iteration")
        if _stalled(progress.loss_curve, min_decrease):
            stalled.append(True)
            raise StopIteration  # SciPy ends the run at this iterate

    stalled = []

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
    return float(result.fun), n_iter


def _run_minibatch(
    loss_grad, flat, progress, *, solver, max_iter, tol, phase, warn, n_samples,
    batch_size, learning_rate_init, n_iter_no_change, shuffle, rng,
    validation_score, optimizer, resample=None,
):
    """Adam/SGD epochs with MLPClassifier's stopping rule: an epoch improves
    when the validation score rises by at least ``tol`` (or, without one,
    the epoch loss falls by at least ``tol``); stop after more than
    ``n_iter_no_change`` epochs in a row without improvement. ``resample``
    draws the cost's noise anew before every epoch (each row is seen once
    per epoch, so every batch sees a fresh draw)."""
    no_improvement = 0
    for _ in range(max_iter):
        if resample is not None:
            resample()
        order = rng.permutation(n_samples) if shuffle else None
        epoch_loss = 0.0
        for batch in gen_batches(n_samples, batch_size):
            rows = order[batch] if shuffle else batch
            loss = flat.loss_grad(loss_grad, phase, _MINIBATCH_ADVICE, rows=rows)
            epoch_loss += loss * (batch.stop - batch.start)
            optimizer.step(flat.theta, flat.grad)
        progress.loss_curve.append(epoch_loss / n_samples)

        if validation_score is not None:
            score = validation_score(flat.coefs, flat.intercepts)
            progress.validation_scores.append(score)
            improved = score >= progress.best_score + tol
            if score > progress.best_score:
                progress.best_score = score
                progress.best_loss = progress.loss_curve[-1]
                progress.best_theta = flat.theta.copy()
            progress.report("epoch", f", validation score = {score:.6f}")
        else:
            improved = progress.loss_curve[-1] <= progress.best_loss - tol
            progress.keep_if_best(progress.loss_curve[-1], flat.theta)
            progress.report("epoch")
        no_improvement = 0 if improved else no_improvement + 1
        if no_improvement > n_iter_no_change:
            break
    else:
        if warn:
            warnings.warn(
                f"{phase}: {solver} reached max_iter={max_iter} epochs before "
                "converging; increase the iteration limit of this phase.",
                ConvergenceWarning,
            )
    if progress.validation_scores:
        if progress.best_theta is None:
            # Every score was NaN (R^2 of a single validation row): no
            # weights were validated, and the last ones are not "the best".
            raise ValueError(
                f"{phase}: early stopping's validation score was not finite at "
                f"any of {len(progress.validation_scores)} epoch(s) (for example "
                "R^2 on a single validation row). Raise validation_fraction, use "
                "more samples, or set early_stopping=False."
            )
        # Early stopping keeps the best validated weights.
        flat.theta[...] = progress.best_theta
        return progress.best_loss
    return progress.loss_curve[-1]


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
    n_samples=None,
    batch_size=200,
    learning_rate_init=1e-3,
    n_iter_no_change=10,
    shuffle=True,
    rng=None,
    validation_score=None,
    optimizer=None,
    on_iteration=None,
    resample=None,
    resample_every=None,
    manage_threads=True,
    min_decrease=None,
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
    n_samples : int
        Number of training samples (Adam/SGD).
    batch_size, learning_rate_init, n_iter_no_change, shuffle :
        As in ``MLPClassifier`` (Adam/SGD).
    rng : numpy.random.RandomState
        Shuffles the samples (Adam/SGD). Advanced in place.
    validation_score : callable or None
        ``validation_score(coefs, intercepts) -> float``, higher is better.
        When given (Adam/SGD), training stops early on it and the best
        parameters are restored.
    optimizer : AdamOptimizer, SGDOptimizer or None
        State to continue from (``partial_fit``); it is copied, not changed.
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
    manage_threads : bool
        Adam/SGD: run under :func:`managed_blas_threads` (L-BFGS always
        does). Entering costs about 3 ms, more than a small ``partial_fit``
        epoch, so ``partial_fit`` passes False. Under a competing BLAS job
        a digits fit with ``solver="adam"`` slowed 4.15x without it, 1.69x
        with it.

    Returns
    -------
    result : MinimizeResult
    """
    flat = _FlatParameters(coefs, intercepts)
    keep_best = interruptible or validation_score is not None
    progress = _Progress(flat, phase, verbose, keep_best, on_iteration)
    if solver != "lbfgs":
        optimizer = (
            copy.deepcopy(optimizer)
            if optimizer is not None
            else _OPTIMIZERS[solver](flat.theta.size, flat.theta.dtype, learning_rate_init)
        )
    try:
        if solver == "lbfgs":
            loss, n_iter = _run_lbfgs(
                loss_grad, flat, progress, max_iter=max_iter, tol=tol, phase=phase,
                warn=warn_at_max_iter, resample=resample, resample_every=resample_every,
                min_decrease=None if resample is not None else min_decrease,
            )
        else:
            threads = managed_blas_threads() if manage_threads else contextlib.nullcontext()
            with threads:
                loss = _run_minibatch(
                    loss_grad, flat, progress, solver=solver, max_iter=max_iter, tol=tol,
                    phase=phase, warn=warn_at_max_iter, n_samples=n_samples,
                    batch_size=batch_size, learning_rate_init=learning_rate_init,
                    n_iter_no_change=n_iter_no_change, shuffle=shuffle, rng=rng,
                    validation_score=validation_score, optimizer=optimizer,
                    resample=resample,
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
