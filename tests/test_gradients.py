"""Analytic gradients against finite differences (UFLDL's gradient checking).

User guide, "Gradient checking": central differences ``(J(t + eps e_i) - J(t - eps e_i)) / 2eps``
with eps = 1e-4, relative error ``||g - g_fd|| / ||g||`` below 1e-6 in
float64. ``scipy.optimize.approx_fprime`` takes one-sided steps; the mean of
its forward (+eps) and backward (-eps) estimates is exactly the central
difference. ``scipy.optimize.check_grad`` (forward, eps = sqrt(machine eps))
is used as a second, independent check.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import approx_fprime, check_grad
from scipy.special import expit

from skstackedae._network import (
    autoencoder_loss_grad,
    inplace_logistic,
    mask_corrupt,
    network_loss_grad,
    pack,
    parameter_shapes,
    unpack,
)
from skstackedae._semi_supervised import (
    consistency_loss_grad,
    noisy_pairs,
    semi_supervised_loss_grad,
)

RELATIVE_TOLERANCE = 1e-6
EPSILON = 1e-4


def relative_gradient_error(loss_grad, theta):
    """Relative error of the analytic gradient against central differences."""

    def loss(theta):
        return loss_grad(theta)[0]

    analytic = loss_grad(theta)[1]
    central = 0.5 * (
        approx_fprime(theta, loss, EPSILON) + approx_fprime(theta, loss, -EPSILON)
    )
    return np.linalg.norm(analytic - central) / np.linalg.norm(analytic)


def check_grad_relative_error(loss_grad, theta):
    """The same with scipy's check_grad (forward differences)."""

    def loss(theta):
        return loss_grad(theta)[0]

    def grad(theta):
        return loss_grad(theta)[1]

    return check_grad(loss, grad, theta) / np.linalg.norm(grad(theta))


def assert_gradient_is_correct(loss_grad, theta):
    """Both checks: central differences (the user guide's bound) and check_grad."""
    assert relative_gradient_error(loss_grad, theta) < RELATIVE_TOLERANCE
    assert check_grad_relative_error(loss_grad, theta) < 1e-5


def flat_loss_grad(loss_fn, shapes, **kwargs):
    """Adapt a loss on lists of arrays to a function of one flat vector."""
    n_coefs = len(shapes) // 2

    def loss_grad(theta):
        params = unpack(theta, shapes)
        grad = np.zeros_like(theta)
        grads = unpack(grad, shapes)
        loss = loss_fn(
            params[:n_coefs],
            params[n_coefs:],
            coef_grads=grads[:n_coefs],
            intercept_grads=grads[n_coefs:],
            **kwargs,
        )
        return loss, grad

    return loss_grad


def random_theta(shapes, rng, scale=0.5):
    return rng.uniform(-scale, scale, size=sum(int(np.prod(s)) for s in shapes))


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


def semi_supervised_shapes(layers, n_classes):
    """Shapes of [W_1..W_k, W_out, V_k..V_1] then of their biases."""
    k = len(layers) - 1
    coefs = [(layers[i], layers[i + 1]) for i in range(k)] + [(layers[-1], n_classes)]
    coefs += [(layers[i + 1], layers[i]) for i in reversed(range(k))]
    return coefs + [(shape[1],) for shape in coefs]


@pytest.mark.parametrize("layers", [(9, 6), (9, 7, 5)], ids=["1-hidden", "2-hidden"])
@pytest.mark.parametrize("decoder", ["logistic", "linear"])
@pytest.mark.parametrize(
    "gamma, eta", [(1.0, 0.0), (0.0, 0.5), (0.7, 0.3)], ids=["reconstruction", "entropy", "both"]
)
@pytest.mark.parametrize("sparse_input", [False, True], ids=["dense", "sparse"])
def test_semi_supervised_gradient(layers, decoder, gamma, eta, sparse_input):
    from scipy import sparse

    rng = np.random.RandomState(3)
    X = rng.uniform(size=(20, 9))
    X[X < 0.4] = 0
    if sparse_input:
        X = sparse.csr_matrix(X)
    y = np.arange(20) % 3
    y[::3] = -1  # unlabeled rows
    shapes = semi_supervised_shapes(layers, 3)
    loss_grad = flat_loss_grad(
        semi_supervised_loss_grad, shapes, X=X, y=y, alpha=1e-2,
        reconstruction_weight=gamma, entropy_weight=eta, decoder=decoder,
    )
    theta = random_theta(shapes, rng)
    assert_gradient_is_correct(loss_grad, theta)


