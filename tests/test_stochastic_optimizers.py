"""Adam and SGD: one exact step each, by hand."""

import pickle

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from skstackedae._stochastic_optimizers import AdamOptimizer, SGDOptimizer


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


def test_adam_pickles_its_state_without_its_scratch_buffer():
    # The state (t, m, v) survives a round trip and the next step is the
    # same; the step's scratch buffer is rebuilt, not pickled.
    rng = np.random.default_rng(0)
    theta, grad = rng.standard_normal(1000), rng.standard_normal(1000)
    adam = AdamOptimizer(1000, np.float32, learning_rate_init=0.01)
    adam.step(theta, grad)
    copy = pickle.loads(pickle.dumps(adam))
    assert copy.t == 1 and copy._step.shape == (1000,) and copy._step.dtype == np.float32
    assert len(pickle.dumps(adam)) < 2.2 * 1000 * 4  # m and v only
    theta_copy = theta.copy()
    adam.step(theta, grad)
    copy.step(theta_copy, grad)
    assert_array_equal(theta_copy, theta)
