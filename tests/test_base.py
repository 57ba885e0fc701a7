"""BaseNetwork's shared behaviour, on every estimator: compute_dtype, sample_weight
checks and semantics, numerical robustness, reproducibility and thread-safe
predictions."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

import skstackedae._base
from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)


def _fit(estimator, X, y):
    return estimator.fit(X) if y is None else estimator.fit(X, y)


# Short fits of every estimator, for the compute_dtype tests.
SHORT = dict(pretrain_max_iter=5, max_iter=10, random_state=0)
ESTIMATORS = [
    SparseAutoencoder(8, max_iter=10, random_state=0),
    StackedAEClassifier((8, 6), **SHORT),
    StackedAERegressor((8, 6), **SHORT),
    StackedAutoencoder((8, 4), **SHORT),
    StackedAEClassifier((8,), solver="adam", **SHORT),
]

# One small hidden layer, for the sample_weight tests.
SMALL = dict(hidden_layer_sizes=(8,), pretrain_max_iter=20, max_iter=40, random_state=0)


def _output(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X) if hasattr(estimator, "predict") else estimator.transform(X)


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


def _small(cls, **kwargs):
    if cls is SparseAutoencoder:
        return SparseAutoencoder(6, max_iter=40, random_state=0, **kwargs)
    return cls(**SMALL, **kwargs)


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


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: repr(e)[:40])
def test_auto_dtype_is_float32_from_a_million_values(small_digits, estimator, monkeypatch):
    X, y = small_digits  # 400 x 64 = 25,600 values
    y = _target(estimator, y)
    assert clone(estimator).get_params()["compute_dtype"] == "auto"  # the default
    on_float32 = _fit(clone(estimator).set_params(compute_dtype="float32"), X, y)
    on_float64 = _fit(clone(estimator).set_params(compute_dtype=None), X, y)
    for threshold, expected in [(X.size, on_float32), (X.size + 1, on_float64)]:
        monkeypatch.setattr(skstackedae._base, "FLOAT32_MIN_VALUES", threshold)
        auto = _fit(clone(estimator), X, y)
        for got, want in zip(_weights(auto), _weights(expected), strict=True):
            assert got.dtype == np.float64
            assert_array_equal(got, want)
    # Sparse input counts its stored values.
    monkeypatch.setattr(skstackedae._base, "FLOAT32_MIN_VALUES", sparse.csr_matrix(X).nnz + 1)
    auto = _fit(clone(estimator), sparse.csr_matrix(X), y)
    on_float64 = _fit(clone(estimator).set_params(compute_dtype=None), sparse.csr_matrix(X), y)
    for got, want in zip(_weights(auto), _weights(on_float64), strict=True):
        assert_array_equal(got, want)


def test_auto_dtype_is_decided_once_per_stack_and_not_per_chunk(small_digits, monkeypatch):
    X, y = small_digits
    # Below the threshold for the input (25,600 values), above it for the
    # 400 x 100 codes that the second layer trains on: float64 throughout.
    # (Pretraining long enough that no layer restarts at random.)
    params = dict(hidden_layer_sizes=(100, 8), pretrain_max_iter=20, max_iter=10, random_state=0)
    monkeypatch.setattr(skstackedae._base, "FLOAT32_MIN_VALUES", np.inf)
    exact = StackedAEClassifier(**params).fit(X, y)
    monkeypatch.setattr(skstackedae._base, "FLOAT32_MIN_VALUES", 30_000)
    auto = StackedAEClassifier(**params).fit(X, y)
    assert min(ae.reconstruction_r2_ for ae in auto.autoencoders_) > 0.05
    for got, want in zip(_weights(auto), _weights(exact), strict=True):
        assert_array_equal(got, want)
    # partial_fit follows each chunk's dtype, whatever the chunk's size.
    monkeypatch.setattr(skstackedae._base, "FLOAT32_MIN_VALUES", 1)
    auto = StackedAEClassifier((8,), solver="adam", random_state=0)
    exact = StackedAEClassifier((8,), solver="adam", compute_dtype=None, random_state=0)
    for model in (auto, exact):
        for rows in (slice(0, 200), slice(200, 400)):
            model.partial_fit(X[rows], y[rows], classes=np.arange(10))
    for got, want in zip(_weights(auto), _weights(exact), strict=True):
        assert_array_equal(got, want)


def test_float64_arithmetic_on_float32_input(small_digits):
    X, _ = small_digits
    X32 = X.astype(np.float32)
    opted = SparseAutoencoder(8, max_iter=10, random_state=0, compute_dtype="float64").fit(X32)
    on_float64 = SparseAutoencoder(8, max_iter=10, random_state=0).fit(X32.astype(np.float64))
    assert opted.coefs_[0].dtype == np.float32 and opted.transform(X32).dtype == np.float32
    assert_array_equal(opted.coefs_[0], on_float64.coefs_[0].astype(np.float32))


def test_sparse_input_warm_start_and_partial_fit_keep_the_input_dtype(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((8,), compute_dtype="float32", warm_start=True, **SHORT)
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
    clf = StackedAEClassifier((8,), compute_dtype="float32", **SHORT)
    with pytest.raises(ValueError, match="[Ss]ample.weight"):
        clf.fit(X, y, sample_weight=np.zeros(X.shape[0]))
    assert not hasattr(clf, "_input_dtype") and not hasattr(clf, "coefs_")


@pytest.mark.parametrize("value", ["float16", "half", np.float32, 32])
def test_compute_dtype_rejects_other_values(small_digits, value):
    X, y = small_digits
    with pytest.raises(InvalidParameterError, match="compute_dtype"):
        StackedAEClassifier((8,), compute_dtype=value, **SHORT).fit(X, y)


@pytest.mark.parametrize("cls", [SparseAutoencoder, StackedAEClassifier, StackedAERegressor])
def test_zero_weight_equals_removing_the_rows(cls, tiny_digits):
    X, y = tiny_digits
    weights = np.ones(X.shape[0])
    weights[::3] = 0
    kept = weights > 0
    a = _small(cls).fit(X, y, sample_weight=weights)
    b = _small(cls).fit(X[kept], y[kept])
    np.testing.assert_allclose(_output(a, X), _output(b, X), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("cls", [SparseAutoencoder, StackedAEClassifier, StackedAERegressor])
def test_row_order_does_not_change_an_lbfgs_fit(cls, tiny_digits):
    X, y = tiny_digits
    order = np.random.RandomState(0).permutation(X.shape[0])
    weights = np.arange(X.shape[0]) % 3 + 1.0
    a = _small(cls).fit(X, y, sample_weight=weights)
    b = _small(cls).fit(X[order], y[order], sample_weight=weights[order])
    np.testing.assert_array_equal(_output(a, X), _output(b, X))


@pytest.mark.parametrize("cls", [SparseAutoencoder, StackedAEClassifier, StackedAERegressor])
@pytest.mark.parametrize(
    "weights, error, match",
    [
        (lambda n: -np.ones(n), ValueError, "Negative values in data passed to `sample_weight`"),
        (lambda n: np.ones(n - 1), ValueError, r"sample_weight.shape == \(149,\)"),
        (lambda n: np.zeros(n), ValueError, "(at least one non-zero|zero for every sample)"),
        (lambda n: np.ones((n, 2)), ValueError, "Sample weights must be 1D"),
    ],
    ids=["negative", "wrong length", "all zero", "2-d"],
)
def test_bad_sample_weight_raises_and_leaves_the_model_unfitted(
    cls, tiny_digits, weights, error, match
):
    X, y = tiny_digits
    model = _small(cls)
    with pytest.raises(error, match=match):
        model.fit(X, y, sample_weight=weights(X.shape[0]))
    assert not hasattr(model, "coefs_")


def test_minibatch_sample_weight_changes_the_fit(tiny_digits):
    X, y = tiny_digits
    weights = np.where(y == 0, 10.0, 1.0)
    plain = StackedAEClassifier(**SMALL, solver="adam").fit(X, y)
    weighted = StackedAEClassifier(**SMALL, solver="adam").fit(X, y, sample_weight=weights)
    assert weighted.predict_proba(X)[y == 0, 0].mean() > plain.predict_proba(X)[y == 0, 0].mean()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_inputs_and_constant_columns_train_without_overflow(small_classifier, dtype):
    rng = np.random.RandomState(0)
    X = (rng.normal(size=(200, 10)) * 1e6).astype(dtype)
    X[:, 3] = 5.0  # a constant column
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    ae = SparseAutoencoder(8, max_iter=50, random_state=0).fit(X)
    clf = small_classifier().fit(X, y)
    for array in ae.coefs_ + ae.intercepts_ + clf.coefs_ + clf.intercepts_:
        assert np.all(np.isfinite(array))
    assert np.isfinite(ae.loss_) and np.isfinite(clf.loss_)
    H = ae.transform(X)
    assert np.all((H >= 0) & (H <= 1))
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_same_random_state_is_bit_identical_across_runs_and_clones(small_classifier, small_digits):
    X, y = small_digits
    first = small_classifier(corruption=0.2).fit(X, y)
    second = clone(first).fit(X, y)
    third = small_classifier(corruption=0.2).fit(X, y)
    for other in (second, third):
        for a, b in zip(first.coefs_ + first.intercepts_, other.coefs_ + other.intercepts_):
            assert_array_equal(a, b)
        assert_array_equal(first.predict_proba(X), other.predict_proba(X))


def test_predictions_do_not_depend_on_the_batch(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    ae = clf.autoencoders_[0]
    full_proba, full_codes = clf.predict_proba(X), ae.transform(X)
    for batch in (1, 7):
        starts = range(0, X.shape[0], batch)
        proba = np.vstack([clf.predict_proba(X[i : i + batch]) for i in starts])
        codes = np.vstack([ae.transform(X[i : i + batch]) for i in starts])
        assert_array_equal(np.argmax(proba, axis=1), np.argmax(full_proba, axis=1))
        # Row blocks go through different BLAS kernels (gemv for one row):
        # equal to the last few bits, not bit for bit.
        np.testing.assert_allclose(proba, full_proba, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(codes, full_codes, rtol=1e-12, atol=1e-15)


def test_concurrent_predictions_agree(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    expected = clf.predict_proba(X)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: clf.predict_proba(X), range(8)))
    for result in results:
        assert_array_equal(result, expected)
