"""StackedAEClassifier: its network and targets (labels, multilabel,
class_weight), unlabeled rows (semi-supervised learning), mini-batch training
and the UFLDL reference behaviour on the digits."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.class_weight import compute_sample_weight

import skstackedae
import skstackedae._base
import skstackedae._sparse_autoencoder
import skstackedae._stacked_base
from skstackedae import StackedAEClassifier


def semi_classifier(**params):
    defaults = dict(hidden_layer_sizes=(20,), pretrain_max_iter=20, max_iter=30,
                    unlabeled_label=-1, random_state=0)
    return StackedAEClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def semi_digits():
    """600 scaled digits, 100 of them labeled (10 per class), the rest -1."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16.0, y[:600]
    y_semi = np.full_like(y, -1)
    labeled = np.concatenate([np.flatnonzero(y == c)[:10] for c in range(10)])
    y_semi[labeled] = y[labeled]
    return X, y, y_semi


@pytest.fixture
def multilabel():
    X, Y = make_multilabel_classification(n_samples=300, n_features=20, n_classes=4, random_state=0)
    return X / X.max(), Y


def test_network_layout(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)  # two hidden layers, 16 and 8 units
    assert [W.shape for W in clf.coefs_] == [(64, 16), (16, 8), (8, 10)]
    assert [b.shape for b in clf.intercepts_] == [(16,), (8,), (10,)]
    assert clf.n_layers_ == 4
    assert clf.n_features_in_ == 64
    assert_array_equal(clf.classes_, np.arange(10))
    # Greedy pretraining: each autoencoder was trained on the codes below it.
    first, second = clf.autoencoders_
    assert first.n_features_in_ == 64 and first.n_components == 16
    assert second.n_features_in_ == 16 and second.n_components == 8
    assert first.alpha == clf.pretrain_alpha
    assert len(clf.loss_curve_) == clf.n_iter_
    assert_allclose(clf.loss_, clf.loss_curve_[-1])


def test_warm_start_rejects_new_classes(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="same classes|classes seen"):
        clf.fit(X[y < 5], y[y < 5])


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["seven", "one"]),
        np.array([-1, 1]),
        np.array(["a", "b", "c"]),
        np.array([1.0, 2.0, 7.0]),
    ],
    ids=["str-binary", "int-binary", "str-3", "float-3"],
)
def test_label_types(small_classifier, small_digits, labels):
    X, y = small_digits
    mask = y < len(labels)
    X, y = X[mask], labels[y[mask]]
    clf = small_classifier().fit(X, y)
    assert_array_equal(clf.classes_, np.unique(labels))
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], len(labels))
    assert_allclose(proba.sum(axis=1), 1)
    assert_allclose(np.log(proba), clf.predict_log_proba(X))
    pred = clf.predict(X)
    assert pred.dtype == y.dtype
    assert_array_equal(pred, clf.classes_[np.argmax(proba, axis=1)])
    assert clf.score(X, y) > 0.9


def test_continuous_targets_are_rejected(small_classifier, small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="Unknown label type"):
        small_classifier().fit(X, np.linspace(0, 1, X.shape[0]))


