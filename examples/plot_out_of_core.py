"""
===========================================================
Out-of-core training with ``SparseAutoencoder.partial_fit``
===========================================================

A data set too large for memory can live in a ``numpy.memmap`` on disk and
be streamed through :meth:`skstackedae.SparseAutoencoder.partial_fit` chunk
by chunk: each call runs one epoch of the mini-batch solver ("adam" or
"sgd") over the chunk it is given, keeping the optimiser's state between
calls. Only one chunk is in memory at a time.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skstackedae import SparseAutoencoder

# Write the digits, scaled to [0, 1], to a memory-mapped file on disk.
X = load_digits().data.astype(np.float32) / 16
path = Path(tempfile.mkdtemp()) / "digits.float32"
on_disk = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
on_disk[:] = X
on_disk.flush()
del on_disk

# Reopen read-only and stream it in chunks of 256 rows, for 10 passes.
X_disk = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
autoencoder = SparseAutoencoder(
    n_components=64, solver="adam", learning_rate_init=1e-2, random_state=0
)
scores = []
for epoch in range(10):
    for start in range(0, X_disk.shape[0], 256):
        autoencoder.partial_fit(X_disk[start : start + 256])
    scores.append(autoencoder.score(X_disk))
    print(f"pass {epoch + 1:2d}: score (negative reconstruction error) = "
          f"{autoencoder.score(X_disk):.3f}")

codes = autoencoder.transform(X_disk[:5])
print("codes of the first 5 digits:", codes.shape, codes.dtype)

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(range(1, len(scores) + 1), scores, "o-")
ax.set_xlabel("pass over the memory-mapped file")
ax.set_ylabel("score (negative reconstruction error)")
ax.set_title("partial_fit, one 256-row chunk at a time")
fig.tight_layout()
plt.show()
