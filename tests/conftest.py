"""Fixtures shared by the test modules, and the ``slow`` marker's option."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

import skstackedae
from skstackedae import StackedAEClassifier


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


@pytest.fixture(scope="session")
def tiny_digits(small_digits):
    """The first 150 of the scaled digits, for many short fits."""
    X, y = small_digits
    return X[:150], y[:150]


@pytest.fixture(scope="session")
def small_classifier():
    """A factory of small, seeded ``StackedAEClassifier`` s, fast to fit:
    ``small_classifier(**params)`` overrides the defaults below."""

    def make(**params):
        defaults = dict(
            hidden_layer_sizes=(16, 8), pretrain_max_iter=20, max_iter=40, random_state=0
        )
        return StackedAEClassifier(**{**defaults, **params})

    return make


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow", action="store_true",
        help="also run the tests marked slow (CI and the README's command do)",
    )


def pytest_collection_modifyitems(config, items):
    # Deselected, not skipped: a developer's default run leaves them out,
    # --run-slow runs everything.
    if config.getoption("--run-slow"):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]
