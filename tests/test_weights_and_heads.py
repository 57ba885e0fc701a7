"""sample_weight, class_weight, the multilabel head and StackedAERegressor."""

import numpy as np
import pytest
from sklearn.datasets import make_friedman1, make_multilabel_classification
from sklearn.utils.class_weight import compute_sample_weight

from skstackedae import SparseAutoencoder, StackedAEClassifier, StackedAERegressor
from skstackedae._rows import merge_identical_rows

SMALL = dict(hidden_layer_sizes=(8,), pretrain_max_iter=20, max_iter=40, random_state=0)


def _small(cls, **kwargs):
    if cls is SparseAutoencoder:
        return SparseAutoencoder(6, max_iter=40, random_state=0, **kwargs)
    return cls(**SMALL, **kwargs)


def _outputs(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.predict(X) if hasattr(model, "predict") else model.transform(X)


@pytest.fixture
def data(small_digits):
    X, y = small_digits
    return X[:150], y[:150]


@pytest.mark.parametrize("cls", [SparseAutoencoder, StackedAEClassifier, StackedAERegressor])
def test_zero_weight_equals_removing_the_rows(cls, data):
    X, y = data
    weights = np.ones(X.shape[0])
    weights[::3] = 0
    kept = weights > 0
    a = _small(cls).fit(X, y, sample_weight=weights)
    b = _small(cls).fit(X[kept], y[kept])
    np.testing.assert_allclose(_outputs(a, X), _outputs(b, X), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("cls", [SparseAutoencoder, StackedAEClassifier, StackedAERegressor])
def test_row_order_does_not_change_an_lbfgs_fit(cls, data):
    X, y = data
    order = np.random.RandomState(0).permutation(X.shape[0])
    weights = np.arange(X.shape[0]) % 3 + 1.0
    a = _small(cls).fit(X, y, sample_weight=weights)
    b = _small(cls).fit(X[order], y[order], sample_weight=weights[order])
    np.testing.assert_array_equal(_outputs(a, X), _outputs(b, X))


@pytest.mark.parametrize("cls", [SparseAutoencoder, StackedAEClassifier, StackedAERegressor])
@pytest.mark.parametrize(
    "weights, error, match",
    [
        (lambda n: -np.ones(n), ValueError, "Negative values in data passed to `sample_weight`"),
        (lambda n: np.ones(n - 1), ValueError, r"sample_weight.shape == \(149,\)"),
        (lambda n: np.zeros(n), ValueError, "(at least one non-zero|zero for every sample)"),
        (lambda n: np.ones((n, 2)), ValueError, "Sample weights must be 1D"),
    ],
    ids=["negative", "wrong length", "all zero", "2-d"],
)
def test_bad_sample_weight_raises_and_leaves_the_model_unfitted(cls, data, weights, error, match):
    X, y = data
    model = _small(cls)
    with pytest.raises(error, match=match):
        model.fit(X, y, sample_weight=weights(X.shape[0]))
    assert not hasattr(model, "coefs_")


def test_minibatch_sample_weight_changes_the_fit(data):
    X, y = data
    weights = np.where(y == 0, 10.0, 1.0)
    plain = StackedAEClassifier(**SMALL, solver="adam").fit(X, y)
    weighted = StackedAEClassifier(**SMALL, solver="adam").fit(X, y, sample_weight=weights)
    assert weighted.predict_proba(X)[y == 0, 0].mean() > plain.predict_proba(X)[y == 0, 0].mean()


def test_merge_identical_rows_sums_weights_and_drops_zeros():
    X = np.array([[1.0, 0], [0, 1], [1, 0], [0, 1], [2, 2]])
    y = np.array([0, 1, 0, 2, 1])
    Xm, ym, wm = merge_identical_rows(X, y, np.array([1.0, 2, 3, 4, 0]))
    merged = {(tuple(x), int(t)): w for x, t, w in zip(Xm, ym, wm)}
    assert merged == {((1.0, 0.0), 0): 4.0, ((0.0, 1.0), 1): 2.0, ((0.0, 1.0), 2): 4.0}
    # Equal weights after merging: no weights (the unweighted cost).
    X, y = X[[0, 1, 3, 4]], y[[0, 1, 3, 4]]  # distinct rows
    Xu, yu, wu = merge_identical_rows(X[::-1], y[::-1], np.array([2.0, 2, 2, 2]))
    assert wu is None and Xu.shape == (4, 2)
    # The order does not depend on the input's.
    Xa, ya, _ = merge_identical_rows(X, y)
    np.testing.assert_array_equal(Xa, Xu)
    np.testing.assert_array_equal(ya, yu)


# --- class_weight -----------------------------------------------------------

def test_balanced_class_weight_equals_its_sample_weights(data):
    X, y = data
    a = StackedAEClassifier(**SMALL, class_weight="balanced").fit(X, y)
    b = StackedAEClassifier(**SMALL).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-7, atol=1e-9)


def test_class_weight_dict_is_keyed_by_label_and_multiplies_sample_weight(data):
    X, y = data
    labels = np.array([f"digit{d}" for d in y])
    weights = np.arange(X.shape[0]) % 2 + 1.0
    a = StackedAEClassifier(**SMALL, class_weight={"digit3": 5.0})
    a.fit(X, labels, sample_weight=weights)
    b = StackedAEClassifier(**SMALL).fit(
        X, labels, sample_weight=weights * np.where(y == 3, 5.0, 1.0)
    )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="class_weight has keys"):
        StackedAEClassifier(**SMALL, class_weight={"digit11": 2.0}).fit(X, labels)


