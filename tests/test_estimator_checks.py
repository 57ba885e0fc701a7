"""scikit-learn's own conformance checks, with no expected failures."""

import os
import subprocess
import sys

import pytest
from sklearn.utils.estimator_checks import (
    check_estimator,
    estimator_checks_generator,
    parametrize_with_checks,
)

from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)

# Small settings keep the ~50 checks per estimator fast; the defaults are
# checked below in a test of their own.
SMALL_ESTIMATORS = [
    SparseAutoencoder(n_components=5, max_iter=50, random_state=0),
    StackedAEClassifier(
        hidden_layer_sizes=(10,), pretrain_max_iter=30, max_iter=100, random_state=0
    ),
    # The mini-batch solvers, and partial_fit's checks.
    SparseAutoencoder(n_components=5, solver="adam", max_iter=20, random_state=0),
    StackedAEClassifier(
        hidden_layer_sizes=(10,), solver="sgd", learning_rate_init=0.1,
        pretrain_max_iter=20, max_iter=100, random_state=0,
    ),
    # The consistency term (noise drawn anew during fine-tuning).
    StackedAEClassifier(
        hidden_layer_sizes=(10,), pretrain_max_iter=30, max_iter=100,
        consistency_weight=1.0, random_state=0,
    ),
    StackedAERegressor((10,), pretrain_max_iter=30, max_iter=100, random_state=0),
    StackedAERegressor(
        (10,), solver="sgd", learning_rate_init=0.1, pretrain_max_iter=20, max_iter=100,
        random_state=0,
    ),
    StackedAutoencoder((8, 4), pretrain_max_iter=20, max_iter=50, random_state=0),
    StackedAutoencoder((8, 4), solver="adam", pretrain_max_iter=5, max_iter=5, random_state=0),
]


ARRAY_API_CHECK = "check_array_api_input"


def run_in_array_api_mode(estimator, keywords):
    """scikit-learn's ``check_array_api_input`` in a new process with SciPy in
    array API mode (``SCIPY_ARRAY_API=1`` must be set before SciPy is first
    imported, and the rest of the suite runs SciPy as users do)."""
    code = (
        "import warnings\n"
        "from sklearn.exceptions import ConvergenceWarning\n"
        f"from sklearn.utils.estimator_checks import {ARRAY_API_CHECK}\n"
        "from skstackedae import *\n"
        "warnings.simplefilter('error')\n"
        "warnings.simplefilter('ignore', ConvergenceWarning)\n"
        f"estimator = {estimator!r}\n"
        f"{ARRAY_API_CHECK}(type(estimator).__name__, estimator, **{keywords!r})\n"
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]


@parametrize_with_checks(SMALL_ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    if check.func.__name__ == "check_classifiers_multilabel_output_format_decision_function":
        # scikit-learn skips this check for classifiers without
        # decision_function (as MLPClassifier); assert that instead.
        assert not hasattr(estimator, "decision_function")
        return
    if check.func.__name__ == ARRAY_API_CHECK:
        run_in_array_api_mode(estimator, check.keywords)
        return
    check(estimator)


@pytest.mark.slow
@pytest.mark.defaults
@pytest.mark.parametrize(
    "estimator",
    [SparseAutoencoder(), StackedAEClassifier(), StackedAERegressor(), StackedAutoencoder()],
    ids=lambda e: type(e).__name__,
)
def test_check_estimator_at_default_parameters(estimator):
    # Run on its own with: pytest -m defaults --run-slow
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [(r["check_name"], r["exception"]) for r in results if r["status"] == "failed"]
    assert not failed
    skipped = {r["check_name"] for r in results if r["status"] == "skipped"}
    # scikit-learn skips the check for decision_function, which these
    # estimators do not have (as MLPClassifier), and the array API check
    # outside array API mode: it runs in a process of its own.
    assert skipped <= {
        "check_classifiers_multilabel_output_format_decision_function",
        ARRAY_API_CHECK,
    }
    assert not hasattr(estimator, "decision_function")
    if ARRAY_API_CHECK in skipped:
        (keywords,) = [
            check.keywords
            for _, check in estimator_checks_generator(estimator, mark=None)
            if check.func.__name__ == ARRAY_API_CHECK
        ]
        run_in_array_api_mode(estimator, keywords)
