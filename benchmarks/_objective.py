"""The function L-BFGS sees, for the benchmarks that time it."""

import numpy as np

from skstackedae._solvers import _FlatParameters, _scipy_objective


def flat_objective(loss_grad, coefs, intercepts, phase="training"):
    """The function ``skstackedae._solvers.minimize`` hands to SciPy's
    L-BFGS-B for ``loss_grad`` at ``(coefs, intercepts)``.

    Returns ``fun(x) -> (loss, grad)`` on float64 vectors (``x`` is copied
    into the working dtype and evaluated there) and the float64 starting
    vector. Raises ``NonFiniteLossError`` when the loss or gradient stops
    being finite.
    """
    flat = _FlatParameters(coefs, intercepts)
    return _scipy_objective(loss_grad, flat, phase), flat.theta.astype(np.float64)
