"""The estimators among scikit-learn's tools: pipelines, grid search, clone,
pandas and polars output, DataFrame column names, verbose progress."""

import re

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skstackedae import SparseAutoencoder, StackedAEClassifier


def test_set_output_pandas(small_digits):
    pd = pytest.importorskip("pandas")
    X, _ = small_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ae = SparseAutoencoder(3, max_iter=5, random_state=0).set_output(transform="pandas")
    codes = ae.fit_transform(frame)
    assert isinstance(codes, pd.DataFrame)
    assert list(codes.columns) == ["sparseautoencoder0", "sparseautoencoder1", "sparseautoencoder2"]
    assert_array_equal(codes.index, frame.index)
    assert_array_equal(codes.to_numpy(), ae.set_output(transform="default").transform(frame))


def test_dataframes_with_column_names_everywhere(small_digits):
    pd = pytest.importorskip("pandas")
    X, y = small_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    clf = StackedAEClassifier((8,), pretrain_max_iter=5, max_iter=5, random_state=0).fit(
        frame, pd.Series(y)
    )
    assert list(clf.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        from_array = clf.predict(X)
    assert_array_equal(clf.predict(frame), from_array)


def test_verbose_reports_phases_iterations_loss_and_time(small_digits, capsys):
    X, y = small_digits
    StackedAEClassifier((8, 4), pretrain_max_iter=2, max_iter=2, verbose=1, random_state=0).fit(
        X, y
    )
    out = capsys.readouterr().out
    expected = [
        r"\[StackedAEClassifier\] pretraining layer 1 of 2: 64 -> 8 units",
        r"\[SparseAutoencoder\(8\)\] iteration 1, loss = [0-9.]+, elapsed = [0-9.]+s",
        r"\[StackedAEClassifier\] pretraining layer 1 of 2 done: "
        r"loss = [0-9.]+ after 2 iteration\(s\), [0-9.]+s",
        r"\[StackedAEClassifier\] pretraining layer 2 of 2: 8 -> 4 units",
        r"\[StackedAEClassifier\] softmax done: loss = [0-9.]+ after 2 iteration\(s\)",
        r"\[fine-tuning\] iteration 2, loss = [0-9.]+",
        r"\[StackedAEClassifier\] fine-tuning done: "
        r"loss = [0-9.]+ after 2 iteration\(s\), [0-9.]+s",
    ]
    position = 0
    for pattern in expected:  # in this order
        match = re.compile(pattern).search(out, position)
        assert match, pattern
        position = match.end()


def test_silent_by_default(small_digits, capsys):
    X, y = small_digits
    StackedAEClassifier((4,), pretrain_max_iter=2, max_iter=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


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
