"""
=============================================
Denoising: a plain vs a denoising autoencoder
=============================================

A denoising autoencoder (``corruption > 0``) sees inputs with a fraction of
their pixels set to zero and is trained to reconstruct the *clean* input
(Vincent et al., 2008). Given digits with 30 % of their pixels masked, it
fills them back in, where a plain autoencoder trained on clean digits mostly
reproduces the damage.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skstackedae import SparseAutoencoder

warnings.simplefilter("ignore", ConvergenceWarning)  # iteration limits are deliberate
X = load_digits().data / 16.0
X_train, X_test = X[:1500], X[1500:]
rng = np.random.RandomState(0)
X_noisy = X_test * (rng.uniform(size=X_test.shape) >= 0.3)

params = dict(n_components=100, alpha=1e-4, max_iter=200, random_state=0)
plain = SparseAutoencoder(**params).fit(X_train)
denoising = SparseAutoencoder(corruption=0.3, **params).fit(X_train)

rows = {
    "clean": X_test,
    "30 % masked": X_noisy,
    "plain AE": plain.inverse_transform(plain.transform(X_noisy)),
    "denoising AE": denoising.inverse_transform(denoising.transform(X_noisy)),
}
for name in ("plain AE", "denoising AE"):
    error = np.mean((rows[name] - X_test) ** 2)
    print(f"{name}: mean squared error to the clean digits = {error:.4f}")

fig, axes = plt.subplots(4, 10, figsize=(10, 4.6))
for r, (name, images) in enumerate(rows.items()):
    for c in range(10):
        axes[r, c].imshow(images[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
fig.tight_layout()
plt.show()
