"""Property-based tests over shapes, dtypes and value ranges (hypothesis)."""


import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skstackedae import SparseAutoencoder, StackedAEClassifier

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
