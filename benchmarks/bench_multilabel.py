"""Multilabel StackedAEClassifier against MLPClassifier (both solvers):
held-out subset accuracy and fit time, at the defaults, in one run.

Two problems: scikit-learn's ``make_multilabel_classification`` (2,000 rows,
50 features, 5 labels) and the 8x8 digits with three labels each (odd,
at least 5, prime). Every model sees the same ``MinMaxScaler``-ed X.

    python benchmarks/bench_multilabel.py [--dev]

``--dev`` reports on a split of the training rows instead (test rows unread).
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skstackedae import StackedAEClassifier


def problems():
    X, Y = make_multilabel_classification(
        n_samples=2000, n_features=50, n_classes=5, random_state=0
    )
    yield "make_multilabel_classification", X, Y
    X, y = load_digits(return_X_y=True)
    Y = np.c_[y % 2 == 1, y >= 5, np.isin(y, [2, 3, 5, 7])].astype(int)
    yield "digits: odd, >=5, prime", X, Y


MODELS = {
    "StackedAEClassifier()": lambda: StackedAEClassifier(random_state=0),
    # One hidden layer won on a dev split of both training sets (0.413 and
    # 0.976 subset accuracy against 0.168 and 0.967 for the default (200, 200)).
    "StackedAEClassifier((200,))": lambda: StackedAEClassifier((200,), random_state=0),
    "MLPClassifier(solver='adam')": lambda: MLPClassifier(random_state=0),
    "MLPClassifier(solver='lbfgs')": lambda: MLPClassifier(solver="lbfgs", random_state=0),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="report on a split of the training rows")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"{'problem':<32} {'model':<30} {'subset acc':>10} {'fit s':>6}")
    for name, X, Y in problems():
        X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.25, random_state=0)
        if args.dev:
            X_train, X_test, Y_train, Y_test = train_test_split(
                X_train, Y_train, test_size=0.25, random_state=1
            )
        scores = {}
        for label, make in MODELS.items():
            model = make_pipeline(MinMaxScaler(), make())
            start = time.perf_counter()
            model.fit(X_train, Y_train)
            seconds = time.perf_counter() - start
            scores[label] = model.score(X_test, Y_test)  # subset accuracy
            print(f"{name:<32} {label:<30} {scores[label]:>10.3f} {seconds:>6.1f}", flush=True)
        best_peer = max(v for k, v in scores.items() if k.startswith("MLP"))
        for ours in ("StackedAEClassifier()", "StackedAEClassifier((200,))"):
            print(f"{name:<32} {ours.replace('StackedAEClassifier', 'ours') + ' - best MLP':<30} "
                  f"{scores[ours] - best_peer:>+10.3f}", flush=True)
        print()


if __name__ == "__main__":
    main()
