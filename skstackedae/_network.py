"""Pure array functions: forward passes, costs and their gradients.

Everything here works on plain NumPy arrays (and SciPy sparse matrices for the
network input) and knows nothing about estimators. The equations are the ones
of the user guide (``doc/user_guide.rst``) and of the UFLDL tutorial; the
variable names follow them:
``W``/``b`` are weights and biases, ``A`` activations, ``delta`` the gradient
of the cost with respect to a layer's pre-activation. The ``1/m`` of the mean
is applied wherever it touches the fewest numbers, so every weight gradient is
a single matrix product.

Layout convention (scikit-learn's ``MLPClassifier``): ``coefs[i]`` has shape
``(fan_in, fan_out)`` and a batch ``X`` has one sample per row, so a layer is
``X @ W + b``.
"""

import numpy as np
from scipy import sparse
from scipy.special import log_softmax


def parameter_shapes(layer_units):
    """Shapes of the weights, then of the biases, of a fully connected network.

    Parameters
    ----------
    layer_units : sequence of int
        Number of units of each layer, input layer first.

    Returns
    -------
    shapes : list of tuple
        ``len(layer_units) - 1`` weight shapes followed by as many bias shapes.
    """
    fans = list(zip(layer_units[:-1], layer_units[1:]))
    return fans + [(fan_out,) for _, fan_out in fans]


def pack(arrays, dtype=None):
    """Concatenate arrays into one flat vector (weights first, then biases)."""
    return np.concatenate([np.ravel(a) for a in arrays]).astype(dtype, copy=False)


def unpack(flat, shapes):
    """Split a flat vector into views of the given shapes.

    The returned arrays share memory with ``flat``: writing into them writes
    into the flat vector, so an optimiser's step needs no copy back.
    """
    sizes = [int(np.prod(shape)) for shape in shapes]
    if sum(sizes) != flat.shape[0]:
        raise ValueError(
            f"flat parameter vector has {flat.shape[0]} entries, "
            f"the shapes need {sum(sizes)}"
        )
    offsets = np.cumsum([0] + sizes)
    return [
        flat[start:end].reshape(shape)
        for start, end, shape in zip(offsets[:-1], offsets[1:], shapes)
    ]


def inplace_logistic(Z):
    """Logistic sigmoid in place, as ``(1 + tanh(z / 2)) / 2``.

    Equal to ``scipy.special.expit`` to rounding, but NumPy's vectorised
    ``tanh`` makes it about 2.5x (float64) to 7x (float32) faster, and this is
    the hottest element-wise operation of every cost. It cannot overflow.
    """
    Z *= 0.5
    np.tanh(Z, out=Z)
    Z *= 0.5
    Z += 0.5
    return Z


def inplace_logistic_derivative_times(delta, A):
    """``delta *= A * (1 - A)``, destroying ``A`` (the sigmoid's output)."""
    delta *= A
    np.subtract(1, A, out=A)
    delta *= A


def get_buffer(buffers, key, shape, dtype):
    """A work array from ``buffers`` (a dict), allocated on first use.

    Loss functions are called hundreds of times with the same shapes; reusing
    their large intermediates avoids fresh page-faulting allocations per call.
    With ``buffers=None`` a new array is returned.
    """
    if buffers is None:
        return np.empty(shape, dtype=dtype)
    # Keyed by shape too: mini-batch fits alternate between a full batch and
    # a shorter last one, and each keeps its own arrays.
    key = (key, shape, np.dtype(dtype))
    buffer = buffers.get(key)
    if buffer is None:
        buffer = buffers[key] = np.empty(shape, dtype=dtype)
    return buffer


def dot_into(A, B, out):
    """``out[...] = A @ B``; ``A`` may be a scipy sparse matrix."""
    if sparse.issparse(A):
        out[...] = A @ B
    else:
        np.matmul(A, B, out=out)
    return out


def subtract_into(out, X):
    """``out -= X`` for a dense or scipy-sparse ``X`` (sparse stays sparse)."""
    if sparse.issparse(X):
        coo = X.tocoo()
        coo.sum_duplicates()
        out[coo.row, coo.col] -= coo.data
    else:
        out -= X
    return out


def encode(X, W, b, out=None):
    """Hidden activations ``sigmoid(X @ W + b)``, into ``out`` if given."""
    if out is None:
        out = np.empty((X.shape[0], W.shape[1]), dtype=W.dtype)
    dot_into(X, W, out)
    out += b
    return inplace_logistic(out)


