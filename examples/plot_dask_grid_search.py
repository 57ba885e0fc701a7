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
import matplotlib.pyplot as plt
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
    local_seconds = time.perf_counter() - start
    print(f"local, 1 process: best {local.best_params_} in {local_seconds:.1f}s")

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            start = time.perf_counter()
            with joblib.parallel_config(backend="dask"):
                distributed = GridSearchCV(estimator, grid, cv=3).fit(X, y)
            dask_seconds = time.perf_counter() - start
            print(f"dask, {len(client.scheduler_info()['workers'])} workers: best "
                  f"{distributed.best_params_} in {dask_seconds:.1f}s")
    assert distributed.best_params_ == local.best_params_

    # The same scores for every setting, from either run.
    fig, ax = plt.subplots(figsize=(7, 4))
    settings = [
        f"{p['hidden_layer_sizes']}\nalpha={p['alpha']:g}" for p in local.cv_results_["params"]
    ]
    positions = range(len(settings))
    ax.bar(
        [i - 0.2 for i in positions],
        local.cv_results_["mean_test_score"],
        width=0.4,
        label=f"local ({local_seconds:.1f}s)",
    )
    ax.bar(
        [i + 0.2 for i in positions],
        distributed.cv_results_["mean_test_score"],
        width=0.4,
        label=f"dask, 2 workers ({dask_seconds:.1f}s)",
    )
    ax.set_xticks(list(positions), settings)
    ax.set_ylim(0.5, 1)
    ax.set_ylabel("mean cross-validated accuracy")
    ax.legend(loc="lower right")
    fig.tight_layout()
    plt.show()
