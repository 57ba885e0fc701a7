"""The pure math of _network: costs against the equations, analytic gradients
against finite differences, and the array helpers."""


import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from gradient_check import (
    RELATIVE_TOLERANCE,
    assert_gradient_is_correct,
    flat_loss_grad,
    random_theta,
    relative_gradient_error,
)
from numpy.testing import assert_allclose
from scipy import sparse
from scipy.special import expit

import skstackedae._network
from skstackedae._network import (
    autoencoder_loss_grad,
    feature_moments,
    inplace_logistic,
    mask_corrupt,
    mean_reconstruction_error,
    network_loss_grad,
    pack,
    parameter_shapes,
    swap_corrupt,
    total_variance,
    unpack,
)


@pytest.mark.parametrize("decoder", ["logistic", "linear"])
@pytest.mark.parametrize("corruption", [0.0, 0.3])
@pytest.mark.parametrize("sparsity_weight", [0.0, 3.0])
def test_autoencoder_gradient(decoder, corruption, sparsity_weight):
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(20, 8)) if decoder == "logistic" else rng.normal(size=(20, 8))
    X_input = mask_corrupt(X, corruption, rng)
    shapes = parameter_shapes([8, 5, 8])
    loss_grad = flat_loss_grad(
        autoencoder_loss_grad,
        shapes,
        X_input=X_input,
        X_target=X,
        alpha=3e-3,
        sparsity_target=0.1,
        sparsity_weight=sparsity_weight,
        decoder=decoder,
    )
    theta = random_theta(shapes, rng)
    # The sparsity term is active: mean activations are far from the target.
    assert_gradient_is_correct(loss_grad, theta)


@pytest.mark.parametrize("hidden", [(), (6,), (7, 5)], ids=["softmax", "1-hidden", "2-hidden"])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_softmax_network_gradient(hidden, n_classes):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(25, 9))
    y = np.arange(25) % n_classes
    shapes = parameter_shapes([9, *hidden, n_classes])
    loss_grad = flat_loss_grad(
        network_loss_grad, shapes, X=X, y=y, alpha=1e-2
    )
    theta = random_theta(shapes, rng)
    assert_gradient_is_correct(loss_grad, theta)


def test_gradient_check_detects_a_wrong_gradient():
    # The check itself can fail: drop the weight-decay term from the gradient.
    rng = np.random.RandomState(2)
    X = rng.uniform(size=(20, 8))
    shapes = parameter_shapes([8, 5, 8])
    correct = flat_loss_grad(
        autoencoder_loss_grad, shapes, X_input=X, X_target=X, alpha=0.5,
        sparsity_target=0.1, sparsity_weight=3.0, decoder="logistic",
    )

    def wrong(theta):
        loss, grad = correct(theta)
        return loss, grad - 0.5 * theta * (np.arange(theta.size) < 80)

    theta = random_theta(shapes, rng)
    assert relative_gradient_error(wrong, theta) > 1e-3


def test_autoencoder_loss_matches_the_equations():
    # J written out from the user guide's cost ("The sparse autoencoder"),
    # without the optimised kernel.
    rng = np.random.RandomState(3)
    X = rng.uniform(size=(30, 6))
    W1, W2 = rng.normal(size=(6, 4)), rng.normal(size=(4, 6))
    b1, b2 = rng.normal(size=4), rng.normal(size=6)
    alpha, rho, beta = 0.01, 0.2, 2.0
    A2 = expit(X @ W1 + b1)
    X_hat = expit(A2 @ W2 + b2)
    rho_hat = A2.mean(axis=0)
    expected = (
        0.5 * np.sum((X_hat - X) ** 2) / 30
        + 0.5 * alpha * (np.sum(W1**2) + np.sum(W2**2))
        + beta * np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    )
    grads = [np.empty_like(a) for a in (W1, W2, b1, b2)]
    loss = autoencoder_loss_grad(
        [W1, W2], [b1, b2], X, X, alpha=alpha, sparsity_target=rho,
        sparsity_weight=beta, decoder="logistic", coef_grads=grads[:2],
        intercept_grads=grads[2:],
    )
    np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_softmax_loss_matches_the_equations():
    rng = np.random.RandomState(4)
    X = rng.normal(size=(12, 5))
    y = np.arange(12) % 3
    W1, W2 = rng.normal(size=(5, 4)), rng.normal(size=(4, 3))
    b1, b2 = rng.normal(size=4), rng.normal(size=3)
    logits = expit(X @ W1 + b1) @ W2 + b2
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(P[np.arange(12), y])) + 0.05 * (
        np.sum(W1**2) + np.sum(W2**2)
    )
    grads = [np.empty_like(a) for a in (W1, W2, b1, b2)]
    loss = network_loss_grad(
        [W1, W2], [b1, b2], X, y, alpha=0.1, coef_grads=grads[:2],
        intercept_grads=grads[2:],
    )
    np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_inplace_logistic_equals_expit():
    Z = np.linspace(-800, 800, 10001)
    np.testing.assert_allclose(inplace_logistic(Z.copy()), expit(Z), rtol=0, atol=1e-15)
    Z32 = Z.astype(np.float32)
    out = inplace_logistic(Z32.copy())
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expit(Z32), rtol=0, atol=2e-7)


