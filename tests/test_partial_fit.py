"""partial_fit of the stacked estimators: its schedule (pretraining for the
first ``pretrain_max_iter`` calls, then fine-tuning), MLPClassifier's
contract (``classes`` on the first call, one epoch per call, all or nothing),
semi-supervised chunks and multilabel, multi-output targets."""

import copy

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from same_weights import assert_same_weights as _assert_same_weights
from same_weights import weights as _weights
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split

from skstackedae import SparseAutoencoder, StackedAEClassifier, StackedAERegressor


@pytest.fixture
def chunks(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    return np.array_split(np.arange(X_train.shape[0]), 4), X_train, X_test, y_train, y_test


# --- availability and the contract -----------------------------------------


@pytest.mark.parametrize("Estimator", [StackedAEClassifier, StackedAERegressor])
def test_partial_fit_is_there_for_the_minibatch_solvers_only(Estimator):
    assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")  # full batches
    with pytest.raises(AttributeError) as error:
        getattr(Estimator(solver="lbfgs"), "partial_fit")  # noqa: B009
    # scikit-learn's available_if chains the reason.
    assert "only available with solver='adam'" in str(error.value.__cause__)
    assert hasattr(Estimator(solver="adam"), "partial_fit")
    assert hasattr(Estimator(solver="sgd"), "partial_fit")
    # "auto" (the default) trains partial_fit with Adam.
    assert hasattr(Estimator(), "partial_fit")


def test_the_first_call_needs_the_classes_and_later_ones_keep_them(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((8,), solver="adam", random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    assert not hasattr(clf, "coefs_")
    # A first chunk with two of the ten classes only.
    two = np.isin(y, [3, 7])
    clf.partial_fit(X[two], y[two], classes=np.arange(10))
    assert_array_equal(clf.classes_, np.arange(10))
    assert clf.predict_proba(X).shape == (X.shape[0], 10)
    clf.partial_fit(X, y)  # later calls need not repeat them
    clf.partial_fit(X, y, classes=np.arange(10))
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        clf.partial_fit(X, y, classes=np.arange(11))
    with pytest.raises(ValueError, match=r"labels \[10\] that are not in classes=\[0, 1,"):
        clf.partial_fit(X[:3], [1, 10, 2])


def test_classes_of_a_semi_supervised_call_leave_out_the_unlabeled_label(small_digits):
    X, y = small_digits
    y = np.where(np.arange(y.shape[0]) % 4 == 0, y, -1)
    clf = StackedAEClassifier((8,), solver="adam", unlabeled_label=-1, random_state=0)
    clf.partial_fit(X, y, classes=np.arange(-1, 10))
    assert_array_equal(clf.classes_, np.arange(10))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(class_weight="balanced"), "class_weight='balanced' is not supported"),
        (dict(reconstruction_weight=0.1, unlabeled_label=-1), "reconstruction_weight"),
    ],
)
def test_partial_fit_rejects_what_a_chunk_cannot_give(small_digits, params, match):
    X, y = small_digits
    clf = StackedAEClassifier((8,), solver="adam", random_state=0, **params)
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(X, y, classes=np.arange(10))
    assert not hasattr(clf, "coefs_")


def test_a_chunk_with_another_feature_count_or_target_count_is_refused(small_digits):
    X, y = small_digits
    reg = StackedAERegressor((8,), solver="adam", random_state=0)
    reg.partial_fit(X, y.astype(float))
    before = _weights(reg)
    with pytest.raises(ValueError, match="features"):
        reg.partial_fit(X[:, :10], y.astype(float))
    with pytest.raises(ValueError, match="need y with 1 target"):
        reg.partial_fit(X, np.c_[y, y].astype(float))
    _assert_same_weights(_weights(reg), before)


# --- the schedule ------------------------------------------------------------


def test_each_first_call_is_one_autoencoder_epoch_per_layer(small_digits):
    # Pretraining: every layer's autoencoder takes exactly one partial_fit
    # epoch per call, the upper one on the codes of the lower one after its
    # epoch of the same call.
    X, y = small_digits
    clf = StackedAEClassifier((12, 6), solver="adam", batch_size=50, random_state=0)
    clf.partial_fit(X, y, classes=np.arange(10))
    first, second = clf.autoencoders_
    params = dict(solver="adam", batch_size=50)
    lower = SparseAutoencoder(12, random_state=first.random_state, **params).partial_fit(X)
    _assert_same_weights(_weights(first), _weights(lower))
    upper = SparseAutoencoder(6, random_state=second.random_state, **params)
    upper.partial_fit(lower.transform(X))
    _assert_same_weights(_weights(second), _weights(upper))
    # The network's encoders are the autoencoders' during pretraining.
    _assert_same_weights(clf.coefs_[:2], [first.coefs_[0], second.coefs_[0]])
    assert first.n_iter_ == second.n_iter_ == 1


