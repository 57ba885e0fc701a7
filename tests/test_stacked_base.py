"""BaseStackedAE, shared by the three stacks: the pretraining parameter table,
the "auto" defaults and collapse detection, the phases and their warnings,
warm start, all-or-nothing fits, Ctrl-C and early stopping."""

import inspect
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from same_weights import assert_same_weights, weights
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import MinMaxScaler

import skstackedae
import skstackedae._base
import skstackedae._solvers
import skstackedae._sparse_autoencoder
import skstackedae._stacked_base
from skstackedae import (
    SparseAutoencoder,
    StackedAEClassifier,
    StackedAERegressor,
    StackedAutoencoder,
)
from skstackedae._network import network_loss_grad
from skstackedae._stacked_base import PRETRAIN_PARAMETERS
from skstackedae.exceptions import NonFiniteLossError

# The pretraining defaults where a stack departs from SparseAutoencoder's:
# a pretraining budget (fine-tuning follows: "auto" for the supervised
# stacks, 50 iterations per layer for the deep autoencoder), the "auto"
# solver, tol and patience, no sparsity penalty for the regressor and the
# deep autoencoder, and the regressor's "auto" early stopping.
_AUTO_SCHEDULE = {
    "solver": "auto", "tol": "auto", "pretrain_max_iter": "auto", "n_iter_no_change": "auto",
}
STACK_DEFAULTS_UNLIKE_SPARSE_AUTOENCODER = {
    StackedAEClassifier: _AUTO_SCHEDULE,
    StackedAERegressor: {**_AUTO_SCHEDULE, "sparsity_weight": 0.0, "early_stopping": "auto"},
    StackedAutoencoder: {
        "pretrain_max_iter": 50, "sparsity_weight": 0.0, "n_iter_no_change": "auto",
    },
}


def _defaults(cls):
    return {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


STACKS = [StackedAEClassifier, StackedAERegressor, StackedAutoencoder]


def constant_warnings(record):
    return [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)
            and ("constant" in str(w.message) or "class prior" in str(w.message))]


def letter_like(n_samples=520, seed=0):
    """UCI letter's shape: 16 integer features 0-15 scaled by MinMaxScaler
    to [0, 1], 26 classes (UFLDL's fixed weights collapse on it)."""
    X, y = make_classification(
        n_samples=n_samples, n_features=16, n_informative=12, n_redundant=2,
        n_classes=26, n_clusters_per_class=1, class_sep=2.0, random_state=seed,
    )
    X = np.round((X - X.min(0)) / (X.max(0) - X.min(0)) * 15)
    return MinMaxScaler().fit_transform(X), y


@pytest.mark.parametrize("cls", STACKS, ids=lambda c: c.__name__)
def test_pretraining_table_defaults_agree_with_sparse_autoencoder(cls):
    stacked, autoencoder = _defaults(cls), _defaults(SparseAutoencoder)
    overrides = STACK_DEFAULTS_UNLIKE_SPARSE_AUTOENCODER[cls]
    for name, ae_name in PRETRAIN_PARAMETERS.items():
        expected = overrides.get(name, autoencoder[ae_name])
        assert stacked[name] == expected, name
    # Every override is a real difference, and every table entry is a
    # parameter of both estimators with the same constraints.
    for name, value in overrides.items():
        assert value != autoencoder[PRETRAIN_PARAMETERS[name]]
    for name, ae_name in PRETRAIN_PARAMETERS.items():
        constraints = cls._parameter_constraints[name]
        if name in _AUTO_SCHEDULE or overrides.get(name) == "auto":
            # The stacks' own "auto", resolved before the autoencoders get it.
            autoencoder_options = SparseAutoencoder._parameter_constraints[ae_name][0]
            assert "auto" in constraints[0].options
            assert "auto" not in getattr(autoencoder_options, "options", ())
        else:
            assert constraints is SparseAutoencoder._parameter_constraints[ae_name]


def test_pretraining_forwards_every_table_parameter(small_digits):
    X, y = small_digits
    values = dict(
        sparsity_target=0.2,
        sparsity_weight=1.5,
        pretrain_alpha=1e-3,
        corruption=0.1,
        decoder="linear",
        pretrain_max_iter=3,
        solver="adam",
        tol=1e-3,
        batch_size=64,
        learning_rate_init=1e-2,
        learning_rate="constant",
        shuffle=False,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=2,
        verbose=0,
    )
    assert set(values) == set(PRETRAIN_PARAMETERS)
    clf = StackedAEClassifier((5, 4), max_iter=2, random_state=0, **values).fit(X, y)
    for autoencoder in clf.autoencoders_:
        params = autoencoder.get_params()
        for name, ae_name in PRETRAIN_PARAMETERS.items():
            assert params[ae_name] == values[name], name
    assert [ae.n_components for ae in clf.autoencoders_] == [5, 4]