def test_one_class_is_rejected(small_classifier, small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="at least 2 classes"):
        small_classifier().fit(X, np.zeros(X.shape[0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_the_network(small_classifier, small_digits, dtype):
    X, y = small_digits
    clf = small_classifier().fit(X.astype(dtype), y)
    assert all(W.dtype == dtype for W in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X.astype(dtype)).dtype == dtype


def test_unlabeled_label_is_not_a_class(semi_digits):
    X, y, y_semi = semi_digits
    clf = semi_classifier().fit(X, y_semi)
    assert_array_equal(clf.classes_, np.arange(10))
    assert clf.coefs_[-1].shape == (20, 10)
    assert set(np.unique(clf.predict(X))) <= set(range(10))


def test_score_ignores_unlabeled_rows(semi_digits):
    X, y, y_semi = semi_digits
    clf = semi_classifier().fit(X, y_semi)
    labeled = y_semi != -1
    assert clf.score(X, y_semi) == clf.score(X[labeled], y_semi[labeled])
    weights = np.linspace(1, 2, X.shape[0])
    assert_allclose(
        clf.score(X, y_semi, sample_weight=weights),
        clf.score(X[labeled], y_semi[labeled], sample_weight=weights[labeled]),
    )
    # Without unlabeled_label, -1 is a label like any other: all of them wrong.
    plain = semi_classifier(unlabeled_label=None).fit(X[labeled], y_semi[labeled])
    assert plain.score(X, y_semi) < plain.score(X[labeled], y_semi[labeled]) / 2


def test_cross_validation_and_grid_search_score_labeled_rows_only(semi_digits):
    X, y, y_semi = semi_digits
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(semi_classifier(), X, y_semi, cv=cv)
    for score, (train, test) in zip(scores, cv.split(X)):
        model = semi_classifier().fit(X[train], y_semi[train])
        keep = test[y_semi[test] != -1]
        assert score == np.mean(model.predict(X[keep]) == y_semi[keep])
    search = GridSearchCV(semi_classifier(), {"alpha": [1e-4, 1e-2]}, cv=cv).fit(X, y_semi)
    assert search.best_score_ == max(search.cv_results_["mean_test_score"]) > 0.5


def test_unlabeled_rows_train_the_autoencoders_only(semi_digits, monkeypatch):
    X, y, y_semi = semi_digits
    pretrained_on, supervised_targets = [], []
    real_fit = skstackedae._stacked_base.SparseAutoencoder.fit
    real_softmax = skstackedae._stacked_base.network_loss_grad

    def recording_fit(self, X, y=None, sample_weight=None):
        pretrained_on.append(X.shape[0])
        return real_fit(self, X, y, sample_weight)

    def recording_softmax(coefs, intercepts, X, y, **kwargs):
        supervised_targets.append(np.asarray(y).copy())
        return real_softmax(coefs, intercepts, X, y, **kwargs)

    monkeypatch.setattr(skstackedae._stacked_base.SparseAutoencoder, "fit", recording_fit)
    monkeypatch.setattr(skstackedae._stacked_base, "network_loss_grad", recording_softmax)
    semi_classifier(
        hidden_layer_sizes=(20, 10), reconstruction_weight=0.0, entropy_weight=0.0,
        consistency_weight=0.0,
    ).fit(X, y_semi)
    assert pretrained_on == [600, 600]
    n_labeled = np.sum(y_semi != -1)
    # Softmax and fine-tuning both ran on the labeled rows alone.
    assert len(supervised_targets) > 2
    assert all(t.shape == (n_labeled,) and t.min() >= 0 for t in supervised_targets)


def test_joint_fine_tuning_sees_every_row(semi_digits, monkeypatch):
    X, y, y_semi = semi_digits
    seen = []
    real = skstackedae._stacked_base.semi_supervised_loss_grad

    def recording(coefs, intercepts, X, y, **kwargs):
        seen.append((X.shape[0], int(np.sum(y == -1)), len(coefs), kwargs["reconstruction_weight"]))
        return real(coefs, intercepts, X, y, **kwargs)

    monkeypatch.setattr(skstackedae._stacked_base, "semi_supervised_loss_grad", recording)
    clf = semi_classifier(hidden_layer_sizes=(20, 10), reconstruction_weight=0.5).fit(X, y_semi)
    assert seen and all(s == (600, 500, 5, 0.5) for s in seen)
    # The fitted network is the encoders and the softmax; decoders are not in it.
    assert [W.shape for W in clf.coefs_] == [(64, 20), (20, 10), (10, 10)]


def test_auto_weights_are_off_when_every_row_is_labeled(semi_digits, monkeypatch):
    X, y, _ = semi_digits
    # It must not run.
    monkeypatch.setattr(skstackedae._stacked_base, "semi_supervised_loss_grad", None)
    with_option = semi_classifier().fit(X, y)
    without = semi_classifier(unlabeled_label=None).fit(X, y)
    for a, b in zip(with_option.coefs_, without.coefs_):
        assert_array_equal(a, b)


def record_consistency_calls(monkeypatch):
    """Record ``(X, y, consistency_weight)`` of every call of the consistency
    cost during a fit (copies: the solvers reuse their buffers)."""
    seen = []
    real = skstackedae._stacked_base.consistency_loss_grad

    def recording(coefs, intercepts, X, y, **kwargs):
        seen.append((np.array(X, copy=True), np.asarray(y).copy(), kwargs["consistency_weight"]))
        return real(coefs, intercepts, X, y, **kwargs)

    monkeypatch.setattr(skstackedae._stacked_base, "consistency_loss_grad", recording)
    return seen


@pytest.mark.parametrize("solver, n_draws", [("lbfgs", 3), ("adam", 25)])
def test_consistency_fine_tunes_every_row_beside_a_fresh_noisy_copy(
    semi_digits, monkeypatch, solver, n_draws
):
    X, y, y_semi = semi_digits
    seen = record_consistency_calls(monkeypatch)
    # Full batches for adam.
    semi_classifier(
        max_iter=25,
        solver=solver,
        batch_size=600,
        learning_rate_init=1e-2,
        consistency_weight=2.5,
        consistency_corruption=0.4,
    ).fit(X, y_semi)
    assert seen
    noisy_copies = set()
    for pairs, targets, weight in seen:
        assert weight == 2.5
        assert pairs.shape == (1200, 64) and targets.shape == (600,)
        assert np.sum(targets == -1) == 500  # labeled and unlabeled rows alike
        clean, noisy = pairs[:600], pairs[600:]
        assert sorted(map(tuple, clean)) == sorted(map(tuple, X))  # every row (L-BFGS reorders)
        assert np.all((noisy == clean) | (noisy == 0))  # masking noise only
        zeroed = np.mean(noisy[clean != 0] == 0)
        assert 0.35 < zeroed < 0.45
        noisy_copies.add(noisy.tobytes())
    # A fresh draw every 10 L-BFGS iterations (25 = 10 + 10 + 5), or every epoch.
    assert len(noisy_copies) == n_draws


def test_swap_noise_copies_take_each_feature_from_another_row(semi_digits, monkeypatch):
    X, y, y_semi = semi_digits
    seen = record_consistency_calls(monkeypatch)
    swap = semi_classifier(
        max_iter=5, consistency_weight=1.0, consistency_noise="swap", consistency_corruption=0.4
    ).fit(X, y_semi)
    clean, noisy = seen[0][0][:600], seen[0][0][600:]
    changed = noisy != clean
    # Masking would zero 40 % of the nonzero entries; swapping zeroes fewer,
    # and writes values that masking cannot (nonzero where the row had 0).
    assert np.any(changed & (clean == 0))
    assert 0.15 < np.mean(changed) < 0.4  # 0.4 drawn, less the draws of an equal value
    for j in range(X.shape[1]):
        assert np.isin(noisy[:, j], clean[:, j]).all()  # the feature's own values
    mask = semi_classifier(
        max_iter=5, consistency_weight=1.0, consistency_corruption=0.4
    ).fit(X, y_semi)
    assert not np.array_equal(swap.coefs_[0], mask.coefs_[0])


def test_neighbour_noise_pairs_every_training_row_with_one_of_its_neighbours(
    semi_digits, monkeypatch
):
    X, y, y_semi = semi_digits
    seen = record_consistency_calls(monkeypatch)
    graph = semi_classifier(
        max_iter=25, consistency_weight=1.0, consistency_noise="neighbours"
    ).fit(X, y_semi)
    draws = {X_pairs[600:].tobytes() for X_pairs, _, _ in seen}
    assert len(draws) == 3  # drawn anew every 10 L-BFGS iterations, as the noise
    clean, copy = seen[0][0][:600], seen[0][0][600:]
    distances = np.linalg.norm(clean[:, None] - clean[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    tenth_nearest = np.sort(distances, axis=1)[:, 9]
    to_copy = np.linalg.norm(clean - copy, axis=1)
    assert np.all(to_copy <= tenth_nearest + 1e-12)  # one of the 10 nearest rows
    assert np.mean(to_copy > 0) > 0.9  # another row (digits repeat rarely)
    assert np.isin(copy.view([("", copy.dtype)] * 64), clean.view([("", clean.dtype)] * 64)).all()
    mask = semi_classifier(max_iter=25, consistency_weight=1.0).fit(X, y_semi)
    assert not np.array_equal(graph.coefs_[0], mask.coefs_[0])
    assert graph.score(X, y) > 0.8


def test_consistency_options_that_cannot_apply_are_errors_before_pretraining(
    semi_digits, monkeypatch
):
    X, y, y_semi = semi_digits
    monkeypatch.setattr(skstackedae._stacked_base.SparseAutoencoder, "fit", None)  # must not run
    with pytest.raises(ValueError, match="consistency_noise='swap' needs dense X"):
        semi_classifier(consistency_weight=1.0, consistency_noise="swap").fit(
            sp.csr_matrix(X), y_semi
        )
    with pytest.raises(
        ValueError, match="consistency_weight and reconstruction_weight cannot both"
    ):
        semi_classifier(consistency_weight=1.0, reconstruction_weight=0.5).fit(X, y_semi)
    with pytest.raises(ValueError, match="consistency_weight is for single-label y"):
        semi_classifier(unlabeled_label=None, consistency_weight=1.0).fit(
            X, np.stack([y % 2, y > 4], axis=1).astype(int)
        )


def test_multilabel_tag_follows_the_consistency_term():
    # scikit-learn's multilabel checks run only where multilabel y is accepted.
    assert StackedAEClassifier().__sklearn_tags__().classifier_tags.multi_label
    tags = StackedAEClassifier(consistency_weight=1.0).__sklearn_tags__()
    assert not tags.classifier_tags.multi_label


def test_minus_one_stays_a_class_by_default(semi_digits):
    X, y, _ = semi_digits
    binary = np.where(y < 5, -1, 1)
    clf = semi_classifier(unlabeled_label=None).fit(X, binary)
    assert_array_equal(clf.classes_, [-1, 1])
    assert clf.score(X, binary) > 0.8


def test_fewer_than_two_labeled_classes_is_an_error(semi_digits):
    X, y, _ = semi_digits
    y_semi = np.full_like(y, -1)
    y_semi[:5] = 3
    with pytest.raises(
        ValueError,
        match="labeled samples of at least 2 classes in y; got only one class",
    ):
        semi_classifier().fit(X, y_semi)
    with pytest.raises(ValueError, match="labeled samples of at least 2 classes in y; got none"):
        semi_classifier().fit(X, np.full_like(y, -1))


def test_early_stopping_validates_on_labeled_rows_only(semi_digits):
    X, y, y_semi = semi_digits
    clf = semi_classifier(
        solver="adam",
        learning_rate_init=1e-2,
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=15,
        reconstruction_weight=0.0,
    ).fit(X, y_semi)
    # 20 of the 100 labeled rows (stratified: 2 per class): every score is a
    # multiple of 1/20. Unlabeled rows in the split would break that (and
    # count -1 as a wrong answer).
    scores = np.asarray(clf.validation_scores_)
    assert_allclose(scores * 20, np.round(scores * 20), atol=1e-9)
    assert clf.best_validation_score_ > 0.3


def test_pipeline_scaler_sees_every_row(semi_digits):
    X, y, y_semi = semi_digits
    X = X.copy()
    X[y_semi == -1] *= 3  # the unlabeled rows hold the largest values
    pipe = make_pipeline(MinMaxScaler(), semi_classifier()).fit(X, y_semi)
    assert_array_equal(pipe[0].data_max_, X.max(axis=0))
    assert_array_equal(pipe[-1].classes_, np.arange(10))


def test_string_labels_and_sparse_input(semi_digits):
    X, y, y_semi = semi_digits
    names = np.array([f"digit {c}" for c in range(10)] + ["?"])
    y_text = names[np.where(y_semi == -1, 10, y_semi)]
    dense = semi_classifier(unlabeled_label="?").fit(X, y_text)
    assert "?" not in dense.classes_ and dense.classes_.shape == (10,)
    from_sparse = semi_classifier(unlabeled_label="?").fit(sp.csr_matrix(X), y_text)
    assert_allclose(
        from_sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-6, atol=1e-9
    )
    # With the consistency term the noise is drawn over the stored entries
    # of a sparse X and over every entry of a dense one: close, not equal.
    dense, from_sparse = (
        semi_classifier(unlabeled_label="?", consistency_weight=1.0).fit(data, y_text)
        for data in (X, sp.csr_matrix(X))
    )
    truth = names[y]
    assert dense.score(X, truth) > 0.8
    assert abs(from_sparse.score(X, truth) - dense.score(X, truth)) < 0.05


def test_unlabeled_rows_help_with_few_labels():
    # The reason the option exists: 50 labels and ~1,250 unlabeled digits
    # beat the same classifier fitted on the 50 labeled rows alone, on
    # average over label draws 0-2: +3.6 points (-0.2, +4.2, +6.8) with the
    # 100 pretraining iterations of "auto", +4.5 (+2.0, +4.2, +7.2) with
    # the 50 that semi-supervised fits had before (user guide, "Pretraining
    # budget with few labels"). With only 500 unlabeled digits there was no
    # gain (see the user guide).
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_pool, X_test, y_pool, y_test = train_test_split(
        X / 16.0, y, test_size=500, stratify=y, random_state=0
    )
    params = dict(hidden_layer_sizes=(100,), pretrain_alpha=1e-3, random_state=0)
    gains = []
    for draw in range(3):
        labeled, _ = train_test_split(
            np.arange(y_pool.shape[0]), train_size=50, stratify=y_pool, random_state=draw
        )
        y_semi = np.full_like(y_pool, -1)
        y_semi[labeled] = y_pool[labeled]
        supervised = StackedAEClassifier(**params).fit(X_pool[labeled], y_pool[labeled])
        semi = StackedAEClassifier(**params, unlabeled_label=-1).fit(X_pool, y_semi)
        gains.append(semi.score(X_test, y_test) - supervised.score(X_test, y_test))
    assert np.mean(gains) > 0.01


def test_balanced_class_weight_equals_its_sample_weights(small_classifier, tiny_digits):
    X, y = tiny_digits
    a = small_classifier(hidden_layer_sizes=(8,), class_weight="balanced").fit(X, y)
    weights = compute_sample_weight("balanced", y)
    b = small_classifier(hidden_layer_sizes=(8,)).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-7, atol=1e-9)


def test_class_weight_dict_is_keyed_by_label_and_multiplies_sample_weight(
    small_classifier, tiny_digits
):
    X, y = tiny_digits
    labels = np.array([f"digit{d}" for d in y])
    weights = np.arange(X.shape[0]) % 2 + 1.0
    a = small_classifier(hidden_layer_sizes=(8,), class_weight={"digit3": 5.0})
    a.fit(X, labels, sample_weight=weights)
    b = small_classifier(hidden_layer_sizes=(8,)).fit(
        X, labels, sample_weight=weights * np.where(y == 3, 5.0, 1.0)
    )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="class_weight has keys"):
        small_classifier(hidden_layer_sizes=(8,), class_weight={"digit11": 2.0}).fit(X, labels)


def test_balanced_class_weight_counts_labeled_rows_only(small_classifier, tiny_digits):
    X, y = tiny_digits
    y_semi = y.copy()
    y_semi[30:] = -1
    model = small_classifier(hidden_layer_sizes=(8,), unlabeled_label=-1, class_weight="balanced")
    model.fit(X, y_semi)
    assert list(model.classes_) == sorted(set(y[:30]))


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
def test_multilabel_refuses_single_label_options(small_classifier, multilabel, params, match):
    X, Y = multilabel
    with pytest.raises(ValueError, match=match):
        small_classifier(hidden_layer_sizes=(8,), **params).fit(X, Y)


@pytest.mark.parametrize("solver, rate", [("adam", 1e-2), ("sgd", 0.05)])
def test_minibatch_classifier_accuracy(digits, solver, rate):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    clf = StackedAEClassifier(
        (64,),
        solver=solver,
        learning_rate_init=rate,
        pretrain_alpha=1e-3,
        pretrain_max_iter=20,
        max_iter=60,
        random_state=0,
    ).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.9
    assert clf.validation_scores_ is None


def test_classifier_early_stopping(digits):
    X, y = digits
    clf = StackedAEClassifier(
        (32,),
        solver="adam",
        learning_rate_init=1e-2,
        early_stopping=True,
        n_iter_no_change=3,
        pretrain_max_iter=10,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert 0.85 < clf.best_validation_score_ <= 1.0


def test_classifier_early_stopping_with_lbfgs(digits):
    # L-BFGS validates after every iteration and keeps the best iterate:
    # the fitted network scores best_validation_score_ on the held-out rows.
    X, y = digits
    clf = StackedAEClassifier(
        (32,), early_stopping=True, n_iter_no_change=5, pretrain_max_iter=10,
        random_state=0,
    ).fit(X, y)
    assert clf.solver_ == "lbfgs"
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    best = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ <= best + 1 + 5 + 1 and 0.85 < clf.best_validation_score_ <= 1.0


@pytest.mark.slow
def test_fine_tuning_beats_pretraining_and_logistic_regression(digits):
    X, y = digits  # scaled to [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    # pretrain_alpha=1e-3: digits have 64 pixels to MNIST's 784, and UFLDL's
    # 3e-3 flattens the second layer's codes on so little reconstruction error.
    clf = StackedAEClassifier(
        hidden_layer_sizes=(100, 100), pretrain_alpha=1e-3, pretrain_max_iter=200,
        max_iter=200, fine_tune=False, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        before = clf.fit(X_train, y_train).score(X_test, y_test)
        # Fine-tune the same pretrained network.
        after = clf.set_params(fine_tune=True, warm_start=True).fit(X_train, y_train)
        after = after.score(X_test, y_test)

    raw = LogisticRegression(max_iter=5000).fit(X_train * 16, y_train)
    baseline = raw.score(X_test * 16, y_test)
    assert after > before
    assert after > baseline
    assert after > 0.96


@pytest.mark.parametrize("auto", [False, True])
def test_alpha_converts_to_mlpclassifier_alpha_times_n_samples(small_digits, auto):
    # The documented conversion: MLPClassifier(alpha=a) on n rows has the
    # L-BFGS objective of StackedAEClassifier(alpha=a / n); "auto" is
    # MLPClassifier(alpha=AUTO_ALPHA)'s.
    X, y = small_digits
    if auto:  # beyond the rows where "auto" is UFLDL's 1e-4
        X, y = np.r_[X, X], np.r_[y, y]
    n = X.shape[0]
    mlp_alpha = skstackedae._stacked_base.AUTO_ALPHA if auto else 0.5
    mlp = MLPClassifier(
        (8,), activation="logistic", alpha=mlp_alpha, solver="lbfgs", max_iter=1, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    ours = StackedAEClassifier(
        (8,), alpha="auto" if auto else mlp_alpha / n, max_iter=1, pretrain_max_iter=1,
        random_state=0,
    ).fit(X, y)
    assert ours.alpha_ == pytest.approx(mlp_alpha / n, rel=1e-12)
    from sklearn.neural_network._multilayer_perceptron import _pack

    # MLPClassifier's own loss at its weights, and ours at the same weights.
    mlp_loss, _ = mlp._loss_grad_lbfgs(
        _pack(mlp.coefs_, mlp.intercepts_),
        X,
        mlp._label_binarizer.transform(y),
        None,
        [X] + [None] * 2,
        [None] * 2,
        [np.empty_like(W) for W in mlp.coefs_],
        [np.empty_like(b) for b in mlp.intercepts_],
    )
    ours.coefs_, ours.intercepts_ = list(mlp.coefs_), list(mlp.intercepts_)
    grads = [np.empty_like(p) for p in mlp.coefs_ + mlp.intercepts_]
    our_loss = skstackedae._stacked_base.network_loss_grad(
        ours.coefs_,
        ours.intercepts_,
        X,
        y,
        alpha=ours.alpha_,
        coef_grads=grads[:2],
        intercept_grads=grads[2:],
    )
    np.testing.assert_allclose(our_loss, mlp_loss, rtol=1e-10)
    for name in ("StackedAEClassifier",):
        doc = getattr(skstackedae, name).__doc__
        assert "n_samples" in doc[doc.index("alpha :") : doc.index("pretrain_max_iter :")]


# 1. The global output configuration must not reach inside a fit.
@pytest.mark.parametrize("output", ["pandas", "polars"])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_fit_ignores_the_global_transform_output(small_classifier, small_digits, output, solver):
    pytest.importorskip(output)
    X, y = small_digits
    expected = small_classifier(solver=solver).fit(X, y).predict_proba(X)
    with sklearn.config_context(transform_output=output):
        clf = small_classifier(solver=solver).fit(X, y)
    assert_array_equal(clf.predict_proba(X), expected)


def test_softmax_is_stable_for_huge_logits(small_classifier, small_digits):
    X, y = small_digits
    clf = small_classifier().fit(X, y)
    clf.coefs_[-1] *= 1e6
    log_proba = clf.predict_log_proba(X)
    assert np.all(np.isfinite(log_proba)) and np.all(log_proba <= 0)
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_adam_learns_on_a_short_budget_at_the_default_learning_rate(digits):
    # With MLPClassifier's 1e-3 this stack stayed at chance (training
    # accuracy 0.107); the default 1e-2 reaches about 0.7.
    X, y = digits[0][:300], digits[1][:300]
    clf = StackedAEClassifier(
        (8,), solver="adam", pretrain_max_iter=5, max_iter=10, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.learning_rate_init == 1e-2
    assert clf.score(X, y) > 0.5


# --- output_alpha: LogisticRegression's penalty on the output layer ----------


def _auto_alpha(n):
    # UFLDL's 1e-4, relaxed to MLPClassifier(alpha=AUTO_ALPHA)'s beyond 500 rows.
    return min(1e-4, skstackedae._stacked_base.AUTO_ALPHA / n)


@pytest.mark.parametrize("name, auto_value", [("output_alpha", lambda n: 1 / n),
                                              ("alpha", _auto_alpha)])
def test_auto_penalties_are_set_by_the_labeled_rows(small_classifier, small_digits, name,
                                                    auto_value):
    X, y = np.r_[small_digits[0], small_digits[0]], np.r_[small_digits[1], small_digits[1]]
    X[400:] = 1 - X[400:]  # 800 distinct rows
    attribute = name + "_"
    assert getattr(small_classifier(**{name: 0.25}).fit(X, y), attribute) == 0.25
    auto = {name: "auto"}
    assert getattr(small_classifier(**auto).fit(X, y), attribute) == pytest.approx(
        auto_value(800)
    )
    # Identical rows merged by L-BFGS count with their multiplicity.
    doubled = small_classifier(**auto).fit(np.r_[X, X], np.r_[y, y])
    assert getattr(doubled, attribute) == pytest.approx(auto_value(1600))
    weights = np.full(800, 0.5)
    weighted = small_classifier(**auto).fit(X, y, sample_weight=weights)
    assert getattr(weighted, attribute) == pytest.approx(auto_value(400))
    y_semi = np.where(np.arange(800) < 100, y, -1)
    semi = small_classifier(unlabeled_label=-1, **auto).fit(X, y_semi)
    assert getattr(semi, attribute) == pytest.approx(auto_value(100))
    # Early stopping's validation rows are not training rows.
    early = small_classifier(solver="adam", early_stopping=True, max_iter=5, **auto)
    assert getattr(early.fit(X, y), attribute) == pytest.approx(auto_value(720))
    # partial_fit resolves it on the first call's rows and keeps it.
    chunked = StackedAEClassifier((8,), solver="adam", random_state=0, **auto)
    chunked.partial_fit(X[:600], y[:600], classes=np.arange(10))
    chunked.partial_fit(X, y)
    assert getattr(chunked, attribute) == pytest.approx(auto_value(600))


def test_alpha_auto_is_the_fit_with_that_number(small_classifier, small_digits):
    # "auto" changes the number only: the fit is the one with alpha_ given.
    X, y = np.r_[small_digits[0], 1 - small_digits[0]], np.r_[small_digits[1], small_digits[1]]
    auto = small_classifier().fit(X, y)
    assert auto.alpha_ == pytest.approx(_auto_alpha(800)) and auto.alpha_ < 1e-4
    given = small_classifier(alpha=auto.alpha_).fit(X, y)
    for W_auto, W_given in zip(auto.coefs_, given.coefs_):
        assert_array_equal(W_auto, W_given)
    # On fewer rows "auto" is UFLDL's 1e-4.
    assert small_classifier().fit(*small_digits).alpha_ == 1e-4


def test_output_alpha_shrinks_the_output_layer_only_in_every_phase(small_classifier,
                                                                   small_digits):
    X, y = small_digits
    norms = {}
    for output_alpha in (0.0, 0.1, 1.0):
        for fine_tune in (False, True):
            clf = small_classifier(output_alpha=output_alpha, fine_tune=fine_tune).fit(X, y)
            norms[output_alpha, fine_tune] = np.linalg.norm(clf.coefs_[-1])
    for fine_tune in (False, True):
        assert norms[0.0, fine_tune] > norms[0.1, fine_tune] > norms[1.0, fine_tune]
    # Without fine-tuning the encoders are the pretrained ones whatever the penalty.
    a = small_classifier(output_alpha=0.0, fine_tune=False).fit(X, y)
    b = small_classifier(output_alpha=1.0, fine_tune=False).fit(X, y)
    assert_array_equal(a.coefs_[0], b.coefs_[0])