def decode(H, W, b, decoder, out=None):
    """Reconstruction ``g(H @ W + b)``; ``g`` is the sigmoid or the identity."""
    out = np.matmul(H, W, out=out)
    out += b
    if decoder == "logistic":
        inplace_logistic(out)
    return out


#: Largest block of the autoencoder's decoder side (reconstruction and its
#: error, each as large as the input) held at once: rows are processed in
#: chunks of about this many elements (32 MiB in float64). Measured on MNIST
#: (784 features): see the benchmarks page, "Scaling".
RECONSTRUCTION_CHUNK_ELEMENTS = 2**22


def row_chunks(m, n_features, elements=None):
    """Slices of ``m`` rows, each about ``elements`` values of ``n_features``
    columns (``RECONSTRUCTION_CHUNK_ELEMENTS`` when None; one slice when they
    all fit)."""
    elements = RECONSTRUCTION_CHUNK_ELEMENTS if elements is None else elements
    rows_per_chunk = max(1, elements // max(n_features, 1))
    return [slice(start, min(start + rows_per_chunk, m)) for start in range(0, m, rows_per_chunk)]


def mean_reconstruction_error(X, coefs, intercepts, decoder, sample_weight=None):
    """``1/(2m) sum_i ||x_hat_i - x_i||^2``, the reconstruction term of ``J``
    (a weighted mean with ``sample_weight``)."""
    squared_errors = np.empty(X.shape[0], dtype=np.float64)
    for rows in row_chunks(*X.shape):  # chunks: see autoencoder_loss_grad
        H = encode(X[rows], coefs[0], intercepts[0])
        diff = subtract_into(decode(H, coefs[1], intercepts[1], decoder), X[rows])
        squared_errors[rows] = np.einsum("ij,ij->i", diff, diff)
    return 0.5 * float(np.average(squared_errors, weights=sample_weight))


def kl_divergence(rho, rho_hat):
    """Sum over units of KL(rho || rho_hat) between Bernoulli distributions."""
    return np.sum(
        rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    )


def _clip_probability(p):
    # Keep the mean activation away from 0 and 1 so that KL and its gradient
    # stay finite when a unit saturates; the clip is inactive otherwise.
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps, out=p)


