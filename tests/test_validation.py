"""Bad parameters and bad input: each case raises a clear, named error."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skstackedae import SparseAutoencoder, StackedAEClassifier

ESTIMATORS = {
    "SparseAutoencoder": lambda **p: SparseAutoencoder(
        **{"n_components": 4, "max_iter": 5, "random_state": 0, **p}
    ),
    "StackedAEClassifier": lambda **p: StackedAEClassifier(
        **{
            "hidden_layer_sizes": (4,),
            "pretrain_max_iter": 5,
            "max_iter": 5,
            "random_state": 0,
            **p,
        }
    ),
}

BAD_PARAMETERS = [
    ("SparseAutoencoder", "n_components", 0),
    ("SparseAutoencoder", "n_components", 2.5),
    ("SparseAutoencoder", "sparsity_target", 0.0),
    ("SparseAutoencoder", "sparsity_target", 1.0),
    ("SparseAutoencoder", "sparsity_weight", -1.0),
    ("SparseAutoencoder", "alpha", -1e-3),
    ("SparseAutoencoder", "corruption", 1.0),
    ("SparseAutoencoder", "corruption", -0.1),
    ("SparseAutoencoder", "decoder", "relu"),
    ("SparseAutoencoder", "max_iter", 0),
    ("SparseAutoencoder", "tol", -1.0),
    ("SparseAutoencoder", "random_state", "seed"),
    ("SparseAutoencoder", "verbose", "loud"),
    ("StackedAEClassifier", "hidden_layer_sizes", ()),
    ("StackedAEClassifier", "hidden_layer_sizes", (4, 0)),
    ("StackedAEClassifier", "hidden_layer_sizes", (4, -2)),
    ("StackedAEClassifier", "hidden_layer_sizes", (2.5,)),
    ("StackedAEClassifier", "hidden_layer_sizes", (True,)),
    ("StackedAEClassifier", "hidden_layer_sizes", "abc"),
    ("StackedAEClassifier", "sparsity_target", 1.5),
    ("StackedAEClassifier", "sparsity_weight", -3.0),
    ("StackedAEClassifier", "pretrain_alpha", -1.0),
    ("StackedAEClassifier", "corruption", 1.0),
    ("StackedAEClassifier", "decoder", "tanh"),
    ("StackedAEClassifier", "alpha", -1e-4),
    ("StackedAEClassifier", "pretrain_max_iter", 0),
    ("StackedAEClassifier", "max_iter", -5),
    ("StackedAEClassifier", "fine_tune", "yes"),
    ("StackedAEClassifier", "tol", -1.0),
    ("StackedAEClassifier", "warm_start", 2),
    ("StackedAEClassifier", "random_state", 1.5),
]
# The mini-batch parameters, on both estimators.
BAD_PARAMETERS += [
    (name, parameter, value)
    for name in ("SparseAutoencoder", "StackedAEClassifier")
    for parameter, value in [
        ("solver", "newton"),
        ("batch_size", 0),
        ("batch_size", "all"),
        ("learning_rate_init", 0.0),
        ("shuffle", "no"),
        ("early_stopping", 1),
        ("validation_fraction", 0.0),
        ("validation_fraction", 1.0),
        ("n_iter_no_change", 0),
    ]
]


@pytest.mark.parametrize("name, parameter, value", BAD_PARAMETERS)
def test_bad_parameter_is_named(small_digits, name, parameter, value):
    X, y = small_digits
    estimator = ESTIMATORS[name](**{parameter: value})
    with pytest.raises(InvalidParameterError, match=f"'{parameter}' parameter of {name}"):
        estimator.fit(X, y)


def _column_names(n):
    return [f"pixel{i}" for i in range(n)]


# (case, estimator names, how to make (X, y) from the digits, exception, message)
BAD_FIT_INPUT = [
    (
        "NaN in X",
        "both",
        lambda X, y: (np.where(X == X[0, 10], np.nan, X), y),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "infinity in X",
        "both",
        lambda X, y: (np.where(X == X[0, 10], np.inf, X), y),
        ValueError,
        "Input X contains infinity",
    ),
    ("empty X", "both", lambda X, y: (X[:0], y[:0]), ValueError, "0 sample"),
    ("1-D X", "both", lambda X, y: (X[:, 0], y), ValueError, "Expected 2D array, got 1D array"),
    (
        "string X",
        "both",
        lambda X, y: (X.astype(str).astype(object) + "px", y),
        ValueError,
        "could not convert string to float",
    ),
    ("complex X", "both", lambda X, y: (X + 1j, y), ValueError, "Complex data not supported"),
    (
        "one class in y",
        "classifier",
        lambda X, y: (X, np.zeros_like(y)),
        ValueError,
        "at least 2 classes",
    ),
    ("one sample", "classifier", lambda X, y: (X[:1], y[:1]), ValueError, "at least 2 classes"),
    (
        "y of the wrong length",
        "classifier",
        lambda X, y: (X, y[:-1]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "2-D y of class labels",
        "classifier",
        lambda X, y: (X, np.c_[y, y]),
        ValueError,
        "multiclass-multioutput",
    ),
    ("continuous y", "classifier", lambda X, y: (X, y + 0.5), ValueError, "Unknown label type"),
    ("y is None", "classifier", lambda X, y: (X, None), ValueError, "requires y to be passed"),
]


def _targets(which):
    return (
        ["SparseAutoencoder", "StackedAEClassifier"]
        if which == "both"
        else (["StackedAEClassifier"] if which == "classifier" else ["SparseAutoencoder"])
    )


@pytest.mark.parametrize(
    "case, name, make, exception, message",
    [(c, n, m, e, msg) for c, which, m, e, msg in BAD_FIT_INPUT for n in _targets(which)],
    ids=[f"{c}-{n}" for c, which, *_ in BAD_FIT_INPUT for n in _targets(which)],
)
def test_bad_fit_input(small_digits, case, name, make, exception, message):
    X, y = make(*small_digits)
    estimator = ESTIMATORS[name]()
    with pytest.raises(exception, match=message):
        estimator.fit(X, y)
    # Nothing fitted is left behind.
    assert not [a for a in vars(estimator) if a.endswith("_") and not a.startswith("_")]


def _fit(name, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ESTIMATORS[name]().fit(X, y)


@pytest.mark.parametrize(
    "name, method",
    [
        ("SparseAutoencoder", "transform"),
        ("SparseAutoencoder", "score"),
        ("StackedAEClassifier", "predict"),
        ("StackedAEClassifier", "predict_proba"),
    ],
)
def test_wrong_number_of_features_after_fit(small_digits, name, method):
    X, y = small_digits
    estimator = _fit(name, X, y)
    with pytest.raises(ValueError, match="X has 63 features, but .* is expecting 64 features"):
        getattr(estimator, method)(X[:, :63])


@pytest.mark.parametrize(
    "name, method", [("SparseAutoencoder", "transform"), ("StackedAEClassifier", "predict")]
)
def test_renamed_dataframe_columns_are_rejected(small_digits, name, method):
    pd = pytest.importorskip("pandas")
    X, y = small_digits
    frame = pd.DataFrame(X, columns=_column_names(64))
    estimator = _fit(name, frame, y)
    assert list(estimator.feature_names_in_) == _column_names(64)
    renamed = frame.rename(columns={"pixel0": "intensity0"})
    with pytest.raises(
        ValueError, match="feature names should match those that were passed during fit"
    ):
        getattr(estimator, method)(renamed)


@pytest.mark.parametrize("name", ["SparseAutoencoder", "StackedAEClassifier"])
def test_lists_and_read_only_memmaps_are_accepted(tmp_path, small_digits, name):
    X, y = small_digits
    reference = _fit(name, X, y)
    method = "transform" if name == "SparseAutoencoder" else "predict_proba"
    # Lists of lists.
    from_lists = _fit(name, X.tolist(), y.tolist())
    np.testing.assert_array_equal(
        getattr(from_lists, method)(X.tolist()), getattr(reference, method)(X)
    )
    # A read-only memory map.
    path = tmp_path / "X.npy"
    np.save(path, X)
    X_map = np.load(path, mmap_mode="r")
    from_map = _fit(name, X_map, y)
    np.testing.assert_array_equal(getattr(from_map, method)(X_map), getattr(reference, method)(X))


def test_inverse_transform_rejects_bad_codes(small_digits):
    X, y = small_digits
    ae = _fit("SparseAutoencoder", X, y)
    with pytest.raises(ValueError, match="expects 4 hidden activations"):
        ae.inverse_transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        ae.inverse_transform(np.full((2, 4), np.nan))


@pytest.mark.parametrize("name", ["SparseAutoencoder", "StackedAEClassifier"])
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_formats_give_the_dense_result(small_digits, name, fmt):
    X, y = small_digits
    X_sparse = sp.csr_matrix(X).asformat(fmt)
    dense = _fit(name, X, y)
    from_sparse = _fit(name, X_sparse, y)
    method = "transform" if name == "SparseAutoencoder" else "predict_proba"
    np.testing.assert_allclose(
        getattr(from_sparse, method)(X_sparse), getattr(dense, method)(X), rtol=1e-7, atol=1e-10
    )
    if name == "SparseAutoencoder":
        np.testing.assert_allclose(from_sparse.score(X_sparse), dense.score(X), rtol=1e-9)


def test_sparse_input_with_denoising_and_minibatches(small_digits):
    X, _ = small_digits
    X_sparse = sp.csr_matrix(X)
    ae = SparseAutoencoder(8, corruption=0.3, solver="adam", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ae.fit(X_sparse)
    codes = ae.transform(X_sparse)
    np.testing.assert_allclose(codes, ae.transform(X), rtol=1e-12)
    assert np.all((codes > 0) & (codes < 1))
