"""Fit time and peak extra memory against n_samples, L-BFGS and Adam.

Synthetic rows of 784 features in [0, 1] (5k to 80k by default), a
784-200 SparseAutoencoder trained for a fixed number of iterations (L-BFGS)
or epochs (Adam, batch 200). Time per sample should stay flat (linear
growth); Adam's memory beyond the data itself should stay flat too, while
L-BFGS holds full-batch activations (linear in n_samples). Peak memory is
NumPy's allocations traced by tracemalloc, the data array excluded.

    python benchmarks/bench_scaling.py [--sizes 5000 10000 20000 40000 80000]

``--stack`` times whole default fits of ``StackedAEClassifier()``
(784-200-200-10, L-BFGS) and of ``StackedAEClassifier(solver="adam")`` instead,
in float64 (``compute_dtype="float64"``; the default would train in float32),
on the MNIST sample tiled to each size (jittered copies) (60,000 rows is full
MNIST's size), and reports their peak memory per 10,000 rows:

    python benchmarks/bench_scaling.py --stack --sizes 10000 60000
"""

import argparse
import functools
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skstackedae import SparseAutoencoder, StackedAEClassifier


def measure(fit):
    tracemalloc.start()
    start = time.perf_counter()
    fit()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def stack(sizes):
    """Whole default fits on the MNIST sample tiled to each size."""
    from _data import mnist_sample

    X_train, _, y_train, _ = mnist_sample()
    rng = np.random.RandomState(0)
    print(f"{'n_samples':>10}{'solver':>8}{'fit time':>10}{'peak MiB':>10}"
          f"{'MiB / 10k rows':>16}{'peak/data':>11}")
    for n in sizes:
        rows = np.resize(np.arange(X_train.shape[0]), n)
        # Jittered copies: L-BFGS fits merge identical rows into one.
        X = np.clip(X_train[rows] + rng.normal(0, 0.01, (n, X_train.shape[1])), 0, 1)
        y = y_train[rows]
        for solver in ("lbfgs", "adam"):
            # float64 arithmetic, as measured before compute_dtype="auto".
            model = StackedAEClassifier(solver=solver, compute_dtype="float64", random_state=0)
            seconds, peak = measure(functools.partial(model.fit, X, y))
            print(f"{n:>10}{solver:>8}{seconds:>9.1f}s{peak / 2**20:>10.0f}"
                  f"{peak / 2**20 / (n / 10000):>16.0f}{peak / X.nbytes:>11.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000, 40000, 80000])
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--stack", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.stack:
        return stack(args.sizes)
    rng = np.random.RandomState(0)
    solvers = {
        "lbfgs": dict(solver="lbfgs", max_iter=args.iterations),
        "adam": dict(solver="adam", max_iter=2, n_iter_no_change=100),
    }
    print(f"{'n_samples':>10}{'solver':>8}{'fit time':>10}{'us/sample/iter':>16}"
          f"{'time vs first':>15}{'extra MiB':>11}{'extra/data':>12}")
    first = {}
    for n in args.sizes:
        X = rng.uniform(size=(n, 784))
        for name, params in solvers.items():
            model = SparseAutoencoder(200, compute_dtype="float64", random_state=0, **params)
            seconds, peak = measure(functools.partial(model.fit, X))
            per_sample = seconds / n / params["max_iter"] * 1e6
            first.setdefault(name, seconds / n)
            print(f"{n:>10}{name:>8}{seconds:>9.2f}s{per_sample:>16.2f}"
                  f"{seconds / n / first[name]:>14.2f}x{peak / 2**20:>11.1f}"
                  f"{peak / X.nbytes:>12.2f}")


if __name__ == "__main__":
    main()