def autoencoder_loss_grad(
    coefs,
    intercepts,
    X_input,
    X_target,
    *,
    alpha,
    sparsity_target,
    sparsity_weight,
    decoder,
    coef_grads,
    intercept_grads,
    buffers=None,
    sample_weight=None,
):
    """Sparse autoencoder cost (user guide, "The sparse autoencoder") and its gradient.

    With sample weights ``s``, every mean over rows (the reconstruction
    error and each unit's mean activation ``rho_hat``) is the weighted mean
    ``sum_i s_i (.) / sum_i s_i`` (user guide, "Regression, multilabel,
    sample weights ..."), so integer weights give the cost of repeated rows.

    Parameters
    ----------
    coefs : list of two ndarray
        ``[W1, W2]`` of shapes ``(n_features, n_hidden)`` and
        ``(n_hidden, n_features)``.
    intercepts : list of two ndarray
        ``[b1, b2]``.
    X_input : {ndarray, sparse matrix} of shape (m, n_features)
        What the encoder sees: the data, or its corrupted copy when denoising.
    X_target : {ndarray, sparse matrix} of shape (m, n_features)
        What the decoder must reproduce: always the clean data.
    alpha : float
        Weight decay ``lambda`` (on the weights only).
    sparsity_target : float
        Target mean activation ``rho``.
    sparsity_weight : float
        Weight ``beta`` of the KL sparsity penalty.
    decoder : {"logistic", "linear"}
        Output non-linearity ``g``.
    coef_grads, intercept_grads : list of ndarray
        Written in place with the gradient, same shapes as the parameters.
    buffers : dict or None
        Work arrays reused across calls (see :func:`get_buffer`).
    sample_weight : ndarray of shape (m,) or None, default=None
        Weight of each row; None weighs them alike.

    Returns
    -------
    loss : float
        ``J``, reconstruction + weight decay + sparsity.
    """
    W1, W2 = coefs
    b1, b2 = intercepts
    m, n_features = X_target.shape
    dtype = W1.dtype

    A2 = encode(X_input, W1, b1, get_buffer(buffers, "A2", (m, W1.shape[1]), dtype))
    # w: each row's share of every mean over samples (None: 1/m, the fast path).
    w = normalized_weights(sample_weight, m, dtype)
    rho_hat = A2.mean(axis=0) if w is None else (w.T @ A2)[0]
    rho_hat = _clip_probability(rho_hat)
    delta2 = get_buffer(buffers, "delta2", A2.shape, dtype)

    # The decoder side (X_hat and delta3, as large as the input) is computed
    # chunk by chunk of rows, so that the cost holds two chunks of that size
    # instead of two copies of the whole input; one chunk is the whole input
    # up to RECONSTRUCTION_CHUNK_ELEMENTS.
    loss = 0.0
    for rows in row_chunks(m, n_features):
        n_rows = rows.stop - rows.start
        X_hat = decode(A2[rows], W2, b2, decoder,
                       get_buffer(buffers, "X_hat", (n_rows, n_features), dtype))
        delta3 = get_buffer(buffers, "delta3", (n_rows, n_features), dtype)
        X_rows = X_target[rows]
        if sparse.issparse(X_rows):
            delta3[...] = X_hat
            subtract_into(delta3, X_rows)
        else:
            np.subtract(X_hat, X_rows, out=delta3)
        if w is None:
            loss += 0.5 * float(np.vdot(delta3, delta3)) / m
        else:
            loss += 0.5 * float(np.sum(w[rows, 0] * np.einsum("ij,ij->i", delta3, delta3)))

        # m * delta3 = (x_hat - x) * g'(z3). The 1/m is applied to the smaller
        # arrays that come out of it (the gradients and delta2), not to delta3.
        # With sample weights each row is scaled by m * w_i instead.
        if decoder == "logistic":
            inplace_logistic_derivative_times(delta3, X_hat)
        if w is not None:
            delta3 *= m * w[rows]
        if rows.start == 0:
            np.matmul(A2[rows].T, delta3, out=coef_grads[1])
            np.sum(delta3, axis=0, out=intercept_grads[1])
        else:
            coef_grads[1] += A2[rows].T @ delta3
            intercept_grads[1] += np.sum(delta3, axis=0)
        np.matmul(delta3, W2.T, out=delta2[rows])
    loss += 0.5 * alpha * float(np.vdot(W1, W1) + np.vdot(W2, W2))
    loss += sparsity_weight * float(kl_divergence(sparsity_target, rho_hat))

    coef_grads[1] *= 1.0 / m
    coef_grads[1] += alpha * W2
    intercept_grads[1] *= 1.0 / m

    # delta2 = (delta3 W2^T + beta (-rho/rho_hat + (1-rho)/(1-rho_hat)) m w_i) / m * f'(z2)
    sparsity_grad = sparsity_weight * (
        -sparsity_target / rho_hat + (1 - sparsity_target) / (1 - rho_hat)
    )
    if w is None:
        delta2 += sparsity_grad.astype(dtype, copy=False)
    else:
        delta2 += (m * w) * sparsity_grad.astype(dtype, copy=False)
    delta2 *= 1.0 / m
    inplace_logistic_derivative_times(delta2, A2)

    dot_into(X_input.T, delta2, coef_grads[0])
    coef_grads[0] += alpha * W1
    np.sum(delta2, axis=0, out=intercept_grads[0])
    return loss


def forward_hidden(X, coefs, intercepts, buffers=None):
    """Activations of every sigmoid layer: ``[X, A1, ..., Ak]``."""
    activations = [X]
    for layer, (W, b) in enumerate(zip(coefs, intercepts)):
        shape = (X.shape[0], W.shape[1])
        out = get_buffer(buffers, ("A", layer), shape, W.dtype)
        activations.append(encode(activations[-1], W, b, out))
    return activations


def predict_log_proba(X, coefs, intercepts):
    """Log class probabilities of a sigmoid network with a softmax output."""
    hidden = forward_hidden(X, coefs[:-1], intercepts[:-1])[-1]
    logits = hidden @ coefs[-1]
    logits += intercepts[-1]
    return log_softmax(logits, axis=1)


def predict_output(X, coefs, intercepts, output):
    """Output of a sigmoid network whose output unit is ``output``
    ({"softmax", "logistic", "identity"})."""
    if output == "softmax":
        return np.exp(predict_log_proba(X, coefs, intercepts))
    hidden = forward_hidden(X, coefs[:-1], intercepts[:-1])[-1]
    out = hidden @ coefs[-1]
    out += intercepts[-1]
    return inplace_logistic(out) if output == "logistic" else out


