"""The base class of the stacked estimators: greedy pretraining of the stack,
the output layer, fine-tuning and warm start, as named phases.
(:class:`StackedAutoencoder` reuses the pretraining and training phases with
its own ``_fit``: its "output layer" is the decoder stack.)"""

import copy
import math
import time
import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import column_or_1d

from ._base import BaseNetwork
from ._callbacks import NoTask
from ._network import (
    encode,
    forward_hidden,
    network_loss_grad,
    predict_output,
    rescale_output_layer,
    unscale_output_layer,
)
from ._rows import merge_identical_rows
from ._semi_supervised import (
    consistency_loss_grad,
    nearest_neighbours,
    noisy_pairs,
    semi_supervised_loss_grad,
)
from ._solvers import STALL_PROGRESS_FRACTION, MinimizeResult
from ._sparse_autoencoder import (
    COLLAPSED_R2,
    SparseAutoencoder,
    init_weights,
    input_unit_encoder,
    input_unit_params,
    normalise_input,
    normalised_decoder,
    normalised_params,
)

#: Each pretraining parameter of a stack and the :class:`SparseAutoencoder`
#: parameter it sets on every layer. It yields both the forwarding
#: (:meth:`BaseStackedAE._pretrain`) and the constraints.
PRETRAIN_PARAMETERS = {
    "sparsity_target": "sparsity_target",
    "sparsity_weight": "sparsity_weight",
    "pretrain_alpha": "alpha",
    "corruption": "corruption",
    "decoder": "decoder",
    "pretrain_max_iter": "max_iter",
    "solver": "solver",
    "tol": "tol",
    "batch_size": "batch_size",
    "learning_rate_init": "learning_rate_init",
    "learning_rate": "learning_rate",
    "shuffle": "shuffle",
    "early_stopping": "early_stopping",
    "validation_fraction": "validation_fraction",
    "n_iter_no_change": "n_iter_no_change",
    "verbose": "verbose",
}

#: L-BFGS iterations per draw of the consistency term's noise. Chosen with a
#: prototype of the same cost on the dev split of tune_semisupervised.py
#: (784-200-10 after 200 denoising pretraining iterations, 100 labels, 3
#: draws, 100 iterations, kappa = 3): a draw every 25 / 10 / 5 iterations
#: gave 0.862 / 0.877 / 0.876 dev accuracy, one draw for all 100 0.845 (no
#: consistency term: 0.840). A restart costs a little: with kappa ~ 0,
#: restarting every 10 iterations gave 0.830.
CONSISTENCY_RESAMPLE_EVERY = 10

#: L-BFGS's stall rule for the supervised phases (the output layer and
#: fine-tuning): stop once the cost falls by less than 1 % over 10
#: iterations (and by little next to its fall so far: ``_solvers._stalled``),
#: within ``max_iter`` (400, UFLDL's). Measured on dev splits
#: (mean relative fall per iteration, over windows of 10): the image sets
#: are below 1e-3 soon after iteration 100 (MNIST 5,000 digits 5.8e-4 at
#: 150, 8x8 digits 7.0e-4) and gain nothing from more (held-out accuracy
#: within 0.1 point at 300), while tables with few features still fall by
#: 1.5-3e-3 per iteration at 300 and need those iterations (16 features,
#: 26 classes: 0.819 after 100, 0.908 after 400; MLPClassifier 0.891).
LBFGS_MIN_DECREASE = 0.01

#: solver="auto" trains with Adam from this many rows with a label (every
#: row when none is unlabeled), with L-BFGS below. Full-batch L-BFGS takes
#: one step per pass over the data, and on a hard table its 400 steps fall
#: far short: on 37,500 rows of a 32-feature 10-class table it scored 0.320
#: (MLPClassifier 0.895), Adam 0.853. Where the two cross (dev splits,
#: L-BFGS then Adam; training rows in brackets; at 10,000 Adam pretrained
#: 5 epochs, not "auto"'s 50): MNIST 0.936 / 0.947 (3,000), 0.950 / 0.954
#: (5,000), 0.965 / 0.967 (10,000); a letter-like table 0.869 / 0.840
#: (3,000), 0.868 / 0.885 (5,000), 0.863 / 0.912 (10,000); the 32-feature
#: table 0.364 / 0.740 (5,000); pendigits (5,620) 0.989 / 0.989. On 2,000
#: rows of that table L-BFGS 0.543, Adam 0.333. On 50,000 MNIST digits Adam
#: costs 15 % more time (119 s against 104 s) at 0.1 point less.
ADAM_MIN_ROWS = 5_000

#: pretrain_max_iter="auto" with L-BFGS: iterations per autoencoder (as
#: accurate as UFLDL's 400 after fine-tuning on MNIST, in a seventh of the
#: time). StackedAutoencoder, which has no output layer, keeps this budget;
#: it also caps the Adam/SGD budget in epochs (MINIBATCH_PRETRAIN_STEPS).
LBFGS_PRETRAIN_MAX_ITER = 50

#: pretrain_max_iter="auto" with L-BFGS in a stack with an output layer (a
#: classifier or regressor, every row labeled or some). On hard tables 50
#: iterations leave the second layer's codes poor (reconstruction R^2
#: 0.24-0.55) and fine-tuning starts from them on a plateau. Dev splits, 50
#: -> 100 iterations (MLPClassifier), 18 sets of 133-3,326 rows: the
#: 32-feature 10-class 2-cluster table 0.363 -> 0.582 at 3,000 rows (0.646)
#: and 0.364 -> 0.568 at 4,000 (0.685); 64 features 0.644 -> 0.712 (0.630);
#: 36 features, 6 classes of 2 clusters, 3,326 rows 0.659 -> 0.684 (0.730);
#: 36 features, 1 cluster 0.899 -> 0.921 (0.908); images within 0.3 point
#: (8x8 digits 0.973 -> 0.976, optdigits 0.980 -> 0.979, MNIST 3,750 0.935
#: -> 0.937). 12 up, 4 down, none below MLPClassifier (worst: an 8-class
#: 12-feature table 0.723 -> 0.693, MLP 0.613; 16 features 26 classes 0.578
#: -> 0.560, MLP 0.492); median time 1.2x (1.5x on MNIST). 100 for the
#: first layer and 50 for the second gave 0.363, 50 then 100 0.492 on the
#: 3,000-row table: both layers need it. 200 gained little more (0.579) at
#: 1.4-2.3x. Semi-supervised fits, 10 labels per class, 15 dev sets x 4
#: draws (user guide, "Pretraining budget with few labels"): at least the
#: better of LogisticRegression and MLPClassifier on the labeled rows in 41
#: draws of 60 against 35 with 50 iterations, above LabelSpreading and
#: self-training in 18 against 15, mean +0.8 point (32-feature tables +2.3
#: to +3.8, MNIST +1.5; 8x8 digits -1.6, breast cancer and iris -0.7 and
#: -0.9), 1.45x the time. (An earlier pair of draws showed no gain: wine
#: 0.967 -> 0.933, 8x8 digits 0.937 -> 0.931.)
LBFGS_SUPERVISED_PRETRAIN_MAX_ITER = 100

