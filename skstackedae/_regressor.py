"""StackedAERegressor: greedy pretraining, a linear output layer, fine-tuning."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base import has_minibatch_solver
from ._docstrings import PARTIAL_FIT_SCHEDULE, Substitution
from ._network import predict_output
from ._solvers import LEARNING_RATE_INIT
from ._stacked_base import AUTO_PENALTY_CONSTRAINT, BaseStackedAE, Targets

_SPARSITY_WEIGHT_NOTE = """
        0 by default here, unlike the classifier's "auto": on low-dimensional
        data, sparse codes of a wide layer drop what the targets need (user
        guide, :ref:`heads-tables`)."""


def target_mean_and_scale(Y, sample_weight=None):
    """Per-target weighted mean and standard deviation of ``Y`` (n, k); the
    scale of a target that does not vary is 1, as in ``StandardScaler``.
    Rows of zero weight are left out (not just weighted 0): they must not
    change the statistics' rounding either, as they do not change a fit."""
    if sample_weight is not None:
        kept = sample_weight > 0
        Y, sample_weight = Y[kept], sample_weight[kept]
    mean = np.average(Y, axis=0, weights=sample_weight)
    scale = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=sample_weight))
    constant = (np.ptp(Y, axis=0) == 0) | ~(scale > 0)
    return mean, np.where(constant, 1.0, scale)


