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
