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


def flat_objective(loss_grad, params, phase="training"):
    """Wrap ``loss_grad`` on arrays into ``fun(x) -> (loss, grad)`` on a vector.

    Returns ``fun`` (float64 in and out, as SciPy wants), the working-dtype
    flat buffer ``theta`` holding ``params`` and the list of views into it
    that ``loss_grad`` receives. Raises :class:`NonFiniteLossError` when the
    loss or gradient stops being finite.
    """
    shapes = [p.shape for p in params]
    dtype = params[0].dtype
    theta = pack(params, dtype=dtype)  # working-dtype buffer, reused
    grad = np.empty_like(theta)
    param_views = unpack(theta, shapes)
    grad_views = unpack(grad, shapes)

    def fun(x):
        theta[...] = x
        loss = loss_grad(param_views, grad_views)
        if not (np.isfinite(loss) and np.all(np.isfinite(grad))):
            raise NonFiniteLossError(
                f"The loss of the {phase} phase became {loss} (non-finite); "
                "scale the input or increase alpha."
            )
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
