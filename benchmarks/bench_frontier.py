"""Time to accuracy: held-out accuracy against fit time, at a range of budgets.

Each model is fitted at several iteration budgets on the 4,000 training
digits of the 5,000-digit MNIST sample and scored on its 1,000 test digits
(or, with ``--dev``, on a 1,000-row split of the training digits, which is
how our defaults are chosen: the test rows are never read then). Printed:
every point, and for each of our budgets the best peer accuracy reached in no
more time. ``--plot FILE`` draws the curves (matplotlib).

- ours: ``StackedAEClassifier((200, 200))`` with (pretraining, fine-tuning)
  iterations from (5, 10) to the defaults (50, 100) and beyond, in float64
  and with ``compute_dtype="float32"`` (float32 arithmetic on the float64
  input; the fitted model stays float64);
- ``MLPClassifier((200, 200))``, ``solver="lbfgs"`` by iterations and
  ``solver="adam"`` by epochs (its default stops at convergence);
- ``BernoulliRBM(200)`` by epochs, then ``LogisticRegression``.

    python benchmarks/bench_frontier.py [--dev] [--plot frontier.png]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM, MLPClassifier
from sklearn.pipeline import make_pipeline

from skstackedae import StackedAEClassifier

from _data import mnist_sample

OURS = [(5, 10), (10, 20), (20, 40), (30, 60), (50, 100), (100, 200)]
MLP_LBFGS = [10, 25, 50, 100, 200]
MLP_ADAM = [3, 5, 10, 20, 200]
RBM_EPOCHS = [1, 3, 10, 20]


def models():
    """``{curve: [(budget label, estimator), ...]}``."""
    return {
        'StackedAEClassifier, compute_dtype="float64"': [
            (f"{p}/{f}", StackedAEClassifier((200, 200), pretrain_max_iter=p, max_iter=f,
                                             compute_dtype="float64", random_state=0))
            for p, f in OURS
        ],
        'StackedAEClassifier, compute_dtype="float32"': [
            (f"{p}/{f}", StackedAEClassifier((200, 200), pretrain_max_iter=p, max_iter=f,
                                             compute_dtype="float32", random_state=0))
            for p, f in OURS
        ],
        "MLPClassifier lbfgs": [
            (f"{n}", MLPClassifier((200, 200), solver="lbfgs", max_iter=n, random_state=0))
            for n in MLP_LBFGS
        ],
        "MLPClassifier adam": [
            (f"{n}", MLPClassifier((200, 200), max_iter=n, random_state=0)) for n in MLP_ADAM
        ],
        "BernoulliRBM + LogisticRegression": [
            (f"{n}", make_pipeline(
                BernoulliRBM(200, n_iter=n, learning_rate=0.05, random_state=0),
                LogisticRegression(max_iter=1000),
            ))
            for n in RBM_EPOCHS
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true",
                        help="score on a split of the training digits, not the test digits")
    parser.add_argument("--plot", metavar="FILE")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X_train, X_test, y_train, y_test = mnist_sample()
    if args.dev:
        X_train, X_test, y_train, y_test = train_test_split(
            X_train, y_train, test_size=1000, stratify=y_train, random_state=1
        )
    print(f"{'dev' if args.dev else 'test'} split: {X_train.shape[0]} train, "
          f"{X_test.shape[0]} scored\n")

    curves = {}
    print(f"{'model':<36}{'budget':>8}{'fit s':>8}{'accuracy':>10}")
    for name, points in models().items():
        for budget, model in points:
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            accuracy = model.score(X_test, y_test)
            curves.setdefault(name, []).append((seconds, accuracy, budget))
            print(f"{name:<36}{budget:>8}{seconds:>8.1f}{accuracy:>10.3f}", flush=True)

    ours = {name: curves.pop(name) for name in list(curves) if name.startswith("Stacked")}
    adam = curves["MLPClassifier adam"][-1]
    for our_name, points in ours.items():
        print(f"\n{our_name} against the best peer fitted in no more time:")
        for seconds, accuracy, budget in points:
            within = [(a, n, b) for n, c in curves.items() for s, a, b in c if s <= seconds]
            if within:
                best, name, peer_budget = max(within)
                print(f"  ours {budget:>7} {seconds:5.1f}s {accuracy:.3f}  vs  {best:.3f} "
                      f"({name}, {peer_budget}): {accuracy - best:+.3f}")
            else:
                print(f"  ours {budget:>7} {seconds:5.1f}s {accuracy:.3f}  vs  no peer that fast")
        faster = [(s, a, b) for s, a, b in points if a > adam[1]]
        if faster:
            s, a, b = min(faster)
            print(f"  MLPClassifier adam (default) {adam[1]:.3f} in {adam[0]:.1f}s; "
                  f"ours first above it at {b}: {a:.3f} in {s:.1f}s, time ratio "
                  f"{s / adam[0]:.2f}")
        else:
            print(f"  no budget of ours beats MLPClassifier adam's {adam[1]:.3f}")
    print("(target: the defaults' time ratio <= 1.0)")

    if args.plot:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name, points in {**ours, **curves}.items():
            seconds, accuracy, _ = np.array(points, dtype=object).T
            ax.plot(seconds.astype(float), accuracy.astype(float), "o-", label=name)
        ax.set_xscale("log")
        ax.set_xlabel("fit time (s, log scale)")
        ax.set_ylabel("held-out accuracy" if not args.dev else "dev accuracy")
        ax.set_ylim(0.8, 1.0)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
        ax.set_title("784-200-200-10 on 4,000 MNIST digits")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
