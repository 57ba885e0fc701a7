"""
===========================================
Saving and loading models: joblib and skops
===========================================

Fitted estimators can be saved with :func:`joblib.dump`. **Loading a joblib
or pickle file runs arbitrary code**: load only files you made or trust.
:mod:`skops.io` files load without running code, and only the types that the
caller lists as trusted. Pickles of skstackedae models carry the package
version and warn (:class:`~skstackedae.exceptions.InconsistentVersionWarning`)
when loaded by another version.
"""

import warnings

import tempfile
from pathlib import Path

import joblib
import numpy as np
import skops.io as sio
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skstackedae import StackedAEClassifier


warnings.simplefilter("ignore", ConvergenceWarning)  # iteration limits are deliberate
X, y = load_digits(return_X_y=True)
clf = StackedAEClassifier((32,), pretrain_max_iter=30, max_iter=60, random_state=0).fit(X / 16, y)
folder = Path(tempfile.mkdtemp())

# joblib: one call each way; the loaded model predicts identically.
joblib.dump(clf, folder / "model.joblib")
from_joblib = joblib.load(folder / "model.joblib")
assert np.array_equal(from_joblib.predict_proba(X / 16), clf.predict_proba(X / 16))

# skops: list the types the file needs, check them, and trust exactly those.
sio.dump(clf, folder / "model.skops")
untrusted = sio.get_untrusted_types(file=folder / "model.skops")
print("types to review before trusting them:", untrusted)
trusted = [
    "skstackedae._sparse_autoencoder.SparseAutoencoder",
    "skstackedae._stacked.StackedAEClassifier",
]
assert sorted(untrusted) == sorted(trusted)
from_skops = sio.load(folder / "model.skops", trusted=trusted)
assert np.array_equal(from_skops.predict(X / 16), clf.predict(X / 16))
print("joblib and skops round trips predict identically")