def test_semi_supervised_cost_without_unsupervised_terms_is_the_fine_tuning_cost():
    # gamma = eta = 0, every row labeled: the softmax network's cost plus the
    # decay of the (idle) decoders, and the same gradients for the network.
    rng = np.random.RandomState(4)
    X, y = rng.uniform(size=(15, 9)), np.arange(15) % 3
    shapes = semi_supervised_shapes((9, 6), 3)
    params = unpack(random_theta(shapes, rng), shapes)
    coefs, intercepts = params[:3], params[3:]
    grads = [np.empty_like(p) for p in params]
    joint = semi_supervised_loss_grad(
        coefs, intercepts, X, y, alpha=0.1, reconstruction_weight=0.0,
        entropy_weight=0.0, decoder="logistic", coef_grads=grads[:3], intercept_grads=grads[3:],
    )
    network_grads = [np.empty_like(p) for p in coefs[:2] + intercepts[:2]]
    plain = network_loss_grad(
        coefs[:2], intercepts[:2], X, y, alpha=0.1, coef_grads=network_grads[:2],
        intercept_grads=network_grads[2:],
    )
    np.testing.assert_allclose(joint, plain + 0.05 * np.vdot(coefs[2], coefs[2]), rtol=1e-12)
    for mine, theirs in zip(grads[:2] + grads[3:5], network_grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)


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


# --- sample weights, the multilabel and regression heads ---
# (user guide, "Regression, multilabel, sample weights ...")


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


@pytest.mark.parametrize(
    "hidden, sparse_input",
    # Sparse input only reaches networks with hidden layers (the softmax
    # alone trains on dense codes).
    [((), False), ((6,), False), ((7, 5), False), ((6,), True), ((7, 5), True)],
    ids=["softmax", "1-hidden", "2-hidden", "1-hidden-sparse", "2-hidden-sparse"],
)
@pytest.mark.parametrize("eta", [0.0, 0.8])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_consistency_gradient(hidden, eta, weighted, sparse_input):
    rng = np.random.RandomState(6)
    X = rng.uniform(size=(20, 9))
    if sparse_input:
        X[X < 0.4] = 0
        X = sp.csr_matrix(X)
    y = np.arange(20) % 3
    y[::4] = -1  # unlabeled rows enter the entropy and consistency terms
    pairs = noisy_pairs(X, 0.3, rng)
    assert pairs.shape == (40, 9)
    weights = rng.uniform(0.5, 2, size=20) if weighted else None
    shapes = parameter_shapes([9, *hidden, 3])
    loss_grad = flat_loss_grad(
        consistency_loss_grad,
        shapes,
        X=pairs,
        y=y,
        alpha=1e-2,
        entropy_weight=eta,
        consistency_weight=2.0,
        sample_weight=weights,
    )
    theta = random_theta(shapes, rng)
    assert_gradient_is_correct(loss_grad, theta)


def test_consistency_cost_matches_the_equations():
    # J = cost of the clean rows + kappa mean_i ||p(x_i) - p(x~_i)||^2.
    rng = np.random.RandomState(7)
    X = rng.uniform(size=(15, 5))
    y = np.arange(15) % 3
    y[:5] = -1
    pairs = noisy_pairs(X, 0.5, rng)
    np.testing.assert_array_equal(pairs[:15], X)
    masked = pairs[15:] == 0
    assert 0.3 < masked.mean() < 0.7 and np.all(pairs[15:][~masked] == X[~masked])
    shapes = parameter_shapes([5, 4, 3])
    theta = random_theta(shapes, rng, scale=1.0)
    with_term = flat_loss_grad(
        consistency_loss_grad,
        shapes,
        X=pairs,
        y=y,
        alpha=0.1,
        entropy_weight=0.3,
        consistency_weight=1.5,
    )(theta)[0]
    without = flat_loss_grad(network_loss_grad, shapes, X=X, y=y, alpha=0.1, entropy_weight=0.3)(
        theta
    )[0]
    W1, W2, b1, b2 = unpack(theta, shapes)

    def proba(X):
        z = expit(X @ W1 + b1) @ W2 + b2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    expected = 1.5 * np.mean(np.sum((proba(X) - proba(pairs[15:])) ** 2, axis=1))
    np.testing.assert_allclose(with_term - without, expected, rtol=1e-12)


def test_consistency_needs_a_softmax_output():
    X = np.random.RandomState(0).uniform(size=(4, 3))
    shapes = parameter_shapes([3, 2])
    with pytest.raises(ValueError, match="needs a softmax output; got 'logistic'"):
        flat_loss_grad(
            consistency_loss_grad,
            shapes,
            X=np.vstack([X, X]),
            y=np.zeros((4, 2)),
            alpha=0.1,
            consistency_weight=1.0,
            output="logistic",
        )(np.zeros(8))
