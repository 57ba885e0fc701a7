"""Persistence: skops.io with an explicit list of trusted types.

joblib/pickle files execute code when loaded (see the README); skops.io
files do not, and load only the types the caller trusts.
"""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import skstackedae
from skstackedae import SparseAutoencoder, StackedAEClassifier
from skstackedae.exceptions import InconsistentVersionWarning

TRUSTED = {
    "SparseAutoencoder": ["skstackedae._sparse_autoencoder.SparseAutoencoder"],
    "StackedAEClassifier": [
        "skstackedae._sparse_autoencoder.SparseAutoencoder",
        "skstackedae._classifier.StackedAEClassifier",
    ],
}


@pytest.mark.parametrize("name", ["SparseAutoencoder", "StackedAEClassifier"])
def test_skops_round_trip_with_explicit_trusted_types(tmp_path, small_digits, name):
    sio = pytest.importorskip("skops.io")
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


@pytest.mark.parametrize("kind", ["autoencoder", "classifier"])
def test_pickles_carry_the_version(small_digits, kind):
    X, y = small_digits
    model = (
        SparseAutoencoder(3, max_iter=3, random_state=0).fit(X)
        if kind == "autoencoder"
        else StackedAEClassifier((3,), pretrain_max_iter=3, max_iter=3, random_state=0).fit(X, y)
    )
    assert model.__getstate__()["_skstackedae_version"] == skstackedae.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(model))  # same version: silent

    state = model.__getstate__()
    state["_skstackedae_version"] = "0.0.1"
    clone = type(model).__new__(type(model))
    with pytest.warns(
        InconsistentVersionWarning, match="from skstackedae version 0.0.1 when using version"
    ) as record:
        clone.__setstate__(state)
    warning = record[0].message
    assert warning.estimator_name == type(model).__name__
    assert (warning.original_version, warning.current_version) == ("0.0.1", skstackedae.__version__)
    assert "_skstackedae_version" not in vars(clone)


@pytest.mark.parametrize("kind", ["autoencoder", "classifier"])
def test_joblib_round_trip(tmp_path, small_digits, kind):
    X, y = small_digits
    if kind == "autoencoder":
        model = SparseAutoencoder(n_components=12, max_iter=20, random_state=0).fit(X)
        outputs = ["transform", "inverse_transform"]
    else:
        model = StackedAEClassifier((12,), pretrain_max_iter=20, max_iter=20, random_state=0).fit(
            X, y
        )
        outputs = ["predict", "predict_proba", "predict_log_proba"]
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path)
    for method in outputs:
        arg = model.transform(X) if method == "inverse_transform" else X
        assert_array_equal(getattr(loaded, method)(arg), getattr(model, method)(arg))
