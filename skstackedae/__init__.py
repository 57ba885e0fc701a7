"""Stacked sparse and denoising autoencoders for scikit-learn."""

from ._classifier import StackedAEClassifier
from ._config import config_context, get_config, set_config
from ._deep_autoencoder import StackedAutoencoder
from ._regressor import StackedAERegressor
from ._sparse_autoencoder import SparseAutoencoder
from ._version import __version__

__all__ = [
    "SparseAutoencoder",
    "StackedAEClassifier",
    "StackedAERegressor",
    "StackedAutoencoder",
    "__version__",
    "config_context",
    "get_config",
    "set_config",
]
