"""ONNX export: skl2onnx converts every estimator, and onnxruntime's outputs
equal the estimator's on rows not used in training."""

import numpy as np
import pytest
from sklearn.datasets import make_friedman1, make_multilabel_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)

rt = pytest.importorskip("onnxruntime")
to_onnx = pytest.importorskip("skl2onnx").to_onnx
pytest.importorskip("skstackedae.onnx")  # registers the converters

TOLERANCE = dict(rtol=1e-5, atol=1e-5)


def run(onx, X):
    session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


@pytest.fixture
def digits32(digits):
    X, y = digits
    X = X.astype(np.float32)
    return X[:600], X[600:900], y[:600]


@pytest.mark.parametrize("labels", ["int", "str"])
@pytest.mark.parametrize("in_pipeline", [False, True], ids=["alone", "pipeline"])
def test_classifier(digits32, labels, in_pipeline):
    X_train, X_test, y_train = digits32
    if labels == "str":
        y_train = np.array(["even", "odd"])[y_train % 2]
    model = StackedAEClassifier((24, 12), pretrain_max_iter=15, max_iter=30, random_state=0)
    if in_pipeline:
        model = make_pipeline(MinMaxScaler(), model)
    model.fit(X_train, y_train)
    label, proba = run(to_onnx(model, X_train[:1], options={"zipmap": False}), X_test)
    np.testing.assert_allclose(proba, model.predict_proba(X_test), **TOLERANCE)
    np.testing.assert_array_equal(label, model.predict(X_test))


def test_classifier_zipmap(digits32):
    X_train, X_test, y_train = digits32
    model = StackedAEClassifier((12,), pretrain_max_iter=10, max_iter=10, random_state=0)
    model.fit(X_train, y_train)
    _, proba = run(to_onnx(model, X_train[:1]), X_test[:5])
    expected = model.predict_proba(X_test[:5])
    assert [sorted(row) for row in proba] == [list(model.classes_)] * 5
    np.testing.assert_allclose(
        [[row[c] for c in model.classes_] for row in proba], expected, **TOLERANCE
    )


def test_multilabel_classifier():
    X, Y = make_multilabel_classification(n_samples=300, random_state=0)
    X = (X / X.max()).astype(np.float32)
    model = StackedAEClassifier((10,), pretrain_max_iter=10, max_iter=20, random_state=0)
    model.fit(X[:200], Y[:200])
    label, proba = run(to_onnx(model, X[:1], options={"zipmap": False}), X[200:])
    np.testing.assert_allclose(proba, model.predict_proba(X[200:]), **TOLERANCE)
    np.testing.assert_array_equal(label, model.predict(X[200:]))


@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor(n_targets):
    X, y = make_friedman1(n_samples=300, random_state=0)
    X = X.astype(np.float32)
    Y = y if n_targets == 1 else np.c_[y, 2 * y]
    model = StackedAERegressor((10,), random_state=0).fit(X[:200], Y[:200])
    (predicted,) = run(to_onnx(model, X[:1]), X[200:])
    assert predicted.shape == (100, n_targets)
    np.testing.assert_allclose(
        predicted.reshape(Y[200:].shape), model.predict(X[200:]), **TOLERANCE
    )


@pytest.mark.parametrize(
    "model",
    [
        SparseAutoencoder(10, max_iter=20, random_state=0),
        StackedAutoencoder((16, 4), pretrain_max_iter=10, max_iter=10, random_state=0),
    ],
    ids=lambda m: type(m).__name__,
)
def test_transformers(digits32, model):
    X_train, X_test, _ = digits32
    model.fit(X_train)
    (codes,) = run(to_onnx(model, X_train[:1]), X_test)
    np.testing.assert_allclose(codes, model.transform(X_test), **TOLERANCE)


def test_float64_graph_computes_in_float64(digits32):
    X_train, X_test, y_train = digits32
    X_train, X_test = X_train.astype(np.float64), X_test.astype(np.float64)
    model = StackedAEClassifier((12,), pretrain_max_iter=10, max_iter=10, random_state=0)
    model.fit(X_train, y_train)
    _, proba = run(to_onnx(model, X_train[:1], options={"zipmap": False}), X_test)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, model.predict_proba(X_test), rtol=1e-12, atol=1e-12)
