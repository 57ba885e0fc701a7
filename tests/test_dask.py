"""GridSearchCV on a real dask.distributed cluster (2 worker processes)."""

import distributed
import joblib
from sklearn.model_selection import GridSearchCV

from skstackedae import StackedAEClassifier


def test_grid_search_on_a_local_dask_cluster_matches_the_local_run(small_digits):
    X, y = small_digits
    grid = {"hidden_layer_sizes": [(8,), (24,)], "alpha": [1e-4, 1.0]}
    estimator = StackedAEClassifier(pretrain_max_iter=10, max_iter=30, random_state=0)
    local = GridSearchCV(estimator, grid, cv=3).fit(X, y)

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_config(backend="dask"):
            on_dask = GridSearchCV(estimator, grid, cv=3).fit(X, y)

    assert on_dask.best_params_ == local.best_params_
    for key in ("mean_test_score", "params"):
        assert list(on_dask.cv_results_[key]) == list(local.cv_results_[key])
