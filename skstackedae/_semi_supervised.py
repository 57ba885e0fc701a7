"""Pure array functions for the semi-supervised terms of fine-tuning.

The labeled cross-entropy and the entropy of the unlabeled predictions are
the network's own cost (:func:`~skstackedae._network.network_loss_grad`);
this module adds the two terms that need more than the network's output
(user guide, "Learning from unlabeled data"):

- the consistency term, which compares each row's prediction with that of a
  copy of the row under masking or swap noise, or with that of one of its
  nearest neighbours (:func:`consistency_loss_grad`, on the rows built by
  :func:`noisy_pairs`);
- the reconstruction of every row through the stacked decoders
  (:func:`semi_supervised_loss_grad`).
"""

import numpy as np
from scipy import sparse
from scipy.special import log_softmax
from sklearn.neighbors import NearestNeighbors

from ._network import (
    inplace_logistic,
    inplace_logistic_derivative_times,
    mask_corrupt,
    network_loss_grad,
    normalized_weights,
    softmax_output,
    subtract_into,
    swap_corrupt,
)

#: The noises of the consistency term, by the name ``consistency_noise`` takes
#: (and "neighbours", which needs :func:`nearest_neighbours` first).
NOISES = {"mask": mask_corrupt, "swap": swap_corrupt}

#: consistency_noise="neighbours": the copy of a row is one of its this many
#: nearest rows (Euclidean, in the input space). LabelSpreading's default
#: graph has 7; 10 is what was measured (user guide, "Neighbours as the noise").
N_NEIGHBOURS = 10


def nearest_neighbours(X, n_neighbors=N_NEIGHBOURS):
    """Indices of each row's ``n_neighbors`` nearest other rows of ``X``
    (fewer if ``X`` has fewer other rows; a lone row is its own neighbour),
    shape ``(m, k)``: the graph of ``consistency_noise="neighbours"``."""
    m = X.shape[0]
    if m == 1:
        return np.zeros((1, 1), dtype=np.intp)
    # kneighbors() without a query never counts a row as its own neighbour.
    search = NearestNeighbors(n_neighbors=min(n_neighbors, m - 1)).fit(X)
    return search.kneighbors(return_distance=False)


def neighbour_copies(X, neighbours, rng):
    """Each row of ``X`` replaced by one of its ``neighbours`` (the rows of
    :func:`nearest_neighbours`), drawn at random: consistency over pairs of
    nearby rows is a sampled graph-smoothness penalty (manifold
    regularisation, Belkin et al. 2006; EmbedNN, Weston et al. 2008)."""
    m, k = neighbours.shape
    return X[neighbours[np.arange(m), rng.randint(k, size=m)]]


def noisy_pairs(X, corruption, rng, noise="mask", neighbours=None):
    """``X`` on top of a copy of it under ``noise`` (a key of :data:`NOISES`,
    or "neighbours": each row replaced by one of its ``neighbours``,
    ``corruption`` unused), the input of :func:`consistency_loss_grad`: shape
    ``(2 * m, n_features)``, sparse (CSR) if ``X`` is (not with "swap")."""
    if noise == "neighbours":
        noisy = neighbour_copies(X, neighbours, rng)
    else:
        noisy = NOISES[noise](X, corruption, rng)
    if sparse.issparse(X):
        return sparse.vstack([X, noisy], format="csr")
    return np.concatenate([X, noisy])


def consistency_loss_grad(
    coefs, intercepts, X, y, *, consistency_weight, entropy_weight=0.0, output="softmax",
    **kwargs,
):
    """The network's cost plus the consistency term, and its gradient.

    ``X`` holds ``2m`` rows: the ``m`` rows the targets describe, then a
    noisy copy of each (:func:`noisy_pairs`). With ``kappa =
    consistency_weight`` the cost adds to
    :func:`~skstackedae._network.network_loss_grad`'s (on the first ``m``
    rows)::

        kappa sum_i v_i ||P(. | x_i) - P(. | x~_i)||^2

    with ``v_i = s_i / sum(s)`` over every row (``1/m`` without sample
    weights): the prediction of a row should not change when its input is
    corrupted (the Pi-model consistency of Laine & Aila 2017, Sajjadi et
    al. 2016), on labeled and unlabeled rows alike. Softmax output only.
    Other parameters are :func:`~skstackedae._network.network_loss_grad`'s.

    Returns
    -------
    loss : float
    """
    if output != "softmax":
        raise ValueError(f"The consistency term needs a softmax output; got {output!r}.")

    def output_loss_grad(logits, y, sample_weight):
        return consistency_output(logits, y, sample_weight, entropy_weight, consistency_weight)

    return network_loss_grad(
        coefs, intercepts, X, y, output_loss_grad=output_loss_grad, **kwargs
    )


