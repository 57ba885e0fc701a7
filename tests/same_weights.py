"""Comparing fitted networks weight by weight (shared by the test modules)."""

from numpy.testing import assert_array_equal


def weights(estimator):
    """Copies of a fitted network's weight matrices and bias vectors."""
    return [a.copy() for a in estimator.coefs_ + estimator.intercepts_]


def assert_same_weights(a, b):
    """Two lists from :func:`weights` are equal, array by array, bit for bit."""
    for x, y in zip(a, b, strict=True):
        assert_array_equal(x, y)
