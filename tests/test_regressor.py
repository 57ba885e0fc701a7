"""StackedAERegressor: one and several targets, fine-tuning, warm start."""

import numpy as np
import pytest
from sklearn.datasets import make_friedman1

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
