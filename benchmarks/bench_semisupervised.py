"""Few labels, many unlabeled rows: StackedAEClassifier against scikit-learn.

The 5,000-digit MNIST sample is split (stratified) into a 4,000-row pool and
1,000 test rows. From the pool, 100, 500 and 1,000 labels are drawn
(stratified); the rest of the pool is unlabeled (-1). Every model is fitted on
the pool and scored on the test rows, in one run, for several label draws:

- LogisticRegression, MLPClassifier((200, 200), adam) and the default
  StackedAEClassifier on the labeled rows only;
- SelfTrainingClassifier(LogisticRegression()) and LabelSpreading(kernel="knn")
  on the whole pool;
- SparseAutoencoder(200, max_iter=400) on the whole pool, then
  LogisticRegression(C=10) on the codes of the labeled rows;
- ours: StackedAEClassifier(**RECOMMENDED, unlabeled_label=-1) on the whole
  pool, RECOMMENDED being the user guide's recipe for few labels, and the
  same with consistency_weight=0 (entropy minimisation alone).

Last, the cost target: our semi-supervised fit against a default fit on the
whole pool with every label.

    python benchmarks/bench_semisupervised.py [--seeds 0 1 2] [--labels 100 500 1000]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from skstackedae import SparseAutoencoder, StackedAEClassifier

from _data import draw_labels, mnist_sample

# Ours, as the user guide recommends for few labels: chosen on a dev split of
# the pool by tune_semisupervised.py (three label draws; the test rows were
# not used): one layer, 100 iterations of denoising pretraining, the
# consistency term (kappa = 3 on masking noise 0.3) and the default
# entropy_weight="auto". The same without the consistency term is shown too.
RECOMMENDED = dict(
    hidden_layer_sizes=(200,), pretrain_max_iter=100, corruption=0.3, consistency_weight=3.0
)


def timed(fit):
    start = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X_pool, X_test, y_pool, y_test = mnist_sample()
    print(f"pool {X_pool.shape[0]} rows, test {X_test.shape[0]} rows, "
          f"label draws (seeds) {args.seeds}\n")

    # Unsupervised: fitted once on the pool, whatever the labels.
    autoencoder, ae_seconds = timed(
        lambda: SparseAutoencoder(200, max_iter=400, random_state=0).fit(X_pool)
    )
    codes_pool, codes_test = autoencoder.transform(X_pool), autoencoder.transform(X_test)

    def models(y_semi):
        labeled = y_semi != -1
        X_l, y_l = X_pool[labeled], y_semi[labeled]
        return {
            "LogisticRegression, labeled rows": lambda: LogisticRegression(max_iter=2000).fit(
                X_l, y_l
            ),
            "MLPClassifier((200, 200)) adam, labeled rows": lambda: MLPClassifier(
                (200, 200), random_state=0
            ).fit(X_l, y_l),
            "StackedAEClassifier(), labeled rows": lambda: StackedAEClassifier(random_state=0).fit(
                X_l, y_l
            ),
            "SelfTrainingClassifier(LogisticRegression())": lambda: SelfTrainingClassifier(
                LogisticRegression(max_iter=2000)
            ).fit(X_pool, y_semi),
            "LabelSpreading(kernel='knn')": lambda: LabelSpreading(kernel="knn").fit(
                X_pool, y_semi
            ),
            "SparseAutoencoder(200, max_iter=400) + LR(C=10)": lambda: LogisticRegression(
                C=10, max_iter=2000
            ).fit(codes_pool[labeled], y_l),
            "ours without the consistency term": lambda: StackedAEClassifier(
                **{**RECOMMENDED, "consistency_weight": 0.0}, unlabeled_label=-1, random_state=0
            ).fit(X_pool, y_semi),
            "ours: recipe for few labels, unlabeled_label=-1": lambda: StackedAEClassifier(
                **RECOMMENDED, unlabeled_label=-1, random_state=0
            ).fit(X_pool, y_semi),
        }

    results = {}  # (name, n_labels) -> list of (accuracy, seconds)
    for n_labels in args.labels:
        for seed in args.seeds:
            y_semi = draw_labels(y_pool, n_labels, seed)
            for name, fit in models(y_semi).items():
                model, seconds = timed(fit)
                test = codes_test if "SparseAutoencoder(200" in name else X_test
                if "SparseAutoencoder(200" in name:
                    seconds += ae_seconds
                results.setdefault((name, n_labels), []).append(
                    (model.score(test, y_test), seconds)
                )
            print(f"  done: {n_labels} labels, seed {seed}", flush=True)

    names = list(models(draw_labels(y_pool, args.labels[0], 0)))
    header = "".join(f"{f'{n} labels':>27}" for n in args.labels)
    print(f"\nheld-out accuracy, mean (min-max) over {len(args.seeds)} label draws; fit seconds\n")
    print(f"{'model':<54}{header}")
    for name in names:
        cells = []
        for n_labels in args.labels:
            runs = np.array(results[(name, n_labels)])
            acc, sec = runs[:, 0], runs[:, 1].mean()
            cells.append(f"{acc.mean():.3f} ({acc.min():.3f}-{acc.max():.3f}) {sec:4.0f}s")
        print(f"{name:<54}" + "".join(f"{c:>27}" for c in cells))

    ours = names[-1]
    peers = [n for n in names if not n.startswith("ours")]
    print("\nours minus the best peer (mean accuracy):")
    for n_labels in args.labels:
        best_peer = max(np.mean([a for a, _ in results[(n, n_labels)]]) for n in peers)
        margin = np.mean([a for a, _ in results[(ours, n_labels)]]) - best_peer
        print(f"  {n_labels:>5} labels: {margin:+.3f}")

    _, full_seconds = timed(lambda: StackedAEClassifier(random_state=0).fit(X_pool, y_pool))
    semi_seconds = max(s for n in args.labels for _, s in results[(ours, n)])
    print(
        f"\ncost: slowest semi-supervised fit {semi_seconds:.1f}s, default fit with all "
        f"{X_pool.shape[0]} labels {full_seconds:.1f}s: ratio {semi_seconds / full_seconds:.2f} "
        "(target <= 2)"
    )


if __name__ == "__main__":
    main()
