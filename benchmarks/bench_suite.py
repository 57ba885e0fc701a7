"""Every data set against every peer, with all labels and with 10 per class.

Data sets: scikit-learn's digits, iris, wine and breast cancer;
``make_classification`` tables of 2 to 64 features and 2 to 26 classes;
UCI pendigits and optdigits (their official test sets) and the MNIST
training digits (a 5,000-row pool, or with ``--full-mnist`` the first 50,000,
tested on the last 10,000), from ``--data`` (``pendigits.npz``,
``optdigits.npz``, ``mnist_train.npz``: NumPy archives with ``X``, ``y`` and,
for the UCI sets, ``X_test``, ``y_test``). Features are scaled to [0, 1] by
``MinMaxScaler`` fitted on the training pool.

Peers, in the same run: ``LogisticRegression`` and
``MLPClassifier((200, 200))`` (adam) on the labeled rows,
``SelfTrainingClassifier(LogisticRegression())``, ``LabelSpreading`` knn, and
``SparseAutoencoder(200)`` codes + ``LogisticRegression`` (the autoencoder
on every row). Ours: ``StackedAEClassifier()`` at its defaults
(``unlabeled_label=-1`` with few labels).

    python benchmarks/bench_suite.py --data DIR [--full-mnist] [--only NAME ...]

Prints one table (held-out accuracy, and our fit time) and a summary.
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from skstackedae import SparseAutoencoder, StackedAEClassifier

SUPERVISED_PEERS = ("LR", "MLP")
SEMI_SUPERVISED_PEERS = ("SelfTraining(LR)", "LabelSpreading", "SAE+LR")


def _split(X, y, seed=0):
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def _table(n_features, n_classes, seed):
    """A ``make_classification`` table with integer features 0-15."""
    X, y = make_classification(
        n_samples=max(1000, 60 * n_classes), n_features=n_features,
        n_informative=max(2, n_features * 3 // 4), n_redundant=0,
        n_classes=n_classes, n_clusters_per_class=1, class_sep=1.5,
        random_state=seed,
    )
    X = np.round((X - X.min(0)) / (X.max(0) - X.min(0)) * 15)
    return _split(X, y)


def datasets(data_dir, full_mnist):
    """``name -> callable() -> (X_train, X_test, y_train, y_test)``, raw."""
    sets = {
        "digits": lambda: _split(*load_digits(return_X_y=True)),
        "iris": lambda: _split(*load_iris(return_X_y=True)),
        "wine": lambda: _split(*load_wine(return_X_y=True)),
        "breast cancer": lambda: _split(*load_breast_cancer(return_X_y=True)),
    }
    for n_features, n_classes in [(2, 2), (8, 4), (16, 26), (32, 10), (64, 3)]:
        sets[f"table {n_features}f {n_classes}c"] = (
            lambda f=n_features, c=n_classes: _table(f, c, seed=f + c)
        )
    if data_dir is None:
        return sets

    def uci(name):
        d = np.load(os.path.join(data_dir, f"{name}.npz"))
        return d["X"], d["X_test"], d["y"], d["y_test"]

    def mnist(n_pool):
        d = np.load(os.path.join(data_dir, "mnist_train.npz"))
        X, y = d["X"], d["y"]
        if n_pool is None:  # the first 50,000 to train, the last 10,000 to test
            return X[:50000], X[50000:], y[:50000], y[50000:]
        return _split(X[:n_pool * 5 // 4], y[:n_pool * 5 // 4])

    sets["pendigits"] = lambda: uci("pendigits")
    sets["optdigits"] = lambda: uci("optdigits")
    sets["MNIST 5,000"] = lambda: mnist(5000)
    if full_mnist:
        sets["MNIST 50,000"] = lambda: mnist(None)
    return sets


def draw_labels(y, per_class, seed):
    """``y`` with -1 on every row but ``per_class`` drawn rows per class."""
    rng = np.random.RandomState(seed)
    y_semi = np.full_like(y, -1)
    for c in np.unique(y):
        rows = rng.choice(np.flatnonzero(y == c), per_class, replace=False)
        y_semi[rows] = c
    return y_semi


def models(semi):
    """``name -> (estimator factory, uses unlabeled rows)``."""
    lr = lambda: LogisticRegression(max_iter=1000)  # noqa: E731
    found = {
        "LR": (lr, False),
        "MLP": (lambda: MLPClassifier((200, 200), random_state=0), False),
        "SAE+LR": (lambda: make_pipeline(SparseAutoencoder(200, random_state=0), lr()), True),
        "ours": (lambda: StackedAEClassifier(
            random_state=0, unlabeled_label=-1 if semi else None), True),
    }
    if semi:
        found["SelfTraining(LR)"] = (lambda: SelfTrainingClassifier(lr()), True)
        found["LabelSpreading"] = (lambda: LabelSpreading(kernel="knn"), True)
    return found


def fit_score(factory, uses_unlabeled, X, y, X_test, y_test):
    """Held-out accuracy and fit time; a SAE+LR pipeline trains its
    autoencoder on every row and its LR on the labeled ones."""
    labeled = y >= 0
    model = factory()
    start = time.perf_counter()
    if not uses_unlabeled:
        model.fit(X[labeled], y[labeled])
    elif isinstance(model, StackedAEClassifier) or not hasattr(model, "steps"):
        model.fit(X, y)
    else:
        codes = model.steps[0][1].fit(X).transform(X)
        model.steps[1][1].fit(codes[labeled], y[labeled])
    return model.score(X_test, y_test), time.perf_counter() - start


def run(name, loader, semi, per_class, seed):
    X, X_test, y, y_test = loader()
    y, y_test = y.astype(np.int64), y_test.astype(np.int64)  # -1 marks unlabeled rows
    scaler = MinMaxScaler().fit(X)
    X, X_test = scaler.transform(X), np.clip(scaler.transform(X_test), 0, 1)
    if semi:
        y = draw_labels(y, per_class, seed)
    scores, seconds = {}, {}
    for model, (factory, uses_unlabeled) in models(semi).items():
        scores[model], seconds[model] = fit_score(
            factory, uses_unlabeled, X, y, X_test, y_test)
    return scores, seconds


def summary(rows):
    """Lines of the summary over ``rows`` of ``(setting, name, scores)``."""
    lines = []
    for setting in ("all labels", "10 per class"):
        chosen = [(name, s) for kind, name, s in rows if kind == setting]
        if not chosen:
            continue
        gaps, best, beats_supervised, beats_semi = [], 0, 0, 0
        for name, s in chosen:
            peers = {k: v for k, v in s.items() if k != "ours"}
            top = max(peers.values())
            best += s["ours"] >= top
            gaps.append((s["ours"] - top, name))
            beats_supervised += s["ours"] >= max(s[k] for k in SUPERVISED_PEERS)
            semi_peers = [s[k] for k in SEMI_SUPERVISED_PEERS if k in s]
            beats_semi += bool(semi_peers) and s["ours"] > max(semi_peers)
        worst = min(gaps)
        n = len(chosen)
        lines.append(f"{setting}: best on {best}/{n}; at least the better "
                     f"supervised baseline (LR, MLP) on {beats_supervised}/{n}; "
                     f"worst gap to the best peer {worst[0]:+.3f} ({worst[1]})")
        if setting == "10 per class":
            lines.append(f"{setting}: above every semi-supervised peer on {beats_semi}/{n}")
        else:
            within = sum(s["ours"] >= s["MLP"] - 0.01 for _, s in chosen)
            lines.append(f"{setting}: within 1 point of MLPClassifier or above on {within}/{n}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder with pendigits/optdigits/mnist_train .npz")
    parser.add_argument("--full-mnist", action="store_true")
    parser.add_argument("--only", nargs="*", help="data set names to run")
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--settings", nargs="*", default=["all labels", "10 per class"])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    columns = ["LR", "MLP", "SelfTraining(LR)", "LabelSpreading", "SAE+LR", "ours"]
    print(f"{'data':<18} {'labels':<13}" + "".join(f"{c:>17}" for c in columns)
          + f"{'ours (s)':>10}", flush=True)
    rows = []
    for name, loader in datasets(args.data, args.full_mnist).items():
        if args.only and name not in args.only:
            continue
        for setting in args.settings:
            semi = setting != "all labels"
            scores, seconds = run(name, loader, semi, args.per_class, args.seed)
            rows.append((setting, name, scores))
            cells = "".join(
                f"{scores[c]:>17.3f}" if c in scores else f"{'':>17}" for c in columns)
            print(f"{name:<18} {setting:<13}{cells}{seconds['ours']:>10.1f}", flush=True)
    print()
    for line in summary(rows):
        print(line)


if __name__ == "__main__":
    main()
