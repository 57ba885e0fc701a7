"""``compute_dtype``: float32 arithmetic on float64 input, with the fitted
model and its outputs in the input's dtype."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)

SMALL = dict(pretrain_max_iter=5, max_iter=10, random_state=0)
ESTIMATORS = [
    SparseAutoencoder(8, max_iter=10, random_state=0),
    StackedAEClassifier((8, 6), **SMALL),
    StackedAERegressor((8, 6), **SMALL),
    StackedAutoencoder((8, 4), **SMALL),
    StackedAEClassifier((8,), solver="adam", **SMALL),
]


def _fit(estimator, X, y):
    return estimator.fit(X) if y is None else estimator.fit(X, y)


def _target(estimator, y):
    if isinstance(estimator, (SparseAutoencoder, StackedAutoencoder)):
        return None
    return y.astype(float) if isinstance(estimator, StackedAERegressor) else y


def _weights(estimator):
    arrays = [*estimator.coefs_, *estimator.intercepts_]
    for autoencoder in getattr(estimator, "autoencoders_", ()):
        arrays += [*autoencoder.coefs_, *autoencoder.intercepts_, autoencoder.components_]
    if hasattr(estimator, "components_"):
        arrays.append(estimator.components_)
    return arrays


def _output(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X) if hasattr(estimator, "predict") else estimator.transform(X)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: repr(e)[:40])
def test_float32_arithmetic_on_float64_input_keeps_the_input_dtype(small_digits, estimator):
    X, y = small_digits
    y = _target(estimator, y)
    opted = _fit(clone(estimator).set_params(compute_dtype="float32"), X, y)
    on_float32 = _fit(clone(estimator), X.astype(np.float32), y)
    # The same arithmetic as a float32 fit ...
    for got, expected in zip(_weights(opted), _weights(on_float32), strict=True):
        assert got.dtype == np.float64
        assert_array_equal(got, expected.astype(np.float64))
    # ... and the model of a float64 input: float64 out.
    assert _output(opted, X).dtype == np.float64
    default = _fit(clone(estimator), X, y)
    assert all(W.dtype == np.float64 for W in _weights(default))
    assert not all(
        np.array_equal(a, b) for a, b in zip(_weights(opted), _weights(default), strict=True)
    )


def test_float64_arithmetic_on_float32_input(small_digits):
    X, _ = small_digits
    X32 = X.astype(np.float32)
    opted = SparseAutoencoder(8, max_iter=10, random_state=0, compute_dtype="float64").fit(X32)
    on_float64 = SparseAutoencoder(8, max_iter=10, random_state=0).fit(X32.astype(np.float64))
    assert opted.coefs_[0].dtype == np.float32 and opted.transform(X32).dtype == np.float32
    assert_array_equal(opted.coefs_[0], on_float64.coefs_[0].astype(np.float32))


def test_sparse_input_warm_start_and_partial_fit_keep_the_input_dtype(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((8,), compute_dtype="float32", warm_start=True, **SMALL)
    clf.fit(sparse.csr_matrix(X), y).fit(X, y)  # the second fit continues in float32
    assert all(W.dtype == np.float64 for W in _weights(clf))
    assert clf.score(X, y) > 0.5
    ae = SparseAutoencoder(8, solver="adam", compute_dtype="float32", random_state=0)
    for _ in range(3):
        ae.partial_fit(X)
    assert ae.n_iter_ == 3 and ae.coefs_[0].dtype == np.float64
    assert ae.transform(X).dtype == np.float64


def test_a_failed_fit_leaves_no_input_dtype_behind(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((8,), compute_dtype="float32", **SMALL)
    with pytest.raises(ValueError, match="[Ss]ample.weight"):
        clf.fit(X, y, sample_weight=np.zeros(X.shape[0]))
    assert not hasattr(clf, "_input_dtype") and not hasattr(clf, "coefs_")


@pytest.mark.parametrize("value", ["float16", "half", np.float32, 32])
def test_compute_dtype_rejects_other_values(small_digits, value):
    X, y = small_digits
    with pytest.raises(InvalidParameterError, match="compute_dtype"):
        StackedAEClassifier((8,), compute_dtype=value, **SMALL).fit(X, y)