@pytest.mark.slow
def test_letter_like_table_learns_at_the_defaults():
    X, y = letter_like()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = StackedAEClassifier(random_state=0).fit(X, y)
    assert not constant_warnings(record)
    # UFLDL's fixed weights left it at chance (1/26) here.
    assert clf.score(X, y) > 0.9
    assert all(ae.reconstruction_r2_ > 0.3 for ae in clf.autoencoders_)


def test_collapsed_codes_warn_and_the_layer_restarts():
    X, y = letter_like()
    with pytest.warns(ConvergenceWarning, match="codes are constant") as record:
        clf = StackedAEClassifier(
            (100,), pretrain_alpha=3e-3, sparsity_weight=3.0, random_state=0
        ).fit(X, y)
    messages = constant_warnings(record)
    assert any("SparseAutoencoder(100)" in m and "alpha or sparsity_weight" in m for m in messages)
    assert any("pretraining layer 1 of 1" in m and "random initialisation" in m for m in messages)
    restarted = clf.autoencoders_[0]
    assert restarted.reconstruction_r2_ < 0.01
    np.testing.assert_array_equal(restarted.components_, restarted.coefs_[0].T)
    # The random restart trains: far above chance (1/26) where the collapsed
    # start stopped at once with the prior.
    assert clf.score(X, y) > 0.5


def test_a_classifier_at_the_prior_warns():
    X, y = make_classification(
        n_samples=300, n_features=8, n_classes=4, n_informative=4, random_state=0
    )
    X = MinMaxScaler().fit_transform(X)
    with pytest.warns(ConvergenceWarning, match="class prior"):
        clf = StackedAEClassifier((20,), alpha=10.0, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.ptp(proba, axis=0).max() < 0.01


def test_a_working_fit_does_not_warn_of_a_constant(small_digits):
    X, y = small_digits
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        StackedAEClassifier((30,), random_state=0).fit(X, y)
    assert not constant_warnings(record)


def test_before_fine_tuning_the_network_is_the_pretrained_stack(small_classifier, small_digits):
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


def test_fine_tuning_changes_every_layer_and_lowers_the_loss(small_classifier, small_digits):
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
        before.coefs_, before.intercepts_, X, y, alpha=before.alpha_,
        output_alpha=before.output_alpha_,
        coef_grads=[np.empty_like(W) for W in before.coefs_],
        intercept_grads=[np.empty_like(b) for b in before.intercepts_],
    )
    assert start > before.softmax_loss_curve_[-1]
    assert after.loss_curve_[0] < start
    assert after.loss_ < after.loss_curve_[0]


def test_warm_start_fine_tunes_the_fitted_network(small_classifier, small_digits):
    # fine_tune=False then warm-started fine-tuning is the same computation
    # as one full fit.
    X, y = small_digits
    staged = small_classifier(fine_tune=False).fit(X, y)
    staged.set_params(fine_tune=True, warm_start=True).fit(X, y)
    full = small_classifier().fit(X, y)
    for W_staged, W_full in zip(staged.coefs_, full.coefs_):
        assert_allclose(W_staged, W_full, rtol=1e-10, atol=1e-12)
    assert staged.softmax_loss_curve_ == full.softmax_loss_curve_


@pytest.mark.parametrize("sizes", [(), (10, 0), (10, -3), (2.5,), ("a",)])
def test_bad_hidden_layer_sizes(small_classifier, small_digits, sizes):
    X, y = small_digits
    with pytest.raises((ValueError, TypeError), match="hidden_layer_sizes"):
        small_classifier(hidden_layer_sizes=sizes).fit(X, y)


def test_int_hidden_layer_sizes_means_one_layer(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier(hidden_layer_sizes=15).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(64, 15), (15, 10)]


def test_failed_fit_leaves_the_fitted_model_unchanged(small_classifier, small_digits, monkeypatch):
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


