"""Fits under load: how much a competing BLAS process slows a fit.

A second process multiplies 1000x1000 float64 matrices in a loop with its
BLAS's default threads (all cores), as another user's job would. Timed,
alone and under that load, in one run: a default ``StackedAEClassifier`` on
scikit-learn's digits (64-200-200-10, small products), the same with every
BLAS pool held to one thread (``threadpoolctl``), and
``MLPClassifier((200, 200))`` with L-BFGS and with Adam. Printed: each fit's
time alone, under load, and the slowdown ratio; ours against MLPClassifier's.

    python benchmarks/bench_load.py [--repeat 3]
"""

import argparse
import multiprocessing
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skstackedae import StackedAEClassifier


def compete(stop):
    """Another user's BLAS job: products until told to stop."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 1000, 1000))
    while not stop.is_set():
        a @ b


def fits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0

    def ours():
        StackedAEClassifier(random_state=0).fit(X, y)

    def ours_one_thread():
        with threadpool_limits(1):
            StackedAEClassifier(random_state=0).fit(X, y)

    def mlp_lbfgs():
        MLPClassifier((200, 200), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)

    def mlp_adam():
        MLPClassifier((200, 200), random_state=0).fit(X, y)

    return {
        "StackedAEClassifier()": ours,
        "StackedAEClassifier(), BLAS 1 thread": ours_one_thread,
        'MLPClassifier(solver="lbfgs")': mlp_lbfgs,
        'MLPClassifier(solver="adam")': mlp_adam,
    }


def best_time(fit, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fit()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fits per cell (best kept)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    models = fits()
    alone = {name: best_time(fit, args.repeat) for name, fit in models.items()}

    stop = multiprocessing.Event()
    competitor = multiprocessing.Process(target=compete, args=(stop,), daemon=True)
    competitor.start()
    time.sleep(1.0)  # let it spin up
    try:
        loaded = {name: best_time(fit, args.repeat) for name, fit in models.items()}
    finally:
        stop.set()
        competitor.join()

    print(f"{'fit (digits, 64-200-200-10)':<40}{'alone':>9}{'loaded':>9}{'slowdown':>10}")
    for name in models:
        print(f"{name:<40}{alone[name]:>8.2f}s{loaded[name]:>8.2f}s"
              f"{loaded[name] / alone[name]:>9.2f}x")
    ours = loaded["StackedAEClassifier()"] / alone["StackedAEClassifier()"]
    mlp = loaded['MLPClassifier(solver="lbfgs")'] / alone['MLPClassifier(solver="lbfgs")']
    print(f"\ntarget: our slowdown {ours:.2f}x <= MLPClassifier(lbfgs)'s {mlp:.2f}x: "
          f"{'met' if ours <= mlp else 'NOT met'}")


if __name__ == "__main__":
    main()
