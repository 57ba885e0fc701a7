"""partial_fit of StackedAEClassifier against fit and against MLPClassifier's
partial_fit, on the same chunks in the same run.

For each data set (a dev split: 75 % / 25 % of its training rows, stratified,
scaled to [0, 1] by ``MinMaxScaler`` fitted on the 75 %), with 200-200
hidden units and "adam" everywhere:

- ``fit``: ``StackedAEClassifier(solver="adam", pretrain_max_iter=P,
  max_iter=E)``;
- ``partial_fit``, the whole training set per call, P + E calls (``fit``'s
  schedule in epochs, with every layer pretrained at once);
- ``partial_fit`` over 10 chunks per pass: one pass of pretraining
  (``pretrain_max_iter=10``) and E passes of fine-tuning, then P passes of
  pretraining and E of fine-tuning;
- ``MLPClassifier((200, 200)).partial_fit`` over the same 10 chunks for
  P + E passes.

Prints held-out accuracy and time (ratio to MLPClassifier's loop).

    python benchmarks/bench_partial_fit.py [--data DIR] [-P 20] [-E 30]

``--data DIR`` adds UCI pendigits (``pendigits.npz``: its training rows) and
the first 5,000 MNIST training digits (``mnist_train.npz``).
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skstackedae import StackedAEClassifier

from _data import minmax_dev_split

N_CHUNKS = 10


def datasets(data_dir):
    X, y = load_digits(return_X_y=True)
    yield "8x8 digits", X, y
    if data_dir is None:
        return
    pendigits = np.load(os.path.join(data_dir, "pendigits.npz"))
    yield "pendigits", pendigits["X"], pendigits["y"]
    mnist = np.load(os.path.join(data_dir, "mnist_train.npz"))
    yield "MNIST 5,000", mnist["X"][:5000], mnist["y"][:5000]


def timed(make_and_train, X_test, y_test):
    start = time.perf_counter()
    model = make_and_train()
    return model.score(X_test, y_test), time.perf_counter() - start


def compare(name, X, y, P, E):
    """Print one row per model for one data set."""
    X_train, X_test, y_train, y_test = minmax_dev_split(X, y)
    classes = np.unique(y_train)
    chunks = np.array_split(np.random.RandomState(0).permutation(y_train.shape[0]), N_CHUNKS)

    def over_chunks(model, passes):
        for _ in range(passes):
            for rows in chunks:
                model.partial_fit(X_train[rows], y_train[rows], classes=classes)
        return model

    def ours(pretrain_max_iter):
        return StackedAEClassifier(solver="adam", pretrain_max_iter=pretrain_max_iter,
                                   random_state=0)

    def whole_set():
        model = ours(P)
        for _ in range(P + E):
            model.partial_fit(X_train, y_train, classes=classes)
        return model

    rows = {
        f"fit, {P} + {E} epochs": lambda: StackedAEClassifier(
            solver="adam", pretrain_max_iter=P, max_iter=E, random_state=0
        ).fit(X_train, y_train),
        f"partial_fit, whole set, {P + E} calls": whole_set,
        f"partial_fit, chunks, 1 + {E} passes": lambda: over_chunks(ours(N_CHUNKS), 1 + E),
        f"partial_fit, chunks, {P} + {E} passes": lambda: over_chunks(ours(P * N_CHUNKS), P + E),
        f"MLPClassifier partial_fit, chunks, {P + E} passes": lambda: over_chunks(
            MLPClassifier((200, 200), random_state=0), P + E
        ),
    }
    results = {label: timed(train, X_test, y_test) for label, train in rows.items()}
    mlp_time = results[list(rows)[-1]][1]
    for label, (accuracy, seconds) in results.items():
        print(f"{name:12s} {label:44s} {accuracy:8.3f} {seconds:6.1f}s "
              f"{seconds / mlp_time:6.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder with pendigits.npz and mnist_train.npz")
    parser.add_argument("-P", type=int, default=20, help="pretraining epochs (calls)")
    parser.add_argument("-E", type=int, default=30, help="fine-tuning epochs (calls)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"{'data':12s} {'model':44s} {'accuracy':>8s} {'time':>7s} {'x MLP':>6s}")
    for name, X, y in datasets(args.data):
        compare(name, X, y, args.P, args.E)


if __name__ == "__main__":
    main()
