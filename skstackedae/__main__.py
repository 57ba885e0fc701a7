"""Demo: ``python -m skstackedae``.

Trains a StackedAEClassifier on scikit-learn's bundled digits data set and
prints held-out accuracy before and after fine-tuning, with the time each
stage took.
"""

import time

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from . import StackedAEClassifier, __version__


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, stratify=y, random_state=0
    )
    print(f"skstackedae {__version__}: digits, {X_train.shape[0]} training and "
          f"{X_test.shape[0]} test samples, {X.shape[1]} features")
    params = dict(hidden_layer_sizes=(200, 200), random_state=0)

    start = time.perf_counter()
    before = StackedAEClassifier(fine_tune=False, **params).fit(X_train, y_train)
    pretrain_time = time.perf_counter() - start

    # The fine-tuned model repeats the same pretraining (same random_state),
    # so its extra time is the fine-tuning stage.
    start = time.perf_counter()
    after = StackedAEClassifier(**params).fit(X_train, y_train)
    total_time = time.perf_counter() - start

    baseline = LogisticRegression(max_iter=1000).fit(X_train, y_train)

    print(f"{'model':<42}{'test accuracy':>14}{'fit time':>10}")
    rows = [
        ("LogisticRegression on pixels", baseline.score(X_test, y_test), None),
        ("stacked AE 64-200-200-10, before fine-tuning",
         before.score(X_test, y_test), pretrain_time),
        ("stacked AE 64-200-200-10, after fine-tuning",
         after.score(X_test, y_test), total_time),
    ]
    for name, accuracy, seconds in rows:
        timing = "" if seconds is None else f"{seconds:9.2f}s"
        print(f"{name:<42}{accuracy:>13.2%} {timing:>10}")
    print(f"fine-tuning stage alone: {total_time - pretrain_time:.2f}s "
          f"({after.n_iter_} L-BFGS iterations)")


if __name__ == "__main__":
    main()
