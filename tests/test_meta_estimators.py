"""The estimators inside the scikit-learn tools people combine them with.

Each test asserts a result that can fail: an accuracy, a shape, a count, a
cache hit, a thread setting; not only that nothing raised.
"""

import numpy as np
import pytest
import sklearn
from joblib import parallel_config
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    HalvingGridSearchCV,
    RandomizedSearchCV,
    cross_validate,
    train_test_split,
)
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier
from threadpoolctl import threadpool_info

from skstackedae import SparseAutoencoder


@pytest.fixture(scope="module")
def split(request):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16.0, y[:600]
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def _thread_settings():
    return [(lib["filepath"], lib["num_threads"]) for lib in threadpool_info()]


def test_calibrated_classifier_cv(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    model = CalibratedClassifierCV(small_classifier(), cv=3).fit(X_train, y_train)
    assert len(model.calibrated_classifiers_) == 3
    proba = model.predict_proba(X_test)
    assert_allclose(proba.sum(axis=1), 1)
    assert model.score(X_test, y_test) > 0.85


def test_stacking_classifier(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    model = StackingClassifier(
        [("sae", small_classifier()), ("lr", LogisticRegression(max_iter=2000))],
        final_estimator=LogisticRegression(max_iter=2000), cv=3,
    ).fit(X_train, y_train)
    # The meta-features are the predict_proba columns of both base models.
    assert model.transform(X_test).shape == (X_test.shape[0], 2 * 10)
    assert model.score(X_test, y_test) > 0.9


def test_soft_voting_classifier(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    sae, lr = small_classifier(), LogisticRegression(max_iter=2000)
    model = VotingClassifier([("sae", sae), ("lr", lr)], voting="soft").fit(X_train, y_train)
    fitted_sae, fitted_lr = model.named_estimators_["sae"], model.named_estimators_["lr"]
    expected = (fitted_sae.predict_proba(X_test) + fitted_lr.predict_proba(X_test)) / 2
    assert_allclose(model.predict_proba(X_test), expected)
    assert model.score(X_test, y_test) > 0.9


def test_one_vs_rest_classifier(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    model = OneVsRestClassifier(small_classifier(hidden_layer_sizes=(8,))).fit(X_train, y_train)
    assert len(model.estimators_) == 10
    assert all(list(e.classes_) == [0, 1] for e in model.estimators_)
    assert model.score(X_test, y_test) > 0.85


def test_bagging_classifier(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    model = BaggingClassifier(
        small_classifier(), n_estimators=3, max_samples=0.8, random_state=0
    ).fit(X_train, y_train)
    members = model.estimators_
    assert len(members) == 3
    assert not np.allclose(members[0].coefs_[0], members[1].coefs_[0])
    assert model.score(X_test, y_test) > 0.85


def test_self_training_classifier(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    rng = np.random.RandomState(0)
    y_partial = y_train.copy()
    hidden = rng.rand(y_train.shape[0]) < 0.5
    y_partial[hidden] = -1
    model = SelfTrainingClassifier(small_classifier(), threshold=0.9, max_iter=3)
    model.fit(X_train, y_partial)
    assert_array_equal(model.classes_, np.arange(10))  # -1 is not a class
    newly_labeled = (model.labeled_iter_ > 0).sum()
    assert newly_labeled > 0  # confident predictions were added as labels
    assert model.score(X_test, y_test) > 0.85


def test_cross_validate_with_several_scorers(small_classifier, split):
    X_train, _, y_train, _ = split
    scores = cross_validate(
        small_classifier(),
        X_train,
        y_train,
        cv=3,
        scoring=["accuracy", "neg_log_loss", "f1_macro"],
        return_train_score=True,
    )
    assert scores["test_accuracy"].shape == (3,)
    assert np.all(scores["test_accuracy"] > 0.8)
    assert np.all(scores["train_accuracy"] >= scores["test_accuracy"] - 0.05)
    assert np.all((-1.0 < scores["test_neg_log_loss"]) & (scores["test_neg_log_loss"] < 0))
    assert np.all(scores["test_f1_macro"] > 0.8)


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_searches_on_parallel_backends_restore_thread_settings(small_classifier, split, backend):
    X_train, X_test, y_train, y_test = split
    before = _thread_settings()
    with parallel_config(backend=backend, n_jobs=2):
        halving = HalvingGridSearchCV(
            small_classifier(),
            {"alpha": [1e-4, 1e-2], "hidden_layer_sizes": [(8,), (24,)]},
            cv=3,
            factor=2,
            min_resources=120,
            random_state=0,
        ).fit(X_train, y_train)
        randomized = RandomizedSearchCV(
            small_classifier(),
            {"alpha": loguniform(1e-5, 1e-1)},
            n_iter=3,
            cv=3,
            random_state=0,
        ).fit(X_train, y_train)
    assert _thread_settings() == before
    assert halving.n_iterations_ == 2 and halving.n_candidates_ == [4, 2]
    assert halving.best_params_ in halving.cv_results_["params"]
    assert len(randomized.cv_results_["params"]) == 3
    assert randomized.best_score_ == np.max(randomized.cv_results_["mean_test_score"])
    assert randomized.score(X_test, y_test) > 0.85


def test_permutation_importance_finds_the_informative_pixels(small_classifier, split):
    X_train, X_test, y_train, y_test = split
    # Eight columns of noise beside the 64 pixels.
    rng = np.random.RandomState(0)
    noise_train, noise_test = rng.rand(X_train.shape[0], 8), rng.rand(X_test.shape[0], 8)
    model = small_classifier().fit(np.hstack([X_train, noise_train]), y_train)
    result = permutation_importance(
        model, np.hstack([X_test, noise_test]), y_test, n_repeats=3, random_state=0
    )
    pixels, noise = result.importances_mean[:64], result.importances_mean[64:]
    assert pixels.max() > 0.02
    assert np.abs(noise).max() < pixels.max() / 2


def test_column_transformer(split):
    X_train, X_test, y_train, y_test = split
    # Codes of the top half of each image, the bottom half passed through.
    top, bottom = list(range(32)), list(range(32, 64))
    pipe = make_pipeline(
        ColumnTransformer(
            [
                ("codes", SparseAutoencoder(16, max_iter=50, random_state=0), top),
                ("raw", "passthrough", bottom),
            ]
        ),
        LogisticRegression(max_iter=3000),
    ).fit(X_train, y_train)
    names = pipe[0].get_feature_names_out()
    assert names.shape == (16 + 32,)
    assert names[0] == "codes__sparseautoencoder0" and names[16] == "raw__x32"
    assert pipe.score(X_test, y_test) > 0.85


class CountingAutoencoder(SparseAutoencoder):
    """Counts its fits (module level: the pipeline cache pickles it)."""

    fits = 0

    def fit(self, X, y=None):
        type(self).fits += 1
        return super().fit(X, y)


def test_cached_pipeline_reuses_the_fitted_autoencoder(split, tmp_path):
    X_train, X_test, y_train, y_test = split
    CountingAutoencoder.fits = 0

    def make(C):
        return Pipeline(
            [
                ("ae", CountingAutoencoder(20, max_iter=30, random_state=0)),
                ("lr", LogisticRegression(C=C, max_iter=3000)),
            ],
            memory=str(tmp_path),
        )

    first = make(1.0).fit(X_train, y_train)
    second = make(10.0).fit(X_train, y_train)  # same autoencoder: from the cache
    assert CountingAutoencoder.fits == 1
    assert_array_equal(first[0].coefs_[0], second[0].coefs_[0])
    assert second.score(X_test, y_test) > 0.85


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_global_output_setting_in_a_pipeline(small_classifier, split, output):
    pytest.importorskip(output)
    X_train, X_test, y_train, y_test = split
    expected = make_pipeline(StandardScaler(), small_classifier()).fit(X_train, y_train)
    expected_proba = expected.predict_proba(X_test)
    with sklearn.config_context(transform_output=output):
        # The scaler hands the classifier a DataFrame; inside, pretraining
        # must not see the setting.
        pipe = make_pipeline(StandardScaler(), small_classifier()).fit(X_train, y_train)
        assert_array_equal(pipe.predict_proba(X_test), expected_proba)
        assert pipe.score(X_test, y_test) > 0.85
        codes = make_pipeline(MinMaxScaler(), SparseAutoencoder(5, max_iter=10, random_state=0))
        frame = codes.fit_transform(X_train)
    assert type(frame).__module__.split(".")[0] == output
    assert list(frame.columns) == [f"sparseautoencoder{i}" for i in range(5)]
