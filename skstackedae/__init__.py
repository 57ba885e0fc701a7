"""Stacked sparse and denoising autoencoders for scikit-learn."""

from ._sparse_autoencoder import SparseAutoencoder
from ._autoencoder import StackedAutoencoder
from ._config import config_context, get_config, set_config
from ._regressor import StackedAERegressor
from ._stacked import StackedAEClassifier
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
