"""Stacked sparse and denoising autoencoders for scikit-learn."""

from ._sparse_autoencoder import SparseAutoencoder
from ._stacked import StackedAEClassifier

__version__ = "0.1.0"

__all__ = ["SparseAutoencoder", "StackedAEClassifier", "__version__"]