def test_pack_unpack_round_trip_shares_memory():
    shapes = parameter_shapes([3, 4, 2])
    arrays = [np.full(s, i, dtype=float) for i, s in enumerate(shapes)]
    flat = pack(arrays)
    assert flat.shape == (3 * 4 + 4 * 2 + 4 + 2,)
    views = unpack(flat, shapes)
    for view, array in zip(views, arrays):
        np.testing.assert_array_equal(view, array)
    views[0][0, 0] = 99.0
    assert flat[0] == 99.0
    with pytest.raises(ValueError, match="flat parameter vector"):
        unpack(flat[:-1], shapes)


def test_sparse_input_gives_the_dense_loss_and_gradient():

    rng = np.random.RandomState(5)
    X = rng.uniform(size=(20, 8)) * (rng.uniform(size=(20, 8)) < 0.3)
    y = np.arange(20) % 3
    cases = [
        (autoencoder_loss_grad, [8, 5, 8], dict(alpha=3e-3, sparsity_target=0.1,
         sparsity_weight=3.0, decoder="logistic"), lambda X: dict(X_input=X, X_target=X)),
        (network_loss_grad, [8, 6, 4, 3], dict(alpha=1e-2), lambda X: dict(X=X, y=y)),
    ]
    for loss_fn, layers, params, data in cases:
        shapes = parameter_shapes(layers)
        theta = random_theta(shapes, rng)
        dense = flat_loss_grad(loss_fn, shapes, **params, **data(X))(theta)
        for fmt in ("csr", "csc"):
            sparse_X = sp.csr_matrix(X).asformat(fmt)
            loss, grad = flat_loss_grad(loss_fn, shapes, **params, **data(sparse_X))(theta)
            np.testing.assert_allclose(loss, dense[0], rtol=1e-12)
            np.testing.assert_allclose(grad, dense[1], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("hidden", [(), (6,), (7, 5)], ids=["softmax", "1-hidden", "2-hidden"])
@pytest.mark.parametrize("eta", [0.0, 0.8])
def test_softmax_network_gradient_with_unlabeled_rows(hidden, eta):
    rng = np.random.RandomState(5)
    X = rng.normal(size=(25, 9))
    y = np.arange(25) % 3
    y[::4] = -1  # unlabeled: they enter through the entropy term only
    shapes = parameter_shapes([9, *hidden, 3])
    loss_grad = flat_loss_grad(
        network_loss_grad, shapes, X=X, y=y, alpha=1e-2, entropy_weight=eta
    )
    theta = random_theta(shapes, rng)
    assert_gradient_is_correct(loss_grad, theta)
    # With eta = 0 unlabeled rows contribute nothing at all.
    if eta == 0:
        labeled = y >= 0
        only_labeled = flat_loss_grad(
            network_loss_grad, shapes, X=X[labeled], y=y[labeled], alpha=1e-2
        )
        np.testing.assert_allclose(
            loss_grad(theta)[1], only_labeled(theta)[1], rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize(
    "output, loss",
    [("softmax", None), ("logistic", None), ("identity", None), ("logistic", "squared_error")],
)
@pytest.mark.parametrize("hidden", [(), (6,)], ids=["no-hidden", "1-hidden"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_network_gradient_for_every_output(output, loss, hidden, weighted):
    rng = np.random.RandomState(3)
    X = rng.normal(size=(25, 9))
    if output == "softmax":
        y, n_out = np.arange(25) % 3, 3
    elif loss is None and output == "logistic":
        y, n_out = (rng.uniform(size=(25, 4)) > 0.5).astype(float), 4
    else:
        y, n_out = rng.uniform(size=(25, 4)), 4
    sample_weight = rng.randint(0, 4, size=25).astype(float) if weighted else None
    shapes = parameter_shapes([9, *hidden, n_out])
    loss_grad = flat_loss_grad(
        network_loss_grad,
        shapes,
        X=X,
        y=y,
        alpha=1e-2,
        output=output,
        loss=loss,
        sample_weight=sample_weight,
    )
    theta = random_theta(shapes, rng)
    assert relative_gradient_error(loss_grad, theta) < RELATIVE_TOLERANCE


@pytest.mark.parametrize("decoder", ["logistic", "linear"])
def test_weighted_autoencoder_gradient(decoder):
    rng = np.random.RandomState(4)
    X = rng.uniform(size=(20, 8))
    shapes = parameter_shapes([8, 5, 8])
    loss_grad = flat_loss_grad(
        autoencoder_loss_grad,
        shapes,
        X_input=X,
        X_target=X,
        alpha=3e-3,
        sparsity_target=0.1,
        sparsity_weight=3.0,
        decoder=decoder,
        sample_weight=rng.uniform(0, 3, size=20),
    )
    assert relative_gradient_error(loss_grad, random_theta(shapes, rng)) < RELATIVE_TOLERANCE


@pytest.mark.parametrize(
    "cost, kwargs",
    [
        (
            autoencoder_loss_grad,
            dict(alpha=3e-3, sparsity_target=0.1, sparsity_weight=3.0, decoder="logistic"),
        ),
        (network_loss_grad, dict(alpha=1e-2)),
        (network_loss_grad, dict(alpha=1e-2, output="identity")),
        (network_loss_grad, dict(alpha=1e-2, output="logistic")),
    ],
    ids=["autoencoder", "softmax", "identity", "logistic"],
)
def test_integer_weights_give_the_cost_of_repeated_rows(cost, kwargs):
    rng = np.random.RandomState(5)
    X = rng.uniform(size=(12, 6))
    weights = np.array([0, 1, 2, 3] * 3)
    output = kwargs.get("output", "softmax")
    if cost is autoencoder_loss_grad:
        shapes, y = parameter_shapes([6, 4, 6]), None

        def data(X, y):
            return dict(X_input=X, X_target=X)
    else:
        n_out = 3 if output == "softmax" else 2
        shapes = parameter_shapes([6, 4, n_out])
        y = np.arange(12) % 3 if output == "softmax" else (rng.uniform(size=(12, 2)) > 0.5) * 1.0

        def data(X, y):
            return dict(X=X, y=y)

    theta = random_theta(shapes, rng)
    repeated = np.repeat(np.arange(12), weights)
    weighted_fn = flat_loss_grad(
        cost, shapes, sample_weight=weights.astype(float), **data(X, y), **kwargs
    )
    repeated_fn = flat_loss_grad(
        cost, shapes, **data(X[repeated], None if y is None else y[repeated]), **kwargs
    )
    (loss_w, grad_w), (loss_r, grad_r) = weighted_fn(theta), repeated_fn(theta)
    np.testing.assert_allclose(loss_w, loss_r, rtol=1e-12)
    np.testing.assert_allclose(grad_w, grad_r, rtol=1e-10, atol=1e-14)


def test_total_variance_dense_sparse_and_weighted_agree():
    rng = np.random.RandomState(0)
    X = rng.rand(30, 5) * (rng.rand(30, 5) > 0.5)
    expected = X.var(axis=0).sum()
    assert total_variance(X) == pytest.approx(expected, rel=1e-12)
    assert total_variance(sparse.csr_matrix(X)) == pytest.approx(expected, rel=1e-12)
    # Integer weights are repeated rows.
    w = rng.randint(1, 4, size=30)
    repeated = np.repeat(X, w, axis=0)
    assert total_variance(X, w) == pytest.approx(repeated.var(axis=0).sum(), rel=1e-12)
    assert total_variance(sparse.csr_matrix(X), w) == pytest.approx(
        repeated.var(axis=0).sum(), rel=1e-12)
    assert total_variance(np.ones((4, 3))) == 0


@pytest.mark.parametrize("weighted", [False, True])
def test_feature_moments_agree_dense_sparse_and_in_chunks(weighted, monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.rand(300, 7) * (rng.rand(300, 7) > 0.5) * np.arange(1, 8)
    w = rng.randint(1, 4, size=300) if weighted else None
    repeated = X if w is None else np.repeat(X, w, axis=0)
    expected = repeated.mean(axis=0), repeated.var(axis=0)
    # Large inputs are read in chunks of rows: here, of 128 values.
    monkeypatch.setattr(skstackedae._network, "RECONSTRUCTION_CHUNK_ELEMENTS", 100)
    real_row_chunks = skstackedae._network.row_chunks
    monkeypatch.setattr(skstackedae._network, "row_chunks",
                        lambda m, n, elements=None: real_row_chunks(m, n, elements=128))
    assert len(skstackedae._network.row_chunks(*X.shape)) > 1
    for given in (X, sparse.csr_matrix(X)):
        means, variances = feature_moments(given, w)
        assert_allclose(means, expected[0], rtol=1e-12)
        assert_allclose(variances, expected[1], rtol=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_total_variance_holds_no_copy_of_the_input(weighted):
    # It runs on every pretraining fit; a whole float64 copy of a float32
    # input was twice the input and the peak of a default fit. Inputs above
    # RECONSTRUCTION_CHUNK_ELEMENTS values are read in chunks.
    rng = np.random.RandomState(0)
    X = rng.rand(6000, 784).astype(np.float32)  # 18 MiB, 4.7e6 values
    w = rng.rand(6000) if weighted else None
    expected = np.average((X - np.average(X, axis=0, weights=w)) ** 2, axis=0, weights=w).sum()
    tracemalloc.start()
    try:
        variance = total_variance(X, w)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert variance == pytest.approx(expected, rel=1e-5)
    assert peak < X.nbytes


def _autoencoder_cost(X, decoder, sample_weight, buffers=None):
    rng = np.random.RandomState(7)
    n_features = X.shape[1]
    W1, W2 = rng.normal(0, 0.3, (n_features, 4)), rng.normal(0, 0.3, (4, n_features))
    b1, b2 = rng.normal(0, 0.1, 4), rng.normal(0, 0.1, n_features)
    grads = [np.empty_like(a) for a in (W1, W2, b1, b2)]
    loss = autoencoder_loss_grad(
        [W1, W2], [b1, b2], X, X, alpha=3e-3, sparsity_target=0.1, sparsity_weight=3.0,
        decoder=decoder, coef_grads=grads[:2], intercept_grads=grads[2:],
        buffers=buffers, sample_weight=sample_weight,
    )
    error = mean_reconstruction_error(X, [W1, W2], [b1, b2], decoder, sample_weight)
    return loss, grads, error


@pytest.mark.parametrize("decoder", ["logistic", "linear"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("as_sparse", [False, True], ids=["dense", "sparse"])
def test_reconstruction_in_chunks_of_rows_is_the_whole_cost(
    monkeypatch, decoder, weighted, as_sparse
):
    # 23 rows of 6 features in chunks of 2 rows (12 elements), the last one
    # shorter: the same cost and gradient as in one block, to rounding.
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(23, 6)) * (rng.uniform(size=(23, 6)) < 0.6)
    X = sparse.csr_matrix(X) if as_sparse else X
    w = rng.uniform(0.5, 2.0, 23) if weighted else None
    whole = _autoencoder_cost(X, decoder, w)
    monkeypatch.setattr("skstackedae._network.RECONSTRUCTION_CHUNK_ELEMENTS", 12)
    buffers = {}
    chunked = _autoencoder_cost(X, decoder, w, buffers)
    # The decoder-side work arrays are one chunk, never the whole input.
    assert max(b.shape[0] for k, b in buffers.items() if k[0] in ("X_hat", "delta3")) == 2
    np.testing.assert_allclose(chunked[0], whole[0], rtol=1e-12)
    for got, expected in zip(chunked[1], whole[1]):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(chunked[2], whole[2], rtol=1e-12)


@pytest.mark.parametrize("hidden", [(), (6,)], ids=["softmax", "1-hidden"])
@pytest.mark.parametrize("output", ["softmax", "identity"])
def test_output_alpha_is_a_weight_decay_on_the_output_layer_only(hidden, output):
    rng = np.random.RandomState(7)
    X = rng.normal(size=(25, 9))
    y = np.arange(25) % 3 if output == "softmax" else rng.normal(size=(25, 3))
    shapes = parameter_shapes([9, *hidden, 3])
    theta = random_theta(shapes, rng)
    with_term = flat_loss_grad(
        network_loss_grad, shapes, X=X, y=y, alpha=1e-2, output=output, output_alpha=0.3
    )
    assert_gradient_is_correct(with_term, theta)
    without = flat_loss_grad(network_loss_grad, shapes, X=X, y=y, alpha=1e-2, output=output)
    # J differs by output_alpha/2 ||W_out||^2, its gradient by output_alpha W_out.
    params = unpack(theta, shapes)
    W_out = params[len(shapes) // 2 - 1]
    (loss_a, grad_a), (loss_b, grad_b) = with_term(theta), without(theta)
    np.testing.assert_allclose(loss_a - loss_b, 0.15 * np.vdot(W_out, W_out), rtol=1e-10)
    difference = unpack(grad_a - grad_b, shapes)
    for i, part in enumerate(difference):
        expected = 0.3 * W_out if i == len(shapes) // 2 - 1 else np.zeros_like(part)
        np.testing.assert_allclose(part, expected, rtol=1e-10, atol=1e-13)


def test_swap_corrupt_draws_each_entry_from_its_own_column():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(400, 6)) + np.arange(6) * 10  # disjoint column ranges
    noisy = swap_corrupt(X, 0.3, np.random.RandomState(1))
    changed = noisy != X
    assert abs(changed.mean() - 0.3) < 0.02  # every column's values differ
    for j in range(6):
        assert np.isin(noisy[:, j], X[:, j]).all()
    assert swap_corrupt(X, 0.0, rng) is X
    # Same generator state, same noise.
    np.testing.assert_array_equal(noisy, swap_corrupt(X, 0.3, np.random.RandomState(1)))
