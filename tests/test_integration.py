"""The estimators inside scikit-learn's tooling: Pipeline, GridSearchCV,
clone, joblib persistence."""


import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skstackedae import SparseAutoencoder, StackedAEClassifier


def test_pipeline_minmax_autoencoder_logistic_regression(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X * 16, y, random_state=0)
    pipe = make_pipeline(
        MinMaxScaler(),
        SparseAutoencoder(n_components=100, max_iter=100, random_state=0),
        LogisticRegression(max_iter=2000),
    ).fit(X_train, y_train)
    assert pipe.named_steps["sparseautoencoder"].decoder_ == "logistic"
    assert pipe.score(X_test, y_test) > 0.9
    assert_array_equal(
        pipe[:-1].get_feature_names_out()[:2], ["sparseautoencoder0", "sparseautoencoder1"]
    )


def test_pipeline_standard_scaler_stacked_classifier(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipe = make_pipeline(
        StandardScaler(),
        StackedAEClassifier((50,), pretrain_max_iter=50, max_iter=100, random_state=0),
    ).fit(X_train, y_train)
    # Standardised input is not in [0, 1]: the first layer decodes linearly.
    assert pipe[-1].autoencoders_[0].decoder_ == "linear"
    assert pipe.score(X_test, y_test) > 0.9


def test_grid_search_in_parallel(small_digits):
    X, y = small_digits
    grid = {
        "hidden_layer_sizes": [(16,), (32, 16)],
        "alpha": [1e-4, 1e-2],
        "sparsity_target": [0.05, 0.2],
    }
    search = GridSearchCV(
        StackedAEClassifier(pretrain_max_iter=20, max_iter=40, random_state=0),
        grid,
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores >= 0) & (scores <= 1))
    assert search.best_score_ > 0.8  # ten classes: chance is 0.1
    assert search.best_score_ == np.max(search.cv_results_["mean_test_score"])
    assert search.best_estimator_.get_params()["alpha"] == search.best_params_["alpha"]
    # The parallel run agrees with a sequential one.
    sequential = GridSearchCV(search.estimator, grid, cv=3, n_jobs=1).fit(X, y)
    assert sequential.best_params_ == search.best_params_


def test_clone_copies_parameters_not_fitted_state(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((10,), alpha=0.01, pretrain_max_iter=5, max_iter=5, random_state=0)
    clf.fit(X, y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "coefs_")
    assert_array_equal(copy.fit(X, y).predict(X), clf.predict(X))


@pytest.mark.parametrize("kind", ["autoencoder", "classifier"])
def test_joblib_round_trip(tmp_path, small_digits, kind):
    X, y = small_digits
    if kind == "autoencoder":
        model = SparseAutoencoder(n_components=12, max_iter=20, random_state=0).fit(X)
        outputs = ["transform", "inverse_transform"]
    else:
        model = StackedAEClassifier((12,), pretrain_max_iter=20, max_iter=20, random_state=0).fit(
            X, y
        )
        outputs = ["predict", "predict_proba", "predict_log_proba"]
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path)
    for method in outputs:
        arg = model.transform(X) if method == "inverse_transform" else X
        assert_array_equal(getattr(loaded, method)(arg), getattr(model, method)(arg))
