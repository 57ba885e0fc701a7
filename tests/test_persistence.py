"""Persistence: skops.io with an explicit list of trusted types.

joblib/pickle files execute code when loaded (see the README); skops.io
files do not, and load only the types the caller trusts.
"""

import warnings

import numpy as np
import pytest
import skops.io as sio
from sklearn.exceptions import ConvergenceWarning

from skstackedae import SparseAutoencoder, StackedAEClassifier

TRUSTED = {
    "SparseAutoencoder": ["skstackedae._sparse_autoencoder.SparseAutoencoder"],
    "StackedAEClassifier": [
        "skstackedae._sparse_autoencoder.SparseAutoencoder",
        "skstackedae._classifier.StackedAEClassifier",
    ],
}


@pytest.mark.parametrize("name", ["SparseAutoencoder", "StackedAEClassifier"])
def test_skops_round_trip_with_explicit_trusted_types(tmp_path, small_digits, name):
    X, y = small_digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if name == "SparseAutoencoder":
            model = SparseAutoencoder(6, max_iter=10, random_state=0).fit(X)
            method = "transform"
        else:
            model = StackedAEClassifier(
                (6,), pretrain_max_iter=10, max_iter=10, random_state=0
            ).fit(X, y)
            method = "predict_proba"
    path = tmp_path / "model.skops"
    sio.dump(model, path)

    # Our classes are not trusted by default: loading without trust refuses.
    untrusted = sio.get_untrusted_types(file=path)
    assert sorted(untrusted) == sorted(TRUSTED[name])
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)

    loaded = sio.load(path, trusted=TRUSTED[name])
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))
