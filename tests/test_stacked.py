import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import skstackedae._base
from skstackedae import StackedAEClassifier
from skstackedae._network import network_loss_grad


def small_classifier(**params):
    defaults = dict(hidden_layer_sizes=(20, 10), pretrain_max_iter=30, max_iter=60, random_state=0)
    return StackedAEClassifier(**{**defaults, **params})


def test_network_layout(small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(64, 20), (20, 10), (10, 10)]
    assert [b.shape for b in clf.intercepts_] == [(20,), (10,), (10,)]
    assert clf.n_layers_ == 4
    assert clf.n_features_in_ == 64
    assert_array_equal(clf.classes_, np.arange(10))
    # Greedy pretraining: each autoencoder was trained on the codes below it.
    first, second = clf.autoencoders_
    assert first.n_features_in_ == 64 and first.n_components == 20
    assert second.n_features_in_ == 20 and second.n_components == 10
    assert first.alpha == clf.pretrain_alpha
    assert len(clf.loss_curve_) == clf.n_iter_
    assert_allclose(clf.loss_, clf.loss_curve_[-1])


def test_before_fine_tuning_the_network_is_the_pretrained_stack(small_digits):
    X, y = small_digits
    clf = small_classifier(fine_tune=False).fit(X, y)
    for W, b, ae in zip(clf.coefs_, clf.intercepts_, clf.autoencoders_):
        assert_array_equal(W, ae.coefs_[0])
        assert_array_equal(b, ae.intercepts_[0])
    assert clf.loss_curve_ == clf.softmax_loss_curve_
    # Predictions are the softmax of the second autoencoder's codes.
    codes = clf.autoencoders_[1].transform(clf.autoencoders_[0].transform(X))
    logits = codes @ clf.coefs_[-1] + clf.intercepts_[-1]
    assert_array_equal(clf.predict(X), np.argmax(logits, axis=1))


def test_fine_tuning_changes_every_layer_and_lowers_the_loss(small_digits):
    X, y = small_digits
    before = small_classifier(fine_tune=False).fit(X, y)
    after = small_classifier().fit(X, y)
    for W_before, W_after in zip(before.coefs_, after.coefs_):
        assert not np.allclose(W_before, W_after)
    # The pretrained autoencoders are kept as they were.
    assert_array_equal(after.autoencoders_[0].coefs_[0], before.coefs_[0])
    # Fine-tuning's cost at its start (the unfine-tuned network; it also
    # penalises the encoders' weights, which the softmax phase does not).
    start = network_loss_grad(
        before.coefs_, before.intercepts_, X, y, alpha=before.alpha,
        coef_grads=[np.empty_like(W) for W in before.coefs_],
        intercept_grads=[np.empty_like(b) for b in before.intercepts_],
    )
    assert start > before.softmax_loss_curve_[-1]
    assert after.loss_curve_[0] < start
    assert after.loss_ < after.loss_curve_[0]


def test_warm_start_fine_tunes_the_fitted_network(small_digits):
    # fine_tune=False then warm-started fine-tuning is the same computation
    # as one full fit.
    X, y = small_digits
    staged = small_classifier(fine_tune=False).fit(X, y)
    staged.set_params(fine_tune=True, warm_start=True).fit(X, y)
    full = small_classifier().fit(X, y)
    for W_staged, W_full in zip(staged.coefs_, full.coefs_):
        assert_allclose(W_staged, W_full, rtol=1e-10, atol=1e-12)
    assert staged.softmax_loss_curve_ == full.softmax_loss_curve_


def test_warm_start_rejects_new_classes(small_digits):
    X, y = small_digits
    clf = small_classifier(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="same classes|classes seen"):
        clf.fit(X[y < 5], y[y < 5])


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["seven", "one"]),
        np.array([-1, 1]),
        np.array(["a", "b", "c"]),
        np.array([1.0, 2.0, 7.0]),
    ],
    ids=["str-binary", "int-binary", "str-3", "float-3"],
)
def test_label_types(small_digits, labels):
    X, y = small_digits
    mask = y < len(labels)
    X, y = X[mask], labels[y[mask]]
    clf = small_classifier().fit(X, y)
    assert_array_equal(clf.classes_, np.unique(labels))
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], len(labels))
    assert_allclose(proba.sum(axis=1), 1)
    assert_allclose(np.log(proba), clf.predict_log_proba(X))
    pred = clf.predict(X)
    assert pred.dtype == y.dtype
    assert_array_equal(pred, clf.classes_[np.argmax(proba, axis=1)])
    assert clf.score(X, y) > 0.9


def test_continuous_targets_are_rejected(small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="Unknown label type"):
        small_classifier().fit(X, np.linspace(0, 1, X.shape[0]))


def test_one_class_is_rejected(small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="at least 2 classes"):
        small_classifier().fit(X, np.zeros(X.shape[0]))


@pytest.mark.parametrize("sizes", [(), (10, 0), (10, -3), (2.5,), ("a",)])
def test_bad_hidden_layer_sizes(small_digits, sizes):
    X, y = small_digits
    with pytest.raises((ValueError, TypeError), match="hidden_layer_sizes"):
        small_classifier(hidden_layer_sizes=sizes).fit(X, y)


def test_int_hidden_layer_sizes_means_one_layer(small_digits):
    X, y = small_digits
    clf = small_classifier(hidden_layer_sizes=15).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(64, 15), (15, 10)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_the_network(small_digits, dtype):
    X, y = small_digits
    clf = small_classifier().fit(X.astype(dtype), y)
    assert all(W.dtype == dtype for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(dtype)).dtype == dtype


def test_failed_fit_leaves_the_fitted_model_unchanged(small_digits, monkeypatch):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    expected = clf.predict_proba(X)
    state = dict(vars(clf))
    real_minimize = skstackedae._base.minimize

    def fail_in_fine_tuning(*args, phase, **kwargs):
        if phase == "fine-tuning":
            raise FloatingPointError("injected failure")
        return real_minimize(*args, phase=phase, **kwargs)

    monkeypatch.setattr(skstackedae._base, "minimize", fail_in_fine_tuning)
    with pytest.raises(FloatingPointError, match="injected"):
        clf.set_params(random_state=1).fit(X, y)
    assert {k: v for k, v in vars(clf).items() if k != "random_state"} == {
        k: v for k, v in state.items() if k != "random_state"
    }
    assert_array_equal(clf.predict_proba(X), expected)


def test_failed_first_fit_leaves_no_fitted_state(small_digits):
    X, y = small_digits
    clf = small_classifier()
    with pytest.raises(ValueError):
        clf.fit(X, np.zeros(X.shape[0]))
    assert vars(clf) == vars(small_classifier())


def test_failed_refit_on_other_data_keeps_the_old_feature_count(small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X[:, :10], np.zeros(X.shape[0]))
    assert clf.n_features_in_ == 64
    assert clf.predict(X).shape == (X.shape[0],)


def test_convergence_warnings_name_each_phase(small_digits):
    X, y = small_digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small_classifier(pretrain_max_iter=2, max_iter=2).fit(X, y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    for phase in ("SparseAutoencoder(20)", "SparseAutoencoder(10)", "softmax", "fine-tuning"):
        assert any(m.startswith(phase) for m in messages), (phase, messages)


def test_verbose_reports_every_phase(small_digits, capsys):
    X, y = small_digits
    small_classifier(pretrain_max_iter=2, max_iter=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    for phase in ("SparseAutoencoder(20)", "SparseAutoencoder(10)", "softmax", "fine-tuning"):
        assert re.search(re.escape(f"[{phase}] iteration 1, loss = "), out), phase
