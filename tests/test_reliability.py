"""Numerics that cannot blow up, atomic fits, interrupts, determinism."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

import skstackedae._sparse_autoencoder
import skstackedae._stacked_base
from skstackedae import SparseAutoencoder, StackedAEClassifier
from skstackedae._network import kl_divergence
from skstackedae.exceptions import NonFiniteLossError


def small_classifier(**params):
    return StackedAEClassifier(
        **{
            "hidden_layer_sizes": (16, 8),
            "pretrain_max_iter": 30,
            "max_iter": 40,
            "random_state": 0,
            **params,
        }
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_inputs_and_constant_columns_train_without_overflow(dtype):
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


def test_saturated_units_give_a_finite_sparsity_penalty(small_digits):
    X, _ = small_digits
    # Every hidden unit stuck at 0 or 1: the KL term is large but finite.
    ae = SparseAutoencoder(4, max_iter=1, random_state=0).fit(X)
    ae.coefs_[0][...] = 0
    ae.intercepts_[0][...] = [-1e4, 1e4, -1e4, 1e4]
    H = ae.transform(X)
    assert_array_equal(np.unique(H), [0.0, 1.0])
    from skstackedae._network import autoencoder_loss_grad

    grads = [np.empty_like(a) for a in ae.coefs_ + ae.intercepts_]
    loss = autoencoder_loss_grad(
        ae.coefs_,
        ae.intercepts_,
        X,
        X,
        alpha=3e-3,
        sparsity_target=0.1,
        sparsity_weight=3.0,
        decoder="logistic",
        coef_grads=grads[:2],
        intercept_grads=grads[2:],
    )
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads)
    # Large (each unit is as far from rho = 0.1 as the clip allows) but finite.
    assert loss > 3.0 * 4 * 10
    assert np.isfinite(kl_divergence(0.1, np.array([1e-300])))


def test_softmax_is_stable_for_huge_logits(small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    clf.coefs_[-1] *= 1e6
    log_proba = clf.predict_log_proba(X)
    assert np.all(np.isfinite(log_proba)) and np.all(log_proba <= 0)
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_non_finite_loss_stops_the_fit_and_keeps_the_old_model(small_digits, monkeypatch):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    expected = clf.predict_proba(X)
    real = skstackedae._stacked_base.network_loss_grad

    def nan_in_fine_tuning(coefs, *args, **kwargs):
        loss = real(coefs, *args, **kwargs)
        return np.nan if len(coefs) > 1 else loss

    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", nan_in_fine_tuning)
    with pytest.raises(NonFiniteLossError, match="fine-tuning phase became nan"):
        clf.fit(X[:, :32], y)  # other data: n_features_in_ must not change
    assert isinstance(NonFiniteLossError("x"), FloatingPointError)
    assert clf.n_features_in_ == 64
    assert_array_equal(clf.predict_proba(X), expected)
    # A first fit that fails leaves an unfitted estimator that can be refitted.
    fresh = small_classifier()
    with pytest.raises(NonFiniteLossError):
        fresh.fit(X, y)
    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", real)
    assert_array_equal(fresh.fit(X, y).predict_proba(X), expected)


def test_non_finite_autoencoder_loss_names_the_phase(small_digits, monkeypatch):
    X, _ = small_digits
    monkeypatch.setattr(
        skstackedae._sparse_autoencoder, "autoencoder_loss_grad", lambda *a, **k: np.inf
    )
    ae = SparseAutoencoder(5, random_state=0)
    with pytest.raises(NonFiniteLossError, match=r"SparseAutoencoder\(5\) phase became inf"):
        ae.fit(X)
    assert not hasattr(ae, "coefs_") and not hasattr(ae, "n_features_in_")


def test_keyboard_interrupt_in_fine_tuning_keeps_the_best_weights(small_digits, monkeypatch):
    X, y = small_digits
    real = skstackedae._stacked_base.network_loss_grad
    calls = {"fine_tuning": 0}

    def interrupt_after_ten_evaluations(coefs, *args, **kwargs):
        if len(coefs) > 1:
            calls["fine_tuning"] += 1
            if calls["fine_tuning"] > 10:
                raise KeyboardInterrupt
        return real(coefs, *args, **kwargs)

    monkeypatch.setattr(
        skstackedae._stacked_base, "network_loss_grad", interrupt_after_ten_evaluations
    )
    clf = small_classifier(max_iter=100)
    with pytest.warns(UserWarning, match="fine-tuning: training interrupted by user"):
        clf.fit(X, y)
    assert 1 <= clf.n_iter_ < 10
    assert clf.loss_ == min(clf.loss_curve_)
    # The kept weights are the ones whose loss is loss_.
    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", real)
    params = clf.coefs_ + clf.intercepts_
    grads = [np.empty_like(p) for p in params]
    loss = real(
        clf.coefs_,
        clf.intercepts_,
        X,
        np.searchsorted(clf.classes_, y),
        alpha=clf.alpha,
        coef_grads=grads[:3],
        intercept_grads=grads[3:],
    )
    np.testing.assert_allclose(loss, clf.loss_, rtol=1e-12)


def test_keyboard_interrupt_in_pretraining_aborts_the_fit(small_digits, monkeypatch):
    X, y = small_digits

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", interrupt)
    clf = small_classifier()
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")


def test_same_random_state_is_bit_identical_across_runs_and_clones(small_digits):
    X, y = small_digits
    first = small_classifier(corruption=0.2).fit(X, y)
    second = clone(first).fit(X, y)
    third = small_classifier(corruption=0.2).fit(X, y)
    for other in (second, third):
        for a, b in zip(first.coefs_ + first.intercepts_, other.coefs_ + other.intercepts_):
            assert_array_equal(a, b)
        assert_array_equal(first.predict_proba(X), other.predict_proba(X))


def test_predictions_do_not_depend_on_the_batch(small_digits):
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


def test_concurrent_predictions_agree(small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    expected = clf.predict_proba(X)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: clf.predict_proba(X), range(8)))
    for result in results:
        assert_array_equal(result, expected)
