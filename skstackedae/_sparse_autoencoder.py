"""The SparseAutoencoder transformer."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from ._base import BaseNetwork, has_minibatch_solver
from ._docstrings import Substitution
from ._network import (
    autoencoder_loss_grad,
    decode,
    encode,
    feature_moments,
    mask_corrupt,
    mean_reconstruction_error,
    total_variance,
)
from ._rows import merge_identical_rows
from ._solvers import LEARNING_RATE_INIT

#: UFLDL's weight decay and sparsity weight, set for MNIST's 784 pixels.
UFLDL_ALPHA, UFLDL_SPARSITY_WEIGHT = 3e-3, 3.0

#: The total variance (sum of the 784 pixel variances) of MNIST's 60,000
#: training digits scaled to [0, 1]: the input UFLDL's weights were set for.
#: The reconstruction error of a useless autoencoder (one that outputs the
#: mean row) is half the input's total variance, so "auto" scales both
#: penalties by ``total_variance(X) / UFLDL_INPUT_VARIANCE``: the three terms
#: of the cost then keep UFLDL's balance on any input. With UFLDL's fixed
#: weights, 16 features in [0, 1] (total variance 0.35, 150x less than
#: MNIST's) gave constant codes (the decoder output the mean row, code std
#: 4e-4) and a classifier at chance.
UFLDL_INPUT_VARIANCE = 52.7


#: Below this R^2 the codes are taken as constant: the autoencoder
#: reconstructs its input no better than the mean row does. Collapsed fits
#: measured 0.0006 (UFLDL's fixed weights on 16 features in [0, 1]) and
#: 0.01 (the same without the sparsity term); working ones 0.5 and more.
COLLAPSED_R2 = 0.01


def reconstruction_r2(X, coefs, intercepts, decoder, sample_weight=None, variance=None):
    """R^2 of the reconstruction: ``1 - sum of squared errors / total
    variance``, the fraction of the input's variance the codes carry
    (like ``r2_score(X, X_hat, multioutput="variance_weighted")``, except
    that the error on constant features counts); 1 for constant input.
    ``variance``: ``total_variance(X, sample_weight)`` if already known."""
    if variance is None:
        variance = total_variance(X, sample_weight)
    if variance == 0:
        return 1.0
    error = mean_reconstruction_error(X, coefs, intercepts, decoder, sample_weight)
    return 1.0 - 2.0 * error / variance


def auto_penalty_weights(variance):
    """``(alpha, sparsity_weight)`` for "auto": UFLDL's values scaled by
    the input's total variance (:func:`total_variance`) relative to
    MNIST's (equal on MNIST)."""
    scale = variance / UFLDL_INPUT_VARIANCE
    return UFLDL_ALPHA * scale, UFLDL_SPARSITY_WEIGHT * scale


def linear_input_normalisation(X, means, variance):
    """``(offset, scale)`` of the input a linear decoder's autoencoder trains
    on, ``(X - offset) / scale``, from the feature ``means`` and the total
    ``variance`` (:func:`feature_moments`): the feature means (zero for
    sparse ``X``, which centring would make dense) in ``X``'s dtype, and the
    root mean feature variance ``sqrt(V / n_features)`` (1 for constant
    input).

    The sigmoid encoder and the penalties are not invariant to the input's
    value range: with "auto" weights scaled by the total variance, the same
    20-feature table multiplied by 10 and 100 left R^2 0.82 and -0.04
    (constant codes) against 0.997, since the decoder weights a wider
    range needs grow with it, and so does their weight decay. In these
    units every input has the total variance of its feature count, as a
    standardised one does, and the fit is the same whatever the range.

    One scale for all features, not one per feature (each feature's
    standard deviation, at least 0.1 times their median), measured with
    the stacks, which fine-tune in these units, one fit per dev split:
    per feature gained breast cancer 0.953 -> 0.981 and wine 0.912 ->
    0.941 (1 row of 34), but a 20-feature table whose informative features
    have the larger variance fell from 0.900 to 0.852 (MLPClassifier
    0.868), and the same table as rounded exp() counts from 0.752 to 0.520,
    the prior: scaled alike, the noise features weigh as much as the
    informative ones, and heavy tails become outliers. Over 15 sets: mean
    0.898 one scale, 0.884 per feature."""
    scale = float(np.sqrt(variance / X.shape[1])) if variance > 0 else 1.0
    offset = np.zeros_like(means) if sparse.issparse(X) else means
    return offset.astype(X.dtype), scale


