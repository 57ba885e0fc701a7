import numpy as np
import pytest
from sklearn.datasets import load_digits

import skstackedae


@pytest.fixture(autouse=True)
def default_config():
    """Every test starts from the package's default settings, and one that
    changes them (``set_config``) cannot leak them into the next."""
    with skstackedae.config_context(adaptive_blas_threads=False):
        yield


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
