"""Pickles that remember which skstackedae version wrote them."""

import warnings

from ._version import __version__
from .exceptions import InconsistentVersionWarning

_VERSION_KEY = "_skstackedae_version"


class VersionedPickleMixin:
    """Store the package version in the pickle; warn when it differs on load."""

    def __getstate__(self):
        state = dict(super().__getstate__())
        state[_VERSION_KEY] = __version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        original = state.pop(_VERSION_KEY, "unknown (before 0.1.0)")
        if original != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=original,
                )
            )
        super().__setstate__(state)