#: The loss each output unit is paired with by default: the canonical pairs,
#: whose gradient with respect to the output's pre-activation is
#: ``output - target`` (as in scikit-learn's MLP). The deep autoencoder
#: pairs a "logistic" output with "squared_error" (UFLDL's reconstruction).
DEFAULT_LOSS = {
    "softmax": "log_loss",
    "logistic": "binary_log_loss",
    "identity": "squared_error",
}


def rescale_output_layer(coefs, intercepts, mean, scale):
    """The network whose output is ``mean + scale * output`` of the given
    network's (per output unit), by scaling its last layer: the same
    function, one layer changed. ``unscale_output_layer`` is its inverse."""
    W, b = coefs[-1], intercepts[-1]
    return (
        list(coefs[:-1]) + [(W * scale).astype(W.dtype, copy=False)],
        list(intercepts[:-1]) + [(b * scale + mean).astype(b.dtype, copy=False)],
    )


def unscale_output_layer(coefs, intercepts, mean, scale):
    """The inverse of :func:`rescale_output_layer`: the network whose output
    is ``(output - mean) / scale`` of the given network's."""
    W, b = coefs[-1], intercepts[-1]
    return (
        list(coefs[:-1]) + [(W / scale).astype(W.dtype, copy=False)],
        list(intercepts[:-1]) + [((b - mean) / scale).astype(b.dtype, copy=False)],
    )


def feature_moments(X, sample_weight=None):
    """``(means, variances)``: the (weighted) mean and variance of each
    feature of ``X``, in float64. ``X`` may be sparse."""
    n_features = X.shape[1]
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w is not None and w.sum() == 0:
        return np.zeros(n_features), np.zeros(n_features)
    if sparse.issparse(X):
        X = X.tocsr()
        if w is None:
            w = np.ones(X.shape[0])
        w = w / w.sum()
        mean = np.asarray(X.T @ w).ravel()
        mean_sq = np.asarray(X.multiply(X).T @ w).ravel()
        return mean, np.maximum(mean_sq - mean**2, 0.0)
    if X.size <= RECONSTRUCTION_CHUNK_ELEMENTS:  # small: np.var's sums, as before
        if w is None:
            return X.mean(axis=0, dtype=np.float64), np.var(X, axis=0, dtype=np.float64)
        mean = np.average(X, axis=0, weights=w)
        return mean, np.average((X - mean) ** 2, axis=0, weights=w)
    # Larger inputs: two passes over chunks of 2**19 values (4 MiB in
    # float64). np.var(X, dtype=np.float64) held a float64 copy of the whole
    # input, twice a float32 input: the memory peak of a default fit on
    # 50,000 MNIST digits, 451 MiB beyond the data, now 301 MiB.
    w = np.full(X.shape[0], 1.0 / X.shape[0]) if w is None else w / w.sum()
    chunks = row_chunks(*X.shape, elements=2**19)
    mean = sum(w[rows] @ X[rows].astype(np.float64) for rows in chunks)
    variances = np.zeros(n_features)
    for rows in chunks:
        deviations = X[rows] - mean
        variances += w[rows] @ (deviations * deviations)
    return mean, variances


def total_variance(X, sample_weight=None):
    """Sum over features of the (weighted) variance of ``X``: the mean
    squared distance of a row to the mean row, i.e. the reconstruction error
    of an autoencoder that outputs the mean (times 2). ``X`` may be sparse.
    """
    return float(np.sum(feature_moments(X, sample_weight)[1]))


def normalized_weights(sample_weight, m, dtype):
    """Per-row weights ``s_i / sum(s)`` as a column, or None for ``1/m``."""
    if sample_weight is None:
        return None
    total = float(np.sum(sample_weight, dtype=np.float64))
    if total == 0:  # a mini-batch of zero-weight rows: it adds nothing
        return np.zeros((m, 1), dtype=dtype)
    return (np.asarray(sample_weight, dtype=dtype) / dtype.type(total))[:, None]


