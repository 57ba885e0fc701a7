"""Property-based tests over shapes, dtypes and value ranges (hypothesis)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skstackedae import SparseAutoencoder, StackedAEClassifier

hypothesis = pytest.importorskip("hypothesis")
HealthCheck, given, settings = hypothesis.HealthCheck, hypothesis.given, hypothesis.settings
st = hypothesis.strategies
arrays = pytest.importorskip("hypothesis.extra.numpy").arrays

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def datasets(draw, min_classes=2):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n_samples = draw(st.integers(4, 40))
    n_features = draw(st.integers(1, 12))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3, 1e6]))
    X = draw(
        arrays(
            dtype,
            (n_samples, n_features),
            elements=st.floats(-1, 1, width=32),
        )
    ) * dtype(scale)
    n_classes = draw(st.integers(min_classes, 4))
    # Every class present, in a drawn order.
    y = np.asarray(draw(st.permutations(list(np.arange(n_samples) % n_classes))))
    return X, y


@SETTINGS
@given(data=datasets(), hidden=st.sampled_from([(3,), (5, 2)]))
def test_predict_proba_is_a_distribution_and_ignores_row_order(data, hidden):
    X, y = data
    clf = StackedAEClassifier(hidden, pretrain_max_iter=10, max_iter=10, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.dtype == X.dtype
    assert proba.shape == (X.shape[0], np.unique(y).size)
    assert np.all((proba >= 0) & (proba <= 1))
    tolerance = 1e-5 if X.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=tolerance)
    order = np.random.RandomState(0).permutation(X.shape[0])
    np.testing.assert_array_equal(clf.predict(X[order]), clf.predict(X)[order])


@SETTINGS
@given(data=datasets(), n_components=st.integers(1, 6))
def test_transform_range_and_round_trip_shape(data, n_components):
    X, _ = data
    ae = SparseAutoencoder(n_components, max_iter=10, random_state=0).fit(X)
    H = ae.transform(X)
    assert H.shape == (X.shape[0], n_components) and H.dtype == X.dtype
    # Sigmoid codes lie in (0, 1); in floating point a saturated unit rounds
    # to exactly 0 or 1 (as scipy.special.expit does), hence the closed range.
    assert np.all((H >= 0) & (H <= 1))
    X_back = ae.inverse_transform(H)
    assert X_back.shape == X.shape and X_back.dtype == X.dtype
    # The decoder, g(H W2 + b2), with g the sigmoid or the identity.
    Z = H @ ae.coefs_[1] + ae.intercepts_[1]
    expected = 1 / (1 + np.exp(-Z.astype(np.float64))) if ae.decoder_ == "logistic" else Z
    np.testing.assert_allclose(
        X_back, expected, rtol=1e-4 if X.dtype == np.float32 else 1e-10, atol=1e-6
    )
    order = np.random.RandomState(0).permutation(X.shape[0])
    np.testing.assert_allclose(
        ae.transform(X[order]), H[order], rtol=1e-5 if X.dtype == np.float32 else 1e-12
    )


def constant_warnings(record):
    return [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)
            and ("constant" in str(w.message) or "class prior" in str(w.message))]


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
@pytest.mark.slow
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
