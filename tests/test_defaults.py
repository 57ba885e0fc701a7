"""Defaults that work on any data: the "auto" penalty weights, the L-BFGS
stall rule, and no silent collapse (constant codes, a classifier at the
class prior)."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skstackedae import SparseAutoencoder, StackedAEClassifier
from skstackedae._network import total_variance
from skstackedae._solvers import STALL_WINDOW, _stalled, minimize
from skstackedae._sparse_autoencoder import (
    UFLDL_INPUT_VARIANCE,
    auto_penalty_weights,
    reconstruction_r2,
)


def letter_like(n_samples=520, seed=0):
    """UCI letter's shape: 16 integer features 0-15 scaled by MinMaxScaler
    to [0, 1], 26 classes (UFLDL's fixed weights collapse on it)."""
    X, y = make_classification(
        n_samples=n_samples, n_features=16, n_informative=12, n_redundant=2,
        n_classes=26, n_clusters_per_class=1, class_sep=2.0, random_state=seed,
    )
    X = np.round((X - X.min(0)) / (X.max(0) - X.min(0)) * 15)
    return MinMaxScaler().fit_transform(X), y


def constant_warnings(record):
    return [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)
            and ("constant" in str(w.message) or "class prior" in str(w.message))]


# --- the "auto" penalty weights --------------------------------------------


def test_total_variance_dense_sparse_and_weighted_agree():
    rng = np.random.RandomState(0)
    X = rng.rand(30, 5) * (rng.rand(30, 5) > 0.5)
    expected = X.var(axis=0).sum()
    assert total_variance(X) == pytest.approx(expected, rel=1e-12)
    assert total_variance(sparse.csr_matrix(X)) == pytest.approx(expected, rel=1e-12)
    # Integer weights are repeated rows.
    w = rng.randint(1, 4, size=30)
    repeated = np.repeat(X, w, axis=0)
    assert total_variance(X, w) == pytest.approx(repeated.var(axis=0).sum(), rel=1e-12)
    assert total_variance(sparse.csr_matrix(X), w) == pytest.approx(
        repeated.var(axis=0).sum(), rel=1e-12)
    assert total_variance(np.ones((4, 3))) == 0


def test_auto_weights_are_ufldls_on_mnists_variance_and_scale_with_it():
    rng = np.random.RandomState(0)
    X = rng.rand(50, 8)
    X *= np.sqrt(UFLDL_INPUT_VARIANCE / total_variance(X))  # MNIST's total variance
    assert auto_penalty_weights(total_variance(X)) == pytest.approx((3e-3, 3.0), rel=1e-10)
    # A tenth of the variance, a tenth of the weights.
    assert auto_penalty_weights(total_variance(X / np.sqrt(10))) == pytest.approx(
        (3e-4, 0.3), rel=1e-10
    )


def test_sparse_autoencoder_resolves_auto_and_keeps_numbers(digits):
    X = digits[0][:200]
    ae = SparseAutoencoder(8, max_iter=5, random_state=0).fit(X)
    assert (ae.alpha_, ae.sparsity_weight_) == pytest.approx(
        auto_penalty_weights(total_variance(X))
    )
    assert ae.alpha == "auto" and ae.sparsity_weight == "auto"  # parameters untouched
    ae = SparseAutoencoder(8, alpha=1e-3, sparsity_weight=0.5, max_iter=5).fit(X)
    assert (ae.alpha_, ae.sparsity_weight_) == (1e-3, 0.5)
    # The fitted cost is UFLDL's with the resolved values: same model as numbers.
    auto = SparseAutoencoder(8, max_iter=5, random_state=0).fit(X)
    alpha, beta = auto_penalty_weights(total_variance(X))
    explicit = SparseAutoencoder(
        8, alpha=alpha, sparsity_weight=beta, max_iter=5, random_state=0
    ).fit(X)
    np.testing.assert_array_equal(auto.coefs_[0], explicit.coefs_[0])


def test_partial_fit_keeps_the_first_chunks_auto_weights(digits):
    X = digits[0][:200]
    ae = SparseAutoencoder(8, solver="adam", random_state=0).partial_fit(X[:100])
    first = (ae.alpha_, ae.sparsity_weight_)
    ae.partial_fit(X[100:] * 0.5)
    assert (ae.alpha_, ae.sparsity_weight_) == first
    assert ae.reconstruction_r2_ is None


def test_reconstruction_r2_is_one_minus_squared_error_over_total_variance(digits):
    X = digits[0][:200]
    ae = SparseAutoencoder(16, max_iter=30, random_state=0).fit(X)
    error = ((ae.inverse_transform(ae.transform(X)) - X) ** 2).sum()
    expected = 1 - error / ((X - X.mean(axis=0)) ** 2).sum()
    assert ae.reconstruction_r2_ == pytest.approx(expected, rel=1e-9)
    assert reconstruction_r2(np.ones((5, 3)), None, None, "linear") == 1.0  # constant input


# --- no silent collapse ----------------------------------------------------


