"""How the semi-supervised defaults were chosen, on splits of our own.

MNIST: only the *pool* of ``bench_semisupervised.py`` is used (its 4,000
rows; the benchmark's 1,000 test rows are never read): a stratified
1,000-row dev-test set is held out of the pool, labels are drawn from the
other 3,000 rows, and the rest of those are unlabeled. ``--dataset digits``
runs the same protocol on scikit-learn's 8x8 digits (1,797 rows, 540
dev-test rows), a second data set so that a default is not fitted to one.

Each pretrained stack is fitted once (``fine_tune=False``) and then
fine-tuned with each setting from a copy (``warm_start=True``), so the
settings differ only in fine-tuning.

    python benchmarks/tune_semisupervised.py [--dataset mnist|digits]
        [--labels 100 500 1000] [--kappa 0 3] [--consistency-corruption 0.3] ...
"""

import argparse
import copy
import itertools
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skstackedae import StackedAEClassifier

from _data import draw_labels, mnist_sample


def dev_split(dataset):
    """``X_dev, X_devtest, y_dev, y_devtest`` of ``dataset``."""
    if dataset == "mnist":
        X, _, y, _ = mnist_sample()
        test_size = 1000
    else:
        X, y = load_digits(return_X_y=True)
        X, test_size = X / 16.0, 0.3
    return train_test_split(X, y, test_size=test_size, stratify=y, random_state=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["mnist", "digits"], default="mnist")
    parser.add_argument("--labels", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--hidden", type=int, nargs="+", action="append")
    parser.add_argument("--gamma", type=float, nargs="+", default=[0.0])
    parser.add_argument("--eta", type=float, nargs="+", default=[0.1])
    parser.add_argument("--kappa", type=float, nargs="+", default=[0.0, 3.0])
    parser.add_argument("--consistency-corruption", type=float, nargs="+", default=[0.3])
    parser.add_argument("--pretrain-max-iter", type=int, nargs="+", default=[50])
    parser.add_argument("--corruption", type=float, nargs="+", default=[0.3])
    parser.add_argument("--max-iter", type=int, nargs="+", default=[100])
    parser.add_argument("--alpha", type=float, nargs="+", default=[1e-4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="label draws (and model seeds) to average over")
    args = parser.parse_args()
    hidden_options = [tuple(h) for h in args.hidden] if args.hidden else [(200,)]
    warnings.simplefilter("ignore", ConvergenceWarning)

    X_dev, X_devtest, y_dev, y_devtest = dev_split(args.dataset)
    print(f"{args.dataset}: dev pool {X_dev.shape[0]} rows, dev-test {X_devtest.shape[0]} rows\n")
    print(
        f"{'labels':>6} {'hidden':>10} {'pre_it':>6} {'corr':>5} {'gamma':>5} {'eta':>5}"
        f" {'kappa':>5} {'c_corr':>6} {'ft_it':>5} {'alpha':>7} {'before':>7} {'after':>7}"
        f" {'min':>6} {'max':>6} {'fit s':>6}   (over seeds {args.seeds})"
    )
    settings = list(
        itertools.product(
            args.gamma, args.eta, args.kappa, args.consistency_corruption, args.max_iter, args.alpha
        )
    )
    for n_labels in args.labels:
        for hidden, pretrain_max_iter, corruption in itertools.product(
            hidden_options, args.pretrain_max_iter, args.corruption
        ):
            before, after, seconds = [], {s: [] for s in settings}, {s: [] for s in settings}
            for seed in args.seeds:
                y_semi = draw_labels(y_dev, n_labels, seed)
                start = time.perf_counter()
                base = StackedAEClassifier(
                    hidden,
                    pretrain_max_iter=pretrain_max_iter,
                    corruption=corruption,
                    fine_tune=False,
                    unlabeled_label=-1,
                    random_state=seed,
                ).fit(X_dev, y_semi)
                pretrain_seconds = time.perf_counter() - start
                before.append(base.score(X_devtest, y_devtest))
                for setting in settings:
                    gamma, eta, kappa, consistency_corruption, max_iter, alpha = setting
                    model = copy.deepcopy(base).set_params(
                        fine_tune=True,
                        warm_start=True,
                        reconstruction_weight=gamma,
                        entropy_weight=eta,
                        consistency_weight=kappa,
                        consistency_corruption=consistency_corruption,
                        max_iter=max_iter,
                        alpha=alpha,
                    )
                    start = time.perf_counter()
                    model.fit(X_dev, y_semi)
                    seconds[setting].append(pretrain_seconds + time.perf_counter() - start)
                    after[setting].append(model.score(X_devtest, y_devtest))
            for setting in settings:
                gamma, eta, kappa, consistency_corruption, max_iter, alpha = setting
                scores = after[setting]
                print(
                    f"{n_labels:>6} {str(hidden):>10} {pretrain_max_iter:>6} {corruption:>5}"
                    f" {gamma:>5} {eta:>5} {kappa:>5} {consistency_corruption:>6} {max_iter:>5}"
                    f" {alpha:>7g}"
                    f" {np.mean(before):>7.3f} {np.mean(scores):>7.3f} {min(scores):>6.3f}"
                    f" {max(scores):>6.3f} {np.mean(seconds[setting]):>6.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