@Substitution(sparsity_weight_default="0.0", sparsity_weight_note=_SPARSITY_WEIGHT_NOTE)
class StackedAERegressor(RegressorMixin, BaseStackedAE):
    """Stacked sparse autoencoders under a linear output layer, fine-tuned
    end to end.

    ``fit`` runs the stages of :class:`StackedAEClassifier` with a regression
    head (user guide, "Regression, multilabel, sample weights ..."), on the
    targets standardised to zero mean and unit variance (each target; the
    fitted output layer is scaled back, so ``coefs_`` and ``predict`` are in
    the targets' units):

    1. greedy layer-wise pretraining: a :class:`SparseAutoencoder` per hidden
       layer, each trained on the hidden codes of the layer below (``y`` is
       not used);
    2. a linear output layer on the codes of the top layer, minimising
       ``1/(2m) sum_i ||y_hat_i - y_i||^2 + (alpha + output_alpha)/2 ||W||^2``;
    3. fine-tuning: the encoders and the output layer form one feed-forward
       network whose squared error plus ``alpha/2`` times the squared norm of
       every weight matrix (and the output layer's extra penalty) is
       minimised by backpropagation.

    With L-BFGS (below 5,000 rows at ``solver="auto"``) and from 20 rows, steps
    2 and 3 stop early at the best R^2 on ``validation_fraction`` of the
    rows held out (``early_stopping="auto"``).

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(200, 200)
        Number of units of each hidden layer, from the input up.

    {pretraining_parameters}

    alpha : float, default=1e-4
        L2 penalty of the supervised network (the output layer and the
        fine-tuned network), not divided by the number of samples; see
        :class:`StackedAEClassifier` for its relation to ``MLPRegressor``'s
        ``alpha``.

    output_alpha : float or "auto", default="auto"
        L2 penalty on the output layer's weights, on top of ``alpha``: the
        cost adds ``output_alpha/2`` times their squared norm. "auto" is
        ``1 / n`` (``n`` the training rows, or the sum of their sample
        weights), the penalty of ``Ridge(alpha=1)`` on a linear regression of
        the top codes (on the standardised targets, so it means the same
        whatever their units). 0 is the classifier's default.

    {pretrain_max_iter_parameter}

    max_iter : int, default=400
        Maximum L-BFGS iterations (epochs for "adam"/"sgd") for the output
        layer and for fine-tuning. L-BFGS also stops, as converged, once the
        cost has fallen by less than 1 % over the last 10 iterations.

    fine_tune : bool, default=True
        Whether to fine-tune. False keeps the pretrained encoders and the
        output layer as they are.

    {solver_parameters}

    {minibatch_parameters}

    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the training data; the output
        layer and fine-tuning stop when its R^2 has not improved for more
        than ``n_iter_no_change`` epochs (L-BFGS: iterations) and keep the
        best weights. "auto" is True with L-BFGS from 20 rows up (fine-tuning
        to convergence overfits small noisy tables: diabetes' R^2 0.30
        without, 0.57 with; user guide, :ref:`heads-tables`) and False with
        "adam"/"sgd", as ``MLPRegressor``.

    {stack_stopping_parameters}

    {random_state_verbose_parameters}

    {compute_dtype_parameter}

    warm_start : bool, default=False
        When True and the model is already fitted, ``fit`` skips pretraining
        and fine-tunes the current network (or, with ``fine_tune=False``,
        retrains only the output layer). ``y`` must have as many targets as
        before.

    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrices of the whole network, ``coefs_[i]`` of shape
        (units of layer i, units of layer i + 1), as in ``MLPRegressor``.

    intercepts_ : list of ndarray
        Bias vectors of the whole network.

    autoencoders_ : list of SparseAutoencoder
        The pretrained autoencoder of each hidden layer (before
        fine-tuning).

    out_activation_ : str
        "identity", as in ``MLPRegressor``.

    n_outputs_ : int
        Number of targets.

    loss_ : float
        Final cost of the last phase run, on the standardised targets (with
        early stopping: the cost of the weights kept). With a linear first
        decoder (input outside [0, 1]) every phase trains on the input
        normalised as the first autoencoder's
        (``autoencoders_[0].input_scale_``).

    loss_curve_ : list of float
        Cost after each iteration of that last phase.

    output_loss_curve_ : list of float
        Cost after each iteration of the output-layer phase.

    n_iter_ : int
        Iterations run by the last phase.

    solver_ : str
        The solver of the last fit or ``partial_fit`` call: ``solver``, or
        the one "auto" chose.

    n_layers_ : int
        Number of layers, input and output included.

    alpha_ : float
        The L2 penalty used (``alpha``).

    output_alpha_ : float
        The output layer's extra L2 penalty used (``output_alpha``, with
        "auto" resolved).

    validation_scores_ : list of float or None
        Held-out R^2 after each epoch (L-BFGS: iteration) of the last phase,
        when early stopping ran; None otherwise.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; its weights are the ones kept.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    StackedAEClassifier : The same stack with a softmax.
    sklearn.neural_network.MLPRegressor : The same network without
        pretraining.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from skstackedae import StackedAERegressor
    >>> X, y = make_friedman1(n_samples=300, random_state=0)
    >>> reg = StackedAERegressor((20,), random_state=0).fit(X[:200], y[:200])
    >>> reg.predict(X[200:202]).shape
    (2,)
    >>> reg.score(X[200:], y[200:]) > 0.8
    True
    """

    _parameter_constraints: dict = {
        **BaseStackedAE._parameter_constraints,
        "output_alpha": AUTO_PENALTY_CONSTRAINT,
        "early_stopping": [StrOptions({"auto"}), "boolean"],
    }

    _output_phase = "output layer"
    _output_curve_attribute = "output_loss_curve_"

    def __init__(
        self,
        hidden_layer_sizes=(200, 200),
        *,
        sparsity_target=0.1,
        sparsity_weight=0.0,
        pretrain_alpha="auto",
        corruption=0.0,
        decoder="auto",
        alpha=1e-4,
        output_alpha="auto",
        pretrain_max_iter="auto",
        max_iter=400,
        fine_tune=True,
        solver="auto",
        tol="auto",
        batch_size="auto",
        learning_rate_init=LEARNING_RATE_INIT,
        learning_rate="adaptive",
        shuffle=True,
        early_stopping="auto",
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
        self.output_alpha = output_alpha
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
    def fit(self, X, y, sample_weight=None):
        """Pretrain, train the output layer, then fine-tune.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in every mean over samples, of pretraining
            and of the squared error, so integer weights train as repeated
            rows.

        Returns
        -------
        self : StackedAERegressor
            The fitted regressor.
        """
        return self._atomic_fit(X, y, sample_weight=sample_weight)

    @available_if(has_minibatch_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    @Substitution(partial_fit_schedule=PARTIAL_FIT_SCHEDULE)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over the rows given, continuing the fit.

        Only available with ``solver="adam"`` or ``"sgd"``, as in
        ``MLPRegressor``, or ``"auto"`` (the default), which trains it with Adam.

{partial_fit_schedule}

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its target values (the same number of targets at every call).

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the chunk; see :meth:`fit`.

        Returns
        -------
        self : StackedAERegressor
            The updated regressor.
        """
        return self._atomic_fit(X, y, incremental=True, sample_weight=sample_weight)

    def _validate_X(self, X, y="no_validation", *, reset, **kwargs):
        if not isinstance(y, str):
            kwargs["y_numeric"] = True
        return super()._validate_X(X, y, reset=reset, **kwargs)

    def _validate_targets(self, y, *, warm):
        # Float targets whatever their dtype: int and float y must give the
        # same model (the L-BFGS row order is keyed on the targets' bytes).
        Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        if warm and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"warm_start=True and partial_fit need y with {self.n_outputs_} "
                f"target(s), as in the previous fit; got {Y.shape[1]}."
            )
        attributes = {"out_activation_": "identity", "n_outputs_": Y.shape[1],
                      "_y_ndim": y.ndim}
        return Targets(Y, Y.shape[1], None, attributes, output="identity")

    def _standardise_targets(self, targets, sample_weight, *, warm):
        """Train on ``(y - mean) / std`` (weighted, per target), so that
        the squared error weighs the same next to ``alpha`` and
        ``output_alpha`` whatever the targets' units. A warm start or a
        later ``partial_fit`` call keeps the first fit's mean and std."""
        if warm and hasattr(self, "_target_scale"):
            mean, scale = self._target_scale
        else:
            mean, scale = target_mean_and_scale(targets.y, sample_weight)
        attributes = {**targets.attributes, "_target_scale": (mean, scale)}
        return targets._replace(
            y=(targets.y - mean) / scale, attributes=attributes, scale=(mean, scale)
        )

    def _validation_score(self, coefs, intercepts, X, y, sample_weight=None):
        predicted = predict_output(X, coefs, intercepts, "identity")
        return float(r2_score(y, predicted, sample_weight=sample_weight))

    def predict(self, X):
        """Predict target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, 1-d when ``y`` was 1-d in ``fit``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        predicted = predict_output(X, *self._params_as(X.dtype), "identity")
        return predicted.ravel() if self._y_ndim == 1 else predicted