def consistency_output(logits, y, sample_weight, entropy_weight, consistency_weight):
    """Turn the ``2m`` rows of ``logits`` (rows, then their noisy copies) into
    dJ/dlogits for :func:`softmax_output`'s cost of the first ``m`` plus the
    consistency ``kappa sum_i v_i ||p_i - q_i||^2``; return J."""
    m = y.shape[0]
    clean, noisy = logits[:m], logits[m:]
    p = np.exp(log_softmax(clean, axis=1))
    q = np.exp(log_softmax(noisy, axis=1), out=noisy)
    loss = softmax_output(clean, y, sample_weight, entropy_weight)
    v = normalized_weights(sample_weight, m, p.dtype)
    difference = p - q
    row_loss = np.einsum("ij,ij->i", difference, difference)
    if v is None:
        loss += consistency_weight * float(np.sum(row_loss, dtype=np.float64)) / m
        difference *= 2 * consistency_weight / m  # dC/dp = -dC/dq
    else:
        loss += consistency_weight * float(np.sum(v[:, 0] * row_loss, dtype=np.float64))
        difference *= 2 * consistency_weight * v
    # Through the softmax: dC/dz = p * (g - <g, p>) for g = dC/dp.
    clean += p * (difference - np.einsum("ij,ij->i", difference, p)[:, None])
    noisy *= np.einsum("ij,ij->i", difference, q)[:, None] - difference
    return loss


def semi_supervised_loss_grad(
    coefs,
    intercepts,
    X,
    y,
    *,
    alpha,
    reconstruction_weight,
    decoder,
    coef_grads,
    intercept_grads,
    buffers=None,
    entropy_weight=0.0,
    sample_weight=None,
    output_alpha=0.0,
):
    """The fine-tuning cost plus the reconstruction of every row (user guide,
    "Learning from unlabeled data").

    The parameters are the encoder stack ``W_1..W_k``, the softmax ``W_out``
    and the decoder stack ``V_k..V_1`` (each autoencoder's decoder, top layer
    first): ``coefs = [W_1, ..., W_k, W_out, V_k, ..., V_1]``, and the same
    for ``intercepts``. With ``D_k = A_k`` the top codes,
    ``D_{l-1} = f_l(D_l V_l + c_l)`` (the sigmoid, and the first
    autoencoder's ``decoder`` for ``l = 1``) and ``X_hat = D_0``::

        J = network_loss_grad's J (labeled cross-entropy, entropy)
            + gamma/2 sum_i v_i ||x_hat_i - x_i||^2 + alpha/2 sum_l ||V_l||^2

    with ``gamma = reconstruction_weight`` (Ranzato & Szummer 2008) and
    ``v_i = s_i / sum(s)`` over every row (``1/m`` without sample weights).

    Parameters are those of :func:`network_loss_grad` (``output_alpha`` on
    ``W_out``), plus
    ``reconstruction_weight`` and ``decoder`` ({"logistic", "linear"}).

    Returns
    -------
    loss : float
    """
    k = (len(coefs) - 1) // 2
    network = slice(0, k + 1)
    V, c = coefs[k + 1 :], intercepts[k + 1 :]
    V_grads, c_grads = coef_grads[k + 1 :], intercept_grads[k + 1 :]
    m = X.shape[0]
    v = normalized_weights(sample_weight, m, coefs[0].dtype)

    def reconstruction_loss_grad(top):
        # Forward through the decoders, top first.
        outputs = [top]
        for layer, (W, b) in enumerate(zip(V, c)):
            D = outputs[-1] @ W
            D += b
            if layer < k - 1 or decoder == "logistic":
                inplace_logistic(D)
            outputs.append(D)
        delta = subtract_into(outputs[-1].copy(), X)
        if v is None:
            loss = 0.5 * reconstruction_weight * float(np.vdot(delta, delta)) / m
            delta *= reconstruction_weight / m
        else:
            row_loss = np.einsum("ij,ij->i", delta, delta)
            loss = 0.5 * reconstruction_weight * float(np.sum(v[:, 0] * row_loss))
            delta *= reconstruction_weight * v
        loss += 0.5 * alpha * sum(float(np.vdot(W, W)) for W in V)
        # Backward: delta is dJ/d(pre-activation) of decoder `layer`.
        if decoder == "logistic":
            inplace_logistic_derivative_times(delta, outputs[-1])
        for layer in range(k - 1, -1, -1):
            below = outputs[layer]
            np.matmul(below.T, delta, out=V_grads[layer])
            V_grads[layer] += alpha * V[layer]
            np.sum(delta, axis=0, out=c_grads[layer])
            delta = delta @ V[layer].T
            if layer > 0:  # below is a decoder's sigmoid output, not needed again
                inplace_logistic_derivative_times(delta, below)
        return loss, delta  # dJ/d(top codes)

    return network_loss_grad(
        coefs[network], intercepts[network], X, y, alpha=alpha,
        coef_grads=coef_grads[network], intercept_grads=intercept_grads[network],
        buffers=buffers, entropy_weight=entropy_weight, sample_weight=sample_weight,
        top_loss_grad=reconstruction_loss_grad, output_alpha=output_alpha,
    )