def test_letter_like_table_learns_at_the_defaults():
    X, y = letter_like()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = StackedAEClassifier(random_state=0).fit(X, y)
    assert not constant_warnings(record)
    # UFLDL's fixed weights left it at chance (1/26) here.
    assert clf.score(X, y) > 0.9
    assert all(ae.reconstruction_r2_ > 0.3 for ae in clf.autoencoders_)


def test_collapsed_codes_warn_and_the_layer_restarts():
    X, y = letter_like()
    with pytest.warns(ConvergenceWarning, match="codes are constant") as record:
        clf = StackedAEClassifier(
            (100,), pretrain_alpha=3e-3, sparsity_weight=3.0, random_state=0
        ).fit(X, y)
    messages = constant_warnings(record)
    assert any("SparseAutoencoder(100)" in m and "alpha or sparsity_weight" in m for m in messages)
    assert any("pretraining layer 1 of 1" in m and "random initialisation" in m for m in messages)
    restarted = clf.autoencoders_[0]
    assert restarted.reconstruction_r2_ < 0.01
    np.testing.assert_array_equal(restarted.components_, restarted.coefs_[0].T)
    # The random restart trains: far above chance (1/26) where the collapsed
    # start stopped at once with the prior.
    assert clf.score(X, y) > 0.5


def test_a_classifier_at_the_prior_warns():
    X, y = make_classification(
        n_samples=300, n_features=8, n_classes=4, n_informative=4, random_state=0
    )
    X = MinMaxScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning, match="class prior"):
        clf = StackedAEClassifier((20,), alpha=10.0, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.ptp(proba, axis=0).max() < 0.01


def test_a_working_fit_does_not_warn_of_a_constant(small_digits):
    X, y = small_digits
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        StackedAEClassifier((30,), random_state=0).fit(X, y)
    assert not constant_warnings(record)


# --- the L-BFGS stall rule -------------------------------------------------


@pytest.mark.parametrize(
    "curve, min_decrease, expected",
    [
        ([1.0] * (STALL_WINDOW + 1), 0.01, True),  # flat
        ([1.0] * STALL_WINDOW, 0.01, False),  # too short to judge
        (list(np.linspace(1.0, 0.995, STALL_WINDOW + 1)), 0.01, True),  # 0.5 %
        (list(np.linspace(1.0, 0.98, STALL_WINDOW + 1)), 0.01, False),  # 2 %
        ([1.0] * (STALL_WINDOW + 1), None, False),  # rule off
    ],
)
def test_stalled(curve, min_decrease, expected):
    assert _stalled(curve, min_decrease) is expected


def _quadratic_with_a_long_tail(coefs, intercepts, coef_grads, intercept_grads, rows=None):
    # sum_k c_k w_k^2 / 2 with curvatures over six decades: L-BFGS creeps.
    (W,) = coefs
    c = np.logspace(0, -6, W.size).reshape(W.shape)
    coef_grads[0][...] = c * W
    intercept_grads[0][...] = 0
    return 0.5 * float(np.sum(c * W * W)) + 1.0


def test_min_decrease_stops_lbfgs_early_without_a_warning():
    coefs, intercepts = [np.ones((20, 5))], [np.zeros(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped = minimize(
            _quadratic_with_a_long_tail, coefs, intercepts, max_iter=500, tol=0.0, min_decrease=0.01
        )
    assert STALL_WINDOW < stopped.n_iter < 500
    curve = stopped.loss_curve
    assert curve[-1 - STALL_WINDOW] - curve[-1] < 0.01 * curve[-1 - STALL_WINDOW]
    with pytest.warns(ConvergenceWarning, match="max_iter=40"):
        full = minimize(_quadratic_with_a_long_tail, coefs, intercepts, max_iter=40, tol=0.0)
    assert full.n_iter == 40


# --- property: the defaults learn easy problems of any shape -----------------

REPRESENTATIONS = {
    "unit interval": lambda X: MinMaxScaler().fit_transform(X),
    "standardised": lambda X: StandardScaler().fit_transform(X),
    "raw counts": lambda X: np.round(np.abs(X) * 3),
}


@settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    n_features=st.integers(2, 64),
    n_classes=st.integers(2, 26),
    representation=st.sampled_from(sorted(REPRESENTATIONS)),
    seed=st.integers(0, 1000),
)
def test_defaults_learn_well_separated_problems(n_features, n_classes, representation, seed):
    X, y = make_blobs(
        n_samples=20 * n_classes,
        n_features=n_features,
        centers=n_classes,
        cluster_std=1.0,
        center_box=(-10, 10),
        random_state=seed,
    )
    X = REPRESENTATIONS[representation](X)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = StackedAEClassifier(random_state=0).fit(X, y)
    accuracy = clf.score(X, y)
    at_prior = np.ptp(clf.predict_proba(X), axis=0).max() < 0.01
    assert not at_prior or constant_warnings(record), "at the prior without a warning"
    assert accuracy >= 0.9, (n_features, n_classes, representation, accuracy)