def test_pretraining_lasts_pretrain_max_iter_calls_then_fine_tuning_starts(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((12, 6), solver="adam", pretrain_max_iter=3, random_state=0)
    for call in range(1, 4):
        clf.partial_fit(X, y, classes=np.arange(10))
        assert [ae.n_iter_ for ae in clf.autoencoders_] == [call, call]
        # The output layer trains at every pretraining call (it predicts).
        assert len(clf.softmax_loss_curve_) == call == clf.n_iter_
    encoders = [ae.coefs_[0].copy() for ae in clf.autoencoders_]
    output_curve = list(clf.softmax_loss_curve_)

    clf.partial_fit(X, y)  # the first fine-tuning epoch: a new curve
    assert clf.n_iter_ == len(clf.loss_curve_) == 1
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 2
    # Fine-tuning moves the network's encoders, not the pretrained ones.
    assert [ae.n_iter_ for ae in clf.autoencoders_] == [3, 3]
    _assert_same_weights([ae.coefs_[0] for ae in clf.autoencoders_], encoders)
    assert not np.allclose(clf.coefs_[0], encoders[0])
    assert clf.softmax_loss_curve_ == output_curve
    # Their optimisers' state was dropped when pretraining ended.
    assert all(ae._optimizer is None for ae in clf.autoencoders_)


def test_without_fine_tuning_the_output_layer_keeps_training(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier(
        (8,), solver="adam", pretrain_max_iter=2, fine_tune=False, random_state=0
    )
    for _ in range(4):
        clf.partial_fit(X, y, classes=np.arange(10))
    assert clf.autoencoders_[0].n_iter_ == 2
    _assert_same_weights([clf.coefs_[0]], [clf.autoencoders_[0].coefs_[0]])
    assert len(clf.softmax_loss_curve_) == 4 == clf.n_iter_


def test_partial_fit_after_fit_fine_tunes_the_fitted_network(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier(
        (12,), solver="adam", pretrain_max_iter=5, max_iter=5, random_state=0
    ).fit(X, y)
    autoencoders, n_iter = clf.autoencoders_, clf.n_iter_
    before = _weights(clf)
    clf.partial_fit(X, y)  # classes_ known from fit
    assert clf.autoencoders_ is autoencoders
    assert clf.n_iter_ == n_iter + 1  # the fit's fine-tuning continues
    assert not np.allclose(clf.coefs_[0], before[0])


def test_a_loop_of_whole_data_calls_learns_as_fit_does(chunks):
    # With the whole training set per call, pretrain_max_iter calls of
    # pretraining then fine-tuning calls are fit's schedule in epochs.
    _, X_train, X_test, y_train, y_test = chunks
    params = dict(hidden_layer_sizes=(64,), solver="adam", pretrain_max_iter=5, random_state=0)
    clf = StackedAEClassifier(**params)
    for _ in range(15):
        clf.partial_fit(X_train, y_train, classes=np.arange(10))
    fitted = StackedAEClassifier(max_iter=10, **params).fit(X_train, y_train)
    assert clf.score(X_test, y_test) > 0.9
    assert clf.score(X_test, y_test) > fitted.score(X_test, y_test) - 0.03


def test_chunks_are_learned_from_every_call(chunks):
    parts, X_train, X_test, y_train, y_test = chunks
    clf = StackedAEClassifier(
        (64,), solver="adam", batch_size=50, pretrain_max_iter=4, random_state=0
    )
    scores = []
    for _ in range(5):
        for rows in parts:
            clf.partial_fit(X_train[rows], y_train[rows], classes=np.arange(10))
        scores.append(clf.score(X_test, y_test))
    assert scores[-1] > 0.9
    assert scores[-1] > scores[0]


# --- all or nothing ----------------------------------------------------------


@pytest.mark.parametrize("stage_calls", [1, 3])  # fails in pretraining, in fine-tuning
def test_a_failed_call_leaves_the_model_and_its_state_as_they_were(
    small_digits, monkeypatch, stage_calls
):
    X, y = small_digits
    clf = StackedAEClassifier((12, 6), solver="adam", pretrain_max_iter=2, random_state=0)
    for _ in range(stage_calls):
        clf.partial_fit(X, y, classes=np.arange(10))
    twin = copy.deepcopy(clf)
    state = {k: v for k, v in vars(clf).items()}
    before = _weights(clf)
    ae_before = [_weights(ae) for ae in clf.autoencoders_]

    # Fail after the autoencoders (and in fine-tuning, the first batches) ran.
    def fail(*args, **kwargs):
        raise FloatingPointError("injected failure")

    monkeypatch.setattr(type(clf), "_train_output_layer", fail)
    monkeypatch.setattr(type(clf), "_fine_tune", fail)
    with pytest.raises(FloatingPointError, match="injected"):
        clf.partial_fit(X, y)
    monkeypatch.undo()

    assert vars(clf).keys() == state.keys()
    assert all(vars(clf)[k] is v for k, v in state.items())
    _assert_same_weights(_weights(clf), before)
    for ae, weights in zip(clf.autoencoders_, ae_before):
        _assert_same_weights(_weights(ae), weights)
    # The next call continues exactly as if the failed one never happened.
    clf.partial_fit(X, y)
    twin.partial_fit(X, y)
    _assert_same_weights(_weights(clf), _weights(twin))
    for a, b in zip(clf.autoencoders_, twin.autoencoders_):
        _assert_same_weights(_weights(a), _weights(b))


# --- semi-supervised, multilabel, regression, dtypes -------------------------


def test_unlabeled_chunks_pretrain_and_feed_the_entropy_term(chunks):
    _, X_train, X_test, y_train, y_test = chunks
    y_few = np.full_like(y_train, -1)
    labeled = np.arange(y_train.shape[0]) % 10 == 0  # 135 labels
    y_few[labeled] = y_train[labeled]
    params = dict(hidden_layer_sizes=(64,), solver="adam", pretrain_max_iter=10,
                  unlabeled_label=-1, random_state=0)
    clf = StackedAEClassifier(**params)
    clf.partial_fit(X_train, y_few, classes=np.arange(10))
    # A chunk without labels: the autoencoder learns, the output layer not.
    output = [clf.coefs_[-1].copy(), clf.intercepts_[-1].copy()]
    clf.partial_fit(X_train[~labeled], y_few[~labeled])
    assert clf.autoencoders_[0].n_iter_ == 2
    _assert_same_weights([clf.coefs_[-1], clf.intercepts_[-1]], output)
    for _ in range(28):
        clf.partial_fit(X_train, y_few)
    # Fine-tuning ("auto" entropy weight) learns from unlabeled rows alone;
    # without the entropy term such a chunk has nothing to teach.
    before = _weights(clf)
    clf.partial_fit(X_train[~labeled], y_few[~labeled])
    assert not np.allclose(clf.coefs_[-1], before[1])
    for _ in range(10):
        clf.partial_fit(X_train, y_few)
    # 40 epochs: fit's schedule with max_iter=30 (0.911 at this commit).
    assert clf.score(X_test, y_test) > 0.88
    supervised = StackedAEClassifier(**{**params, "entropy_weight": 0.0})
    supervised.partial_fit(X_train, y_few, classes=np.arange(10))
    for _ in range(10):
        supervised.partial_fit(X_train, y_few)  # into fine-tuning
    before = _weights(supervised)
    supervised.partial_fit(X_train[~labeled], y_few[~labeled])
    _assert_same_weights(_weights(supervised), before)


def test_multilabel_partial_fit(small_digits):
    X, y = small_digits
    Y = np.c_[y % 2 == 0, y >= 5].astype(int)
    clf = StackedAEClassifier((16,), solver="adam", pretrain_max_iter=3, random_state=0)
    for _ in range(60):
        clf.partial_fit(X, Y, classes=[0, 1])
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == Y.shape
    assert clf.score(X, Y) > 0.8


def test_regressor_partial_fit_learns_several_targets():
    X, Y = make_regression(400, 10, n_targets=2, noise=1.0, random_state=0)
    Y = Y / Y.std(axis=0)
    reg = StackedAERegressor((32,), solver="adam", pretrain_max_iter=3, random_state=0)
    for _ in range(40):
        for rows in np.array_split(np.arange(300), 3):
            reg.partial_fit(X[rows], Y[rows])
    assert reg.predict(X[300:]).shape == (100, 2)
    assert reg.score(X[300:], Y[300:]) > 0.8


def test_float32_arithmetic_keeps_the_inputs_dtype_between_calls(small_digits):
    X, y = small_digits
    clf = StackedAEClassifier((8,), solver="adam", compute_dtype="float32", random_state=0)
    reference = StackedAEClassifier((8,), solver="adam", random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=np.arange(10))
        reference.partial_fit(X.astype(np.float32), y, classes=np.arange(10))
    assert all(W.dtype == np.float64 for W in clf.coefs_ + clf.intercepts_)
    # The same float32 arithmetic as float32 input.
    for a, b in zip(clf.coefs_, reference.coefs_):
        assert_allclose(a, b, rtol=0, atol=0)


def test_a_model_without_the_kept_state_continues_with_new_state(small_digits):
    # A classifier fitted before partial_fit existed (unpickled from an
    # older version) has no generator, optimiser or stage kept.
    X, y = small_digits
    clf = StackedAEClassifier((8,), solver="adam", pretrain_max_iter=3, max_iter=3,
                              random_state=0).fit(X, y)
    for name in ("_rng", "_optimizer", "_stage"):
        delattr(clf, name)
    n_iter = clf.n_iter_
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 1 != n_iter  # a new fine-tuning run: a new curve
    assert clf._stage == "fine-tuning"


def test_sparse_chunks_train_as_dense_ones(small_digits):
    X, y = small_digits
    dense = StackedAEClassifier((8,), solver="adam", pretrain_max_iter=1, random_state=0)
    sparse = StackedAEClassifier((8,), solver="adam", pretrain_max_iter=1, random_state=0)
    for _ in range(2):
        dense.partial_fit(X, y, classes=np.arange(10))
        sparse.partial_fit(sp.csr_matrix(X), y, classes=np.arange(10))
    for a, b in zip(dense.coefs_, sparse.coefs_):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)