#: max_iter="auto" (the classifier's): the iterations (Adam/SGD: epochs) of
#: the output-layer phase and of fine-tuning, UFLDL's 400, and for L-BFGS in
#: a supervised fit LBFGS_SUPERVISED_MAX_ITER. The stall rule ends images
#: and easy tables long before either (8x8 digits at 135, optdigits at 144,
#: 13 of 17 dev splits below 400, unchanged by the budget); hard tables were
#: still learning at 400. Dev splits, 400 -> 800 (MLPClassifier): the
#: 32-feature 10-class 2-cluster table 0.582 -> 0.629 at 3,000 rows (0.646;
#: 661 iterations, 1.45x the time) and 0.568 -> 0.641 at 4,000 (0.685); 36
#: features, 6 classes of 2 clusters 0.684 -> 0.712 (0.730; 488
#: iterations); 20 features 0.832 -> 0.837; 8 features, 4 classes of 3
#: clusters 0.746 -> 0.740 (0.730). Semi-supervised fits keep 400 (their
#: stall rule stops them early: few labels, unmeasured beyond it).
MAX_ITER = 400
LBFGS_SUPERVISED_MAX_ITER = 800

#: pretrain_max_iter="auto" with Adam/SGD: whole epochs of about this many
#: mini-batch steps per autoencoder, and at most LBFGS_PRETRAIN_MAX_ITER
#: epochs. The steps, not the epochs, decide whether a layer learns: 5
#: epochs (500 steps) were enough on 20,000 rows of the 32-feature table
#: (0.823) and on 50,000 MNIST digits (0.983, and 2 epochs 0.982), but on
#: 10,000 rows (250 steps) its codes stayed constant and the fit ended at
#: chance (0.100; 50 epochs: 0.797).
MINIBATCH_PRETRAIN_STEPS = 2_500

#: A network whose outputs vary by less than this over the training rows
#: (in probability, or as a fraction of the targets' range) is taken as
#: constant (:meth:`BaseStackedAE._warn_if_constant`). Collapsed fits
#: measured spreads below 1e-3; working ones near 1.
CONSTANT_OUTPUT_SPREAD = 0.01

