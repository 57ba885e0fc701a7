"""Optimisers behind one interface.

``minimize_lbfgs`` runs SciPy's L-BFGS-B on a loss/gradient function that
works on lists of parameter arrays. The parameters live in one flat buffer of
the working dtype (float32 or float64) and the arrays handed to the loss are
views into it, so L-BFGS's float64 iterate is copied once into that buffer per
evaluation and nothing is packed or unpacked in between.
"""

import contextlib
import time
import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from ._network import pack, unpack


class NonFiniteLossError(FloatingPointError):
    """The loss or its gradient became NaN or infinite during a fit."""


def _foreign_blas_single_threaded():
    """Limit the BLAS libraries that NumPy does not use to one thread.

    NumPy and SciPy wheels each bundle their own OpenBLAS. L-BFGS-B's update
    runs in SciPy's, the network's products in NumPy's; with both pools at
    full size their idle threads spin against each other and a fit on 2
    cores ran 5x slower (measured on digits, 64-200-64). L-BFGS-B's vector
    work gains nothing from threads, so SciPy's pool is held to one thread.
    Where one BLAS serves both (conda, system packages) nothing changes.
    """
    controller = ThreadpoolController()
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    numpy_owned = [lib for lib in blas if "numpy" in lib.filepath]
    foreign = [lib.filepath for lib in blas if "numpy" not in lib.filepath]
    if not (numpy_owned and foreign):
        return contextlib.nullcontext()
    return controller.select(filepath=foreign).limit(limits=1)


def _flat_buffers(params):
    """One working-dtype vector holding ``params``, one for its gradient, and
    the lists of views into each that the loss functions receive."""
    shapes = [p.shape for p in params]
    theta = pack(params, dtype=params[0].dtype)
    grad = np.empty_like(theta)
    return theta, grad, unpack(theta, shapes), unpack(grad, shapes)


def _check_finite(loss, grad, phase, advice):
    if not (np.isfinite(loss) and np.all(np.isfinite(grad))):
        raise NonFiniteLossError(
            f"The loss of the {phase} phase became {loss} (non-finite); {advice}."
        )


def flat_objective(loss_grad, params, phase="training"):
    """Wrap ``loss_grad`` on arrays into ``fun(x) -> (loss, grad)`` on a vector.

    Returns ``fun`` (float64 in and out, as SciPy wants), the working-dtype
    flat buffer ``theta`` holding ``params`` and the list of views into it
    that ``loss_grad`` receives. Raises :class:`NonFiniteLossError` when the
    loss or gradient stops being finite.
    """
    theta, grad, param_views, grad_views = _flat_buffers(params)

    def fun(x):
        theta[...] = x
        loss = loss_grad(param_views, grad_views)
        _check_finite(loss, grad, phase, "scale the input or increase alpha")
        return loss, grad.astype(np.float64)

    return fun, theta, param_views


def minimize_lbfgs(
    loss_grad,
    params,
    *,
    max_iter,
    tol,
    phase="training",
    verbose=0,
    interruptible=False,
):
    """Minimise ``loss_grad`` over a list of arrays with L-BFGS-B.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(params, grads) -> float``: computes the loss at the list
        of arrays ``params`` and writes its gradient into ``grads`` (arrays of
        the same shapes).
    params : list of ndarray
        Starting point; its dtype is the working dtype. Not modified.
    max_iter : int
        Maximum number of L-BFGS iterations.
    tol : float
        Stop when the largest gradient component falls below ``tol``
        (L-BFGS-B's ``gtol``).
    phase : str
        Name of the phase, used in messages and warnings.
    verbose : int
        Print the loss every iteration when positive.
    interruptible : bool
        If True, a ``KeyboardInterrupt`` stops the run and returns the best
        iterate so far with a warning (as ``MLPClassifier`` does) instead of
        propagating.

    Returns
    -------
    params : list of ndarray
        The minimiser, new arrays of the working dtype.
    loss : float
        Final loss.
    n_iter : int
        Number of iterations run.
    loss_curve : list of float
        Loss after each iteration.
    """
    fun, theta, param_views = flat_objective(loss_grad, params, phase)

    loss_curve = []
    best = {"loss": np.inf, "x": theta.astype(np.float64)}
    start = time.perf_counter()

    def callback(intermediate_result):
        loss_curve.append(float(intermediate_result.fun))
        if interruptible and loss_curve[-1] < best["loss"]:
            best["loss"], best["x"] = loss_curve[-1], intermediate_result.x.copy()
        if verbose:
            print(
                f"[{phase}] iteration {len(loss_curve)}, "
                f"loss = {loss_curve[-1]:.8f}, "
                f"elapsed = {time.perf_counter() - start:.2f}s"
            )

    try:
        with _foreign_blas_single_threaded():
            result = scipy.optimize.minimize(
                fun,
                theta.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=callback,
                options={"maxiter": max_iter, "gtol": tol},
            )
    except KeyboardInterrupt:
        if not interruptible:
            raise
        warnings.warn(
            f"{phase}: training interrupted by user after {len(loss_curve)} "
            "iteration(s); keeping the best weights so far.",
            UserWarning,
        )
        theta[...] = best["x"]
        loss = best["loss"] if loss_curve else fun(best["x"])[0]
        return param_views, float(loss), len(loss_curve), loss_curve

    n_iter = min(result.nit, max_iter)
    if result.status == 1 and n_iter >= max_iter:
        warnings.warn(
            f"{phase}: L-BFGS reached max_iter={max_iter} before converging; "
            "increase the iteration limit of this phase.",
            ConvergenceWarning,
        )
    theta[...] = result.x
    return param_views, float(result.fun), n_iter, loss_curve


