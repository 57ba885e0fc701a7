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

import tempfile
import warnings
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
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
    "skstackedae._classifier.StackedAEClassifier",
]
assert sorted(untrusted) == sorted(trusted)
from_skops = sio.load(folder / "model.skops", trusted=trusted)
assert np.array_equal(from_skops.predict(X / 16), clf.predict(X / 16))
print("joblib and skops round trips predict identically")

# Every class probability of every digit, original model against each copy:
# all on the diagonal.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.5), sharey=True)
for ax, (name, loaded) in zip(axes, [("joblib", from_joblib), ("skops", from_skops)]):
    ax.plot(clf.predict_proba(X / 16).ravel(), loaded.predict_proba(X / 16).ravel(), ".", ms=2)
    ax.set_xlabel("predict_proba, original model")
    ax.set_title(f"loaded with {name}")
axes[0].set_ylabel("predict_proba, loaded model")
fig.tight_layout()
plt.show()
