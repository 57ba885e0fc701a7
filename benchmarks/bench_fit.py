"""Whole fits side by side on the 5,000-digit MNIST sample (784 pixels).

Prints fit time and held-out accuracy of StackedAEClassifier (before and
after fine-tuning), SparseAutoencoder + LogisticRegression, MLPClassifier
(L-BFGS and Adam) and BernoulliRBM + LogisticRegression, all measured in this
run, and the time ratios against MLPClassifier(solver="lbfgs").

    python benchmarks/bench_fit.py [--quick] [--ufldl]

StackedAEClassifier runs at its defaults ("auto": 100 pretraining iterations
per layer on these labeled rows, up to 400 supervised ones); --ufldl adds
UFLDL's 400 iterations per stage. --quick cuts the iteration limits (10 for
each phase of ours, a tenth for the others) for a smoke run.
"""

import argparse
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import BernoulliRBM, MLPClassifier
from sklearn.pipeline import make_pipeline

from skstackedae import SparseAutoencoder, StackedAEClassifier

from _data import mnist_sample


def timed_fit(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ufldl", action="store_true")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    warnings.simplefilter("ignore", ConvergenceWarning)
    X_train, X_test, y_train, y_test = mnist_sample()
    print(f"MNIST sample: {X_train.shape[0]} train, {X_test.shape[0]} test, "
          f"{X_train.shape[1]} features\n")

    rows = []
    # The defaults ("auto": 100 pretraining iterations per layer on these
    # labeled rows, fine-tuning up to 400); --quick caps both.
    settings = {"defaults": dict(pretrain_max_iter=10, max_iter=10) if args.quick else {}}
    if args.ufldl:
        settings["UFLDL 400"] = dict(pretrain_max_iter=400 // scale, max_iter=400 // scale)
    for label, iterations in settings.items():
        sae = StackedAEClassifier((200, 200), fine_tune=False, random_state=0, **iterations)
        seconds = timed_fit(sae, X_train, y_train)
        rows.append((f"StackedAEClassifier, {label}, before fine-tuning", seconds,
                     sae.score(X_test, y_test)))
        # warm_start: this second fit only fine-tunes the fitted network.
        sae.set_params(fine_tune=True, warm_start=True)
        seconds += timed_fit(sae, X_train, y_train)
        rows.append((f"StackedAEClassifier, {label}, after fine-tuning", seconds,
                     sae.score(X_test, y_test)))

    ae_lr = make_pipeline(
        SparseAutoencoder(200, max_iter=100 // scale, random_state=0),
        LogisticRegression(max_iter=1000),
    )
    rows.append(("SparseAutoencoder(200, max_iter=100) + LogisticRegression",
                 timed_fit(ae_lr, X_train, y_train), ae_lr.score(X_test, y_test)))

    mlp_lbfgs = MLPClassifier((200, 200), solver="lbfgs", max_iter=200 // scale,
                              random_state=0)
    mlp_seconds = timed_fit(mlp_lbfgs, X_train, y_train)
    rows.append(('MLPClassifier((200, 200), solver="lbfgs")', mlp_seconds,
                 mlp_lbfgs.score(X_test, y_test)))
    mlp_adam = MLPClassifier((200, 200), max_iter=200 // scale, random_state=0)
    rows.append(('MLPClassifier((200, 200), solver="adam")',
                 timed_fit(mlp_adam, X_train, y_train), mlp_adam.score(X_test, y_test)))

    rbm = make_pipeline(
        BernoulliRBM(200, n_iter=20 // scale or 1, learning_rate=0.05, random_state=0),
        LogisticRegression(max_iter=1000),
    )
    rows.append(("BernoulliRBM(200) + LogisticRegression",
                 timed_fit(rbm, X_train, y_train), rbm.score(X_test, y_test)))

    print(f"{'model':<62}{'fit time':>10}{'/ MLP lbfgs':>13}{'accuracy':>10}")
    for name, seconds, accuracy in rows:
        print(f"{name:<62}{seconds:>9.1f}s{seconds / mlp_seconds:>12.2f}x{accuracy:>10.1%}")


if __name__ == "__main__":
    main()
