"""scikit-learn's own conformance checks, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

from skstackedae import SparseAutoencoder, StackedAEClassifier

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
]


@parametrize_with_checks(SMALL_ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.defaults
@pytest.mark.parametrize(
    "estimator", [SparseAutoencoder(), StackedAEClassifier()], ids=lambda e: type(e).__name__
)
def test_check_estimator_at_default_parameters(estimator):
    # Run on its own with: pytest -m defaults
    check_estimator(estimator)