def normalise_input(X, offset, scale):
    """``(X - offset) / scale`` (sparse ``X``, whose offset is zero, stays
    sparse), in ``X``'s dtype."""
    if sparse.issparse(X):
        return X * (1.0 / scale)
    return (X - offset) * (1.0 / scale)


def normalised_encoder(W1, b1, offset, scale):
    """An encoder's weights on ``X`` as weights on ``(X - offset) / scale``
    (the inverse of :func:`input_unit_encoder`)."""
    return W1 * scale, b1 + offset @ W1


def input_unit_encoder(W1, b1, offset, scale):
    """An encoder trained on ``Z = (X - offset) / scale`` as an encoder of
    ``X``: ``Z @ W1 = X @ (W1 / scale) - offset @ (W1 / scale)``. Exact."""
    W1 = W1 / scale
    return W1, b1 - offset @ W1


def normalised_decoder(W2, b2, offset, scale):
    """A decoder's weights that output ``X`` as weights that output
    ``(X - offset) / scale`` (the inverse of :func:`input_unit_decoder`)."""
    return W2 / scale, (b2 - offset) / scale


def input_unit_decoder(W2, b2, offset, scale):
    """A linear decoder trained to output ``Z = (X - offset) / scale`` as
    one that outputs ``X = scale * Z + offset``. Exact."""
    return W2 * scale, b2 * scale + offset


def _convert_network(coefs, intercepts, offset, scale, encoder, decoder, outputs_input):
    coefs, intercepts = list(coefs), list(intercepts)
    coefs[0], intercepts[0] = encoder(coefs[0], intercepts[0], offset, scale)
    if outputs_input:
        coefs[-1], intercepts[-1] = decoder(coefs[-1], intercepts[-1], offset, scale)
    return coefs, intercepts


def normalised_params(coefs, intercepts, offset, scale, outputs_input=True):
    """A network's weights on ``X`` as weights on ``(X - offset) / scale``:
    its first layer, and its last when it outputs ``X`` (an autoencoder's
    decoder). The inverse of :func:`input_unit_params`."""
    return _convert_network(coefs, intercepts, offset, scale, normalised_encoder,
                            normalised_decoder, outputs_input)


def input_unit_params(coefs, intercepts, offset, scale, outputs_input=True):
    """A network trained on ``(X - offset) / scale`` (and, with
    ``outputs_input``, to output it) as the same network on ``X``
    (:func:`input_unit_encoder`, :func:`input_unit_decoder`), so that
    ``transform``, ``inverse_transform`` and ``predict`` need no step of
    their own."""
    return _convert_network(coefs, intercepts, offset, scale, input_unit_encoder,
                            input_unit_decoder, outputs_input)


def init_weights(fan_in, fan_out, dtype, rng):
    """UFLDL's initialisation: uniform in +-sqrt(6 / (fan_in + fan_out + 1))."""
    bound = np.sqrt(6.0 / (fan_in + fan_out + 1))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)