def network_loss_grad(
    coefs,
    intercepts,
    X,
    y,
    *,
    alpha,
    coef_grads,
    intercept_grads,
    buffers=None,
    output="softmax",
    loss=None,
    sample_weight=None,
    entropy_weight=0.0,
    output_loss_grad=None,
    top_loss_grad=None,
    output_alpha=0.0,
):
    """Cost of a sigmoid network with an output layer, and its gradient.

    With no hidden layer this is UFLDL's softmax regression; with hidden
    layers it is the fine-tuning cost (user guide: "Stacked
    autoencoders", and "Regression, multilabel, sample weights ...")::

        J = sum_i w_i L(y_i, out(x_i))
            + eta sum_{i unlabeled} u_i H(P(. | x_i))
            + alpha/2 sum_l ||W_l||^2 + alpha_out/2 ||W_out||^2

    with ``w_i = s_i / sum_{labeled} s`` (``1/m`` without sample weights),
    ``L`` the loss of the output unit: the cross-entropy ``-log P(y_i|x_i)``
    for "softmax", the binary cross-entropy summed over the labels for
    "logistic" (multilabel), ``1/2 ||out(x_i) - y_i||^2`` for
    "squared_error". Rows with ``y_i = -1`` (softmax only) are unlabeled,
    weighted by ``u_i = s_i / sum_{unlabeled} s``; ``eta = entropy_weight``
    and ``H(p) = -sum_c p_c log p_c`` is the entropy of the prediction
    (entropy minimisation, Grandvalet & Bengio 2005: it moves the decision
    boundaries away from dense regions of unlabeled rows). ``alpha_out =
    output_alpha`` adds to the output layer's weight decay.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Weights and biases, the last pair being the output layer.
    X : {ndarray, sparse matrix} of shape (m, n_features)
        Network input.
    y : ndarray
        For "softmax": class indices of shape (m,) in ``[0, n_classes)``, -1
        marking an unlabeled row. Otherwise targets of shape (m, n_outputs)
        (a sparse matrix is accepted with "squared_error").
    alpha : float
        Weight decay on every weight matrix (not on the biases).
    coef_grads, intercept_grads : list of ndarray
        Written in place with the gradient.
    buffers : dict or None
        Work arrays reused across calls (see :func:`get_buffer`).
    output : {"softmax", "logistic", "identity"}, default="softmax"
        Output unit.
    loss : {"log_loss", "binary_log_loss", "squared_error"} or None
        Loss; None takes ``DEFAULT_LOSS[output]``.
    sample_weight : ndarray of shape (m,) or None, default=None
        ``s`` above; None weighs every row alike.
    entropy_weight : float, default=0.0
        ``eta`` above.
    output_loss_grad : callable or None, default=None
        Replaces the output unit's loss: ``output_loss_grad(logits, y,
        sample_weight) -> loss`` overwrites ``logits`` with ``dJ/dlogits``
        (the consistency term of :mod:`skstackedae._semi_supervised`).
    output_alpha : float, default=0.0
        Weight decay on the output layer's weight matrix, on top of ``alpha``.
    top_loss_grad : callable or None, default=None
        An extra cost on the top hidden codes ``A``:
        ``top_loss_grad(A) -> (loss, dJ/dA)``, added to ``J`` and
        backpropagated through the hidden layers with the rest (see
        :func:`~skstackedae._semi_supervised.semi_supervised_loss_grad`).

    Returns
    -------
    loss : float
    """
    m = X.shape[0]
    dtype = coefs[0].dtype
    activations = forward_hidden(X, coefs[:-1], intercepts[:-1], buffers)
    n_outputs = coefs[-1].shape[1]
    logits = get_buffer(buffers, "logits", (m, n_outputs), dtype)
    np.matmul(activations[-1], coefs[-1], out=logits)
    logits += intercepts[-1]
    cost = 0.5 * alpha * sum(float(np.vdot(W, W)) for W in coefs)
    if output_alpha:
        cost += 0.5 * output_alpha * float(np.vdot(coefs[-1], coefs[-1]))
    loss = DEFAULT_LOSS[output] if loss is None else loss
    # delta = dJ/dlogits, in the logits buffer.
    if output_loss_grad is not None:
        cost += output_loss_grad(logits, y, sample_weight)
    elif output == "softmax":
        cost += softmax_output(logits, y, sample_weight, entropy_weight)
    else:
        cost += _elementwise_output(logits, y, output, loss, sample_weight)
    delta = logits
    extra_loss, extra_delta = (
        (0.0, None) if top_loss_grad is None else top_loss_grad(activations[-1])
    )
    cost += extra_loss

    for layer in range(len(coefs) - 1, -1, -1):
        A = activations[layer]
        dot_into(A.T, delta, coef_grads[layer])
        coef_grads[layer] += alpha * coefs[layer]
        if layer == len(coefs) - 1 and output_alpha:
            coef_grads[layer] += output_alpha * coefs[layer]
        np.sum(delta, axis=0, out=intercept_grads[layer])
        if layer > 0:
            out = get_buffer(buffers, ("delta", layer), A.shape, dtype)
            delta = np.matmul(delta, coefs[layer].T, out=out)
            if extra_delta is not None and layer == len(coefs) - 1:
                delta += extra_delta
            inplace_logistic_derivative_times(delta, A)  # A is not needed again
    return cost


