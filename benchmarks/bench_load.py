"""Fits under load: how much a competing BLAS process slows a fit.

A second process multiplies 1000x1000 float64 matrices in a loop with its
BLAS's default threads (all cores), as another user's job would. Timed,
alone and under that load, in one run: a default ``StackedAEClassifier`` on
scikit-learn's digits (64-200-200-10, small products) with the package's
default fixed threads and with ``adaptive_blas_threads=True`` (NumPy's BLAS
follows the load), the same with every BLAS pool held to one thread
(``threadpoolctl``), ours with Adam (fixed and adaptive), and
``MLPClassifier((200, 200))`` with L-BFGS and with Adam. Printed: each fit's
time alone, under load, and the slowdown ratio; ours against MLPClassifier's.

    python benchmarks/bench_load.py [--repeat 3]

``--search`` instead compares the fit time of one such fit run alone in a
process held to one BLAS thread with the mean fit time of the same fits
inside ``GridSearchCV(n_jobs=2)`` (4 candidates x 2 folds, on the loky backend
and on the threading backend with fixed and with adaptive threads): two fits
at a time on 2 cores should each take no longer than one single-threaded fit
alone.

    python benchmarks/bench_load.py --search

``--gil`` times SciPy's L-BFGS-B alone and as two runs in two threads (one
BLAS thread each) on a 300,000-parameter quadratic: if its update released
the GIL, the two would take no longer than one.

    python benchmarks/bench_load.py --gil
"""

import argparse
import multiprocessing
import time
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import skstackedae
from skstackedae import StackedAEClassifier

from _timing import alone_and_two_at_once, best_time


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

    def ours_adam():
        StackedAEClassifier(solver="adam", random_state=0).fit(X, y)

    def adaptive(fit):
        def run():
            with skstackedae.config_context(adaptive_blas_threads=True):
                fit()

        return run

    def ours_one_thread():
        with threadpool_limits(1):
            StackedAEClassifier(random_state=0).fit(X, y)

    def mlp_lbfgs():
        MLPClassifier((200, 200), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)

    def mlp_adam():
        MLPClassifier((200, 200), random_state=0).fit(X, y)

    return {
        "StackedAEClassifier()": ours,
        "StackedAEClassifier(), adaptive": adaptive(ours),
        "StackedAEClassifier(), BLAS 1 thread": ours_one_thread,
        'StackedAEClassifier(solver="adam")': ours_adam,
        'StackedAEClassifier(solver="adam"), adaptive': adaptive(ours_adam),
        'MLPClassifier(solver="lbfgs")': mlp_lbfgs,
        'MLPClassifier(solver="adam")': mlp_adam,
    }


def search():
    """Per-fit time inside GridSearchCV(n_jobs=2) against one fit alone."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    grid = {"alpha": [1e-4, 1e-3], "sparsity_target": [0.05, 0.1]}
    estimator = StackedAEClassifier(random_state=0)
    half = X.shape[0] // 2  # a fold's training rows
    with threadpool_limits(1):
        alone = best_time(lambda: estimator.fit(X[:half], y[:half]), 2, warm_up=False)
    print(f"one fit on {half} rows, alone, BLAS at 1 thread: {alone:.2f}s")
    # loky's workers are other processes, which start at the default (fixed)
    # setting: only the threading backend's fits see the adaptive one.
    for backend, adaptive in (("loky", False), ("threading", False), ("threading", True)):
        with (
            skstackedae.config_context(adaptive_blas_threads=adaptive),
            joblib.parallel_config(backend=backend),
        ):
            result = GridSearchCV(estimator, grid, cv=2, n_jobs=2).fit(X, y)
        per_fit = np.mean(result.cv_results_["mean_fit_time"])
        threads = "adaptive" if adaptive else "fixed"
        print(
            f"GridSearchCV(n_jobs=2), {backend:<9}, {threads:<8}: {per_fit:.2f}s per fit, "
            f"ratio {per_fit / alone:.2f} (goal <= 1.0)"
        )


def gil():
    """Does L-BFGS-B's update overlap in two threads?"""
    import scipy.optimize

    scale = np.linspace(1.0, 1e4, 300_000)

    def run():
        scipy.optimize.minimize(
            lambda x: (0.5 * float(x @ (scale * x)), scale * x),
            np.ones(scale.size),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 200, "gtol": 0},
        )

    with threadpool_limits(1):
        alone, both, _ = alone_and_two_at_once(lambda: run)
    print(
        f"L-BFGS-B, 200 iterations: alone {alone:.2f}s, two in threads {both:.2f}s "
        f"(ratio {both / alone:.2f}; 1.0 = they overlap, 2.0 = the GIL serialises them)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fits per cell (best kept)")
    parser.add_argument("--search", action="store_true")
    parser.add_argument("--gil", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.search:
        return search()
    if args.gil:
        return gil()
    models = fits()
    alone = {name: best_time(fit, args.repeat, warm_up=False) for name, fit in models.items()}

    stop = multiprocessing.Event()
    competitor = multiprocessing.Process(target=compete, args=(stop,), daemon=True)
    competitor.start()
    time.sleep(1.0)  # let it spin up
    try:
        loaded = {name: best_time(fit, args.repeat, warm_up=False) for name, fit in models.items()}
    finally:
        stop.set()
        competitor.join()

    print(f"{'fit (digits, 64-200-200-10)':<40}{'alone':>9}{'loaded':>9}{'slowdown':>10}")
    for name in models:
        print(
            f"{name:<40}{alone[name]:>8.2f}s{loaded[name]:>8.2f}s"
            f"{loaded[name] / alone[name]:>9.2f}x"
        )
    ours = loaded["StackedAEClassifier()"] / alone["StackedAEClassifier()"]
    mlp = loaded['MLPClassifier(solver="lbfgs")'] / alone['MLPClassifier(solver="lbfgs")']
    print(
        f"\ntarget: our slowdown {ours:.2f}x <= MLPClassifier(lbfgs)'s {mlp:.2f}x: "
        f"{'met' if ours <= mlp else 'NOT met'}"
    )
    adaptive = loaded["StackedAEClassifier(), adaptive"] / alone["StackedAEClassifier(), adaptive"]
    print(
        f"with adaptive_blas_threads=True: ours {adaptive:.2f}x: "
        f"{'met' if adaptive <= mlp else 'NOT met'}"
    )
    for threads in ("", ", adaptive"):
        name = f'StackedAEClassifier(solver="adam"){threads}'
        ours = loaded[name] / alone[name]
        mlp = loaded['MLPClassifier(solver="adam")'] / alone['MLPClassifier(solver="adam")']
        print(
            f"with adam{threads or ', fixed'}: ours {ours:.2f}x, MLPClassifier(adam)'s "
            f"{mlp:.2f}x: {'met' if ours <= mlp else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
