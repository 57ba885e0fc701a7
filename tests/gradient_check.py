"""Gradient checks shared by the tests of the pure math modules: a cost on
lists of arrays as a function of one flat vector, and its analytic gradient
against central finite differences (and SciPy's check_grad)."""

import numpy as np
from scipy.optimize import approx_fprime, check_grad

from skstackedae._network import unpack

RELATIVE_TOLERANCE = 1e-6


EPSILON = 1e-4


def relative_gradient_error(loss_grad, theta):
    """Relative error of the analytic gradient against central differences."""

    def loss(theta):
        return loss_grad(theta)[0]

    analytic = loss_grad(theta)[1]
    central = 0.5 * (
        approx_fprime(theta, loss, EPSILON) + approx_fprime(theta, loss, -EPSILON)
    )
    return np.linalg.norm(analytic - central) / np.linalg.norm(analytic)


def check_grad_relative_error(loss_grad, theta):
    """The same with scipy's check_grad (forward differences)."""

    def loss(theta):
        return loss_grad(theta)[0]

    def grad(theta):
        return loss_grad(theta)[1]

    return check_grad(loss, grad, theta) / np.linalg.norm(grad(theta))


def assert_gradient_is_correct(loss_grad, theta):
    """Both checks: central differences (the user guide's bound) and check_grad."""
    assert relative_gradient_error(loss_grad, theta) < RELATIVE_TOLERANCE
    assert check_grad_relative_error(loss_grad, theta) < 1e-5


def flat_loss_grad(loss_fn, shapes, **kwargs):
    """Adapt a loss on lists of arrays to a function of one flat vector."""
    n_coefs = len(shapes) // 2

    def loss_grad(theta):
        params = unpack(theta, shapes)
        grad = np.zeros_like(theta)
        grads = unpack(grad, shapes)
        loss = loss_fn(
            params[:n_coefs],
            params[n_coefs:],
            coef_grads=grads[:n_coefs],
            intercept_grads=grads[n_coefs:],
            **kwargs,
        )
        return loss, grad

    return loss_grad


def random_theta(shapes, rng, scale=0.5):
    return rng.uniform(-scale, scale, size=sum(int(np.prod(s)) for s in shapes))
