"""Correctness against the reference: fine-tuning helps (user guide, "Stacked autoencoders")."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skstackedae import StackedAEClassifier


def test_fine_tuning_beats_pretraining_and_logistic_regression(digits):
    X, y = digits  # scaled to [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    # pretrain_alpha=1e-3: digits have 64 pixels to MNIST's 784, and UFLDL's
    # 3e-3 flattens the second layer's codes on so little reconstruction error.
    clf = StackedAEClassifier(
        hidden_layer_sizes=(100, 100), pretrain_alpha=1e-3, pretrain_max_iter=200,
        max_iter=200, fine_tune=False, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        before = clf.fit(X_train, y_train).score(X_test, y_test)
        # Fine-tune the same pretrained network.
        after = clf.set_params(fine_tune=True, warm_start=True).fit(X_train, y_train)
        after = after.score(X_test, y_test)

    raw = LogisticRegression(max_iter=5000).fit(X_train * 16, y_train)
    baseline = raw.score(X_test * 16, y_test)
    assert after > before
    assert after > baseline
    assert after > 0.96
