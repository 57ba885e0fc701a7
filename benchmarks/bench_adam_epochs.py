"""Adam at a fixed epoch budget: StackedAEClassifier against MLPClassifier,
both with Adam and the same hidden layers, in the same run.

For each data set (a dev split: 75 % / 25 % of its rows, stratified, scaled
to [0, 1] by ``MinMaxScaler`` fitted on the 75 %), 200-200 hidden units, and
each budget of E epochs (10, 50, 200 by default):

- ``MLPClassifier((200, 200), solver="adam", max_iter=E)``;
- ours, "every phase E": ``StackedAEClassifier(solver="adam",
  pretrain_max_iter=E, max_iter=E)``, E epochs for each layer's
  pretraining and E of fine-tuning (3E epochs in all);
- ours, "defaults": ``StackedAEClassifier(solver="adam", max_iter=E)``,
  pretraining at its "auto" budget (about 2,500 mini-batch steps per
  layer, at most 50 epochs).

Both peers stop early on their own rule (``tol``, ``n_iter_no_change``), so
a budget is an upper bound. Prints held-out accuracy, fit time, and ours
against MLPClassifier: the accuracy difference and the time ratio. The
target of the mini-batch issue is "every phase E" (the measurement that
opened it) at least as accurate as MLPClassifier at every budget, in at most
1.5 times its time.

    python benchmarks/bench_adam_epochs.py [--data DIR] [--epochs 10 50 200]

``--data DIR`` adds the first 5,000 MNIST training digits
(``mnist_train.npz``: NumPy archive with ``X``, uint8 pixels, and ``y``).
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

HIDDEN = (200, 200)


def datasets(data_dir):
    X, y = load_digits(return_X_y=True)
    yield "8x8 digits", X, y
    if data_dir is not None:
        mnist = np.load(os.path.join(data_dir, "mnist_train.npz"))
        yield "MNIST 5,000", mnist["X"][:5000], mnist["y"][:5000]


def models(epochs):
    yield "MLPClassifier adam", MLPClassifier(
        HIDDEN, solver="adam", max_iter=epochs, random_state=0)
    yield "ours, every phase E", StackedAEClassifier(
        HIDDEN, solver="adam", pretrain_max_iter=epochs, max_iter=epochs, random_state=0)
    yield "ours, defaults", StackedAEClassifier(
        HIDDEN, solver="adam", max_iter=epochs, random_state=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="directory with mnist_train.npz")
    parser.add_argument("--epochs", type=int, nargs="+", default=[10, 50, 200])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    print(f"{'data set':<12} {'E':>4}  {'model':<22} {'accuracy':>8} {'fit s':>7} "
          f"{'- MLP':>7} {'x MLP':>6}")
    verdicts = []
    for name, X, y in datasets(args.data):
        X_train, X_test, y_train, y_test = minmax_dev_split(X, y)
        for epochs in args.epochs:
            reference = None
            for label, model in models(epochs):
                start = time.perf_counter()
                model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                accuracy = model.score(X_test, y_test)
                if reference is None:
                    reference = accuracy, seconds
                    versus = ""
                else:
                    versus = f"{accuracy - reference[0]:+7.3f} {seconds / reference[1]:6.2f}"
                    if label == "ours, every phase E":
                        verdicts.append((name, epochs, accuracy >= reference[0],
                                         seconds <= 1.5 * reference[1]))
                print(f"{name:<12} {epochs:>4}  {label:<22} {accuracy:8.4f} {seconds:7.1f} "
                      f"{versus}", flush=True)
        print()
    accurate = sum(v[2] for v in verdicts)
    fast = sum(v[3] for v in verdicts)
    print(f"every phase E: at least MLPClassifier's accuracy in {accurate} of {len(verdicts)} "
          f"(data set, budget) pairs; within 1.5x its time in {fast} of {len(verdicts)}")


if __name__ == "__main__":
    main()
