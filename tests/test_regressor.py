"""StackedAERegressor: one and several targets, fine-tuning, warm start."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skstackedae import StackedAERegressor


def test_regressor_single_and_multi_output():
    X, y = make_friedman1(n_samples=300, random_state=0)
    reg = StackedAERegressor((20,), random_state=0).fit(X[:200], y[:200])
    assert reg.predict(X[200:]).shape == (100,)
    assert reg.score(X[200:], y[200:]) > 0.8
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 1
    Y = np.c_[y, -2 * y + 1]
    multi = StackedAERegressor((20,), random_state=0).fit(X[:200], Y[:200])
    assert multi.predict(X[200:]).shape == (100, 2) and multi.n_outputs_ == 2
    assert multi.score(X[200:], Y[200:]) > 0.8


def test_regressor_fine_tuning_improves_the_fit():
    X, y = make_friedman1(n_samples=300, random_state=0)
    before = StackedAERegressor((20,), fine_tune=False, random_state=0).fit(X, y)
    after = StackedAERegressor((20,), random_state=0).fit(X, y)
    assert after.score(X, y) > before.score(X, y)
    assert len(after.output_loss_curve_) > 0


def test_regressor_warm_start_needs_the_same_number_of_targets():
    X, y = make_friedman1(n_samples=100, random_state=0)
    reg = StackedAERegressor((10,), max_iter=10, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="warm_start=True and partial_fit need y with 1 target"):
        reg.fit(X, np.c_[y, y])


def test_predictions_do_not_depend_on_the_targets_units():
    # The network trains on standardised targets, so the same targets in
    # other units (x 1000, shifted) give the same model, in those units.
    # Without the standardisation alpha and output_alpha weigh 10^6 times
    # less next to the squared error of y * 1000, and the fits differ.
    X, y = make_friedman1(n_samples=120, random_state=0)
    common = dict(hidden_layer_sizes=(10,), max_iter=30, early_stopping=False, random_state=0)
    small = StackedAERegressor(**common).fit(X, y)
    large = StackedAERegressor(**common).fit(X, 1000 * y + 5)
    np.testing.assert_allclose(large.predict(X), 1000 * small.predict(X) + 5, rtol=1e-6)
    # coefs_ and intercepts_ are the network in the targets' units.
    mean, scale = large._target_scale
    assert mean == pytest.approx(1000 * y.mean() + 5) and scale == pytest.approx(1000 * y.std())


def test_constant_targets_are_not_divided_by_zero():
    X, _ = make_friedman1(n_samples=60, random_state=0)
    reg = StackedAERegressor((5,), max_iter=5, random_state=0).fit(X, np.full(60, 3.0))
    assert reg._target_scale[1] == 1.0
    np.testing.assert_allclose(reg.predict(X), 3.0, atol=1e-2)


def test_warm_start_and_partial_fit_keep_the_first_fits_target_scale():
    X, y = make_friedman1(n_samples=200, random_state=0)
    reg = StackedAERegressor((10,), max_iter=20, warm_start=True, random_state=0).fit(X, y)
    first = reg._target_scale
    before = reg.predict(X)
    # A warm start on targets in other units continues the same network:
    # one more iteration cannot move the predictions by the shift.
    reg.set_params(max_iter=1).fit(X, y + 100)
    np.testing.assert_array_equal(reg._target_scale, first)
    assert np.abs(reg.predict(X) - before).mean() < 50
    inc = StackedAERegressor((10,), solver="adam", pretrain_max_iter=1, random_state=0)
    inc.partial_fit(X[:100], y[:100])
    scale = inc._target_scale
    inc.partial_fit(X[100:], y[100:] * 10)
    np.testing.assert_array_equal(inc._target_scale, scale)


def test_auto_early_stopping_is_on_with_lbfgs_from_20_rows():
    X, y = make_friedman1(n_samples=200, random_state=0)
    reg = StackedAERegressor((10,), random_state=0).fit(X, y)
    assert reg.solver_ == "lbfgs"
    assert len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    few = StackedAERegressor((10,), random_state=0).fit(X[:19], y[:19])
    assert few.validation_scores_ is None
    adam = StackedAERegressor((10,), solver="adam", max_iter=5, random_state=0).fit(X, y)
    assert adam.validation_scores_ is None
    off = StackedAERegressor((10,), early_stopping=False, random_state=0).fit(X, y)
    assert off.validation_scores_ is None


def test_defaults_do_not_overfit_a_small_noisy_table():
    # Diabetes (442 rows, 10 features): fine-tuning the 200-200 stack to
    # convergence (early_stopping=False) scores 0.144 on these held-out
    # rows; the defaults 0.292, MLPRegressor((200, 200)) 0.305, RidgeCV 0.358.
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    model = make_pipeline(StandardScaler(), StackedAERegressor(random_state=0))
    assert model.fit(X_train, y_train).score(X_test, y_test) > 0.25
