"""StackedAutoencoder against PCA at the same code size on the MNIST sample:
held-out reconstruction error, before and after fine-tuning, and fit time.

The error is ``1/(2m) sum_i ||x_hat_i - x_i||^2`` on the 1,000 test digits
(pixels in [0, 1]); models are fitted on the other 4,000.

    python benchmarks/bench_deep_autoencoder.py [--hidden 200 30] [--max-iter 400] [--dev]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skstackedae import StackedAutoencoder

from _data import mnist_sample


def reconstruction_error(X, X_hat):
    return 0.5 * float(np.sum((X_hat - X) ** 2)) / X.shape[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[200, 30])
    parser.add_argument("--max-iter", type=int, default=400)
    parser.add_argument("--pretrain-max-iter", type=int, default=50)
    parser.add_argument("--alpha", type=float, default=1e-4)
    parser.add_argument("--sparsity-weight", type=float, default=0.0)
    parser.add_argument(
        "--dev",
        action="store_true",
        help="fit on 3,000 training digits, test on the other 1,000 (test rows unread)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X_train, X_test, _, _ = mnist_sample()
    if args.dev:
        X_train, X_test = train_test_split(X_train, test_size=1000, random_state=1)
    code = args.hidden[-1]
    rows = []

    start = time.perf_counter()
    pca = PCA(n_components=code, random_state=0).fit(X_train)
    rows.append(
        (
            f"PCA(n_components={code})",
            time.perf_counter() - start,
            reconstruction_error(X_test, pca.inverse_transform(pca.transform(X_test))),
        )
    )
    for fine_tune in (False, True):
        model = StackedAutoencoder(
            tuple(args.hidden),
            pretrain_max_iter=args.pretrain_max_iter,
            max_iter=args.max_iter,
            alpha=args.alpha,
            sparsity_weight=args.sparsity_weight,
            fine_tune=fine_tune,
            random_state=0,
        )
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        label = f"StackedAutoencoder({tuple(args.hidden)}, fine_tune={fine_tune})"
        rows.append((label, seconds, -model.score(X_test)))

    print(f"{'model':<52} {'fit s':>6} {'test error':>10} {'/ PCA':>6}")
    for label, seconds, error in rows:
        print(f"{label:<52} {seconds:>6.1f} {error:>10.3f} {error / rows[0][2]:>6.2f}")


if __name__ == "__main__":
    main()
