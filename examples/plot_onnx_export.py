"""
===========================================
Serving a model without Python: ONNX export
===========================================

``import skstackedae.onnx`` registers converters with skl2onnx, so that
``skl2onnx.to_onnx`` converts every skstackedae estimator, alone or inside a
:class:`~sklearn.pipeline.Pipeline`, as it converts ``MLPClassifier``. The
ONNX file then runs in onnxruntime (C, C++, C#, Java, JavaScript...). Here a
scaler and a :class:`~skstackedae.StackedAEClassifier` are exported, run with
onnxruntime on held-out digits, and its probabilities compared with
``predict_proba``. Needs ``pip install "skstackedae[onnx]"``.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as rt
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

import skstackedae.onnx  # noqa: F401  (registers the converters)
from skstackedae import StackedAEClassifier

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)  # ONNX graphs usually run in float32
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    MinMaxScaler(), StackedAEClassifier((64,), pretrain_max_iter=50, random_state=0)
).fit(X_train, y_train)

onx = to_onnx(model, X_train[:1], options={"zipmap": False})
path = Path(tempfile.mkdtemp()) / "stacked_ae.onnx"
path.write_bytes(onx.SerializeToString())

session = rt.InferenceSession(str(path), providers=["CPUExecutionProvider"])
labels, proba = session.run(None, {session.get_inputs()[0].name: X_test})
expected = model.predict_proba(X_test)
print(f"largest difference of the probabilities: {np.abs(proba - expected).max():.1e}")
print(f"same labels: {np.mean(labels == model.predict(X_test)):.0%}; "
      f"held-out accuracy {np.mean(labels == y_test):.3f}")

# %%
# Every probability, onnxruntime against scikit-learn.
fig, ax = plt.subplots(figsize=(4, 4))
ax.scatter(expected.ravel(), proba.ravel(), s=4)
ax.set_xlabel("predict_proba (NumPy)")
ax.set_ylabel("onnxruntime")
ax.set_title("ONNX export: the same probabilities")
fig.tight_layout()
plt.show()
