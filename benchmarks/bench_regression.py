"""StackedAERegressor against MLPRegressor (both solvers) on regression data
sets that scikit-learn ships or generates: held-out R^2 and fit time.

Every model sees the same standardised X (a ``StandardScaler`` in a
pipeline) and the raw targets, at its defaults. ``--dev`` instead splits each
training set once more and reports on that split only (how the defaults were
chosen; the test rows are not read).

    python benchmarks/bench_regression.py [--dev]
"""

import argparse
import time
import warnings

from sklearn.datasets import load_diabetes, make_friedman1, make_friedman2, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skstackedae import StackedAERegressor


def datasets():
    yield "diabetes", *load_diabetes(return_X_y=True)
    yield "friedman1", *make_friedman1(n_samples=2000, noise=1.0, random_state=0)
    yield "friedman2", *make_friedman2(n_samples=2000, noise=10.0, random_state=0)
    X, y = make_regression(n_samples=1000, n_features=20, n_informative=10, n_targets=3,
                           noise=10.0, random_state=0)
    yield "regression, 3 targets", X, y


def models(dev):
    found = {
        "StackedAERegressor()": lambda: StackedAERegressor(random_state=0),
        "MLPRegressor(solver='adam')": lambda: MLPRegressor(random_state=0),
        "MLPRegressor(solver='lbfgs')": lambda: MLPRegressor(solver="lbfgs", random_state=0),
    }
    if dev:
        found.update(
            {
                "StackedAERegressor((200,))": lambda: StackedAERegressor((200,), random_state=0),
                "StackedAERegressor((200, 200))": lambda: StackedAERegressor(
                    (200, 200), random_state=0
                ),
                "... pretrain_alpha=1e-4": lambda: StackedAERegressor(
                    pretrain_alpha=1e-4, random_state=0
                ),
                "... sparsity_weight=3": lambda: StackedAERegressor(
                    sparsity_weight=3.0, random_state=0
                ),
            }
        )
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="report on a split of the training rows")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"{'data set':<22} {'model':<32} {'R^2':>7} {'fit s':>6}")
    for name, X, y in datasets():
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
        if args.dev:
            X_train, X_test, y_train, y_test = train_test_split(
                X_train, y_train, test_size=0.25, random_state=1
            )
        scores = {}
        for label, make in models(args.dev).items():
            model = make_pipeline(StandardScaler(), make())
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            scores[label] = model.score(X_test, y_test)
            print(f"{name:<22} {label:<32} {scores[label]:>7.3f} {seconds:>6.1f}", flush=True)
        ours = scores["StackedAERegressor()"]
        best_peer = max(v for k, v in scores.items() if k.startswith("MLP"))
        print(
            f"{name:<22} {'ours - best MLPRegressor':<32} {ours - best_peer:>+7.3f}\n", flush=True
        )


if __name__ == "__main__":
    main()
