"""Full MNIST: our default fit against MLPClassifier's, accuracy, time, memory.

The 60,000 MNIST training digits from ``--data DIR/mnist_train.npz`` (NumPy
archive with ``X``, uint8 pixels, and ``y``), scaled to [0, 1]: the first
50,000 train, the last 10,000 are the held-out test set (the official test
digits are never used). Each model is fitted in a fresh process, so that its
peak resident memory beyond the loaded data (Linux's ``VmHWM``, reset after
loading) is its own; the models run one after the other in the same run and
the last column is the ratio to ``MLPClassifier((200, 200))`` at its defaults
(adam).

    python benchmarks/bench_full_mnist.py --data DIR [--rows N] [--models NAME ...]

``--rows N`` keeps the first N training rows (a quick check); ``--models``
picks among the names printed (default: all). Run it on an idle machine.
"""

import argparse
import multiprocessing
import os
import resource
import time
import warnings

import numpy as np

from _data import FULL_MNIST_N_TEST as N_TEST
from _data import full_mnist

MODELS = {
    "MLPClassifier((200, 200))": (
        "sklearn.neural_network", "MLPClassifier",
        dict(hidden_layer_sizes=(200, 200), random_state=0),
    ),
    # "auto" chooses Adam on 50,000 rows; L-BFGS with 50 pretraining
    # iterations was the default before.
    "StackedAEClassifier()": ("skstackedae", "StackedAEClassifier", dict(random_state=0)),
    'StackedAEClassifier(solver="lbfgs", pretrain_max_iter=50)': (
        "skstackedae", "StackedAEClassifier",
        dict(solver="lbfgs", pretrain_max_iter=50, random_state=0),
    ),
}
PEER = "MLPClassifier((200, 200))"


def _status_kib(field):
    """A ``/proc/self/status`` field in KiB, or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak():
    """Reset the process's peak RSS to its current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def fit_one(name, data_dir, rows, queue):
    """Fit model ``name`` in this (fresh) process; put its figures on ``queue``."""
    import importlib

    from sklearn.exceptions import ConvergenceWarning

    module, cls, params = MODELS[name]
    estimator = getattr(importlib.import_module(module), cls)(**params)
    X_train, X_test, y_train, y_test = full_mnist(data_dir, rows)
    baseline = _status_kib("VmRSS")
    exact = _reset_peak()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    peak = _status_kib("VmHWM") if exact else None
    if peak is None:  # no reset: the lifetime peak (ru_maxrss is KiB on Linux)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    extra_mib = None if baseline is None else (peak - baseline) / 1024
    queue.put(dict(accuracy=estimator.score(X_test, y_test), seconds=seconds,
                   extra_mib=extra_mib))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with mnist_train.npz")
    parser.add_argument("--rows", type=int, default=0, help="training rows (default: 50,000)")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    names = [PEER] + [m for m in args.models if m != PEER]

    context = multiprocessing.get_context("spawn")
    # Shapes only: each fit's process loads and scales the data itself.
    n_rows, n_features = np.load(os.path.join(args.data, "mnist_train.npz"))["X"].shape
    n_train = min(n_rows - N_TEST, args.rows or n_rows)
    print(f"MNIST: {n_train} training rows, {N_TEST} held-out rows, {os.cpu_count()} CPUs; "
          f"input {n_train * n_features * 8 / 2**20:.0f} MiB (float64)")
    print(f"{'model':<46} {'accuracy':>9} {'fit time':>9} {'x peer':>7} "
          f"{'peak MiB':>9} {'x peer':>7}")
    results = {}
    for name in names:
        queue = context.Queue()
        process = context.Process(target=fit_one, args=(name, args.data, args.rows, queue))
        process.start()
        r = results[name] = queue.get()
        process.join()
        peer = results[PEER]
        memory = "" if r["extra_mib"] is None else f"{r['extra_mib']:>9.0f}"
        memory_ratio = ("" if r["extra_mib"] is None or not peer["extra_mib"]
                        else f"{r['extra_mib'] / peer['extra_mib']:>7.2f}")
        print(f"{name:<46} {r['accuracy']:>9.4f} {r['seconds']:>8.1f}s "
              f"{r['seconds'] / peer['seconds']:>7.2f} {memory} {memory_ratio}", flush=True)


if __name__ == "__main__":
    main()
