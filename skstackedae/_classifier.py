"""StackedAEClassifier: greedy pretraining, a softmax, fine-tuning."""

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ._base import has_minibatch_solver
from ._docstrings import PARTIAL_FIT_SCHEDULE, Substitution
from ._network import predict_log_proba, predict_output
from ._solvers import LEARNING_RATE_INIT
from ._stacked_base import AUTO_ALPHA, AUTO_PENALTY_CONSTRAINT, BaseStackedAE, Targets

#: The entropy weight that "auto" gives fine-tuning when some rows are
#: unlabeled. Chosen on a dev split of the MNIST pool (tune_semisupervised.py;
#: 784-200-10, 3,000 rows, 1,000 dev-test rows): 0.1 gave 0.876 / 0.922 /
#: 0.934 at 100 / 500 / 1,000 labels against 0.792 / 0.889 / 0.923 without
#: it; 0.3 and 0.6 were within 0.01 of 0.1.
AUTO_ENTROPY_WEIGHT = 0.1


@Substitution(auto_entropy_weight=repr(AUTO_ENTROPY_WEIGHT), auto_alpha=repr(AUTO_ALPHA))
class StackedAEClassifier(ClassifierMixin, BaseStackedAE):
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

    {pretraining_parameters}

    alpha : float or "auto", default="auto"
        L2 penalty of the supervised network (the softmax and the fine-tuned
        network): the cost adds ``alpha/2`` times the squared norm of every
        weight matrix, not divided by the number of samples (UFLDL's cost).
        ``MLPClassifier`` divides its ``alpha`` by ``n_samples`` (by the
        batch size with "adam"/"sgd"), so the same value is a penalty
        ``n_samples`` times stronger here: ``MLPClassifier(alpha=a)`` fitted
        on ``n_samples`` rows corresponds to ``alpha=a / n_samples``.
        "auto" is UFLDL's 1e-4 (the default before 0.2.0) up to 500 labeled
        training rows and ``{auto_alpha} / n`` beyond, with ``n`` the number
        of labeled training rows (the sum of their sample weights): the
        penalty of ``MLPClassifier(alpha={auto_alpha})``, which weakens as
        labels grow (1e-6 at 50,000). See the user guide,
        :ref:`The supervised weight decay <weight-decay-auto>`, for the measurements.

    output_alpha : float or "auto", default=0.0
        L2 penalty on the output layer's weights, on top of ``alpha``, in the
        softmax phase and in fine-tuning: the cost adds ``output_alpha/2``
        times their squared norm. "auto" is ``1 / n``, with ``n`` the number
        of labeled training rows (the sum of their sample weights): the
        penalty of ``LogisticRegression(C=1)`` on a softmax regression of
        the top codes, in the cost's per-row scale; it matters with few
        labels (n = 100: 1e-2) and fades with many. 0 (the default) is
        UFLDL's cost. "auto" is not the default because it did not help
        consistently: with 10 labels per class it gained 0.4 to 2.4 points on
        tables with many classes and lost 2.8 to 3.8 on breast cancer, a
        4-class table and pendigits (user guide,
        :ref:`defaults-on-any-data`); compare 0 with "auto" by
        cross-validation on the labeled rows.

    {pretrain_max_iter_parameter}

    max_iter : int or "auto", default="auto"
        Maximum L-BFGS iterations (epochs for "adam"/"sgd") for the softmax
        and for fine-tuning. "auto" is 800 L-BFGS iterations when every row
        is labeled, and UFLDL's 400 otherwise (with unlabeled rows, and
        epochs for "adam"/"sgd"). L-BFGS also stops, as converged, once the
        cost has stalled (see :ref:`defaults-on-any-data` in the user
        guide), so images stop after about 150 iterations and only hard
        tables use the whole budget.

    fine_tune : bool, default=True
        Whether to fine-tune. False keeps the pretrained encoders and the
        softmax as they are (UFLDL's "before fine-tuning" model).

    {solver_parameters}

    {minibatch_parameters}

    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data;
        the softmax and fine-tuning stop when its accuracy has not improved
        for more than ``n_iter_no_change`` epochs (L-BFGS: iterations) and
        keep the best weights. With "adam"/"sgd" each autoencoder does the
        same on its reconstruction error, within the remaining data.

    {stack_stopping_parameters}

    {random_state_verbose_parameters}

    {compute_dtype_parameter}

    warm_start : bool, default=False
        When True and the model is already fitted, ``fit`` reuses the current
        network as its starting point: it skips pretraining and fine-tunes
        the current weights (or, with ``fine_tune=False``, retrains only the
        softmax on the codes of the current encoders). ``hidden_layer_sizes``
        and the autoencoder parameters are then ignored, and ``y`` must have
        the same classes as before.

    unlabeled_label : int, float, str or None, default=None
        The label that marks a row as unlabeled (-1 is scikit-learn's
        semi-supervised convention, as in :mod:`sklearn.semi_supervised`).
        Unlabeled rows train the autoencoders and the unsupervised terms of
        fine-tuning (``reconstruction_weight``, ``entropy_weight``), never
        the supervised cost; ``classes_`` excludes the label, ``score``
        ignores those rows, and early stopping validates on labeled rows
        only. None (the default) keeps every value an ordinary class label,
        so a binary {-1, 1} problem is not semi-supervised.

    reconstruction_weight : float, default=0.0
        Weight ``gamma`` of the reconstruction of every row, through the
        stacked decoders, in the fine-tuning cost (Ranzato & Szummer 2008;
        the decoders are then fine-tuned too, at about twice the cost per
        iteration). Off by default: it lowered held-out accuracy in the
        measurements of the user guide (:ref:`unlabeled-data`).

    entropy_weight : float or "auto", default="auto"
        Weight ``eta`` of the mean entropy of the predicted class
        probabilities of the unlabeled rows in the fine-tuning cost (entropy
        minimisation, Grandvalet & Bengio 2005): it pushes the decision
        boundaries away from dense regions of unlabeled rows, and fine-tuning
        then runs on every row. "auto" is {auto_entropy_weight} when some rows
        are unlabeled and 0 otherwise. With few labels, also prefer one hidden
        layer (see the user guide for the measurements).

    consistency_weight : float, default=0.0
        Weight ``kappa`` of the consistency term of fine-tuning: the mean
        squared difference between the class probabilities of each row and
        of a noisy copy of it (the Pi-model of Laine & Aila 2017), over
        labeled and unlabeled rows alike. It asks the prediction to stay the
        same where the unlabeled rows lie, which lets few labels generalise
        when small corruptions of a row keep its class. The noise is masking
        noise (``consistency_corruption``), drawn anew every 10 L-BFGS
        iterations (every epoch for "adam" and "sgd"); each fine-tuning
        iteration then costs about twice as much. Off by default because
        whether it helps depends on the data: it helps where masking a few
        features keeps a row's class (large images) and hurts where it can
        change it (the 8x8 digits); see :ref:`unlabeled-data` for the
        measurements, and compare 0 with 1 to 3 by cross-validation on the
        labeled rows. Single-label y only; it cannot be combined with
        ``reconstruction_weight``.

    consistency_noise : {"mask", "swap", "neighbours"}, default="mask"
        The noise of ``consistency_weight``'s copies. "mask" sets the chosen
        features to zero, which assumes that 0 means "no signal" (pixels).
        "swap" replaces each by the same feature's value in another row,
        drawn at random (VIME's and SCARF's corruption), so that every
        feature keeps its own values: better on tables (see
        :ref:`defaults-on-any-data`); dense input only. "neighbours"
        replaces the whole row by one of its 10 nearest training rows, a
        graph-smoothness term like ``LabelSpreading``'s graph (see
        :ref:`Neighbours as the noise <neighbour-noise>`);
        ``consistency_corruption`` does not apply.

    consistency_corruption : float, default=0.3
        Fraction of each row's features corrupted in its noisy copy, by
        ``consistency_noise`` ("mask" or "swap").

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in ``LogisticRegression``: a dict
        ``{class_label: weight}`` (classes left out weigh 1), "balanced"
        (``n_samples / (n_classes * np.bincount(y))`` over the labeled rows),
        or None. They multiply ``sample_weight`` in every phase, pretraining
        included. Single-label y only.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (for multilabel y, ``arange(n_labels)``).

    out_activation_ : str
        The output unit: "softmax", or "logistic" for multilabel y (one
        sigmoid per label, trained on the binary cross-entropy), as in
        ``MLPClassifier``.

    n_outputs_ : int
        Number of output units.

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
        ``fine_tune=False``). With a linear first decoder (input outside
        [0, 1]) every phase trains on the input normalised as the first
        autoencoder's (``autoencoders_[0].input_scale_``), so the weight
        decay is that of the normalised input's weights.

    loss_curve_ : list of float
        Cost after each iteration of that last phase.

    softmax_loss_curve_ : list of float
        Cost after each iteration of the softmax phase.

    n_iter_ : int
        Iterations run by the last phase.

    solver_ : str
        The solver of the last fit or ``partial_fit`` call: ``solver``, or
        the one "auto" chose.

    n_layers_ : int
        Number of layers, input and output included.

    alpha_ : float
        The L2 penalty used (``alpha``, with "auto" resolved).

    output_alpha_ : float
        The output layer's extra L2 penalty used (``output_alpha``, with
        "auto" resolved).

    validation_scores_ : list of float or None
        Held-out accuracy after each epoch (L-BFGS: iteration) of the last phase,
        when ``early_stopping=True``; None otherwise.

    best_validation_score_ : float or None
        Best of ``validation_scores_``; its weights are the ones kept.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column
        names.

    Notes
    -----
    For data that does not fit in memory, use ``solver="adam"`` and either
    :meth:`fit` on a ``numpy.memmap`` (mini-batches are read row by row) or
    :meth:`partial_fit` over chunks (its schedule: pretraining for the first
    ``pretrain_max_iter`` calls, then fine-tuning), which is also what
    ``dask_ml.wrappers.Incremental`` calls.

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
        **BaseStackedAE._parameter_constraints,
        "alpha": AUTO_PENALTY_CONSTRAINT,
        "output_alpha": AUTO_PENALTY_CONSTRAINT,
        "unlabeled_label": [None, Real, str],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "entropy_weight": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "consistency_weight": [Interval(Real, 0, None, closed="left")],
        "consistency_noise": [StrOptions({"mask", "swap", "neighbours"})],
        "consistency_corruption": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }

    _output_phase = "softmax"
    _output_curve_attribute = "softmax_loss_curve_"

    def __init__(
        self,
        hidden_layer_sizes=(200, 200),
        *,
        sparsity_target=0.1,
        sparsity_weight="auto",
        pretrain_alpha="auto",
        corruption=0.0,
        decoder="auto",
        alpha="auto",
        output_alpha=0.0,
        pretrain_max_iter="auto",
        max_iter="auto",
        fine_tune=True,
        solver="auto",
        tol="auto",
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
        unlabeled_label=None,
        reconstruction_weight=0.0,
        entropy_weight="auto",
        consistency_weight=0.0,
        consistency_noise="mask",
        consistency_corruption=0.3,
        class_weight=None,
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
        self.unlabeled_label = unlabeled_label
        self.reconstruction_weight = reconstruction_weight
        self.entropy_weight = entropy_weight
        self.consistency_weight = consistency_weight
        self.consistency_noise = consistency_noise
        self.consistency_corruption = consistency_corruption
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Pretrain, train the output layer, then fine-tune.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any type scikit-learn accepts, at least two
            classes), or a label-indicator matrix for multilabel
            classification.

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in every mean over samples, of pretraining
            and of the supervised cost, so integer weights train as repeated
            rows. Multiplied by the weights of ``class_weight``.

        Returns
        -------
        self : StackedAEClassifier
            The fitted classifier.
        """
        return self._atomic_fit(X, y, sample_weight=sample_weight)

    @available_if(has_minibatch_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    @Substitution(partial_fit_schedule=PARTIAL_FIT_SCHEDULE)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over the rows given, continuing the fit.

        Only available with ``solver="adam"`` or ``"sgd"``, as in
        ``MLPClassifier``, or ``"auto"`` (the default), which trains it with Adam.

{partial_fit_schedule}

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Its class labels (``unlabeled_label`` marks unlabeled rows, which
            train the autoencoders and the unsupervised terms only), or a
            label-indicator matrix for multilabel classification.

        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data set. Required on the first call
            (a chunk need not hold every class); later calls may omit it,
            and if given it must be the same. ``unlabeled_label`` in it is
            dropped. For multilabel y, any array (the labels are y's
            columns).

        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the chunk; see :meth:`fit`.

        Returns
        -------
        self : StackedAEClassifier
            The updated classifier.
        """
        first = not hasattr(self, "coefs_")
        if self.reconstruction_weight:
            raise ValueError(
                "partial_fit does not support reconstruction_weight > 0 (the "
                "stacked decoders it fine-tunes are not kept between calls); "
                "set reconstruction_weight=0 or use fit."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: a "
                "chunk's class counts are not the data set's. Pass a dict of "
                "class weights computed on the whole data set instead."
            )
        if classes is not None:
            classes = np.asarray(classes)
            classes = np.unique(classes[~self._unlabeled(classes)])
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first and classes is not None and self.out_activation_ == "softmax" and not (
            np.array_equal(classes, self.classes_)
        ):
            raise ValueError(
                f"classes={classes.tolist()} is not the same as on the first call "
                f"to partial_fit, {self.classes_.tolist()}."
            )
        return self._atomic_fit(
            X, y, incremental=True, sample_weight=sample_weight,
            classes=classes if first else self.classes_,
        )

    def _validate_training_data(self, X, y, sample_weight, **options):
        X, targets, sample_weight = super()._validate_training_data(
            X, y, sample_weight, **options
        )
        # Checked before pretraining, not when fine-tuning draws the noise.
        if self.consistency_weight and self.consistency_noise == "swap" and sparse.issparse(X):
            raise ValueError(
                "consistency_noise='swap' needs dense X: it draws every entry, "
                "zeros included, which a sparse matrix does not store. Use "
                "consistency_noise='mask', or pass X as a dense array."
            )
        return X, targets, sample_weight

    def _validate_targets(self, y, *, warm, classes=None):
        """The targets of ``y``; ``classes`` (``partial_fit``'s) are every
        class of the data set, of which ``y`` may hold some only."""
        # Checked before pretraining, not after it.
        if self.consistency_weight and self.reconstruction_weight:
            raise ValueError(
                "consistency_weight and reconstruction_weight cannot both be "
                "positive: set one of them to 0."
            )
        check_classification_targets(y)
        target_type = type_of_target(y)
        if target_type == "multilabel-indicator":
            return self._validate_multilabel_targets(y, warm=warm)
        if y.ndim == 2:
            raise ValueError(
                f"StackedAEClassifier does not support {target_type} y (a 2-d y "
                "of class labels); y must be 1-d, or a label-indicator matrix "
                "for multilabel classification."
            )
        unlabeled = self._unlabeled(y)
        if classes is None:
            classes, labeled_index = np.unique(y[~unlabeled], return_inverse=True)
        else:
            labeled_index = self._class_indices(y[~unlabeled], classes)
        if classes.shape[0] < 2:
            got = f"only one class: {classes[0]!r}" if classes.shape[0] else "none"
            which = "labeled samples" if unlabeled.any() else "samples"
            raise ValueError(
                f"StackedAEClassifier needs {which} of at least 2 classes in y; "
                f"got {got}."
            )
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                "warm_start=True needs y to have the classes seen in the "
                f"previous fit, {self.classes_!r}; got {classes!r}."
            )
        y_index = np.full(y.shape[0], -1, dtype=np.intp)  # -1: unlabeled
        y_index[~unlabeled] = labeled_index
        labeled = np.flatnonzero(~unlabeled) if unlabeled.any() else None
        attributes = {
            "classes_": classes, "out_activation_": "softmax", "n_outputs_": classes.shape[0]
        }
        return Targets(y_index, classes.shape[0], y_index, attributes, labeled)

    @staticmethod
    def _class_indices(labels, classes):
        """The index in ``classes`` (sorted) of each of ``labels``, or raise."""
        unknown = np.setdiff1d(labels, classes)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()} that are not in classes={classes.tolist()}, "
                "the classes given to the first call to partial_fit."
            )
        return np.searchsorted(classes, labels)

    def _validate_multilabel_targets(self, Y, *, warm):
        """A label-indicator ``Y``: one sigmoid output per label."""
        if self.unlabeled_label is not None:
            raise ValueError(
                "unlabeled_label is for single-label y; a multilabel (label "
                "indicator) y cannot mark rows as unlabeled. Set "
                "unlabeled_label=None."
            )
        if self.class_weight is not None:
            raise ValueError(
                "class_weight is for single-label y; for a multilabel (label "
                "indicator) y pass sample_weight instead."
            )
        if self.consistency_weight:
            raise ValueError(
                "consistency_weight is for single-label y (it compares class "
                "probabilities); for a multilabel (label indicator) y set "
                "consistency_weight=0."
            )
        Y = np.asarray(Y.toarray() if hasattr(Y, "toarray") else Y)
        classes = np.arange(Y.shape[1])
        if warm and not np.array_equal(classes, self.classes_):
            raise ValueError(
                "warm_start=True and partial_fit need y to have the labels seen "
                f"in the previous fit, {self.classes_!r}; got {classes!r}."
            )
        attributes = {"classes_": classes, "out_activation_": "logistic", "n_outputs_": Y.shape[1]}
        return Targets(Y, Y.shape[1], None, attributes, output="logistic")

    def _target_weights(self, targets, sample_weight):
        """``sample_weight`` times the weight of each labeled row's class."""
        if self.class_weight is None:
            return sample_weight
        labeled = np.arange(targets.y.shape[0]) if targets.labeled is None else targets.labeled
        y = targets.y[labeled]
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            # Keyed by the class labels; the targets are class indices.
            classes = targets.attributes["classes_"]
            unknown = set(class_weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight has keys {sorted(unknown, key=str)!r} that are not "
                    f"classes of y, {classes!r}."
                )
            class_weight = {i: class_weight.get(c, 1.0) for i, c in enumerate(classes)}
        weights = np.ones(targets.y.shape[0])
        weights[labeled] = compute_sample_weight(class_weight, y)
        if sample_weight is not None:
            weights *= sample_weight
        return weights.astype(
            np.float64 if sample_weight is None else sample_weight.dtype, copy=False
        )

    def _unlabeled(self, y):
        """Boolean mask of the rows of ``y`` whose label is ``unlabeled_label``."""
        y = np.asarray(y)
        if self.unlabeled_label is None:
            return np.zeros(y.shape[0], dtype=bool)
        return np.asarray(y == self.unlabeled_label, dtype=bool).reshape(y.shape[0])

    def _unsupervised_weights(self, targets):
        entropy_weight = self.entropy_weight
        if entropy_weight == "auto":
            entropy_weight = AUTO_ENTROPY_WEIGHT if targets.labeled is not None else 0.0
        return {
            "reconstruction_weight": float(self.reconstruction_weight),
            "entropy_weight": float(entropy_weight),
            "consistency_weight": float(self.consistency_weight),
        }

    def score(self, X, y, sample_weight=None):
        """Accuracy on the labeled rows of ``(X, y)``.

        Rows whose label is ``unlabeled_label`` are left out, so that
        ``GridSearchCV`` and ``cross_val_score`` with the default scoring
        work unchanged on semi-supervised data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,)
            True labels; ``unlabeled_label`` marks rows to ignore.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy of ``predict(X)`` on the labeled rows.
        """
        keep = np.flatnonzero(~self._unlabeled(y))
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[keep]
        return super().score(_safe_indexing(X, keep), _safe_indexing(y, keep), sample_weight)

    def _validation_score(self, coefs, intercepts, X, y, sample_weight=None):
        if y.ndim == 2:  # multilabel: subset accuracy
            predicted = predict_output(X, coefs, intercepts, "logistic") > 0.5
            correct = np.all(predicted == y.astype(bool), axis=1)
        else:
            correct = np.argmax(predict_log_proba(X, coefs, intercepts), axis=1) == y
        return float(np.average(correct, weights=sample_weight))

    def predict_log_proba(self, X):
        """Log of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, columns in the order of
            ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        coefs, intercepts = self._params_as(X.dtype)
        if self.out_activation_ == "softmax":
            return predict_log_proba(X, coefs, intercepts)
        return np.log(predict_output(X, coefs, intercepts, self.out_activation_))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, columns in the order of ``classes_``
            (for multilabel y, the probability of each label).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        coefs, intercepts = self._params_as(X.dtype)
        return predict_output(X, coefs, intercepts, self.out_activation_)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels (a label-indicator matrix for multilabel y).
        """
        proba = self.predict_proba(X)  # checks that self is fitted
        if self.out_activation_ == "logistic":  # multilabel
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The consistency term compares class probabilities: single-label y.
        tags.classifier_tags.multi_label = not self.consistency_weight
        return tags
