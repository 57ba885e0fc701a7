"""
========================================
Learned features of a sparse autoencoder
========================================

Each hidden unit of a :class:`~skstackedae.SparseAutoencoder` has a filter:
its row of ``components_``, one weight per input pixel. Drawn as images in a
grid (UFLDL's "display network"), the filters of an autoencoder trained on
handwritten digits look like pen strokes and blobs: parts from which the
digits are built. The KL sparsity penalty is what makes them local: with it
switched off (``sparsity_weight=0``) the filters are spread over the whole
image.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skstackedae import SparseAutoencoder
from skstackedae.plotting import display_network

warnings.simplefilter("ignore", ConvergenceWarning)  # iteration limits are deliberate
X = load_digits().data / 16.0  # 8x8 images in [0, 1]

fig, axes = plt.subplots(1, 2, figsize=(10, 5))
for ax, (title, weight) in zip(
    axes, [("sparse (sparsity_weight=3)", 3.0), ("not sparse (sparsity_weight=0)", 0.0)]
):
    autoencoder = SparseAutoencoder(
        n_components=64, sparsity_weight=weight, alpha=1e-3, max_iter=400,
        random_state=0,
    ).fit(X)
    display_network(autoencoder.components_, ax=ax)
    ax.set_title(title)
fig.suptitle("First-layer filters learned from the digits (64 hidden units)")
plt.show()