#: The constraint of an L2 penalty that "auto" scales by the labeled rows
#: (:meth:`BaseStackedAE._penalties`): ``output_alpha`` of the stacks that
#: have an output layer of their own, and the classifier's ``alpha``.
AUTO_PENALTY_CONSTRAINT = [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")]

#: alpha="auto" (the classifier's default) is UFLDL's 1e-4 up to 500
#: labeled training rows, and AUTO_ALPHA / n beyond: ``MLPClassifier(alpha=
#: 0.05)``'s penalty, fixed on the summed cost as a prior is, so it weakens
#: as labels grow (UFLDL's constant on the mean cost does not). Every label,
#: dev splits, against 1e-4: pendigits 0.9904 -> 0.9931, MNIST (40,000
#: digits) 0.9765 -> 0.9796 in 92 fine-tuning epochs instead of 109, 5,000
#: digits 0.9648 -> 0.9632 in 13 s instead of 20, 8 tables 0.867 on
#: average both. Below 500 rows AUTO_ALPHA / n is stronger than 1e-4: with 10
#: labels per class it gained the tables 1.1 points on average but cost
#: optdigits, pendigits and MNIST 0.7 to 3.2 (AUTO_ALPHA = 0.01 instead:
#: images unchanged, the 26-class tables -2.0), hence the cap.
AUTO_ALPHA = 0.05
UFLDL_SUPERVISED_ALPHA = 1e-4  # the softmax and fine-tuning (the autoencoders: 3e-3)


#: early_stopping="auto" (the regressor's) holds out rows from this many
#: labeled rows up, with L-BFGS: R^2 needs two held-out rows (one tenth of
#: 20), and below it a fit has too few rows to spare. Fine-tuning a
#: 200-200 stack to convergence on a few hundred noisy rows overfits: R^2
#: on dev splits (3 draws) without / with early stopping, diabetes (248
#: rows) 0.298 / 0.573, wine's alcohol from its other features (99 rows)
#: 0.290 / 0.505, breast cancer's mean smoothness (319 rows) 0.674 / 0.738,
#: make_friedman1 0.874 / 0.883 (225 rows) and 0.947 / 0.947 (1,518),
#: make_friedman2 and make_regression unchanged (+-0.002), make_friedman3
#: 0.850 / 0.840. From 30 to 100 rows (4 draws) it gains 0.2 on the noisy
#: sets and loses up to 0.12 on the noiseless generated ones. The classifier
#: keeps early_stopping=False: True lowered 15 of 17 dev splits by 0.5 to
#: 21 points (user guide, "Regression on small noisy tables").
EARLY_STOPPING_MIN_ROWS = 20


#: Adam/SGD fine-tuning refines rather than trains when the output layer on
#: the pretrained codes already fits: its training loss below this fraction
#: of ln(n_classes), the loss of the class prior on balanced classes. It
#: then starts at _solvers.REFINE_STEP_SCALE times learning_rate_init, with
#: _solvers.REFINE_N_ITER_NO_CHANGE epochs of "auto" patience.
#: The ratio on dev splits: MNIST 0.09, pendigits 0.14, a letter-like table
#: 0.41, 32-feature 2-cluster tables 0.82-0.90. On MNIST the first step
#: buys nothing after 5 epochs (held-out 0.960, 0.959 at its plateau at
#: epoch 76). Default / refined: MNIST 40,000 rows 0.9750 in 122 s / 0.9765
#: in 85 s, 20,000 rows 0.9687 in 52 s / 0.9702 in 40 s; pendigits (2
#: splits) 0.9888 / 0.9893 and 0.9915 / 0.9920. Step 2e-3 with 2 epochs
#: was faster on MNIST (81 s) but cost pendigits 0.4-0.5 points.
REFINE_LOSS_RATIO = 0.2


class Targets(NamedTuple):
    """A stack's targets, as its output layer and early stopping need them."""

    y: np.ndarray
    """What the output layer's cost reads (class indices for a classifier)."""
    n_outputs: int
    """Units of the output layer."""
    stratify: np.ndarray | None
    """Labels to stratify the early-stopping split by, or None."""
    attributes: dict
    """Fitted attributes that describe the targets (``classes_``)."""
    labeled: np.ndarray | None = None
    """Indices of the labeled rows when some rows are unlabeled, else None.
    Unlabeled rows train the autoencoders and the unsupervised terms only."""
    output: str = "softmax"
    """The output unit: "softmax", "logistic" (multilabel) or "identity"."""
    scale: tuple | None = None
    """``(mean, scale)`` per output when the network trains on standardised
    targets ``(y - mean) / scale`` (the regressor's): the fitted network is
    stored in ``y``'s units (:meth:`BaseStackedAE._in_target_units`)."""


def _take(a, rows):
    return None if a is None else a[rows]


class _Data(NamedTuple):
    X: object
    y: np.ndarray
    X_val: object = None
    y_val: np.ndarray = None
    labeled: np.ndarray | None = None  # rows of X with a label; None: all
    sample_weight: np.ndarray | None = None
    w_val: np.ndarray | None = None
    had_unlabeled: bool = False  # the labeled rows of a semi-supervised fit
    # (offset, scale) when X is the input normalised for a linear decoder
    # (BaseStackedAE._normalised); None: X as given.
    input_normalisation: tuple | None = None

    def semi_supervised(self):
        """Whether these rows come from a fit with unlabeled rows."""
        return self.labeled is not None or self.had_unlabeled

    def n_labeled(self):
        """Number of training rows with a label."""
        return self.X.shape[0] if self.labeled is None else self.labeled.size

    def labeled_only(self):
        """The same data without its unlabeled rows."""
        if self.labeled is None:
            return self
        rows = self.labeled
        return _Data(
            self.X[rows], self.y[rows], self.X_val, self.y_val,
            sample_weight=_take(self.sample_weight, rows), w_val=self.w_val,
            had_unlabeled=True, input_normalisation=self.input_normalisation,
        )


class BaseStackedAE(BaseNetwork):
    """Greedy pretraining, an output layer and fine-tuning (not public).

    A public stack adds its output layer and target handling through:

    - ``_validate_targets(y, *, warm) -> Targets`` (``Targets.output`` names
      the output unit: "softmax", "logistic" or "identity");
    - optionally ``_target_weights(targets, sample_weight)`` (the
      classifier's ``class_weight``);
    - ``_validation_score(coefs, intercepts, X, y, sample_weight) -> float``
      for early stopping (higher is better);
    - ``_output_phase``, the output phase's name in messages, and
      ``_output_curve_attribute``, the fitted attribute for its loss curve;
    - for unlabeled rows (``Targets.labeled``): ``_unsupervised_weights(targets)
      -> dict`` of the unsupervised terms' weights in fine-tuning (all zero:
      fine-tune on the labeled rows alone; see :meth:`_fine_tune`).
    """

    #: pretrain_max_iter="auto" with L-BFGS: a stack with an output layer
    #: (classifier, regressor) pretrains longer than one without.
    _lbfgs_pretrain_max_iter = LBFGS_SUPERVISED_PRETRAIN_MAX_ITER

    _parameter_constraints: dict = {
        **BaseNetwork._parameter_constraints,
        **{
            name: SparseAutoencoder._parameter_constraints[ae_name]
            for name, ae_name in PRETRAIN_PARAMETERS.items()
        },
        # "auto" is the stacks' own: it is resolved before the autoencoders get it.
        "solver": [StrOptions({"auto", "lbfgs", "adam", "sgd"})],
        "tol": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "pretrain_max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "n_iter_no_change": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fine_tune": ["boolean"],
        "warm_start": ["boolean"],
    }

    def _fit(self, X, y, sample_weight=None, incremental=False, **target_options):
        if incremental:
            return self._fit_chunk(X, y, sample_weight, **target_options)
        warm = self.warm_start and hasattr(self, "coefs_")
        hidden_layer_sizes = self._check_hidden_layer_sizes()
        X, targets, sample_weight = self._validate_training_data(
            X, y, sample_weight, reset=not warm, warm=warm
        )
        # Rows counted before identical ones are merged (merged weights that
        # are all equal are dropped): duplicated rows weigh as rows do.
        given = _Data(X, targets.y, labeled=targets.labeled, sample_weight=sample_weight)
        self._choose_solver(given.n_labeled(), supervised=not given.semi_supervised())
        if self._fit_solver() == "lbfgs":
            X, targets, sample_weight = self._merge_identical_rows(X, targets, sample_weight)
        rng = check_random_state(self.random_state)
        data = self._split(X, targets, rng, sample_weight)
        penalties = self._penalties(given if data.X_val is None else data)

        if warm:
            autoencoders = self.autoencoders_
            coefs, intercepts = self._trained_params(X.dtype, targets.scale)
            output_curve = getattr(self, self._output_curve_attribute)
        else:
            autoencoders, coefs, intercepts = self._initialise(
                data, hidden_layer_sizes, targets.n_outputs, rng
            )
        data = self._normalised(data, autoencoders)
        coefs, intercepts = self._in_normalised_units(coefs, intercepts, data)
        if not (warm and self.fine_tune):
            result = self._train_output_layer(
                coefs, intercepts, data.labeled_only(), rng, targets.output, penalties
            )
            coefs[-1], intercepts[-1] = result.coefs[0], result.intercepts[0]
            output_curve = result.loss_curve
            refine = self._refines(output_curve[-1], targets)
        else:
            refine = False
        if self.fine_tune:
            result = self._fine_tune(
                coefs, intercepts, autoencoders, data, targets, rng, penalties,
                refine=refine,
            )
            coefs, intercepts = result.coefs[: len(coefs)], result.intercepts[: len(coefs)]

        self._warn_if_constant(coefs, intercepts, data.labeled_only(), targets.output)
        coefs, intercepts = self._in_input_units(coefs, intercepts, data)

        # What a later partial_fit continues: the last phase, its optimiser
        # (Adam's moments; not the joint cost's, whose parameters differ).
        joint = self.fine_tune and len(result.coefs) > len(coefs)
        return self._set_fitted_stack(
            targets, autoencoders, result._replace(coefs=coefs, intercepts=intercepts),
            output_curve, penalties, rng,
            stage="fine-tuning" if self.fine_tune else "output layer",
            optimizer=None if joint else result.optimizer,
        )

    def _validate_training_data(self, X, y, sample_weight, *, reset, warm, incremental=False,
                                **target_options):
        """``(X, targets, sample_weight)`` of a fit or a ``partial_fit`` call:
        ``X`` in ``compute_dtype``, the targets checked by the subclass, and
        the sample weights (times ``class_weight``'s) in ``X``'s dtype."""
        X, y = self._validate_fit_X(
            X, y, reset=reset, incremental=incremental, multi_output=True
        )
        if y.ndim == 2 and y.shape[1] == 1:
            # As MLPClassifier and MLPRegressor: a column y is a 1-d y, with a warning.
            y = column_or_1d(y, warn=True)
        sample_weight = self._validate_sample_weight(sample_weight, X)
        targets = self._validate_targets(y, warm=warm, **target_options)
        sample_weight = self._target_weights(targets, sample_weight)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(X.dtype, copy=False)
        targets = self._standardise_targets(targets, sample_weight, warm=warm)
        # What callbacks evaluate the model at each iteration on (the rows as
        # given, the labels as given; see _iteration_report).
        task = getattr(self, "_fit_task", NoTask())
        task.scoring_data, task.fitted_attributes = (X, y), targets.attributes
        task.target_scale = targets.scale
        return X, targets, sample_weight

    def _standardise_targets(self, targets, sample_weight, *, warm):
        """The targets the network trains on (``targets`` itself here; the
        regressor standardises them and sets ``Targets.scale``)."""
        return targets

    @staticmethod
    def _in_target_units(coefs, intercepts, scale):
        """The network trained on standardised targets (``Targets.scale``),
        as a network that predicts in the targets' own units."""
        if scale is None:
            return list(coefs), list(intercepts)
        return rescale_output_layer(coefs, intercepts, *scale)

    def _trained_params(self, dtype, scale):
        """The fitted network in ``dtype``, in the units it trains in (the
        inverse of :meth:`_in_target_units`): what a warm start continues."""
        coefs, intercepts = self._params_as(dtype)
        if scale is None:
            return list(coefs), list(intercepts)
        return unscale_output_layer(coefs, intercepts, *scale)

    # The network trains on the input in the first autoencoder's units: with
    # a linear decoder, centred and scaled (SparseAutoencoder's
    # input_offset_, input_scale_), so that its fit does not depend on the
    # input's value range either; coefs_ are stored in the input's units.
    # Fine-tuned on the input itself, the classifier gave 0.864 on 12 dev
    # sets times 100 and 0.892 on the same sets unscaled; now 0.897 both.
    # 6,250 raw (0-255) MNIST digits: 0.902 in 124 s, now 0.960 in 10 s.

    #: Whether the network's last layer outputs the input (the deep
    #: autoencoder's decoder), to be normalised as its first layer is.
    _outputs_input = False

    def _normalised(self, data, autoencoders):
        """``data`` with ``X`` (and the early-stopping rows) in the first
        autoencoder's training units, a copy (with the logistic decoder,
        ``data`` itself); the targets too where they are the input."""
        first = autoencoders[0]
        if getattr(first, "input_scale_", None) is None:
            return data
        dtype = data.X.dtype
        offset, scale = first.input_offset_.astype(dtype), first.input_scale_
        X = normalise_input(data.X, offset, scale)
        X_val = None if data.X_val is None else normalise_input(data.X_val, offset, scale)
        data = data._replace(X=X, X_val=X_val, input_normalisation=(offset, scale))
        return data._replace(y=X, y_val=X_val) if self._outputs_input else data

    def _in_normalised_units(self, coefs, intercepts, data):
        """The network on the input as weights on ``data``'s normalised
        input (the inverse of :meth:`_in_input_units`)."""
        if data.input_normalisation is None:
            return list(coefs), list(intercepts)
        return normalised_params(coefs, intercepts, *data.input_normalisation,
                                 outputs_input=self._outputs_input)

    def _in_input_units(self, coefs, intercepts, data):
        """The network trained on ``data``'s normalised input as the same
        network on the input."""
        if data.input_normalisation is None:
            return list(coefs), list(intercepts)
        return input_unit_params(coefs, intercepts, *data.input_normalisation,
                                 outputs_input=self._outputs_input)

    # --- partial_fit: one epoch of the current stage per call --------------

    def _fit_chunk(self, X, y, sample_weight=None, **target_options):
        """One ``partial_fit`` call: one epoch over the rows given, of the
        stage the schedule is at (``_docstrings.PARTIAL_FIT_SCHEDULE``).

        "pretraining" (the first ``pretrain_max_iter`` calls): every layer's
        autoencoder takes an epoch of its ``partial_fit`` on the codes of the
        layer below, just updated, then the output layer an epoch on the top
        codes (so the model predicts after every call). "fine-tuning" (or,
        with ``fine_tune=False``, "output layer"): an epoch of that phase.
        Each phase's optimiser state carries over from call to call; a new
        phase starts a new one, as in ``fit``.
        """
        first = not hasattr(self, "coefs_")
        hidden_layer_sizes = self._check_hidden_layer_sizes() if first else None
        X, targets, sample_weight = self._validate_training_data(
            X, y, sample_weight, reset=first, warm=not first, incremental=True,
            **target_options
        )
        self._choose_solver(X.shape[0], incremental=True)
        # A model fitted before partial_fit existed has no generator or
        # optimiser state kept: it continues with new ones.
        rng = copy.deepcopy(getattr(self, "_rng", None))
        rng = check_random_state(self.random_state) if rng is None else rng
        data = _Data(X, targets.y, labeled=targets.labeled, sample_weight=sample_weight)
        if first:
            seeds = [rng.randint(np.iinfo(np.int32).max) for _ in hidden_layer_sizes]
            autoencoders = [
                self._new_autoencoder(h, s, X.shape[0]) for h, s in zip(hidden_layer_sizes, seeds)
            ]
            coefs, intercepts = [None] * len(autoencoders), [None] * len(autoencoders)
            coefs.append(self._initial_output_weights(
                hidden_layer_sizes[-1], targets.n_outputs, X.dtype, rng
            ))
            intercepts.append(np.zeros(targets.n_outputs, dtype=X.dtype))
            stage, optimizer = "pretraining", None
            curve, output_curve = [], []
            # "auto" is resolved on the first call's rows, and kept.
            penalties = self._penalties(data)
        else:
            autoencoders = self.autoencoders_
            coefs, intercepts = self._trained_params(X.dtype, targets.scale)
            stage = getattr(self, "_stage", "fine-tuning" if self.fine_tune else "output layer")
            optimizer = getattr(self, "_optimizer", None)
            # A phase that starts (no optimiser state yet) starts its curve.
            new_phase = optimizer is None and stage != "pretraining"
            curve = [] if new_phase else self.loss_curve_
            output_curve = getattr(self, self._output_curve_attribute)
            # (A model fitted before alpha_ existed resolves it now.)
            penalties = self._penalties(data)
            penalties.update(
                {name: getattr(self, name + "_") for name in penalties if hasattr(self, name + "_")}
            )

        if stage == "pretraining":
            autoencoders = self._pretrain_chunk(autoencoders, data)
            coefs[:-1] = [ae.coefs_[0] for ae in autoencoders]
            intercepts[:-1] = [ae.intercepts_[0] for ae in autoencoders]
        # In the units of the first chunk's normalisation, as fit (the
        # optimiser's state is too).
        data = self._normalised(data, autoencoders)
        coefs, intercepts = self._in_normalised_units(coefs, intercepts, data)
        options = dict(incremental=True, optimizer=optimizer)
        result = None
        if stage == "fine-tuning":
            if targets.labeled is None or targets.labeled.size or any(
                self._unsupervised_weights(targets).values()
            ):
                result = self._fine_tune(
                    coefs, intercepts, autoencoders, data, targets, rng, penalties,
                    **options,
                )
                coefs, intercepts = list(result.coefs), list(result.intercepts)
        elif data.labeled_only().X.shape[0]:
            result = self._train_output_layer(
                coefs, intercepts, data.labeled_only(), rng, targets.output, penalties,
                **options,
            )
            coefs[-1], intercepts[-1] = result.coefs[0], result.intercepts[0]
            output_curve = output_curve + result.loss_curve
        if result is not None:
            optimizer = result.optimizer
            curve = curve + result.loss_curve
        coefs, intercepts = self._in_input_units(coefs, intercepts, data)
        # Their max_iter is pretrain_max_iter, resolved on the first call's rows.
        if stage == "pretraining" and autoencoders[0].n_iter_ >= autoencoders[0].max_iter:
            # Every layer has had its epochs: the next call starts the next
            # phase (with a new optimiser and loss curve if it is fine-tuning).
            if self.fine_tune:
                stage, optimizer = "fine-tuning", None
            else:
                stage = "output layer"
            # Their optimisers' state is done with: a model half as large to
            # pickle (dask-ml's Incremental sends it with every block).
            for autoencoder in autoencoders:
                autoencoder._optimizer = None

        # The whole model's epochs so far in this phase, as one result.
        result = MinimizeResult(
            coefs, intercepts, loss=curve[-1] if curve else float("nan"), n_iter=len(curve),
            loss_curve=curve, validation_scores=None, optimizer=optimizer,
        )
        return self._set_fitted_stack(
            targets, autoencoders, result, output_curve, penalties, rng,
            stage=stage, optimizer=optimizer,
        )

    def _set_fitted_stack(self, targets, autoencoders, result, output_curve, penalties,
                          rng, *, stage, optimizer):
        """Set the fitted state of ``fit`` or a ``partial_fit`` call, last,
        once every phase has succeeded (a failed fit leaves the model as it
        was): the targets' attributes, the autoencoders, the network and its
        curves (``result``), and what a later ``partial_fit`` continues (the
        stage, its optimiser state and the generator)."""
        for name, value in targets.attributes.items():
            setattr(self, name, value)
        self.autoencoders_ = autoencoders
        self._set_training_result(
            result, *self._in_target_units(result.coefs, result.intercepts, targets.scale)
        )
        setattr(self, self._output_curve_attribute, output_curve)
        self.n_layers_ = len(self.coefs_) + 1
        self.alpha_, self.output_alpha_ = penalties["alpha"], penalties["output_alpha"]
        self._stage, self._optimizer, self._rng = stage, optimizer, rng
        return self

    # --- the phases, in the order they run ---------------------------------

    def _warn_if_constant(self, coefs, intercepts, data, output):
        """Warn when the trained network's output does not depend on its
        input (a classifier at the class prior): a silent failure otherwise.
        One forward pass over the training rows, about 1/3 of an iteration.
        Multilabel outputs are left alone (a label that never occurs is
        rightly constant)."""
        if output == "logistic" or data.X.shape[0] < 2:
            return
        out = predict_output(data.X, coefs, intercepts, output)
        # Probabilities are on [0, 1]; a regressor's outputs on its targets' scale.
        scale = 1.0 if output == "softmax" else np.ptp(data.y, axis=0)
        if np.all(np.ptp(out, axis=0) <= CONSTANT_OUTPUT_SPREAD * scale) and np.any(scale > 0):
            what = "the class prior" if output == "softmax" else "a constant"
            warnings.warn(
                f"{type(self).__name__}: the fitted network predicts {what} for "
                "every training row: its output does not depend on the input. "
                "Scale the input (StandardScaler or MinMaxScaler), raise "
                "max_iter, or lower alpha, pretrain_alpha or sparsity_weight.",
                ConvergenceWarning,
            )

    def _target_weights(self, targets, sample_weight):
        """The sample weights the targets call for (the classifier's
        ``class_weight``); by default ``sample_weight`` itself."""
        return sample_weight

    def _penalties(self, data):
        """The L2 penalties of a fit on ``data``, "auto" resolved:
        ``alpha`` on every weight matrix and ``output_alpha`` on the output
        layer's. With ``n`` the labeled training rows (the sum of their
        sample weights), ``output_alpha="auto"`` is ``1 / n``, the penalty
        ``LogisticRegression(C=1)`` and ``Ridge(alpha=1)`` put on a linear
        model of the top codes, in the cost's per-row scale, and
        ``alpha="auto"`` is ``min(UFLDL_SUPERVISED_ALPHA, AUTO_ALPHA / n)``."""
        rows = slice(None) if data.labeled is None else data.labeled
        if data.sample_weight is None:
            n = data.n_labeled()
        else:
            n = float(np.sum(data.sample_weight[rows], dtype=np.float64))
        per_row = 1.0 / n if n > 0 else 0.0
        if self.alpha != "auto":
            alpha = float(self.alpha)
        elif per_row:  # UFLDL's, relaxed beyond AUTO_ALPHA / 1e-4 labeled rows
            alpha = min(UFLDL_SUPERVISED_ALPHA, AUTO_ALPHA * per_row)
        else:  # no labeled rows yet (a partial_fit chunk)
            alpha = UFLDL_SUPERVISED_ALPHA
        output_alpha = per_row if self.output_alpha == "auto" else float(self.output_alpha)
        return {"alpha": alpha, "output_alpha": output_alpha}

    @staticmethod
    def _merge_identical_rows(X, targets, sample_weight):
        """Identical (x, y) rows as one weighted row (see ``_rows``)."""
        X, y, sample_weight = merge_identical_rows(X, targets.y, sample_weight)
        labeled = None if targets.labeled is None else np.flatnonzero(y >= 0)
        stratify = None if targets.stratify is None else y
        return X, targets._replace(y=y, stratify=stratify, labeled=labeled), sample_weight

    def _split(self, X, targets, rng, sample_weight=None):
        """Hold out the early-stopping rows, drawn from the labeled rows;
        every other row stays for training. With L-BFGS the rows are
        already merged (:meth:`_merge_identical_rows`), so repeated rows and
        integer weights, or zero weights and removed rows, split alike."""
        whole = _Data(X, targets.y, labeled=targets.labeled, sample_weight=sample_weight)
        if not self._fit_early_stopping(whole.n_labeled()):
            return whole
        candidates = np.arange(X.shape[0]) if targets.labeled is None else targets.labeled
        stratify = None if targets.stratify is None else targets.stratify[candidates]
        _, val = self._early_stopping_split(candidates.shape[0], rng, stratify)
        val = candidates[val]
        train = np.setdiff1d(np.arange(X.shape[0]), val)
        labeled = None
        if targets.labeled is not None:
            labeled = np.flatnonzero(np.isin(train, targets.labeled))
        return _Data(
            X[train], targets.y[train], X[val], targets.y[val], labeled,
            _take(sample_weight, train), _take(sample_weight, val),
        )

    def _initialise(self, data, hidden_layer_sizes, n_outputs, rng):
        """The encoders pretrained on ``data`` (a :class:`_Data`) and a small
        random output layer."""
        X = data.X
        autoencoders = self._pretrain(X, hidden_layer_sizes, rng, data.sample_weight)
        coefs = [ae.coefs_[0] for ae in autoencoders]
        intercepts = [ae.intercepts_[0] for ae in autoencoders]
        coefs.append(self._initial_output_weights(
            hidden_layer_sizes[-1], n_outputs, X.dtype, rng
        ))
        intercepts.append(np.zeros(n_outputs, dtype=X.dtype))
        return autoencoders, coefs, intercepts

    @staticmethod
    def _initial_output_weights(n_top, n_outputs, dtype, rng):
        """UFLDL's softmax initialisation: 0.005 * N(0, 1)."""
        return (0.005 * rng.standard_normal((n_top, n_outputs))).astype(dtype)

    def _pretrain(self, X, hidden_layer_sizes, rng, sample_weight=None):
        """Greedy layer-wise pretraining: one autoencoder per hidden layer,
        each trained on the codes of the layer below."""
        autoencoders, codes = [], X
        n_layers = len(hidden_layer_sizes)
        for layer, n_hidden in enumerate(hidden_layer_sizes, start=1):
            name = f"pretraining layer {layer} of {n_layers}"
            self._log(f"{name}: {codes.shape[1]} -> {n_hidden} units")
            start = time.perf_counter()
            seed = rng.randint(np.iinfo(np.int32).max)
            autoencoder = self._new_autoencoder(n_hidden, seed, X.shape[0])
            self._train_autoencoder(autoencoder, "fit", codes, sample_weight, name)
            if autoencoder.reconstruction_r2_ < COLLAPSED_R2:
                autoencoder = self._restart_collapsed(autoencoder, name, rng)
            # The network functions, not the public transform: nothing in a
            # fit may depend on the global output configuration.
            codes = encode(codes, autoencoder.coefs_[0], autoencoder.intercepts_[0])
            autoencoders.append(autoencoder)
            self._log_done(name, autoencoder.loss_, autoencoder.n_iter_, start)
        return autoencoders

    def _pretrain_chunk(self, autoencoders, data):
        """One ``partial_fit`` epoch of every layer's autoencoder, bottom up,
        each on the codes of the layer below after its epoch. Returns the
        updated autoencoders: copies, so that a failure leaves the stack's
        as they were (their ``partial_fit`` replaces attributes, never
        changes them in place)."""
        updated, codes = [], data.X
        for layer, autoencoder in enumerate(autoencoders, start=1):
            autoencoder = copy.copy(autoencoder)
            name = f"pretraining layer {layer} of {len(autoencoders)}"
            self._train_autoencoder(autoencoder, "partial_fit", codes, data.sample_weight, name)
            codes = encode(codes, autoencoder.coefs_[0], autoencoder.intercepts_[0])
            updated.append(autoencoder)
        return updated

    def _fit_early_stopping(self, n_rows):
        """``early_stopping``, or what "auto" (the regressor's) means for
        this fit's solver and its ``n_rows`` labeled rows: on with L-BFGS
        from ``EARLY_STOPPING_MIN_ROWS`` rows, off otherwise."""
        if self.early_stopping != "auto":
            return self.early_stopping
        return self._fit_solver() == "lbfgs" and n_rows >= EARLY_STOPPING_MIN_ROWS

    def _choose_solver(self, n_rows, *, incremental=False, supervised=False):
        """Set ``solver_``, the solver of this fit: ``solver``, or for "auto"
        Adam from ``ADAM_MIN_ROWS`` rows that fine-tuning trains on (and in
        ``partial_fit``, which needs a mini-batch solver), L-BFGS below.
        ``supervised``: every row of the fit is labeled (for
        :meth:`_fit_max_iter`)."""
        self._supervised_fit = supervised
        if self.solver != "auto":
            self.solver_ = self.solver
        elif incremental or n_rows >= ADAM_MIN_ROWS:
            self.solver_ = "adam"
        else:
            self.solver_ = "lbfgs"

    def _fit_max_iter(self):
        """``max_iter``, or what "auto" gives for this fit:
        ``LBFGS_SUPERVISED_MAX_ITER`` L-BFGS iterations when every row is
        labeled, ``MAX_ITER`` iterations or epochs otherwise."""
        if self.max_iter != "auto":
            return self.max_iter
        if self._fit_solver() == "lbfgs" and getattr(self, "_supervised_fit", False):
            return LBFGS_SUPERVISED_MAX_ITER
        return MAX_ITER

    def _pretrain_max_iter(self, n_samples):
        """``pretrain_max_iter``, or what "auto" gives for this fit's solver
        and ``n_samples`` rows: ``_lbfgs_pretrain_max_iter`` L-BFGS
        iterations, or with Adam/SGD the epochs of about
        ``MINIBATCH_PRETRAIN_STEPS`` mini-batch steps (at most
        ``LBFGS_PRETRAIN_MAX_ITER``)."""
        if self.pretrain_max_iter != "auto":
            return self.pretrain_max_iter
        if self._fit_solver() == "lbfgs":
            return self._lbfgs_pretrain_max_iter
        steps_per_epoch = math.ceil(n_samples / self._batch_size(n_samples))
        return min(LBFGS_PRETRAIN_MAX_ITER, math.ceil(MINIBATCH_PRETRAIN_STEPS / steps_per_epoch))

    def _new_autoencoder(self, n_hidden, seed, n_samples):
        """An unfitted autoencoder for one layer of a stack trained on
        ``n_samples`` rows, with the stack's settings ("auto" resolved)."""
        forwarded = {ae: getattr(self, name) for name, ae in PRETRAIN_PARAMETERS.items()}
        forwarded.update(
            solver=self._fit_solver(), tol=self._fit_tol(),
            n_iter_no_change=self._fit_n_iter_no_change(),
            early_stopping=self._fit_early_stopping(n_samples),
            max_iter=self._pretrain_max_iter(n_samples),
        )
        # compute_dtype=None: the codes are already in the stack's arithmetic,
        # chosen once on its input (not again on each layer's codes).
        autoencoder = SparseAutoencoder(
            n_components=n_hidden, random_state=seed, compute_dtype=None, **forwarded
        )
        # pretrain_max_iter is a budget, not a convergence test: fine-tuning
        # goes on from wherever pretraining stops, and 50 iterations matched
        # UFLDL's 400 in accuracy (user guide, "Choosing the parameters").
        # Warning at it made every default fit warn twice, which taught
        # users (and our examples) to silence ConvergenceWarning, the
        # collapse warnings included. A constant layer still warns.
        autoencoder._warn_at_max_iter = False
        return autoencoder

    def _train_autoencoder(self, autoencoder, method, codes, sample_weight, name):
        """``autoencoder.fit`` or ``.partial_fit`` on ``codes``, as a
        callback task whose subtasks are the autoencoder's own."""
        task = getattr(self, "_fit_task", NoTask()).subcontext(task_name=name)
        task.call_on_fit_task_begin(estimator=self)
        with task.propagate_callback_context(autoencoder):
            getattr(autoencoder, method)(codes, sample_weight=sample_weight)
        task.call_on_fit_task_end(estimator=self)

    @staticmethod
    def _restart_collapsed(autoencoder, name, rng):
        """A layer whose codes are constant carries nothing up the stack
        (and its near-zero weights leave fine-tuning at a saddle point: the
        output layer learns the class prior and L-BFGS stops at once), so it
        starts from a random initialisation (the autoencoder's, UFLDL's) as
        an unpretrained network does. Returns a copy of the autoencoder with
        that encoder, which ``autoencoders_`` then holds for this layer."""
        W1 = autoencoder.coefs_[0]
        fresh = copy.copy(autoencoder)
        W1, b1 = init_weights(*W1.shape, W1.dtype, rng), np.zeros_like(autoencoder.intercepts_[0])
        if autoencoder.input_scale_ is not None:  # initialised in its training units
            W1, b1 = input_unit_encoder(
                W1, b1, autoencoder.input_offset_.astype(W1.dtype), autoencoder.input_scale_
            )
        fresh.coefs_ = [W1, autoencoder.coefs_[1]]
        fresh.intercepts_ = [b1, autoencoder.intercepts_[1]]
        fresh.components_ = fresh.coefs_[0].T
        warnings.warn(
            f"{name}: the autoencoder's codes are constant (R^2 of its "
            f"reconstruction {autoencoder.reconstruction_r2_:.2%}); this layer "
            "starts fine-tuning from a random initialisation instead. Lower "
            "pretrain_alpha or sparsity_weight (or leave them at 'auto'), or "
            "raise pretrain_max_iter.",
            ConvergenceWarning,
        )
        return fresh

    def _refines(self, output_loss, targets):
        """Whether Adam/SGD fine-tuning only refines: the softmax on the
        pretrained codes already fits (``REFINE_LOSS_RATIO``)."""
        return (
            self._fit_solver() != "lbfgs"
            and targets.output == "softmax"
            and output_loss < REFINE_LOSS_RATIO * math.log(targets.n_outputs)
        )

    def _train_output_layer(self, coefs, intercepts, data, rng, output, penalties,
                            **options):
        """The output layer alone, on the top codes of the current encoders,
        with the L2 ``penalties`` of :meth:`_penalties`. ``options`` go to
        :meth:`_train_network` (``partial_fit``'s)."""
        def top_codes(X):
            return None if X is None else forward_hidden(X, coefs[:-1], intercepts[:-1])[-1]

        codes = data._replace(X=top_codes(data.X), X_val=top_codes(data.X_val))
        return self._train_network(
            [coefs[-1]], [intercepts[-1]], codes, rng, self._output_phase,
            extra=dict(output=output, **penalties),
            below=(coefs[:-1], intercepts[:-1]), **options,
        )

    def _fine_tune(self, coefs, intercepts, autoencoders, data, targets, rng, penalties,
                   **options):
        """Every layer together; Ctrl-C keeps the best network so far.

        The cost is the network's own, plus the unsupervised terms whose
        weights are not zero: the reconstruction of every row through the
        stacked decoders (:meth:`_fine_tune_jointly`), or terms the network's
        cost takes itself (the classifier's entropy). With none, unlabeled
        rows have nothing to add and fine-tuning sees the labeled rows only.
        ``options`` go to :meth:`_train_network` (``partial_fit``'s; the
        joint cost takes none: its decoders are not kept between calls).
        """
        terms = {k: w for k, w in self._unsupervised_weights(targets).items() if w}
        weights = {**terms, **penalties}  # the cost's weights
        if "reconstruction_weight" in terms:
            return self._fine_tune_jointly(coefs, intercepts, autoencoders, data, rng, weights)
        if "consistency_weight" in terms:
            return self._fine_tune_consistently(
                coefs, intercepts, data, targets, rng, weights, **options
            )
        return self._train_network(
            coefs, intercepts, data if terms else data.labeled_only(), rng,
            "fine-tuning", interruptible=True, extra=dict(output=targets.output, **weights),
            **options,
        )

    def _fine_tune_jointly(self, coefs, intercepts, autoencoders, data, rng, terms):
        """Fine-tuning with the reconstruction of every row through the
        stacked decoders added to the cost (and the other ``terms``). The
        decoders start from the autoencoders' and are trained too; the
        returned parameters list the encoders and the output layer first."""
        decoders = list(reversed(autoencoders))
        decoder_coefs = [ae.coefs_[1].astype(data.X.dtype) for ae in decoders]
        decoder_intercepts = [ae.intercepts_[1].astype(data.X.dtype) for ae in decoders]
        if data.input_normalisation is not None:  # the last outputs the input
            decoder_coefs[-1], decoder_intercepts[-1] = normalised_decoder(
                decoder_coefs[-1], decoder_intercepts[-1], *data.input_normalisation
            )
        coefs, intercepts = list(coefs) + decoder_coefs, list(intercepts) + decoder_intercepts
        n_network = len(autoencoders) + 1
        return self._train_network(
            coefs, intercepts, data, rng, "fine-tuning", interruptible=True,
            loss=semi_supervised_loss_grad, n_network=n_network,
            extra=dict(decoder=autoencoders[0].decoder_, **terms),
        )

    def _fine_tune_consistently(self, coefs, intercepts, data, targets, rng, terms, **options):
        """Fine-tuning with the consistency term (and the other ``terms``):
        the network also sees a noisy copy of every row (``consistency_noise``
        at ``consistency_corruption``, or one of its nearest neighbours among
        the rows it trains on), drawn anew every
        ``CONSISTENCY_RESAMPLE_EVERY`` L-BFGS iterations or every epoch."""
        m = data.X.shape[0]
        pairs = {}
        neighbours = None
        if self.consistency_noise == "neighbours":
            neighbours = nearest_neighbours(data.X)

        def resample():
            pairs["X"] = noisy_pairs(
                data.X, self.consistency_corruption, rng, self.consistency_noise, neighbours
            )

        def inputs(rows):
            if rows is None:
                return pairs["X"]
            rows = np.arange(m)[rows]  # a slice or indices
            return pairs["X"][np.concatenate([rows, rows + m])]

        return self._train_network(
            coefs, intercepts, data, rng, "fine-tuning", interruptible=True,
            loss=consistency_loss_grad, inputs=inputs, resample=resample,
            extra=dict(output=targets.output, **terms), **options,
        )

    def _unsupervised_weights(self, targets):
        """Weights of the unsupervised terms of fine-tuning (none here)."""
        return {}

    # --- shared by the supervised phases ----------------------------------

    def _train_network(
        self, coefs, intercepts, data, rng, phase, interruptible=False, loss=None,
        n_network=None, extra=None, below=([], []), inputs=None, resample=None,
        incremental=False, optimizer=None, refine=False,
    ):
        """Train ``(coefs, intercepts)`` on ``loss`` (the network's own cost
        by default). The first ``n_network`` layers (all by default) are the
        network that early stopping validates; ``below`` are fixed layers
        under them (the encoders, when the output layer trains alone).
        ``inputs(rows)`` gives the network input of the training rows
        ``rows`` (None: all) when it is not ``data.X``'s rows; ``resample``
        draws a noisy cost anew (see :func:`_solvers.minimize`).
        ``incremental``: one epoch, for ``partial_fit``, continuing from the
        Adam/SGD state ``optimizer`` (None: a new one). ``refine``: the
        smaller step and patience of fine-tuning that refines
        (:meth:`_refines`)."""
        n_network = len(coefs) if n_network is None else n_network
        self._log(f"{phase}: {n_network} layer(s), {data.X.shape[0]} samples")
        start = time.perf_counter()
        loss = network_loss_grad if loss is None else loss
        extra = {} if extra is None else extra
        buffers = {}

        if inputs is None:

            def inputs(rows):
                return data.X if rows is None else data.X[rows]

        def loss_grad(coefs, intercepts, coef_grads, intercept_grads, rows=None):
            X, y, w = inputs(rows), data.y, data.sample_weight
            if rows is not None:
                y, w = y[rows], _take(w, rows)
            return loss(
                coefs, intercepts, X, y, coef_grads=coef_grads,
                intercept_grads=intercept_grads, buffers=buffers, sample_weight=w,
                **extra,
            )

        validation_score = None
        if data.X_val is not None:

            def validation_score(coefs, intercepts):
                return self._validation_score(
                    coefs[:n_network], intercepts[:n_network], data.X_val, data.y_val,
                    data.w_val,
                )

        result = self._train(
            loss_grad, coefs, intercepts, phase=phase, n_samples=data.X.shape[0],
            max_iter=1 if incremental else self._fit_max_iter(), rng=rng,
            validation_score=validation_score, optimizer=optimizer,
            warn_at_max_iter=not incremental, manage_threads=not incremental,
            interruptible=interruptible, report=self._iteration_report(below, n_network, data),
            resample=resample,
            resample_every=None if resample is None else CONSISTENCY_RESAMPLE_EVERY,
            refine=refine,
            min_decrease=LBFGS_MIN_DECREASE,
            # A slow steady fall is worth following on labeled data; with
            # few labels and unlabeled rows the early stop guards against
            # overfitting them (the 64-feature 3-class table of
            # bench_suite.py, 10 labels per class, with the loss's stall
            # alone against the fall-so-far rule too: 0.836 / 0.768 in one
            # run, 0.800 / 0.780 in a later one whose arithmetic differed;
            # no change on three dev tables).
            stall_progress=None if data.semi_supervised() else STALL_PROGRESS_FRACTION,
        )
        self._log_done(phase, result.loss, result.n_iter, start)
        return result

    def _iteration_report(self, below, n_network, data):
        """What callbacks need at each iteration: the training rows and
        labels as given to ``fit``, and the fitted attributes of the network
        so far (``below`` plus the first ``n_network`` trained layers, in
        the input's units: ``data`` tells the units they train in)."""
        task = getattr(self, "_fit_task", None)
        if getattr(task, "scoring_data", None) is None:
            return None
        X, y = task.scoring_data
        attributes, scale = task.fitted_attributes, getattr(task, "target_scale", None)

        def report(coefs, intercepts):
            coefs, intercepts = self._in_input_units(
                list(below[0]) + coefs[:n_network], list(below[1]) + intercepts[:n_network],
                data,
            )
            coefs, intercepts = self._in_target_units(coefs, intercepts, scale)
            network = {"coefs_": coefs, "intercepts_": intercepts}
            return X, y, {**attributes, **network}

        return report

    def _n_fit_tasks(self):
        # Pretraining of each layer, the output layer, fine-tuning.
        sizes = self.hidden_layer_sizes
        n_layers = 1 if isinstance(sizes, Integral) else len(sizes)
        return n_layers + 1 + int(self.fine_tune)

    def _check_hidden_layer_sizes(self):
        """``hidden_layer_sizes`` as a list of positive ints, or raise."""
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not sizes or not all(
            isinstance(h, Integral) and not isinstance(h, bool) and h > 0 for h in sizes
        ):
            raise InvalidParameterError(
                f"The 'hidden_layer_sizes' parameter of {type(self).__name__} must "
                "be a positive int or a non-empty sequence of positive ints; got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(h) for h in sizes]