def test_balanced_class_weight_counts_labeled_rows_only(data):
    X, y = data
    y_semi = y.copy()
    y_semi[30:] = -1
    model = StackedAEClassifier(**SMALL, unlabeled_label=-1, class_weight="balanced")
    model.fit(X, y_semi)
    assert list(model.classes_) == sorted(set(y[:30]))


# --- multilabel ---------------------------------------------------------------


@pytest.fixture
def multilabel():
    X, Y = make_multilabel_classification(n_samples=300, n_features=20, n_classes=4, random_state=0)
    return X / X.max(), Y


def test_multilabel_fit_predict_and_proba(multilabel):
    X, Y = multilabel
    model = StackedAEClassifier((20,), pretrain_max_iter=30, max_iter=100, random_state=0).fit(X, Y)
    assert model.out_activation_ == "logistic"
    np.testing.assert_array_equal(model.classes_, np.arange(4))
    proba = model.predict_proba(X)
    assert proba.shape == Y.shape and np.all((proba > 0) & (proba < 1))
    # Not a softmax: the labels' probabilities do not sum to one.
    assert not np.allclose(proba.sum(axis=1), 1)
    predicted = model.predict(X)
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba))
    # Better than always predicting each label's majority value.
    majority = (Y.mean(axis=0) > 0.5).astype(int)
    assert model.score(X, Y) > np.mean(np.all(Y == majority, axis=1)) + 0.2


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(unlabeled_label=-1), "unlabeled_label is for single-label y"),
        (dict(class_weight="balanced"), "class_weight is for single-label y"),
    ],
)
def test_multilabel_refuses_single_label_options(multilabel, params, match):
    X, Y = multilabel
    with pytest.raises(ValueError, match=match):
        StackedAEClassifier(**SMALL, **params).fit(X, Y)


# --- StackedAERegressor ---------------------------------------------------------


def test_regressor_single_and_multi_output():
    X, y = make_friedman1(n_samples=300, random_state=0)
    reg = StackedAERegressor((20,), random_state=0).fit(X[:200], y[:200])
    assert reg.predict(X[200:]).shape == (100,)
    assert reg.score(X[200:], y[200:]) > 0.8
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 1
    Y = np.c_[y, -2 * y + 1]
    multi = StackedAERegressor((20,), random_state=0).fit(X[:200], Y[:200])
    assert multi.predict(X[200:]).shape == (100, 2) and multi.n_outputs_ == 2
    assert multi.score(X[200:], Y[200:]) > 0.8


def test_regressor_fine_tuning_improves_the_fit():
    X, y = make_friedman1(n_samples=300, random_state=0)
    before = StackedAERegressor((20,), fine_tune=False, random_state=0).fit(X, y)
    after = StackedAERegressor((20,), random_state=0).fit(X, y)
    assert after.score(X, y) > before.score(X, y)
    assert len(after.output_loss_curve_) > 0


def test_regressor_warm_start_needs_the_same_number_of_targets():
    X, y = make_friedman1(n_samples=100, random_state=0)
    reg = StackedAERegressor((10,), max_iter=10, warm_start=True, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="needs y with 1 target"):
        reg.fit(X, np.c_[y, y])


# --- StackedAutoencoder -----------------------------------------------------------


def test_deep_autoencoder_unrolls_the_pretrained_stack(data):
    from skstackedae import StackedAutoencoder

    X, _ = data
    before = StackedAutoencoder((12, 5), fine_tune=False, pretrain_max_iter=30, random_state=0).fit(
        X
    )
    # Unrolled: encoders, then each autoencoder's decoder, top first.
    first, top = before.autoencoders_
    expected = [first.coefs_[0], top.coefs_[0], top.coefs_[1], first.coefs_[1]]
    for W, W_expected in zip(before.coefs_, expected):
        np.testing.assert_array_equal(W, W_expected)
    np.testing.assert_allclose(before.transform(X), top.transform(first.transform(X)))
    np.testing.assert_allclose(
        before.inverse_transform(before.transform(X)),
        first.inverse_transform(top.inverse_transform(top.transform(first.transform(X)))),
    )
    after = StackedAutoencoder((12, 5), pretrain_max_iter=30, max_iter=100, random_state=0).fit(X)
    assert after.score(X) > before.score(X)
    assert after.transform(X).shape == (X.shape[0], 5) and after.n_layers_ == 5
    np.testing.assert_allclose(
        -after.score(X),
        0.5 * np.sum((after.inverse_transform(after.transform(X)) - X) ** 2) / X.shape[0],
    )
    assert list(after.get_feature_names_out()) == [f"stackedautoencoder{i}" for i in range(5)]


def test_deep_autoencoder_inverse_transform_checks_the_code_size(data):
    from skstackedae import StackedAutoencoder

    X, _ = data
    model = StackedAutoencoder((6, 3), pretrain_max_iter=5, max_iter=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="expects 3 codes"):
        model.inverse_transform(np.zeros((2, 4)))
