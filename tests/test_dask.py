"""skstackedae on a real dask.distributed cluster (2 worker processes): a grid
search, and out-of-core training through dask-ml's ``Incremental``."""

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skstackedae import SparseAutoencoder, StackedAEClassifier

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
Incremental = pytest.importorskip("dask_ml.wrappers").Incremental

# A cluster of two worker processes takes seconds to start.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        yield client


def test_grid_search_on_a_local_dask_cluster_matches_the_local_run(small_digits, client):
    X, y = small_digits
    grid = {"hidden_layer_sizes": [(8,), (24,)], "alpha": [1e-4, 1.0]}
    estimator = StackedAEClassifier(pretrain_max_iter=10, max_iter=30, random_state=0)
    local = GridSearchCV(estimator, grid, cv=3).fit(X, y)

    with joblib.parallel_config(backend="dask"):
        on_dask = GridSearchCV(estimator, grid, cv=3).fit(X, y)

    assert on_dask.best_params_ == local.best_params_
    for key in ("mean_test_score", "params"):
        assert list(on_dask.cv_results_[key]) == list(local.cv_results_[key])


def test_incremental_trains_on_every_chunk_of_a_dask_array(digits, client):
    # dask-ml's Incremental calls partial_fit once per block, in order with
    # shuffle_blocks=False: the model must be the one a hand-written loop
    # over the same blocks gives, and its transform a dask array of codes.
    X = digits[0].astype(np.float32)
    X_dask = da.from_array(X, chunks=(200, X.shape[1]))
    n_chunks = X_dask.numblocks[0]
    assert n_chunks == 9

    params = dict(n_components=16, solver="adam", learning_rate_init=1e-2, random_state=0)
    incremental = Incremental(SparseAutoencoder(**params), shuffle_blocks=False)
    incremental.fit(X_dask)
    by_hand = SparseAutoencoder(**params)
    for start in range(0, X.shape[0], 200):
        by_hand.partial_fit(X[start : start + 200])

    fitted = incremental.estimator_
    assert fitted.n_iter_ == n_chunks  # one epoch per partial_fit call
    for ours, reference in zip(fitted.coefs_ + fitted.intercepts_,
                               by_hand.coefs_ + by_hand.intercepts_):
        np.testing.assert_array_equal(ours, reference)
    codes = incremental.transform(X_dask)
    assert isinstance(codes, da.Array)
    # float32 products of 200-row blocks round differently from one product.
    np.testing.assert_allclose(codes.compute(), by_hand.transform(X), rtol=1e-5)
    # Training on the chunks lowered the reconstruction error.
    assert fitted.score(X) > SparseAutoencoder(**params).partial_fit(X[:1]).score(X)


def test_incremental_fits_a_stacked_classifier_block_by_block(digits, client):
    # The classifier's partial_fit under Incremental: blocks in order give
    # the model of a hand-written loop over the same blocks; shuffled blocks
    # (Incremental's default) an equally good one.
    X, y = digits
    X_train, y_train, X_test, y_test = X[:1400], y[:1400], X[1400:], y[1400:]
    X_dask = da.from_array(X_train, chunks=(200, X.shape[1]))
    y_dask = da.from_array(y_train, chunks=200)
    params = dict(hidden_layer_sizes=(32,), solver="adam", batch_size=50,
                  pretrain_max_iter=7, random_state=0)
    classes = np.arange(10)

    in_order = Incremental(StackedAEClassifier(**params), shuffle_blocks=False)
    shuffled = Incremental(StackedAEClassifier(**params), shuffle_blocks=True, random_state=0)
    by_hand = StackedAEClassifier(**params)
    for _ in range(6):  # passes: the first pretrains, the others fine-tune
        in_order.partial_fit(X_dask, y_dask, classes=classes)
        shuffled.partial_fit(X_dask, y_dask, classes=classes)
        for start in range(0, 1400, 200):
            by_hand.partial_fit(X_train[start : start + 200], y_train[start : start + 200],
                                classes=classes)

    fitted = in_order.estimator_
    assert fitted._stage == "fine-tuning" and fitted.n_iter_ == 35
    for ours, reference in zip(fitted.coefs_ + fitted.intercepts_,
                               by_hand.coefs_ + by_hand.intercepts_):
        np.testing.assert_array_equal(ours, reference)
    reference = by_hand.score(X_test, y_test)
    assert reference > 0.8
    assert abs(shuffled.estimator_.score(X_test, y_test) - reference) <= 0.02
    predicted = in_order.predict(da.from_array(X_test, chunks=100))
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(predicted.compute(), by_hand.predict(X_test))
