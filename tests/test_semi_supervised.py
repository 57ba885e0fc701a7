"""The pure math of _semi_supervised: the consistency and reconstruction terms
against the equations and finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp
from gradient_check import (
    assert_gradient_is_correct,
    flat_loss_grad,
    random_theta,
)
from scipy.special import expit

from skstackedae._network import (
    network_loss_grad,
    parameter_shapes,
    unpack,
)
from skstackedae._semi_supervised import (
    N_NEIGHBOURS,
    consistency_loss_grad,
    nearest_neighbours,
    noisy_pairs,
    semi_supervised_loss_grad,
)


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
        reconstruction_weight=gamma, entropy_weight=eta, decoder=decoder, output_alpha=0.2,
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


@pytest.mark.parametrize("sparse_input", [False, True], ids=["dense", "sparse"])
def test_neighbour_copies_are_drawn_from_each_rows_nearest_other_rows(sparse_input):
    rng = np.random.RandomState(8)
    X = rng.uniform(size=(40, 6))
    distances = np.linalg.norm(X[:, None] - X[None], axis=2)
    np.fill_diagonal(distances, np.inf)  # a row is never its own neighbour
    expected = np.sort(np.argsort(distances, axis=1)[:, :N_NEIGHBOURS], axis=1)
    Xin = sp.csr_matrix(X) if sparse_input else X
    neighbours = nearest_neighbours(Xin)
    np.testing.assert_array_equal(np.sort(neighbours, axis=1), expected)

    pairs = noisy_pairs(Xin, 0.3, np.random.RandomState(0), "neighbours", neighbours)
    assert sp.issparse(pairs) == sparse_input
    pairs = pairs.toarray() if sparse_input else pairs
    np.testing.assert_array_equal(pairs[:40], X)
    # Each copy is a whole row of X, one of its row's neighbours, at random.
    picked = np.argmin(np.linalg.norm(pairs[40:, None] - X[None], axis=2), axis=1)
    np.testing.assert_array_equal(pairs[40:], X[picked])
    assert all(picked[i] in neighbours[i] for i in range(40))
    assert len(set(np.flatnonzero(neighbours == picked[:, None]) % N_NEIGHBOURS)) > 5
    again = noisy_pairs(X, 0.3, np.random.RandomState(0), "neighbours", neighbours)
    np.testing.assert_array_equal(again, pairs)  # seeded


def test_nearest_neighbours_of_few_rows():
    X = np.array([[0.0], [1.0], [3.0]])
    np.testing.assert_array_equal(nearest_neighbours(X), [[1, 2], [0, 2], [1, 0]])
    np.testing.assert_array_equal(nearest_neighbours(X[:1]), [[0]])  # a lone row