@Substitution()
class SparseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNetwork):
    """Sparse (and optionally denoising) autoencoder with sigmoid hidden units.

    One hidden layer of ``n_components`` sigmoid units is trained to
    reconstruct its input, with a Kullback-Leibler penalty that keeps the mean
    activation of each unit near ``sparsity_target`` and an L2 penalty on the
    weights (UFLDL's sparse autoencoder). With ``corruption > 0`` the encoder
    sees a copy of the input in which that fraction of the entries was set to
    zero, while the cost still compares with the clean input (denoising
    autoencoder, Vincent et al. 2008). ``transform`` returns the hidden
    activations.

    The cost, minimised with L-BFGS, is::

        J = 1/(2m) sum ||x_hat - x||^2 + alpha/2 (||W1||^2 + ||W2||^2)
            + sparsity_weight * sum_j KL(sparsity_target || rho_hat_j)

    Parameters
    ----------
    n_components : int, default=200
        Number of hidden units.

    sparsity_target : float, default=0.1
        Target mean activation ``rho`` of every hidden unit, in (0, 1).

    sparsity_weight : float or "auto", default="auto"
        Weight ``beta`` of the KL sparsity penalty. "auto" is UFLDL's 3
        scaled by the input's total variance relative to MNIST's (see
        ``alpha``).

    alpha : float or "auto", default="auto"
        L2 penalty (weight decay ``lambda``) on both weight matrices. "auto"
        is UFLDL's 3e-3 times ``V / 52.7``, where ``V`` is the sum of the
        training data's feature variances and 52.7 that of MNIST's pixels
        in [0, 1], the data UFLDL's values were set for: the reconstruction
        error of a useless autoencoder is ``V / 2``, so the weight decay and
        sparsity terms keep UFLDL's weight relative to it on any input (on
        MNIST, "auto" is UFLDL's values). With the linear decoder ``V`` is
        that of the normalised input, ``n_features`` (see
        ``input_offset_``). Pass numbers for UFLDL's cost as written. The
        values used are in ``alpha_`` and ``sparsity_weight_``.

    corruption : float, default=0.0
        Fraction of input entries set to zero before encoding (masking
        noise; with the linear decoder, entries of the normalised input, so
        a masked value is the feature's mean). 0 gives a plain sparse
        autoencoder. L-BFGS needs a deterministic cost, so with "lbfgs" the
        mask is drawn once per fit; "adam"/"sgd" draw a fresh mask for every
        mini-batch.

    decoder : {"auto", "logistic", "linear"}, default="auto"
        Output unit of the decoder. "logistic" (sigmoid) suits data in
        [0, 1]; "linear" (identity, UFLDL's linear decoder) suits any real
        data, and trains on the input centred and scaled to unit root mean
        variance (``input_offset_``, ``input_scale_``). "auto" picks
        "logistic" when the training data lie in [0, 1] and "linear"
        otherwise; the choice is stored in ``decoder_``.

    solver : {"lbfgs", "adam", "sgd"}, default="lbfgs"
        "lbfgs" minimises the full-batch cost with SciPy's L-BFGS-B (UFLDL's
        choice, best for data that fits in memory). "adam" and "sgd"
        (Nesterov momentum 0.9) take mini-batch steps, allow
        :meth:`partial_fit`, and estimate the mean activation ``rho_hat`` of
        the sparsity penalty on each mini-batch.

    max_iter : int, default=400
        Maximum number of L-BFGS iterations, or of epochs for "adam"/"sgd".

    tol : float, default=1e-5
        L-BFGS stops when the largest gradient component is below ``tol``
        (minFunc's default optimality tolerance, which UFLDL ran with). For
        "adam"/"sgd": the least improvement of the epoch loss (or validation
        score) that counts, as in ``MLPClassifier``.

    {minibatch_parameters}

    early_stopping : bool, default=False
        For "adam"/"sgd": hold out ``validation_fraction`` of the training
        data, stop when its score (negative reconstruction error) has not
        improved by ``tol`` for more than ``n_iter_no_change`` epochs, and
        keep the best weights.

    {stopping_parameters}

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the corruption mask. Pass an int
        for reproducible fits.

    verbose : int, default=0
        Print the loss at every iteration when positive.

    {compute_dtype_parameter}

    Attributes
    ----------
    coefs_ : list of two ndarray
        ``[W1, W2]``, the encoder weights of shape (n_features, n_components)
        and the decoder weights of shape (n_components, n_features).

    intercepts_ : list of two ndarray
        ``[b1, b2]``, the hidden and output biases.

    components_ : ndarray of shape (n_components, n_features)
        The encoder weights ``W1.T``; row ``j`` is the filter of hidden unit
        ``j`` (scikit-learn's decomposition convention).

    decoder_ : {"logistic", "linear"}
        The decoder actually used.

    input_offset_ : ndarray of shape (n_features,) or None
        With the linear decoder, the autoencoder trains on
        ``(X - input_offset_) / input_scale_``: ``input_offset_`` holds the
        (weighted) feature means of the training data (zeros for sparse
        input, which centring would make dense). The fitted weights are
        folded back, so ``coefs_``, :meth:`transform` and
        :meth:`inverse_transform` work on ``X`` itself. None with the
        logistic decoder, which trains on ``X``.

    input_scale_ : float or None
        With the linear decoder, the root mean feature variance of the
        training data, ``sqrt(V / n_features)`` (1 for constant input):
        the fit, "auto" weights included, is then the same whatever the
        input's value range. None with the logistic decoder.

    alpha_ : float
        The weight decay used: ``alpha``, or its "auto" value.

    sparsity_weight_ : float
        The sparsity weight used: ``sparsity_weight``, or its "auto" value.

    reconstruction_r2_ : float or None
        R^2 of the reconstruction of the training data (with the clean input
        encoded): the fraction of the input's variance the codes carry. Below
        0.01 the codes are constant, and ``fit`` warns. None after
        :meth:`partial_fit`, which does not measure it.

    loss_ : float
        Final value of the cost ``J`` (with the linear decoder, on the
        normalised input: see ``input_offset_``).

    loss_curve_ : list of float
        ``J`` after each L-BFGS iteration.

    n_iter_ : int
        Number of iterations (epochs for "adam"/"sgd") run.

    validation_scores_ : list of float or None
        Validation score after each epoch when ``early_stopping=True``.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; its weights are the ones kept.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    StackedAEClassifier : Stacks sparse autoencoders under a softmax.
    sklearn.neural_network.BernoulliRBM : Another unsupervised feature learner.

    References
    ----------
    A. Ng, "Sparse autoencoder", CS294A lecture notes; UFLDL tutorial.
    P. Vincent, H. Larochelle, Y. Bengio, P.-A. Manzagol, "Extracting and
    composing robust features with denoising autoencoders", ICML 2008.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skstackedae import SparseAutoencoder
    >>> X = load_digits().data / 16.0
    >>> ae = SparseAutoencoder(n_components=32, max_iter=50, random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape
    (1797, 32)
    >>> ae.decoder_
    'logistic'
    >>> ae.inverse_transform(codes).shape
    (1797, 64)
    """

    #: Whether reaching ``max_iter`` warns. A stack's pretraining clears it
    #: on its own autoencoders: ``pretrain_max_iter`` is a budget there.
    _warn_at_max_iter = True

    _parameter_constraints: dict = {
        **BaseNetwork._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "alpha": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "corruption": [Interval(Real, 0, 1, closed="left")],
        "decoder": [StrOptions({"auto", "logistic", "linear"})],
    }

    def __init__(
        self,
        n_components=200,
        *,
        sparsity_target=0.1,
        sparsity_weight="auto",
        alpha="auto",
        corruption=0.0,
        decoder="auto",
        solver="lbfgs",
        max_iter=400,
        tol=1e-5,
        batch_size="auto",
        learning_rate_init=LEARNING_RATE_INIT,
        learning_rate="adaptive",
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
        compute_dtype="auto",
    ):
        self.n_components = n_components
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.alpha = alpha
        self.corruption = corruption
        self.decoder = decoder
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.compute_dtype = compute_dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Train the autoencoder on X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input stays sparse (the first layer's
            products go through scipy.sparse); only the reconstruction is
            dense.

        y : None
            Ignored; present for API consistency.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in every mean over samples (the
            reconstruction error and the mean activation ``rho_hat``), so
            integer weights train as repeated rows. None weighs them alike.

        Returns
        -------
        self : SparseAutoencoder
            The fitted autoencoder.
        """
        return self._atomic_fit(X, sample_weight=sample_weight)

    def _fit(self, X, y=None, incremental=False, sample_weight=None):
        warm = incremental and hasattr(self, "coefs_")
        X = self._validate_fit_X(X, reset=not warm, incremental=incremental)
        sample_weight = self._validate_sample_weight(sample_weight, X)
        if self.solver == "lbfgs":
            X, _, sample_weight = merge_identical_rows(X, None, sample_weight)
        if warm:
            # Work on copies: a partial_fit that fails half-way must leave
            # the optimiser and the generator as they were (all or nothing).
            decoder, rng, optimizer = self.decoder_, copy.deepcopy(self._rng), self._optimizer
            coefs, intercepts = self._params_as(X.dtype)
        else:
            decoder = self.decoder
            if decoder == "auto":
                decoder = "logistic" if X.min() >= 0 and X.max() <= 1 else "linear"
            rng, optimizer = check_random_state(self.random_state), None
            coefs, intercepts = self._initial_params(X.shape[1], X.dtype, rng)
        # One pass over X for "auto", the normalisation and the collapse check.
        means, variance = None, None
        if not warm:
            means, variances = feature_moments(X, sample_weight)
            variance = float(np.sum(variances))
        X_original, offset, scale = X, None, None
        if decoder == "linear":
            # Trained in normalised units (linear_input_normalisation),
            # stored in the input's.
            if warm:
                offset, scale = self.input_offset_.astype(X.dtype), self.input_scale_
                coefs, intercepts = normalised_params(coefs, intercepts, offset, scale)
            else:
                offset, scale = linear_input_normalisation(X, means, variance)
                variance = variance / scale**2
            X = normalise_input(X, offset, scale)
        penalties = self._penalty_weights(variance)

        X_train, w_train, validation_score = X, sample_weight, None
        if self.early_stopping and self.solver != "lbfgs" and not incremental:
            train, val = self._early_stopping_split(X.shape[0], rng)
            X_train, X_val = X[train], X[val]
            w_train, w_val = (None, None) if sample_weight is None else (
                sample_weight[train], sample_weight[val]
            )

            def validation_score(coefs, intercepts):
                return -mean_reconstruction_error(X_val, coefs, intercepts, decoder, w_val)

        result = self._train(
            self._objective(X_train, decoder, rng, w_train, *penalties), coefs, intercepts,
            phase=f"SparseAutoencoder({self.n_components})",
            n_samples=X_train.shape[0], max_iter=1 if incremental else self.max_iter,
            rng=rng, validation_score=validation_score, optimizer=optimizer,
            warn_at_max_iter=not incremental and self._warn_at_max_iter,
            manage_threads=not incremental,
            report=self._iteration_report(X_original, decoder, offset, scale),
        )

        # Not after partial_fit: a chunk's single epoch is not a finished fit.
        r2 = None if incremental else reconstruction_r2(
            X, result.coefs, result.intercepts, decoder, sample_weight, variance
        )
        if r2 is not None and r2 < COLLAPSED_R2:
            warnings.warn(
                f"SparseAutoencoder({self.n_components}): the codes are constant: "
                f"the reconstruction explains {r2:.2%} of the input's variance, "
                "because the weight decay and sparsity terms outweigh it or "
                "training stopped too early. Lower alpha or sparsity_weight "
                "(pretrain_alpha and sparsity_weight in a stack; or leave them "
                "at 'auto'), or raise max_iter.",
                ConvergenceWarning,
            )

        coefs, intercepts = result.coefs, result.intercepts
        if scale is not None:
            coefs, intercepts = input_unit_params(coefs, intercepts, offset, scale)

        # Set the fitted state only once training has succeeded.
        previous_curve, previous_n_iter = (self.loss_curve_, self.n_iter_) if warm else ([], 0)
        self._set_training_result(result, coefs, intercepts)
        self.loss_curve_ = previous_curve + result.loss_curve
        self.n_iter_ = previous_n_iter + result.n_iter
        self.decoder_ = decoder
        self.input_offset_, self.input_scale_ = offset, scale
        self.alpha_, self.sparsity_weight_ = penalties
        self.reconstruction_r2_ = r2
        self.components_ = self.coefs_[0].T
        self._rng = rng
        self._optimizer = result.optimizer
        return self

    def _cast_fitted(self, dtype):
        super()._cast_fitted(dtype)
        self.components_ = self.coefs_[0].T
        if self.input_offset_ is not None:
            self.input_offset_ = self.input_offset_.astype(dtype, copy=False)

    def _iteration_report(self, X, decoder, offset=None, scale=None):
        """The model at each iteration, for scikit-learn's callbacks, in the
        units of the input ``X`` (``offset``, ``scale``: the normalisation
        it trains in, if any)."""
        def report(coefs, intercepts):
            if scale is not None:
                coefs, intercepts = input_unit_params(coefs, intercepts, offset, scale)
            attributes = {"coefs_": coefs, "intercepts_": intercepts,
                          "decoder_": decoder, "components_": coefs[0].T}
            return X, None, attributes

        return report

    def _n_fit_tasks(self):
        return 1

    def _initial_params(self, n_features, dtype, rng):
        """UFLDL's initialisation: small uniform weights, zero biases."""
        coefs = [
            init_weights(n_features, self.n_components, dtype, rng),
            init_weights(self.n_components, n_features, dtype, rng),
        ]
        return coefs, [np.zeros(self.n_components, dtype), np.zeros(n_features, dtype)]

    def _penalty_weights(self, variance):
        """``(alpha, sparsity_weight)`` of this fit: the parameters, with
        "auto" resolved on the input's total ``variance``, or kept from the
        first chunk (``variance=None``: a warm ``partial_fit``)."""
        if variance is None:
            auto = self.alpha_, self.sparsity_weight_
        else:
            auto = auto_penalty_weights(variance)
        alpha = auto[0] if self.alpha == "auto" else float(self.alpha)
        beta = auto[1] if self.sparsity_weight == "auto" else float(self.sparsity_weight)
        return alpha, beta

    def _objective(self, X, decoder, rng, sample_weight, alpha, sparsity_weight):
        """The autoencoder cost on ``X`` (or its rows), as the solvers call it.

        With L-BFGS the cost must be deterministic, so the corruption mask is
        drawn once; mini-batches draw a fresh mask each, and estimate the
        mean activation ``rho_hat`` of the sparsity term on the batch.
        """
        buffers = {}
        cost = dict(
            alpha=alpha, sparsity_target=self.sparsity_target,
            sparsity_weight=sparsity_weight, decoder=decoder, buffers=buffers,
        )
        X_fixed_input = mask_corrupt(X, self.corruption, rng) if self.solver == "lbfgs" else None

        def loss_grad(coefs, intercepts, coef_grads, intercept_grads, rows=None):
            if rows is None:
                X_target, X_input, weights = X, X_fixed_input, sample_weight
            else:
                X_target = X[rows]
                X_input = mask_corrupt(X_target, self.corruption, rng)
                weights = None if sample_weight is None else sample_weight[rows]
            return autoencoder_loss_grad(
                coefs, intercepts, X_input, X_target, coef_grads=coef_grads,
                intercept_grads=intercept_grads, sample_weight=weights, **cost,
            )

        return loss_grad

    @available_if(has_minibatch_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """One epoch of the mini-batch solver over X, continuing the fit.

        Lets the autoencoder learn from data that does not fit in memory:
        call it on successive chunks (of a ``numpy.memmap``, or from a
        generator). Only available with ``solver="adam"`` or ``"sgd"``;
        ``early_stopping`` does not apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the chunk; see :meth:`fit`.

        Returns
        -------
        self : SparseAutoencoder
        """
        return self._atomic_fit(X, incremental=True, sample_weight=sample_weight)

    def transform(self, X):
        """Encode X: the hidden activations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        H : ndarray of shape (n_samples, n_components)
            Hidden activations, in (0, 1).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        coefs, intercepts = self._params_as(X.dtype)
        return encode(X, coefs[0], intercepts[0])

    def inverse_transform(self, X):
        """Decode hidden activations back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Hidden activations, as returned by :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, `n_features_in_`)
            The decoder's reconstruction.
        """
        check_is_fitted(self)
        H = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        n_hidden = self.coefs_[1].shape[0]
        if H.shape[1] != n_hidden:
            raise ValueError(
                f"X has {H.shape[1]} features, but inverse_transform expects "
                f"{n_hidden} hidden activations (n_components)."
            )
        coefs, intercepts = self._params_as(H.dtype)
        return decode(H, coefs[1], intercepts[1], self.decoder_)

    def score(self, X, y=None):
        """Negative mean reconstruction error (higher is better).

        This is minus the reconstruction term of the cost,
        ``-1/(2m) sum_i ||x_hat_i - x_i||^2``, with the clean input encoded.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.

        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return -mean_reconstruction_error(X, *self._params_as(X.dtype), self.decoder_)

    @property
    def _n_features_out(self):
        return self.coefs_[0].shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
