"""
===============================================
Scaling a grid search out with dask.distributed
===============================================

The fits of a :class:`~sklearn.model_selection.GridSearchCV` are
independent, so joblib can send them to a :mod:`dask.distributed` cluster
through its dask backend, unchanged. Here the cluster is a
:class:`~distributed.LocalCluster` of 2 worker processes on this machine;
pointing the :class:`~distributed.Client` at a real scheduler's address
spreads the same search over many machines. The result is the same as a
local run.
"""

import time
import warnings

import joblib
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skstackedae import StackedAEClassifier

# The guard matters: dask starts its worker processes by re-importing this file.
if __name__ == "__main__":
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16
    grid = {"hidden_layer_sizes": [(32,), (64,)], "alpha": [1e-4, 1e-2]}
    estimator = StackedAEClassifier(pretrain_max_iter=20, max_iter=50, random_state=0)

    start = time.perf_counter()
    local = GridSearchCV(estimator, grid, cv=3).fit(X, y)
    print(f"local, 1 process: best {local.best_params_} in {time.perf_counter() - start:.1f}s")

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            start = time.perf_counter()
            with joblib.parallel_config(backend="dask"):
                distributed = GridSearchCV(estimator, grid, cv=3).fit(X, y)
            print(f"dask, {len(client.scheduler_info()['workers'])} workers: best "
                  f"{distributed.best_params_} in {time.perf_counter() - start:.1f}s")
    assert distributed.best_params_ == local.best_params_
