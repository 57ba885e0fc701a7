"""How the semi-supervised defaults were chosen, on a split of our own.

Only the *pool* of ``bench_semisupervised.py`` is used (its 4,000 rows; the
benchmark's 1,000 test rows are never read): a stratified 1,000-row dev-test
set is held out of the pool, labels are drawn from the other 3,000 rows, and
the rest of those are unlabeled. Each pretrained stack is fitted once
(``fine_tune=False``) and then fine-tuned with each setting from a copy
(``warm_start=True``), so the settings differ only in fine-tuning.

    python benchmarks/tune_semisupervised.py [--labels 100 500 1000]
"""

import argparse
import copy
import itertools
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from _data import draw_labels, mnist_pool_and_test
from skstackedae import StackedAEClassifier


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--hidden", type=int, nargs="+", action="append")
    parser.add_argument("--gamma", type=float, nargs="+", default=[0.0, 0.3, 1.0, 3.0])
    parser.add_argument("--eta", type=float, nargs="+", default=[0.0, 0.1, 0.3, 1.0])
    parser.add_argument("--pretrain-max-iter", type=int, nargs="+", default=[50])
    parser.add_argument("--corruption", type=float, nargs="+", default=[0.0])
    parser.add_argument("--max-iter", type=int, nargs="+", default=[100])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="label draws (and model seeds) to average over")
    args = parser.parse_args()
    hidden_options = [tuple(h) for h in args.hidden] if args.hidden else [(200,), (200, 200)]
    warnings.simplefilter("ignore", ConvergenceWarning)

    X_pool, _, y_pool, _ = mnist_pool_and_test()
    X_dev, X_devtest, y_dev, y_devtest = train_test_split(
        X_pool, y_pool, test_size=1000, stratify=y_pool, random_state=1
    )
    print(f"dev pool {X_dev.shape[0]} rows, dev-test {X_devtest.shape[0]} rows\n")
    print(f"{'labels':>6} {'hidden':>10} {'pre_it':>6} {'corr':>5} {'gamma':>6} {'eta':>5}"
          f" {'ft_it':>5} {'before':>7} {'after':>7} {'fit s':>6}   (means over seeds {args.seeds})")
    settings = list(itertools.product(args.gamma, args.eta, args.max_iter))
    for n_labels in args.labels:
        for hidden, pretrain_max_iter, corruption in itertools.product(
            hidden_options, args.pretrain_max_iter, args.corruption
        ):
            before, after, seconds = [], {s: [] for s in settings}, {s: [] for s in settings}
            for seed in args.seeds:
                y_semi = draw_labels(y_dev, n_labels, seed)
                start = time.perf_counter()
                base = StackedAEClassifier(
                    hidden, pretrain_max_iter=pretrain_max_iter, corruption=corruption,
                    fine_tune=False, unlabeled_label=-1, random_state=seed,
                ).fit(X_dev, y_semi)
                pretrain_seconds = time.perf_counter() - start
                before.append(base.score(X_devtest, y_devtest))
                for gamma, eta, max_iter in settings:
                    model = copy.deepcopy(base).set_params(
                        fine_tune=True, warm_start=True, reconstruction_weight=gamma,
                        entropy_weight=eta, max_iter=max_iter,
                    )
                    start = time.perf_counter()
                    model.fit(X_dev, y_semi)
                    seconds[(gamma, eta, max_iter)].append(pretrain_seconds + time.perf_counter() - start)
                    after[(gamma, eta, max_iter)].append(model.score(X_devtest, y_devtest))
            for gamma, eta, max_iter in settings:
                print(f"{n_labels:>6} {str(hidden):>10} {pretrain_max_iter:>6} {corruption:>5}"
                      f" {gamma:>6} {eta:>5} {max_iter:>5} {np.mean(before):>7.3f}"
                      f" {np.mean(after[(gamma, eta, max_iter)]):>7.3f}"
                      f" {np.mean(seconds[(gamma, eta, max_iter)]):>6.1f}", flush=True)


if __name__ == "__main__":
    main()