class AdamOptimizer:
    """Adam (Kingma & Ba, 2015) on a flat parameter vector, in place."""

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
    """SGD with Nesterov momentum (MLPClassifier's defaults), in place."""

    def __init__(self, size, dtype, learning_rate_init, momentum=0.9):
        self.learning_rate_init = learning_rate_init
        self.momentum = momentum
        self.velocity = np.zeros(size, dtype=dtype)

    def step(self, theta, grad):
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate_init * grad
        theta += self.momentum * self.velocity - self.learning_rate_init * grad


def make_optimizer(solver, theta, learning_rate_init):
    cls = {"adam": AdamOptimizer, "sgd": SGDOptimizer}[solver]
    return cls(theta.size, theta.dtype, learning_rate_init)


def minimize_minibatch(
    loss_grad,
    params,
    n_samples,
    *,
    solver,
    batch_size,
    learning_rate_init,
    max_iter,
    tol,
    n_iter_no_change,
    shuffle,
    rng,
    validation_score=None,
    optimizer=None,
    phase="training",
    verbose=0,
    warn_at_max_iter=True,
):
    """Minimise ``loss_grad`` with mini-batch Adam or SGD.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(params, grads, rows) -> float``: mean loss over the
        samples ``rows`` (an index array or slice), gradient into ``grads``.
    params : list of ndarray
        Starting point (not modified); its dtype is the working dtype.
    n_samples : int
        Number of training samples.
    solver : {"adam", "sgd"}
    batch_size, learning_rate_init, shuffle :
        As in ``MLPClassifier``.
    max_iter : int
        Maximum number of epochs.
    tol, n_iter_no_change : float, int
        Stop when the epoch's training loss (or, with ``validation_score``,
        the validation score) has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, as ``MLPClassifier`` does.
    rng : RandomState
        Shuffles the samples.
    validation_score : callable or None
        ``validation_score(params) -> float``, higher is better. When given,
        training stops early on it and the best parameters are restored.
    optimizer : AdamOptimizer, SGDOptimizer or None
        Optimiser state to continue from (``partial_fit``); a new one if None.
    phase, verbose :
        As in :func:`minimize_lbfgs`.
    warn_at_max_iter : bool
        Warn with ConvergenceWarning if ``max_iter`` epochs did not converge.

    Returns
    -------
    params, loss, n_iter, loss_curve, validation_scores, optimizer
    """
    theta, grad, param_views, grad_views = _flat_buffers(params)
    if optimizer is None:
        optimizer = make_optimizer(solver, theta, learning_rate_init)

    loss_curve, validation_scores = [], []
    best_loss, best_score, best_theta = np.inf, -np.inf, None
    no_improvement = 0
    start = time.perf_counter()
    converged = False
    for epoch in range(max_iter):
        order = rng.permutation(n_samples) if shuffle else None
        epoch_loss = 0.0
        for begin in range(0, n_samples, batch_size):
            end = min(begin + batch_size, n_samples)
            rows = order[begin:end] if shuffle else slice(begin, end)
            loss = loss_grad(param_views, grad_views, rows)
            _check_finite(
                loss, grad, phase,
                "scale the input, lower learning_rate_init or increase alpha",
            )
            epoch_loss += loss * (end - begin)
            optimizer.step(theta, grad)
        loss_curve.append(epoch_loss / n_samples)

        if validation_score is not None:
            score = validation_score(param_views)
            validation_scores.append(score)
            improved = score > best_score + tol
            if score > best_score:
                best_score, best_theta = score, theta.copy()
        else:
            improved = loss_curve[-1] < best_loss - tol
            best_loss = min(best_loss, loss_curve[-1])
        no_improvement = 0 if improved else no_improvement + 1
        if verbose:
            extra = f", validation score = {validation_scores[-1]:.6f}" if validation_scores else ""
            print(
                f"[{phase}] epoch {epoch + 1}, loss = {loss_curve[-1]:.8f}{extra}, "
                f"elapsed = {time.perf_counter() - start:.2f}s"
            )
        if no_improvement >= n_iter_no_change:
            converged = True
            break

    if not converged and warn_at_max_iter:
        warnings.warn(
            f"{phase}: {solver} reached max_iter={max_iter} epochs before "
            "converging; increase the iteration limit of this phase.",
            ConvergenceWarning,
        )
    if best_theta is not None:
        theta[...] = best_theta
    return (
        param_views,
        float(loss_curve[-1]),
        len(loss_curve),
        loss_curve,
        validation_scores or None,
        optimizer,
    )
