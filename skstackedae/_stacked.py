"""The StackedAEClassifier: greedy pretraining, softmax, fine-tuning."""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._network import forward_hidden, predict_log_proba, softmax_network_loss_grad
from ._atomic import restore_state_on_error
from ._persistence import VersionedPickleMixin
from ._solvers import minimize_lbfgs, minimize_minibatch
from ._sparse_autoencoder import SparseAutoencoder, _batch_size


def check_hidden_layer_sizes(hidden_layer_sizes):
    """Return ``hidden_layer_sizes`` as a list of positive ints, or raise."""
    if isinstance(hidden_layer_sizes, Integral):
        hidden_layer_sizes = [hidden_layer_sizes]
    sizes = list(hidden_layer_sizes)
    if not sizes or not all(
        isinstance(h, Integral) and not isinstance(h, bool) and h > 0 for h in sizes
    ):
        raise InvalidParameterError(
            "The 'hidden_layer_sizes' parameter of StackedAEClassifier must be "
            "a positive int or a non-empty sequence of positive ints; got "
            f"{hidden_layer_sizes!r}."
        )
    return [int(h) for h in sizes]


class StackedAEClassifier(VersionedPickleMixin, ClassifierMixin, BaseEstimator):
    """Stacked sparse autoencoders under a softmax, fine-tuned end to end.

    ``fit`` runs the three stages of UFLDL's stacked autoencoder:

    1. greedy layer-wise pretraining: a :class:`SparseAutoencoder` per hidden
       layer, each trained on the hidden codes of the layer below;
    2. softmax regression on the codes of the top layer;
    3. fine-tuning: the encoders and the softmax form one feed-forward
       network whose cross-entropy plus ``alpha/2`` times the squared norm of
       every weight matrix is minimised by backpropagation and L-BFGS.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(200, 200)
        Number of units of each hidden layer, from the input up.

    sparsity_target : float, default=0.1
        Target mean activation of the hidden units of every autoencoder.

    sparsity_weight : float, default=3.0
        Weight of the KL sparsity penalty of every autoencoder.

    pretrain_alpha : float, default=3e-3
        Weight decay of the autoencoders during pretraining (UFLDL's value).

    corruption : float, default=0.0
        Masking-noise level of every autoencoder (stacked denoising
        autoencoders when positive). Fine-tuning always sees clean data.

    decoder : {"auto", "logistic", "linear"}, default="auto"
        Decoder of every autoencoder; see :class:`SparseAutoencoder`. With
        "auto" the first layer picks from the range of ``X`` and the upper
        layers, whose inputs are sigmoid codes, use "logistic".

    alpha : float, default=1e-4
        L2 penalty of the supervised network: the softmax and the fine-tuned
        network (``MLPClassifier``'s name). 1e-4 is UFLDL's value; on 5,000
        MNIST digits it gave 94.6 % held-out accuracy against 90.6 % for the
        autoencoders' 3e-3.

    pretrain_max_iter : int, default=50
        Maximum L-BFGS iterations (epochs for "adam"/"sgd") of each
        autoencoder.

    max_iter : int, default=100
        Maximum L-BFGS iterations (epochs for "adam"/"sgd") for the softmax
        and for fine-tuning.

        UFLDL runs 400 iterations per stage on 60,000 MNIST digits. On the
        5,000-digit MNIST sample (4,000 to train, 1,000 held out, 784-200-200-10)
        50 pretraining and 100 supervised iterations reached 95.0 % held-out
        accuracy in 16 s, against 94.8 % in 93 s with 400 everywhere (and
        92.9 % for ``MLPClassifier(solver="lbfgs")``, 94.2 % with "adam"):
        fine-tuning recovers what shorter pretraining leaves. Raise both for
        large data sets.

    fine_tune : bool, default=True
        Whether to fine-tune. False keeps the pretrained encoders and the
        softmax as they are (UFLDL's "before fine-tuning" model).

    solver : {"lbfgs", "adam", "sgd"}, default="lbfgs"
        Optimiser of every phase; see :class:`SparseAutoencoder`. "adam" and
        "sgd" take mini-batch steps with ``MLPClassifier``'s meanings of the
        parameters below.

    tol : float, default=1e-5
        L-BFGS stops a phase when the largest gradient component is below
        ``tol`` (minFunc's default, which UFLDL ran with). For "adam"/"sgd":
        the least improvement of the loss (or validation score) that counts.

    batch_size : int or "auto", default="auto"
        Mini-batch size of "adam"/"sgd"; "auto" is ``min(200, n_samples)``.

    learning_rate_init : float, default=1e-3
        Step size of "adam"/"sgd".

    shuffle : bool, default=True
        Shuffle the samples every epoch ("adam"/"sgd").

    early_stopping : bool, default=False
        For "adam"/"sgd": hold out a stratified ``validation_fraction`` of the
        training data; the softmax and fine-tuning stop when its accuracy has
        not improved by ``tol`` for ``n_iter_no_change`` epochs and keep the
        best weights (each autoencoder does the same on its reconstruction
        error, within the remaining data).

    validation_fraction : float, default=0.1
        Fraction held out when ``early_stopping=True``.

    n_iter_no_change : int, default=10
        Epochs without improvement before "adam"/"sgd" stop a phase.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation of every layer and the corruption masks.

    verbose : int, default=0
        When positive, report each phase (pretraining layer k of n, softmax,
        fine-tuning) as it starts and ends, with its loss, iterations and
        elapsed time, and the loss of every iteration within it.

    warm_start : bool, default=False
        When True and the model is already fitted, ``fit`` reuses the current
        network as its starting point: it skips pretraining and fine-tunes
        the current weights (or, with ``fine_tune=False``, retrains only the
        softmax on the codes of the current encoders). ``hidden_layer_sizes``
        and the autoencoder parameters are then ignored, and ``y`` must have
        the same classes as before.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    coefs_ : list of ndarray
        Weight matrices of the whole network, ``coefs_[i]`` of shape
        (units of layer i, units of layer i + 1), as in ``MLPClassifier``.

    intercepts_ : list of ndarray
        Bias vectors of the whole network.

    autoencoders_ : list of SparseAutoencoder
        The pretrained autoencoder of each hidden layer (before
        fine-tuning).

    loss_ : float
        Final cost of the last phase run (fine-tuning, or the softmax when
        ``fine_tune=False``).

    loss_curve_ : list of float
        Cost after each iteration of that last phase.

    softmax_loss_curve_ : list of float
        Cost after each iteration of the softmax phase.

    n_iter_ : int
        Iterations run by the last phase.

    n_layers_ : int
        Number of layers, input and output included.

    validation_scores_ : list of float or None
        Held-out accuracy after each epoch of the last phase, when
        ``early_stopping=True`` with "adam"/"sgd"; None otherwise.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; its weights are the ones kept.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column
        names.

    Notes
    -----
    There is no ``partial_fit``: greedy pretraining trains each layer to
    convergence before the next one sees its codes, then the softmax, then the
    whole network, so one pass over a chunk of data cannot advance "the" fit.
    For data that does not fit in memory, pretrain each layer with
    :meth:`SparseAutoencoder.partial_fit` over the chunks, or fit this
    classifier with ``solver="adam"`` on a ``numpy.memmap`` (mini-batches are
    read row by row).

    See Also
    --------
    SparseAutoencoder : The autoencoder trained for each layer.
    sklearn.neural_network.MLPClassifier : The same network without
        pretraining.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skstackedae import StackedAEClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X / 16.0, y, random_state=0)
    >>> clf = StackedAEClassifier((64,), pretrain_max_iter=50, max_iter=100,
    ...                           random_state=0).fit(X_train, y_train)
    >>> clf.predict_proba(X_test[:2]).shape
    (2, 10)
    >>> clf.score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "pretrain_alpha": [Interval(Real, 0, None, closed="left")],
        "corruption": [Interval(Real, 0, 1, closed="left")],
        "decoder": [StrOptions({"auto", "logistic", "linear"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "pretrain_max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "fine_tune": ["boolean"],
        "solver": [StrOptions({"lbfgs", "adam", "sgd"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(200, 200),
        *,
        sparsity_target=0.1,
        sparsity_weight=3.0,
        pretrain_alpha=3e-3,
        corruption=0.0,
        decoder="auto",
        alpha=1e-4,
        pretrain_max_iter=50,
        max_iter=100,
        fine_tune=True,
        solver="lbfgs",
        tol=1e-5,
        batch_size="auto",
        learning_rate_init=1e-3,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        verbose=0,
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
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Pretrain, train the softmax, then fine-tune.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Class labels (any type scikit-learn accepts, at least two
            classes).

        Returns
        -------
        self : StackedAEClassifier
            The fitted classifier.
        """
        with restore_state_on_error(self):
            return self._fit(X, y)

    def _fit(self, X, y):
        hidden_layer_sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        warm = self.warm_start and hasattr(self, "coefs_")
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
            reset=not warm,
        )
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "StackedAEClassifier needs samples of at least 2 classes in y; "
                f"got only one class: {classes[0]!r}."
            )
        rng = check_random_state(self.random_state)
        X_val = y_val = None
        if self.solver != "lbfgs" and self.early_stopping:
            X, X_val, y_index, y_val = train_test_split(
                X, y_index, test_size=self.validation_fraction, stratify=y_index,
                random_state=rng,
            )

        if warm:
            if not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start=True needs y to have the classes seen in the "
                    f"previous fit, {self.classes_!r}; got {classes!r}."
                )
            autoencoders = self.autoencoders_
            coefs = [W.astype(X.dtype) for W in self.coefs_]
            intercepts = [b.astype(X.dtype) for b in self.intercepts_]
            softmax_curve = self.softmax_loss_curve_
        else:
            autoencoders, codes = self._pretrain(X, hidden_layer_sizes, rng)
            coefs = [ae.coefs_[0] for ae in autoencoders]
            intercepts = [ae.intercepts_[0] for ae in autoencoders]
            n_classes = classes.shape[0]
            coefs.append(0.005 * rng.standard_normal((codes.shape[1], n_classes)))
            intercepts.append(np.zeros(n_classes))

        if not warm or not self.fine_tune:
            # Softmax regression on the top codes (from the current encoders).
            if warm:
                codes = forward_hidden(X, coefs[:-1], intercepts[:-1])[-1]
            codes_val = None
            if X_val is not None:
                codes_val = forward_hidden(X_val, coefs[:-1], intercepts[:-1])[-1]
            top, loss, n_iter, softmax_curve, validation_scores = self._minimize(
                [coefs[-1].astype(X.dtype), intercepts[-1].astype(X.dtype)],
                codes, y_index, rng, "softmax", codes_val, y_val,
            )
            coefs[-1], intercepts[-1] = top
            loss_curve = softmax_curve

        if self.fine_tune:
            params, loss, n_iter, loss_curve, validation_scores = self._minimize(
                coefs + intercepts, X, y_index, rng, "fine-tuning", X_val, y_val
            )
            coefs, intercepts = params[: len(coefs)], params[len(coefs) :]

        # Set the fitted state only once every phase has succeeded.
        self.classes_ = classes
        self.autoencoders_ = autoencoders
        self.coefs_ = coefs
        self.intercepts_ = intercepts
        self.loss_ = loss
        self.loss_curve_ = loss_curve
        self.softmax_loss_curve_ = softmax_curve
        self.n_iter_ = n_iter
        self.n_layers_ = len(coefs) + 1
        self.validation_scores_ = validation_scores
        self.best_validation_score_ = (
            None if validation_scores is None else max(validation_scores)
        )
        return self

    def _pretrain(self, X, hidden_layer_sizes, rng):
        """Greedy layer-wise pretraining; returns the autoencoders and top codes."""
        autoencoders, codes = [], X
        n_layers = len(hidden_layer_sizes)
        for layer, n_hidden in enumerate(hidden_layer_sizes, start=1):
            start = time.perf_counter()
            self._log(
                f"pretraining layer {layer} of {n_layers}: "
                f"{codes.shape[1]} -> {n_hidden} units"
            )
            autoencoder = SparseAutoencoder(
                n_components=n_hidden,
                sparsity_target=self.sparsity_target,
                sparsity_weight=self.sparsity_weight,
                alpha=self.pretrain_alpha,
                corruption=self.corruption,
                decoder=self.decoder,
                solver=self.solver,
                max_iter=self.pretrain_max_iter,
                tol=self.tol,
                batch_size=self.batch_size,
                learning_rate_init=self.learning_rate_init,
                shuffle=self.shuffle,
                early_stopping=self.early_stopping,
                validation_fraction=self.validation_fraction,
                n_iter_no_change=self.n_iter_no_change,
                random_state=rng.randint(np.iinfo(np.int32).max),
                verbose=self.verbose,
            )
            codes = autoencoder.fit_transform(codes)
            autoencoders.append(autoencoder)
            self._log_done(
                f"pretraining layer {layer} of {n_layers}", autoencoder.loss_,
                autoencoder.n_iter_, start,
            )
        return autoencoders, codes

    def _minimize(self, params, X, y_index, rng, phase, X_val=None, y_val=None):
        """Minimise the softmax-network cost over ``params`` (weights, biases).

        Returns ``(params, loss, n_iter, loss_curve, validation_scores)``.
        Ctrl-C during fine-tuning keeps the best network so far, as
        MLPClassifier does; elsewhere it aborts the fit (state restored).
        """
        start = time.perf_counter()
        self._log(f"{phase}: {len(params) // 2} layer(s), {X.shape[0]} samples")
        result = self._run_solver(params, X, y_index, rng, phase, X_val, y_val)
        self._log_done(phase, result[1], result[2], start)
        return result

    def _log(self, message):
        if self.verbose:
            print(f"[StackedAEClassifier] {message}", flush=True)

    def _log_done(self, phase, loss, n_iter, start):
        self._log(
            f"{phase} done: loss = {loss:.6f} after {n_iter} iteration(s), "
            f"{time.perf_counter() - start:.2f}s"
        )

    def _run_solver(self, params, X, y_index, rng, phase, X_val, y_val):
        n_coefs = len(params) // 2
        buffers = {}

        def cost(params, grads, X, y_index):
            return softmax_network_loss_grad(
                params[:n_coefs], params[n_coefs:], X, y_index, alpha=self.alpha,
                coef_grads=grads[:n_coefs], intercept_grads=grads[n_coefs:],
                buffers=buffers,
            )

        if self.solver == "lbfgs":
            result = minimize_lbfgs(
                lambda params, grads: cost(params, grads, X, y_index),
                params, max_iter=self.max_iter, tol=self.tol, phase=phase,
                verbose=self.verbose, interruptible=phase == "fine-tuning",
            )
            return (*result, None)

        validation_score = None
        if X_val is not None:

            def validation_score(params):
                log_proba = predict_log_proba(X_val, params[:n_coefs], params[n_coefs:])
                return float(np.mean(np.argmax(log_proba, axis=1) == y_val))

        result = minimize_minibatch(
            lambda params, grads, rows: cost(params, grads, X[rows], y_index[rows]),
            params, X.shape[0], solver=self.solver,
            batch_size=_batch_size(self.batch_size, X.shape[0]),
            learning_rate_init=self.learning_rate_init, max_iter=self.max_iter,
            tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            shuffle=self.shuffle, rng=rng, validation_score=validation_score,
            phase=phase, verbose=self.verbose,
        )
        return result[:5]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def predict_log_proba(self, X):
        """Log of the class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, columns in the order of
            ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )
        coefs = [W.astype(X.dtype, copy=False) for W in self.coefs_]
        intercepts = [b.astype(X.dtype, copy=False) for b in self.intercepts_]
        return predict_log_proba(X, coefs, intercepts)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, columns in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]
