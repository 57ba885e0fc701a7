"""Mini-batch solvers (adam, sgd), early stopping and partial_fit."""


import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import train_test_split

from skstackedae import SparseAutoencoder, StackedAEClassifier


@pytest.mark.parametrize("solver, rate", [("adam", 1e-2), ("sgd", 0.1)])
def test_minibatch_autoencoder_learns(small_digits, solver, rate):
    X, _ = small_digits
    short = SparseAutoencoder(
        20, solver=solver, learning_rate_init=rate, max_iter=1, random_state=0
    ).fit(X)
    long = SparseAutoencoder(
        20, solver=solver, learning_rate_init=rate, max_iter=60, random_state=0
    ).fit(X)
    assert long.score(X) > short.score(X)
    assert len(long.loss_curve_) == long.n_iter_
    assert long.loss_curve_[-1] < long.loss_curve_[0]


@pytest.mark.parametrize("solver, rate", [("adam", 1e-2), ("sgd", 0.05)])
def test_minibatch_classifier_accuracy(digits, solver, rate):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    clf = StackedAEClassifier(
        (64,),
        solver=solver,
        learning_rate_init=rate,
        pretrain_alpha=1e-3,
        pretrain_max_iter=20,
        max_iter=60,
        random_state=0,
    ).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.9
    assert clf.validation_scores_ is None


def test_lbfgs_has_no_partial_fit():
    assert not hasattr(SparseAutoencoder(), "partial_fit")
    assert hasattr(SparseAutoencoder(solver="adam"), "partial_fit")
    assert not hasattr(StackedAEClassifier(solver="adam"), "partial_fit")


def test_partial_fit_over_memmap_chunks(tmp_path, digits):
    X, _ = digits
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    X_map = np.load(path, mmap_mode="r")  # read-only, never loaded whole
    ae = SparseAutoencoder(30, solver="adam", learning_rate_init=1e-2, random_state=0)
    scores = []
    for _ in range(4):
        for begin in range(0, X_map.shape[0], 300):
            ae.partial_fit(X_map[begin : begin + 300])
        scores.append(ae.score(X_map))
    assert ae.n_iter_ == 4 * 6
    assert len(ae.loss_curve_) == ae.n_iter_
    assert ae.coefs_[0].dtype == np.float32
    assert scores[-1] > scores[0]


def test_one_partial_fit_is_one_epoch_of_fit(small_digits):
    X, _ = small_digits
    params = dict(n_components=10, solver="sgd", shuffle=False, random_state=0)
    incremental = SparseAutoencoder(**params).partial_fit(X)
    full = SparseAutoencoder(max_iter=1, **params).fit(X)
    for a, b in zip(incremental.coefs_ + incremental.intercepts_, full.coefs_ + full.intercepts_):
        assert_array_equal(a, b)


def test_partial_fit_rejects_a_new_feature_count(small_digits):
    X, _ = small_digits
    ae = SparseAutoencoder(5, solver="adam", random_state=0).partial_fit(X)
    with pytest.raises(
        ValueError, match="X has 10 features, but SparseAutoencoder is expecting 64"
    ):
        ae.partial_fit(X[:, :10])


def test_classifier_early_stopping(digits):
    X, y = digits
    clf = StackedAEClassifier(
        (32,),
        solver="adam",
        learning_rate_init=1e-2,
        early_stopping=True,
        n_iter_no_change=3,
        pretrain_max_iter=10,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert 0.85 < clf.best_validation_score_ <= 1.0


def test_autoencoder_early_stopping_on_sparse_input(small_digits):
    import scipy.sparse as sp

    X, _ = small_digits
    ae = SparseAutoencoder(
        10,
        solver="adam",
        learning_rate_init=1e-2,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=100,
        random_state=0,
    ).fit(sp.csr_matrix(X))
    assert len(ae.validation_scores_) == ae.n_iter_
    assert ae.best_validation_score_ == max(ae.validation_scores_) < 0
