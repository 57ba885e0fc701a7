"""
=================================================
Pipeline and grid search over the main parameters
=================================================

A :class:`~skstackedae.StackedAEClassifier` is an ordinary scikit-learn
classifier: it goes in a :class:`~sklearn.pipeline.Pipeline` and its
parameters are tuned with :class:`~sklearn.model_selection.GridSearchCV`.
Here the pipeline scales the digits to [0, 1] and the search runs over the
architecture, the supervised weight decay ``alpha`` and the sparsity target,
on 2 processes.
"""

import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skstackedae import StackedAEClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(
    MinMaxScaler(),
    StackedAEClassifier(pretrain_alpha=1e-3, pretrain_max_iter=30, max_iter=60, random_state=0),
)
grid = {
    "stackedaeclassifier__hidden_layer_sizes": [(50,), (100, 50)],
    "stackedaeclassifier__alpha": [1e-4, 1e-2],
    "stackedaeclassifier__sparsity_target": [0.05, 0.2],
}
search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X_train, y_train)

results = pd.DataFrame(search.cv_results_)
columns = {
    f"param_stackedaeclassifier__{p}": p for p in ("hidden_layer_sizes", "alpha", "sparsity_target")
}
table = results[list(columns) + ["mean_test_score", "std_test_score", "mean_fit_time"]]
table = table.rename(columns=columns).sort_values("mean_test_score", ascending=False)
table["alpha"] = table["alpha"].map("{:g}".format)
print(table.to_string(index=False, float_format="{:.3f}".format))
print(f"\nbest: {search.best_params_}")
print(f"held-out accuracy of the refitted best pipeline: {search.score(X_test, y_test):.1%}")

fig, ax = plt.subplots(figsize=(8, 4))
labels = [
    f"{h}\nalpha={a}\nrho={r}"
    for h, a, r in zip(table["hidden_layer_sizes"], table["alpha"], table["sparsity_target"])
]
ax.bar(
    range(len(table)),
    table["mean_test_score"],
    yerr=table["std_test_score"],
    color=["tab:blue"] + ["tab:grey"] * (len(table) - 1),
)
ax.set_xticks(range(len(table)), labels, fontsize=7)
ax.set_ylim(0, 1)  # alpha=0.01 can collapse the deeper stack toward chance (0.1)
ax.set_ylabel("mean cross-validated accuracy")
ax.set_title("Grid search, best setting first")
fig.tight_layout()
plt.show()
