import numpy as np
import pytest
from sklearn.datasets import load_digits

from skstackedae import _solvers


@pytest.fixture(autouse=True)
def fixed_blas_threads(monkeypatch):
    """No test's fits follow the machine's load: two fits compared bit for
    bit must run at the same BLAS thread count (tests/test_solvers.py turns
    the load watch back on where it is the subject)."""
    monkeypatch.setattr(_solvers, "WATCH_LOAD", False)


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1]: (X, y)."""
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.fixture(scope="session")
def small_digits(digits):
    """A 400-sample subset of the scaled digits, for fast fits."""
    X, y = digits
    return np.ascontiguousarray(X[:400]), y[:400]
