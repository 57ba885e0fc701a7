"""StackedAutoencoder: a deep autoencoder, pretrained greedily and fine-tuned
unrolled (Hinton & Salakhutdinov, Science 2006)."""

from numbers import Integral

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from ._docstrings import Substitution
from ._network import forward_hidden, predict_output
from ._rows import merge_identical_rows
from ._solvers import LEARNING_RATE_INIT
from ._stacked_base import LBFGS_PRETRAIN_MAX_ITER, BaseStackedAE, Targets

_SPARSITY_WEIGHT_NOTE = """
        0 by default here, unlike the classifier's "auto": a code that must
        carry all of the input should not be sparse (user guide,
        :ref:`heads-tables`)."""


def _output_unit(decoder):
    """The network output unit of an autoencoder's decoder."""
    return "logistic" if decoder == "logistic" else "identity"


@Substitution(
    sparsity_weight_default="0.0", sparsity_weight_note=_SPARSITY_WEIGHT_NOTE,
    # The reconstruction fine-tuning was not measured under "auto".
    solver_default='"lbfgs"', tol_default="1e-5", pretrain_max_iter_default="50",
)
class StackedAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseStackedAE):
    """Deep autoencoder: stacked sparse autoencoders, unrolled and fine-tuned.

    ``fit`` pretrains one :class:`SparseAutoencoder` per hidden layer, each
    on the codes of the layer below, as :class:`StackedAEClassifier` does.
    With ``fine_tune=True`` it then unrolls the stack into one network,
    encoders ``W_1 .. W_k`` followed by the decoders ``V_k .. V_1`` (each
    initialised from its autoencoder), and fine-tunes every layer together on
    the reconstruction of the input (user guide, "Regression, multilabel, sample weights ...")::

        J = 1/(2m) sum_i ||x_hat_i - x_i||^2 + alpha/2 sum_l ||W_l||^2

    without a sparsity term, as in Hinton & Salakhutdinov (2006). Every
    unit is a sigmoid but the output, which is the first autoencoder's
    decoder. ``transform`` gives the top codes and ``inverse_transform``
    reconstructs from them through the decoders.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(200, 30)
        Units of each encoder layer, from the input up; the last is the
        code size.

    {pretraining_parameters}

    alpha : float, default=1e-4
        Weight decay of fine-tuning, on every weight matrix, not divided by
        the number of samples.

    {pretrain_max_iter_parameter}

    max_iter : int, default=400
        Maximum L-BFGS iterations (epochs for "adam"/"sgd") of fine-tuning
        (see ``sparsity_weight`` for the measurement behind 400).

    fine_tune : bool, default=True
        Whether to fine-tune the unrolled network. False keeps the pretrained
        encoders and decoders (the stack "before fine-tuning").

    {solver_parameters}

    {minibatch_parameters}

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows; fine-tuning (and with
        "adam"/"sgd" every pretraining phase too) stops when the held-out
        reconstruction error has not improved for more than
        ``n_iter_no_change`` epochs (L-BFGS: iterations), and keeps the best
        weights.

    {stack_stopping_parameters}

    {random_state_verbose_parameters}

    {compute_dtype_parameter}

    warm_start : bool, default=False
        When True and the model is already fitted, ``fit`` skips pretraining
        and fine-tunes the current network again.

    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrices of the unrolled network: the ``k`` encoders, then
        the ``k`` decoders, top first.

    intercepts_ : list of ndarray
        Their bias vectors.

    autoencoders_ : list of SparseAutoencoder
        The pretrained autoencoder of each layer (before fine-tuning).

    decoder_ : str
        The output unit of the reconstruction, "logistic" or "linear" (the
        first autoencoder's ``decoder_``).

    loss_ : float
        Final cost of fine-tuning (of the top autoencoder when
        ``fine_tune=False``). With a linear decoder (input outside [0, 1])
        fine-tuning reconstructs the input normalised as the first
        autoencoder's (``autoencoders_[0].input_scale_``), and its cost
        is on that input.

    loss_curve_ : list of float
        Cost after each iteration of that phase.

    n_iter_ : int
        Iterations of that phase.

    solver_ : str
        The solver of the last fit: ``solver``, or the one "auto" chose.

    n_layers_ : int
        Number of layers of the unrolled network, input and output included.

    validation_scores_ : list of float or None
        Negative held-out reconstruction error after each epoch (L-BFGS:
        iteration), when ``early_stopping=True``; None otherwise.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    SparseAutoencoder : One layer of the stack.
    sklearn.decomposition.PCA : The linear autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skstackedae import StackedAutoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> deep = StackedAutoencoder((32, 8), random_state=0).fit(X)
    >>> deep.transform(X[:2]).shape
    (2, 8)
    >>> deep.inverse_transform(deep.transform(X[:2])).shape
    (2, 64)
    """

    # No output layer: 50 L-BFGS iterations per layer, not the 100 that
    # the classifier's and regressor's hard tables need.
    _lbfgs_pretrain_max_iter = LBFGS_PRETRAIN_MAX_ITER
    _outputs_input = True  # the unrolled network's last layer is a decoder

    def __init__(
        self,
        hidden_layer_sizes=(200, 30),
        *,
        sparsity_target=0.1,
        sparsity_weight=0.0,
        pretrain_alpha="auto",
        corruption=0.0,
        decoder="auto",
        alpha=1e-4,
        pretrain_max_iter=50,
        max_iter=400,
        fine_tune=True,
        solver="lbfgs",
        tol=1e-5,
        batch_size="auto",
        learning_rate_init=LEARNING_RATE_INIT,
        learning_rate="adaptive",
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change="auto",
        random_state=None,
        verbose=0,
        compute_dtype="auto",
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.pretrain_alpha = pretrain_alpha
        self.corruption = corruption
        self.decoder = decoder
        self.alpha = alpha
        self.pretrain_max_iter = pretrain_max_iter
        self.max_iter = max_iter
        self.fine_tune = fine_tune
        self.solver = solver
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
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Pretrain the stack, then fine-tune it unrolled.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : None
            Ignored.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in every mean over samples, so integer
            weights train as repeated rows.

        Returns
        -------
        self : StackedAutoencoder
            The fitted autoencoder.
        """
        return self._atomic_fit(X, sample_weight=sample_weight)

    def _fit(self, X, y=None, sample_weight=None):
        warm = self.warm_start and hasattr(self, "coefs_")
        hidden_layer_sizes = self._check_hidden_layer_sizes()
        X = self._validate_fit_X(X, reset=not warm)
        sample_weight = self._validate_sample_weight(sample_weight, X)
        self._choose_solver(X.shape[0])
        if self._fit_solver() == "lbfgs":
            X, _, sample_weight = merge_identical_rows(X, None, sample_weight)
        # The input is its own target in the shared phases.
        targets = Targets(X, X.shape[1], None, {}, output=None)
        rng = check_random_state(self.random_state)
        data = self._split(X, targets, rng, sample_weight)

        if warm:
            autoencoders, decoder = self.autoencoders_, self.decoder_
            coefs, intercepts = (list(p) for p in self._params_as(X.dtype))
        else:
            autoencoders = self._pretrain(data.X, hidden_layer_sizes, rng, data.sample_weight)
            decoder = autoencoders[0].decoder_
            layers = autoencoders + autoencoders[::-1]
            halves = [0] * len(autoencoders) + [1] * len(autoencoders)
            coefs = [ae.coefs_[h] for ae, h in zip(layers, halves)]
            intercepts = [ae.intercepts_[h] for ae, h in zip(layers, halves)]
        self._output = _output_unit(decoder)  # for the validation score
        task = getattr(self, "_fit_task", None)
        if task is not None:  # what callbacks evaluate the model with
            task.scoring_data = (X, None)
            task.fitted_attributes = {"decoder_": decoder, "autoencoders_": autoencoders}
        if self.fine_tune:
            # In the first autoencoder's training units (see BaseStackedAE).
            data = self._normalised(data, autoencoders)
            result = self._train_network(
                *self._in_normalised_units(coefs, intercepts, data), data, rng, "fine-tuning",
                interruptible=True,
                extra=dict(output=_output_unit(decoder), loss="squared_error", alpha=self.alpha),
            )
            coefs, intercepts = self._in_input_units(result.coefs, result.intercepts, data)
            result = result._replace(coefs=coefs, intercepts=intercepts)
        else:
            result = autoencoders[-1]  # its loss_, loss_curve_, n_iter_ are reported

        self.autoencoders_ = autoencoders
        self.decoder_ = decoder
        if self.fine_tune:
            self._set_training_result(result)
        else:
            self.coefs_, self.intercepts_ = coefs, intercepts
            self.loss_, self.loss_curve_ = result.loss_, result.loss_curve_
            self.n_iter_ = result.n_iter_
            self.validation_scores_ = self.best_validation_score_ = None
        self.n_layers_ = len(self.coefs_) + 1
        return self

    def _n_fit_tasks(self):
        # Pretraining of each layer, then fine-tuning.
        sizes = self.hidden_layer_sizes
        return (1 if isinstance(sizes, Integral) else len(sizes)) + int(self.fine_tune)

    def _validation_score(self, coefs, intercepts, X, y, sample_weight=None):
        return -self._reconstruction_error(X, coefs, intercepts, sample_weight)

    def _reconstruction_error(self, X, coefs, intercepts, sample_weight=None):
        diff = predict_output(X, coefs, intercepts, self._output)
        diff -= X.toarray() if hasattr(X, "toarray") else X
        return 0.5 * float(np.average(np.einsum("ij,ij->i", diff, diff), weights=sample_weight))

    def transform(self, X):
        """The top codes of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        codes : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            Activations of the top encoder layer, in (0, 1).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        coefs, intercepts = self._params_as(X.dtype)
        k = len(coefs) // 2
        return forward_hidden(X, coefs[:k], intercepts[:k])[-1]

    def inverse_transform(self, X):
        """Reconstruct inputs from top codes, through the decoders.

        Parameters
        ----------
        X : array-like of shape (n_samples, hidden_layer_sizes[-1])
            Top codes, as returned by :meth:`transform`.

        Returns
        -------
        X_reconstructed : ndarray of shape (n_samples, `n_features_in_`)
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        coefs, intercepts = self._params_as(codes.dtype)
        k = len(coefs) // 2
        if codes.shape[1] != coefs[k].shape[0]:
            raise ValueError(
                f"X has {codes.shape[1]} features, but inverse_transform expects "
                f"{coefs[k].shape[0]} codes (hidden_layer_sizes[-1])."
            )
        return predict_output(codes, coefs[k:], intercepts[k:], _output_unit(self.decoder_))

    def score(self, X, y=None):
        """Negative mean reconstruction error (higher is better):
        ``-1/(2m) sum_i ||x_hat_i - x_i||^2`` through the whole network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to reconstruct.

        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return -self._reconstruction_error(X, *self._params_as(X.dtype))

    @property
    def _n_features_out(self):
        return self.coefs_[len(self.coefs_) // 2 - 1].shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