def softmax_output(logits, y, sample_weight, entropy_weight):
    """Turn ``logits`` into dJ/dlogits for the cross-entropy of the labeled
    rows and the entropy of the unlabeled ones (``y == -1``); return J."""
    log_proba = log_softmax(logits, axis=1)
    proba = np.exp(log_proba, out=logits)
    m = y.shape[0]
    if m and y.min() >= 0 and sample_weight is None:  # the fast path
        rows = np.arange(m)
        loss = -float(np.sum(log_proba[rows, y], dtype=np.float64)) / m
        proba[rows, y] -= 1
        proba *= 1.0 / m
        return loss
    weights = np.ones(m, dtype=proba.dtype) if sample_weight is None else sample_weight
    labeled, unlabeled = np.flatnonzero(y >= 0), np.flatnonzero(y < 0)
    loss = 0.0
    if unlabeled.shape[0] and entropy_weight:
        p, log_p = proba[unlabeled], log_proba[unlabeled]
        entropy = -np.sum(p * log_p, axis=1)
        u = entropy_weight * normalized_weights(weights[unlabeled], unlabeled.shape[0], proba.dtype)
        loss += float(np.sum(u[:, 0] * entropy, dtype=np.float64))
        # dH/dz_j = -p_j (log p_j + H)
        proba[unlabeled] = -u * p * (log_p + entropy[:, None])
    else:
        proba[unlabeled] = 0
    if labeled.shape[0]:
        w = normalized_weights(weights[labeled], labeled.shape[0], proba.dtype)
        loss -= float(np.sum(w[:, 0] * log_proba[labeled, y[labeled]], dtype=np.float64))
        proba[labeled, y[labeled]] -= 1
        proba[labeled] *= w
    return loss


def mask_corrupt(X, corruption, rng):
    """Masking noise: set a random fraction ``corruption`` of the entries to 0.

    For a sparse ``X`` only the stored entries are drawn (zeroing a zero
    changes nothing), so the input stays sparse.
    """
    if corruption == 0:
        return X
    if sparse.issparse(X):
        X = X.copy()
        X.data *= rng.uniform(size=X.data.shape) >= corruption
        return X
    return X * (rng.uniform(size=X.shape) >= corruption).astype(X.dtype)


def swap_corrupt(X, corruption, rng):
    """Swap noise: replace a random fraction ``corruption`` of the entries
    by the same feature's value in another row, drawn at random (the
    corruption of VIME, Yoon et al. 2020, and SCARF, Bahri et al. 2022).

    Each feature keeps its own values and range, so it suits tables, where
    0 is a value like any other; masking (:func:`mask_corrupt`) suits
    inputs where 0 means "no signal", such as pixels. Dense ``X`` only.
    """
    if corruption == 0:
        return X
    rows, columns = np.nonzero(rng.uniform(size=X.shape) < corruption)
    noisy = X.copy()
    noisy[rows, columns] = X[rng.randint(X.shape[0], size=rows.shape[0]), columns]
    return noisy


def _elementwise_output(logits, Y, output, loss, sample_weight):
    """Turn ``logits`` into dJ/dlogits for an element-wise output unit and
    its loss; return J (see :func:`network_loss_grad`)."""
    m = logits.shape[0]
    w = normalized_weights(sample_weight, m, logits.dtype)
    if loss == "binary_log_loss":
        # -y log p - (1 - y) log(1 - p) = softplus(z) - y z, computed stably.
        per_entry = np.logaddexp(0, logits)
        per_entry -= Y * logits
        row_loss = per_entry.sum(axis=1)
        out = inplace_logistic(logits)
        subtract_into(out, Y)
    else:  # squared_error
        out = inplace_logistic(logits) if output == "logistic" else logits
        fitted = out.copy() if output == "logistic" else None
        subtract_into(out, Y)
        row_loss = 0.5 * np.einsum("ij,ij->i", out, out)
        if output == "logistic":
            inplace_logistic_derivative_times(out, fitted)
    if w is None:
        out *= 1.0 / m
        return float(np.sum(row_loss, dtype=np.float64)) / m
    out *= w
    return float(np.sum(w[:, 0] * row_loss, dtype=np.float64))
