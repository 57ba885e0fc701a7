"""Regression tests for the bugs found by using the estimators inside
scikit-learn's own tools (each failed on 0.1)."""

import copy
import re
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info

import skstackedae
import skstackedae._sparse_autoencoder
import skstackedae._stacked_base
from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)


def small_classifier(**params):
    defaults = dict(hidden_layer_sizes=(16, 8), pretrain_max_iter=10, max_iter=20, random_state=0)
    return StackedAEClassifier(**{**defaults, **params})


# 1. The global output configuration must not reach inside a fit.
@pytest.mark.parametrize("output", ["pandas", "polars"])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_fit_ignores_the_global_transform_output(small_digits, output, solver):
    pytest.importorskip(output)
    X, y = small_digits
    expected = small_classifier(solver=solver).fit(X, y).predict_proba(X)
    with sklearn.config_context(transform_output=output):
        clf = small_classifier(solver=solver).fit(X, y)
    assert_array_equal(clf.predict_proba(X), expected)


# 2. Overlapping fits restore every thread setting once they have all returned.
def test_overlapping_fits_restore_the_blas_thread_settings(small_digits, monkeypatch):
    X, _ = small_digits
    before = [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]
    real = skstackedae._sparse_autoencoder.autoencoder_loss_grad
    both_inside = threading.Barrier(2, timeout=60)
    first_done = threading.Event()
    calls = {"first": 0, "second": 0}

    def ordered_loss(*args, **kwargs):
        # "first" enters, then "second"; "first" returns; then "second".
        name = threading.current_thread().name
        calls[name] += 1
        if calls[name] == 1:
            both_inside.wait()
        if name == "second" and calls[name] == 2:
            assert first_done.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", ordered_loss)

    def fit(name, max_iter):
        threading.current_thread().name = name
        SparseAutoencoder(5, max_iter=max_iter, random_state=0).fit(X)
        if name == "first":
            first_done.set()

    threads = [
        threading.Thread(target=fit, args=("first", 2)),
        threading.Thread(target=fit, args=("second", 5)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert calls["first"] >= 2 and calls["second"] >= 2
    assert [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()] == before


def test_many_concurrent_fits_restore_the_blas_thread_settings(small_digits):
    X, y = small_digits
    before = [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        fitted = list(
            pool.map(lambda seed: small_classifier(random_state=seed).fit(X, y), range(6))
        )
    assert all(clf.score(X, y) > 0.5 for clf in fitted)
    assert [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()] == before


# 3. A partial_fit that fails half-way leaves no trace.
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_failed_partial_fit_leaves_the_optimiser_and_generator_untouched(
    small_digits, monkeypatch, solver
):
    X, _ = small_digits
    chunks = [X[:200], X[200:]]
    params = dict(n_components=8, solver=solver, batch_size=50, corruption=0.2, random_state=0)
    reference = SparseAutoencoder(**params).partial_fit(chunks[0])
    survivor = copy.deepcopy(reference)

    real = skstackedae._sparse_autoencoder.autoencoder_loss_grad
    calls = []

    def fail_on_third_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise FloatingPointError("injected failure half-way through the chunk")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        skstackedae._sparse_autoencoder, "autoencoder_loss_grad", fail_on_third_batch
    )
    with pytest.raises(FloatingPointError, match="injected"):
        survivor.partial_fit(chunks[1])
    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", real)

    # The next chunk continues exactly as if the failed call never happened.
    reference.partial_fit(chunks[1])
    survivor.partial_fit(chunks[1])
    for a, b in zip(
        reference.coefs_ + reference.intercepts_, survivor.coefs_ + survivor.intercepts_
    ):
        assert_array_equal(a, b)
    assert survivor.n_iter_ == reference.n_iter_ == 2


# 4. Ctrl-C during mini-batch fine-tuning keeps the best network so far.
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_keyboard_interrupt_in_minibatch_fine_tuning_keeps_the_network(
    small_digits, monkeypatch, solver
):
    X, y = small_digits
    real = skstackedae._stacked_base.network_loss_grad
    batches = {"fine-tuning": 0}

    def interrupt_in_fifth_epoch(coefs, *args, **kwargs):
        if len(coefs) > 1:
            batches["fine-tuning"] += 1
            if batches["fine-tuning"] > 4 * 2:  # 400 rows: 2 batches an epoch
                raise KeyboardInterrupt
        return real(coefs, *args, **kwargs)

    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", interrupt_in_fifth_epoch)
    clf = small_classifier(solver=solver, learning_rate_init=0.05, max_iter=50)
    with pytest.warns(UserWarning, match="fine-tuning: training interrupted by user"):
        clf.fit(X, y)
    assert clf.n_iter_ == 4
    assert clf.loss_ == min(clf.loss_curve_)
    # The kept network is a fine-tuned one: every layer moved from pretraining.
    assert not np.allclose(clf.coefs_[0], clf.autoencoders_[0].coefs_[0])
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1)


# 5. Early stopping on too few rows gives a clear error.
@pytest.mark.parametrize(
    "case, fraction", [("too few validation rows", 0.1), ("no training rows", 0.95)]
)
@pytest.mark.parametrize("name", ["SparseAutoencoder", "StackedAEClassifier"])
def test_early_stopping_on_too_few_rows_names_the_parameters(small_digits, case, fraction, name):
    # One row cannot be split; nor can 3 rows of 2 classes, stratified, give
    # every class a validation row; 0.95 of 10 rows leaves none to train on.
    X, y = small_digits
    n_samples = 10 if case == "no training rows" else (1 if name == "SparseAutoencoder" else 3)
    X, y = X[:n_samples], np.arange(n_samples) % 2
    if name == "SparseAutoencoder":
        estimator = SparseAutoencoder(
            4, solver="adam", early_stopping=True, validation_fraction=fraction
        )
    else:
        estimator = small_classifier(
            solver="adam", early_stopping=True, validation_fraction=fraction
        )
    with pytest.raises(
        ValueError,
        match=r"validation_fraction=.*early_stopping|early_stopping.*validation_fraction",
    ):
        estimator.fit(X, y)
    assert not hasattr(estimator, "n_features_in_")


# 6. A failed L-BFGS line search warns, naming the phase and SciPy's reason.
def test_lbfgs_line_search_failure_warns(small_digits, monkeypatch):
    X, _ = small_digits
    real = skstackedae._sparse_autoencoder.autoencoder_loss_grad

    def wrong_gradient(*args, coef_grads, intercept_grads, **kwargs):
        loss = real(*args, coef_grads=coef_grads, intercept_grads=intercept_grads, **kwargs)
        for grad in coef_grads + intercept_grads:
            grad *= -1  # uphill: no step along it can lower the loss
        return loss

    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", wrong_gradient)
    with pytest.warns(
        ConvergenceWarning, match=r"^SparseAutoencoder\(5\): L-BFGS stopped .*ABNORMAL"
    ):
        SparseAutoencoder(5, max_iter=50, random_state=0).fit(X)


# 7. n_iter_no_change means what it means in MLPClassifier; alpha converts.
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_n_iter_no_change_stops_where_mlpclassifier_stops(
    small_digits, early_stopping, n_iter_no_change
):
    # A tolerance no epoch can meet: every epoch after the first counts as
    # "no improvement", so the epoch count is set by n_iter_no_change alone.
    X, y = small_digits
    common = dict(
        solver="sgd",
        learning_rate_init=1e-3,
        tol=1e6,
        n_iter_no_change=n_iter_no_change,
        early_stopping=early_stopping,
        max_iter=50,
        random_state=0,
    )
    mlp = MLPClassifier((8,), **common).fit(X, y)
    ours = StackedAEClassifier((8,), pretrain_max_iter=2, **common).fit(X, y)
    assert ours.n_iter_ == mlp.n_iter_ == n_iter_no_change + 2


def test_alpha_converts_to_mlpclassifier_alpha_times_n_samples(small_digits):
    # The documented conversion: MLPClassifier(alpha=a) on n rows has the
    # L-BFGS objective of StackedAEClassifier(alpha=a / n).
    X, y = small_digits
    n = X.shape[0]
    mlp_alpha = 0.5
    mlp = MLPClassifier(
        (8,), activation="logistic", alpha=mlp_alpha, solver="lbfgs", max_iter=1, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    ours = StackedAEClassifier(
        (8,), alpha=mlp_alpha / n, max_iter=1, pretrain_max_iter=1, random_state=0
    ).fit(X, y)
    from sklearn.neural_network._multilayer_perceptron import _pack

    # MLPClassifier's own loss at its weights, and ours at the same weights.
    mlp_loss, _ = mlp._loss_grad_lbfgs(
        _pack(mlp.coefs_, mlp.intercepts_),
        X,
        mlp._label_binarizer.transform(y),
        None,
        [X] + [None] * 2,
        [None] * 2,
        [np.empty_like(W) for W in mlp.coefs_],
        [np.empty_like(b) for b in mlp.intercepts_],
    )
    ours.coefs_, ours.intercepts_ = list(mlp.coefs_), list(mlp.intercepts_)
    grads = [np.empty_like(p) for p in mlp.coefs_ + mlp.intercepts_]
    our_loss = skstackedae._stacked_base.network_loss_grad(
        ours.coefs_,
        ours.intercepts_,
        X,
        y,
        alpha=ours.alpha,
        coef_grads=grads[:2],
        intercept_grads=grads[2:],
    )
    np.testing.assert_allclose(our_loss, mlp_loss, rtol=1e-10)
    for name in ("StackedAEClassifier",):
        doc = getattr(skstackedae, name).__doc__
        assert "n_samples" in doc[doc.index("alpha :") : doc.index("pretrain_max_iter :")]


def test_readme_layout_lists_every_module():
    root = Path(__file__).resolve().parents[1]
    layout = (root / "README.md").read_text().split("## Layout", 1)[1]
    modules = sorted(p.name for p in (root / "skstackedae").glob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if not re.search(rf"skstackedae/{re.escape(m)}\b", layout)]
    assert not missing, missing


def test_early_stopping_with_no_finite_validation_score_raises():
    # R^2 of a single validation row is NaN at every epoch: the fit used to
    # write best_theta=None into the weights and predict NaN silently.
    rng = np.random.RandomState(0)
    X = rng.rand(10, 3)
    y = X.sum(axis=1)
    for fine_tune in (False, True):
        model = StackedAERegressor(
            (3,), solver="adam", early_stopping=True, fine_tune=fine_tune, random_state=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # R^2 of one row; convergence
            with pytest.raises(ValueError, match="validation score was not finite"):
                model.fit(X, y)
        assert not hasattr(model, "coefs_")


def test_deep_autoencoder_accepts_numpy_integer_layer_size():
    X = np.random.RandomState(0).rand(20, 5)
    model = StackedAutoencoder(np.int64(3), pretrain_max_iter=2, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    assert model.transform(X).shape == (20, 3)


def test_version_matches_the_changelog():
    # Pickles carry the version (InconsistentVersionWarning): an unreleased
    # changelog entry must not share its number with a released one.
    root = Path(__file__).resolve().parents[1]
    changelog = (root / "doc" / "changelog.rst").read_text()
    top = re.search(r"^(\d+\.\d+\.\d+) \((.+?)\)$", changelog, re.MULTILINE)
    expected = top[1] + (".dev0" if top[2] == "unreleased" else "")
    assert skstackedae.__version__ == expected
