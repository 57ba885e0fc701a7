"""Demo: ``python -m skstackedae``.

Trains a StackedAEClassifier (64-200-200-10) on scikit-learn's bundled digits
data set and prints held-out accuracy before and after fine-tuning, next to
logistic regression on the raw pixels, with the time each stage took.
"""

import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from . import StackedAEClassifier, __version__


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    print(
        f"skstackedae {__version__}: digits, {X_train.shape[0]} training and "
        f"{X_test.shape[0]} held-out samples, {X.shape[1]} pixels\n"
    )
    # The defaults: the autoencoders' weight decay and sparsity weight are
    # "auto" (UFLDL's values scaled to the input's variance: digits have 64
    # pixels to MNIST's 784, and UFLDL's fixed values flatten the second
    # layer's codes here).
    clf = StackedAEClassifier(hidden_layer_sizes=(200, 200), random_state=0)
    # The pretraining limit (100 iterations per autoencoder) is reached on
    # purpose.
    warnings.simplefilter("ignore", ConvergenceWarning)

    start = time.perf_counter()
    clf.set_params(fine_tune=False).fit(X_train / 16, y_train)
    pretrain_seconds = time.perf_counter() - start
    before = clf.score(X_test / 16, y_test)

    # warm_start continues from the fitted network: this fit only fine-tunes.
    start = time.perf_counter()
    clf.set_params(fine_tune=True, warm_start=True).fit(X_train / 16, y_train)
    fine_tune_seconds = time.perf_counter() - start
    after = clf.score(X_test / 16, y_test)

    start = time.perf_counter()
    baseline = LogisticRegression(max_iter=5000).fit(X_train, y_train)
    baseline_seconds = time.perf_counter() - start

    rows = [
        ("LogisticRegression on raw pixels", baseline.score(X_test, y_test),
         baseline_seconds),
        ("64-200-200-10, before fine-tuning (pretraining + softmax)", before,
         pretrain_seconds),
        ("64-200-200-10, after fine-tuning (fine-tuning stage)", after,
         fine_tune_seconds),
    ]
    print(f"{'model':<60}{'accuracy':>9}{'time':>9}")
    for name, accuracy, seconds in rows:
        print(f"{name:<60}{accuracy:>9.1%}{seconds:>8.1f}s")
    print(f"\ntotal fit time of the stacked autoencoder: "
          f"{pretrain_seconds + fine_tune_seconds:.1f}s")


if __name__ == "__main__":
    main()