def test_failed_first_fit_leaves_no_fitted_state(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier()
    with pytest.raises(ValueError):
        clf.fit(X, np.zeros(X.shape[0]))
    assert vars(clf) == vars(small_classifier())


def test_failed_refit_on_other_data_keeps_the_old_feature_count(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X[:, :10], np.zeros(X.shape[0]))
    assert clf.n_features_in_ == 64
    assert clf.predict(X).shape == (X.shape[0],)


def test_convergence_warnings_name_each_phase(small_classifier, small_digits):
    X, y = small_digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small_classifier(pretrain_max_iter=2, max_iter=2).fit(X, y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    for phase in ("softmax", "fine-tuning"):
        assert any(m.startswith(phase) for m in messages), (phase, messages)
    # Pretraining's iteration limit is a budget: reaching it is not news.
    assert not any("SparseAutoencoder" in m and "reached max_iter" in m for m in messages), messages


# Budgets at which the autoencoder learns (R^2 > 0.1 on these digits):
# fewer would warn of constant codes instead.
@pytest.mark.parametrize("solver, budget", [("lbfgs", 10), ("adam", 50)])
def test_pretraining_budget_does_not_warn_but_a_lone_autoencoder_does(
    small_digits, solver, budget
):
    X, y = small_digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = StackedAEClassifier(
            (16,), pretrain_max_iter=budget, solver=solver, random_state=0
        ).fit(X, y)
    assert clf.autoencoders_[0].n_iter_ == budget
    assert not [w for w in caught if str(w.message).startswith("SparseAutoencoder")]
    # Outside a stack max_iter is the fit's own limit, and warns.
    with pytest.warns(ConvergenceWarning, match=rf"^SparseAutoencoder\(16\).*max_iter={budget}"):
        SparseAutoencoder(16, max_iter=budget, solver=solver, random_state=0).fit(X)


def test_a_default_fit_that_works_does_not_warn(small_digits):
    # Every default fit used to warn twice (the pretraining budget), which
    # drowned the warnings that matter (a constant layer, the class prior).
    X, y = small_digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = StackedAEClassifier((50,), random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_verbose_reports_every_phase(small_classifier, small_digits, capsys):
    X, y = small_digits
    small_classifier(pretrain_max_iter=2, max_iter=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    for phase in ("SparseAutoencoder(16)", "SparseAutoencoder(8)", "softmax", "fine-tuning"):
        assert re.search(re.escape(f"[{phase}] iteration 1, loss = "), out), phase


def test_non_finite_loss_stops_the_fit_and_keeps_the_old_model(
    small_classifier, small_digits, monkeypatch
):
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


def test_keyboard_interrupt_in_fine_tuning_keeps_the_best_weights(
    small_classifier, small_digits, monkeypatch
):
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
        alpha=clf.alpha_,
        output_alpha=clf.output_alpha_,
        coef_grads=grads[:3],
        intercept_grads=grads[3:],
    )
    np.testing.assert_allclose(loss, clf.loss_, rtol=1e-12)


def test_keyboard_interrupt_in_pretraining_aborts_the_fit(
    small_classifier, small_digits, monkeypatch
):
    X, y = small_digits

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", interrupt)
    clf = small_classifier()
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not hasattr(clf, "coefs_")


# 4. Ctrl-C during mini-batch fine-tuning keeps the best network so far.
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_keyboard_interrupt_in_minibatch_fine_tuning_keeps_the_network(
    small_classifier, small_digits, monkeypatch, solver
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
    clf = small_classifier(solver=solver, learning_rate_init=0.05, max_iter=50, batch_size=200)
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
def test_early_stopping_on_too_few_rows_names_the_parameters(
    small_classifier, small_digits, case, fraction, name
):
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
    ours = StackedAEClassifier((8,), pretrain_max_iter=2, learning_rate="constant", **common)
    assert ours.fit(X, y).n_iter_ == mlp.n_iter_ == n_iter_no_change + 2
    # "adaptive" (the default) divides the step by 5 at the first two
    # plateaus and stops at the third.
    adaptive = ours.set_params(learning_rate="adaptive").fit(X, y)
    assert adaptive.n_iter_ == 1 + 3 * (n_iter_no_change + 1)
    assert adaptive._optimizer.learning_rate_init == pytest.approx(1e-3 / 25)


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


# --- solver, tol and pretrain_max_iter "auto" (the classifier's and the
# regressor's defaults) -----------------------------------------------------

SUPERVISED_STACKS = [StackedAEClassifier, StackedAERegressor]


def _record_tols(monkeypatch):
    """The ``tol`` of every training phase (each goes through ``minimize``)."""
    tols, minimize = [], skstackedae._base.minimize

    def recording(*args, **kwargs):
        tols.append(kwargs["tol"])
        return minimize(*args, **kwargs)

    monkeypatch.setattr(skstackedae._base, "minimize", recording)
    return tols


@pytest.mark.parametrize("cls", SUPERVISED_STACKS, ids=lambda c: c.__name__)
def test_auto_is_lbfgs_below_adam_min_rows_with_its_documented_settings_exactly(
    cls, small_digits, monkeypatch
):
    X, y = small_digits
    monkeypatch.setattr(skstackedae._stacked_base, "ADAM_MIN_ROWS", X.shape[0] + 1)
    tols = _record_tols(monkeypatch)
    auto = cls((8,), max_iter=20, random_state=0).fit(X, y)
    assert auto.solver_ == "lbfgs"
    assert auto.autoencoders_[0].solver == "lbfgs"
    # Every row labeled: the supervised budget, 100 iterations per layer.
    assert auto.autoencoders_[0].max_iter == 100
    assert set(tols) == {1e-5}
    explicit = cls(
        (8,), max_iter=20, solver="lbfgs", tol=1e-5, pretrain_max_iter=100, random_state=0
    ).fit(X, y)
    assert explicit.solver_ == "lbfgs"
    assert_same_weights(weights(auto), weights(explicit))


@pytest.mark.parametrize("cls", SUPERVISED_STACKS, ids=lambda c: c.__name__)
def test_auto_is_adam_from_adam_min_rows_with_its_own_tol_and_budget(
    cls, small_digits, monkeypatch
):
    X, y = small_digits  # 400 rows: 13 mini-batches of 32 per epoch ("auto")
    monkeypatch.setattr(skstackedae._stacked_base, "ADAM_MIN_ROWS", X.shape[0])
    monkeypatch.setattr(skstackedae._stacked_base, "MINIBATCH_PRETRAIN_STEPS", 40)
    tols = _record_tols(monkeypatch)
    auto = cls((8,), max_iter=3, random_state=0).fit(X, y)
    assert auto.solver_ == "adam"
    # 40 steps at 13 per epoch: 4 whole epochs per autoencoder.
    assert auto.autoencoders_[0].solver == "adam"
    assert auto.autoencoders_[0].max_iter == auto.autoencoders_[0].n_iter_ == 4
    assert set(tols) == {1e-4}
    explicit = cls(
        (8,), max_iter=3, solver="adam", tol=1e-4, pretrain_max_iter=4, random_state=0
    ).fit(X, y)
    assert_same_weights(weights(auto), weights(explicit))
    # The budget is at most 50 epochs (2,500 steps on 400 rows would be 193).
    monkeypatch.setattr(skstackedae._stacked_base, "MINIBATCH_PRETRAIN_STEPS", 2_500)
    assert cls(solver="adam")._pretrain_max_iter(X.shape[0]) == 50
    # An explicit solver or tol is kept whatever the rows.
    tols.clear()
    explicit = cls((8,), max_iter=3, solver="lbfgs", tol=1e-3).fit(X, y)
    assert explicit.solver_ == "lbfgs"
    assert set(tols) == {1e-3}


def test_auto_pretrains_stacks_with_an_output_layer_for_100_lbfgs_iterations(small_digits):
    # 100 L-BFGS iterations per layer in a classifier, whether every row has
    # a label or some (LBFGS_SUPERVISED_PRETRAIN_MAX_ITER's comment), 50 in
    # StackedAutoencoder, which has no output layer.
    X, y = small_digits
    y_semi = np.where(np.arange(y.size) % 4 == 0, y, -1)
    clf = StackedAEClassifier((8,), max_iter=5, unlabeled_label=-1, random_state=0)
    clf.fit(X, y_semi)
    assert clf.solver_ == "lbfgs"
    assert [ae.max_iter for ae in clf.autoencoders_] == [100]
    assert [ae.max_iter for ae in clf.fit(X, y).autoencoders_] == [100]
    stack = StackedAutoencoder((8,), max_iter=5, random_state=0).fit(X)
    assert [ae.max_iter for ae in stack.autoencoders_] == [50]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_auto_max_iter_is_longer_for_supervised_lbfgs_fits(small_digits, monkeypatch):
    # LBFGS_SUPERVISED_MAX_ITER (800) when every row is labeled and L-BFGS
    # trains; MAX_ITER (400) with unlabeled rows and for Adam's epochs.
    # Small stand-ins make each budget the one that stops the fit.
    X, y = small_digits
    monkeypatch.setattr(skstackedae._stacked_base, "LBFGS_SUPERVISED_MAX_ITER", 7)
    monkeypatch.setattr(skstackedae._stacked_base, "MAX_ITER", 4)
    common = dict(hidden_layer_sizes=(8,), pretrain_max_iter=3, random_state=0)
    supervised = StackedAEClassifier(**common).fit(X, y)
    assert supervised.solver_ == "lbfgs" and supervised.n_iter_ == 7
    assert len(supervised.softmax_loss_curve_) == 7
    y_semi = np.where(np.arange(y.size) % 4 == 0, y, -1)
    semi = StackedAEClassifier(unlabeled_label=-1, **common).fit(X, y_semi)
    assert semi.n_iter_ <= 4 and len(semi.softmax_loss_curve_) <= 4
    adam = StackedAEClassifier(solver="adam", **common).fit(X, y)
    assert adam.n_iter_ <= 4
    assert StackedAEClassifier(max_iter=5, **common).fit(X, y).n_iter_ == 5


def test_auto_counts_the_labeled_rows_only(small_digits, monkeypatch):
    X, y = small_digits
    y = np.where(np.arange(y.size) % 4 == 0, y, -1)  # 100 of 400 rows labeled
    monkeypatch.setattr(skstackedae._stacked_base, "ADAM_MIN_ROWS", 101)
    clf = StackedAEClassifier((8,), max_iter=5, unlabeled_label=-1, random_state=0)
    assert clf.fit(X, y).solver_ == "lbfgs"
    monkeypatch.setattr(skstackedae._stacked_base, "ADAM_MIN_ROWS", 100)
    assert clf.fit(X, y).solver_ == "adam"


def test_auto_partial_fit_trains_with_adam(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((8,), random_state=0).partial_fit(X, y, classes=np.unique(y))
    assert clf.solver_ == "adam"
    assert clf.autoencoders_[0].solver == "adam"
    # Each call is an epoch; "auto"'s budget counts them: 2,500 steps of two
    # batches each is more than 50 epochs, so 50 calls.
    assert clf.autoencoders_[0].max_iter == 50


def test_semi_supervised_fits_keep_the_loss_relative_stall_rule(small_digits, monkeypatch):
    # The fall-so-far condition is for fits on labeled rows only; with
    # unlabeled rows every supervised phase stalls on the loss alone.
    X, y = small_digits
    seen, stalled = [], skstackedae._solvers._stalled

    def recording(loss_curve, min_decrease, stall_progress=None):
        if min_decrease is not None:  # a supervised phase (not pretraining)
            seen.append(stall_progress)
        return stalled(loss_curve, min_decrease, stall_progress)

    monkeypatch.setattr(skstackedae._solvers, "_stalled", recording)
    StackedAEClassifier((8,), max_iter=30, random_state=0).fit(X, y)
    assert seen and set(seen) == {skstackedae._solvers.STALL_PROGRESS_FRACTION}
    seen.clear()
    y_semi = np.where(np.arange(y.size) % 4 == 0, y, -1)
    StackedAEClassifier((8,), max_iter=30, unlabeled_label=-1, random_state=0).fit(X, y_semi)
    assert seen and set(seen) == {None}


# --- fine-tuning that refines (Adam/SGD, REFINE_*) -------------------------


def _record_steps(monkeypatch):
    """``(phase, step size, patience)`` of every Adam/SGD training phase."""
    phases, minimize = [], skstackedae._base.minimize

    def recording(*args, **kwargs):
        if kwargs["minibatch"] is not None:
            phases.append((
                kwargs["phase"], kwargs["minibatch"].learning_rate_init,
                kwargs["n_iter_no_change"],
            ))
        return minimize(*args, **kwargs)

    monkeypatch.setattr(skstackedae._base, "minimize", recording)
    return phases


@pytest.mark.parametrize("fits", [True, False], ids=["output-layer-fits", "it-does-not"])
def test_fine_tuning_refines_with_half_the_step_and_5_epochs_when_the_output_layer_fits(
    small_digits, monkeypatch, fits
):
    X, y = small_digits
    # The rule's threshold moved to either side of any loss this fit can have.
    monkeypatch.setattr(skstackedae._stacked_base, "REFINE_LOSS_RATIO", 1e9 if fits else 0.0)
    phases = _record_steps(monkeypatch)
    StackedAEClassifier(
        (8,), solver="adam", learning_rate_init=0.02, pretrain_max_iter=2, max_iter=3,
        random_state=0,
    ).fit(X, y)
    steps = {phase: (step, patience) for phase, step, patience in phases}
    assert steps["fine-tuning"] == ((0.01, 5) if fits else (0.02, 10))
    # The other phases keep the estimator's settings.
    assert steps["softmax"] == (0.02, 10)
    assert steps["SparseAutoencoder(8)"] == (0.02, 10)


def test_refining_keeps_an_explicit_patience_and_never_applies_to_lbfgs_or_regression(
    small_digits, monkeypatch
):
    X, y = small_digits
    monkeypatch.setattr(skstackedae._stacked_base, "REFINE_LOSS_RATIO", 1e9)
    phases = _record_steps(monkeypatch)
    kwargs = dict(solver="adam", pretrain_max_iter=2, max_iter=3, random_state=0)
    StackedAEClassifier((8,), n_iter_no_change=7, **kwargs).fit(X, y)
    assert phases[-1] == ("fine-tuning", 0.005, 7)  # half the default step

    phases.clear()
    StackedAERegressor((8,), **kwargs).fit(X, y.astype(float))
    assert phases[-1][0] == "fine-tuning" and phases[-1][1:] == (0.01, 10)

    phases.clear()
    StackedAEClassifier((8,), solver="lbfgs", pretrain_max_iter=2, max_iter=3).fit(X, y)
    assert phases == []


def test_the_refining_rule_compares_the_output_loss_with_the_prior_s(small_digits):
    X, y = small_digits
    model = StackedAEClassifier(solver="adam")
    model._choose_solver(X.shape[0])
    targets = model._validate_targets(y, warm=False)
    bound = skstackedae._stacked_base.REFINE_LOSS_RATIO * np.log(10)
    assert model._refines(0.99 * bound, targets)
    assert not model._refines(1.01 * bound, targets)
    model.solver = "lbfgs"
    model._choose_solver(X.shape[0])
    assert not model._refines(0.0, targets)


# --- real-valued input: the network trains in normalised units ------------


def _real_valued_table(n_rows=240, n_features=10, seed=0):
    """Three classes and a real target on features of unequal means and
    spreads (a linear decoder's input)."""
    X, y = make_classification(n_samples=n_rows, n_features=n_features, n_informative=5,
                               n_classes=3, random_state=seed)
    rng = np.random.RandomState(seed)
    return X * rng.uniform(0.5, 2.0, n_features) + rng.uniform(-3, 3, n_features), y


def _outputs(model, X):
    if isinstance(model, StackedAEClassifier):
        return model.predict_proba(X)
    if isinstance(model, StackedAERegressor):
        return model.predict(X)
    return model.inverse_transform(model.transform(X))


_SHORT_STACKS = [
    StackedAEClassifier((12, 6), pretrain_max_iter=10, max_iter=15, random_state=0),
    # Without early stopping: identical rows are merged first, in an order
    # that depends on the values, so the held-out rows would differ.
    StackedAERegressor((12,), pretrain_max_iter=10, max_iter=15, early_stopping=False,
                       random_state=0),
    StackedAutoencoder((12, 6), pretrain_max_iter=10, max_iter=15, random_state=0),
]


@pytest.mark.parametrize("stack", _SHORT_STACKS, ids=lambda s: type(s).__name__)
def test_stacks_fine_tune_in_the_first_autoencoders_units(stack):
    # Fine-tuned on the input itself, the stack was not invariant to its
    # range: on 12 dev sets times 100 the classifier lost 2.8 points.
    X, y = _real_valued_table()
    target = y if isinstance(stack, StackedAEClassifier) else y.astype(float)
    factor, shift = 100.0, 5.0
    reference, scaled = (clone(stack).fit(X * f + s, target)
                         for f, s in [(1.0, 0.0), (factor, shift)])
    assert reference.autoencoders_[0].decoder_ == "linear"
    # The same network up to rounding, stored in each input's units.
    outputs = _outputs(scaled, X * factor + shift)
    if isinstance(stack, StackedAutoencoder):  # a reconstruction of the scaled input
        outputs = (outputs - shift) / factor
    assert_allclose(outputs, _outputs(reference, X), rtol=1e-5, atol=1e-6)
    assert_allclose(scaled.coefs_[0] * factor, reference.coefs_[0], rtol=1e-5, atol=1e-6)
    assert_allclose(scaled.loss_curve_, reference.loss_curve_, rtol=1e-6)
    # The normalised input itself gives the same network.
    first = reference.autoencoders_[0]
    Z = (X - first.input_offset_) / first.input_scale_
    on_z = clone(stack).fit(Z, target)
    assert on_z.autoencoders_[0].input_scale_ == pytest.approx(1.0)
    assert_allclose(on_z.loss_curve_, reference.loss_curve_, rtol=1e-6)
    assert_allclose(_outputs(on_z, Z), _outputs(reference, X) if not isinstance(
        stack, StackedAutoencoder) else (_outputs(reference, X) - first.input_offset_)
        / first.input_scale_, rtol=1e-5, atol=1e-6)


def test_partial_fit_trains_in_the_first_chunks_units():
    X, y = _real_valued_table()
    models = []
    for factor in (1.0, 100.0):
        clf = StackedAEClassifier((12,), pretrain_max_iter=2, random_state=0)
        for start in range(0, 240, 60):  # 2 pretraining calls, 2 of fine-tuning
            clf.partial_fit((X * factor)[start:start + 60], y[start:start + 60],
                            classes=np.unique(y))
        models.append(clf)
    assert models[0]._stage == "fine-tuning"
    assert_allclose(models[1].predict_proba(X * 100.0), models[0].predict_proba(X),
                    rtol=1e-6, atol=1e-8)
    assert_allclose(models[1].loss_curve_, models[0].loss_curve_, rtol=1e-6)


def test_a_collapsed_first_layer_restarts_in_its_training_units():
    X, y = _real_valued_table()
    with pytest.warns(ConvergenceWarning, match="random initialisation"):
        clf = StackedAEClassifier((20,), pretrain_alpha=100.0, fine_tune=False,
                                  random_state=0).fit(X * 1000.0, y)
    first = clf.autoencoders_[0]
    W1, b1 = skstackedae._sparse_autoencoder.normalised_encoder(
        first.coefs_[0], first.intercepts_[0], first.input_offset_, first.input_scale_)
    # UFLDL's initialisation, on the normalised input.
    bound = np.sqrt(6.0 / (X.shape[1] + 20 + 1))
    assert np.abs(W1).max() <= bound and np.abs(W1).max() > bound / 2
    assert_allclose(b1, 0.0, atol=1e-12)


@pytest.mark.slow
def test_heavy_tailed_counts_learn_at_the_defaults():
    # One scale for all features, not one per feature: scaled per feature,
    # these counts (exp of a table whose informative features have the
    # larger variance) scored 0.52, the prior, without a warning.
    X, y = make_classification(n_samples=1000, n_features=20, n_informative=10,
                               n_redundant=0, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(
        np.round(np.exp(X)), y, test_size=0.25, random_state=0, stratify=y)
    clf = StackedAEClassifier(random_state=0).fit(X_train, y_train)
    assert clf.autoencoders_[0].decoder_ == "linear"
    assert clf.score(X_test, y_test) > 0.7



def test_auto_batch_size_gives_small_data_32_steps_an_epoch():
    clf = StackedAEClassifier()
    assert [clf._batch_size(n) for n in (20, 100, 1_347, 6_399, 6_400, 50_000)] == [
        20, 32, 43, 200, 200, 200]
    assert StackedAEClassifier(batch_size=500)._batch_size(100) == 100
    assert SparseAutoencoder(8, batch_size=64)._batch_size(1_000) == 64


def test_short_adam_budgets_learn_on_small_data(digits):
    # 10 epochs per phase on 1,347 digits: 200-row batches gave 70 steps a
    # layer, near-constant codes (R^2 0.14 and -0.10) and 0.904 held out,
    # against MLPClassifier's 0.956 in the same epochs.
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0)
    clf = StackedAEClassifier((200, 200), solver="adam", pretrain_max_iter=10, max_iter=10,
                              random_state=0).fit(X_train, y_train)
    assert all(ae.reconstruction_r2_ > 0.5 for ae in clf.autoencoders_)
    assert clf.score(X_test, y_test) > 0.94
