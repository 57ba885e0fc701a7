"""Docstring text that several estimators share, written once.

Modelled on imbalanced-learn's ``Substitution``: a class docstring holds a
placeholder such as ``{minibatch_parameters}`` on a line of its own, and
:class:`Substitution` replaces it. Only the named placeholders are touched,
so braces and percent signs elsewhere in a docstring are safe.
"""

_MINIBATCH_PARAMETERS = """\
    batch_size : int or "auto", default="auto"
        Mini-batch size of "adam"/"sgd". "auto" is ``MLPClassifier``'s 200
        from 6,400 rows, and ``n_samples / 32`` (at least 32) below, so that
        an epoch has 32 steps: sigmoid autoencoders learn by steps, and 200-row
        batches left short budgets on small data with near-constant codes.
        Larger values are clipped to ``n_samples``.

    learning_rate_init : float, default=1e-2
        Step size of "adam"/"sgd": ten times ``MLPClassifier``'s default,
        because sigmoid units learn more slowly than ReLUs (see
        :ref:`choosing-parameters` in the user guide).

    learning_rate : {"adaptive", "constant"}, default="adaptive"
        Step-size schedule of "adam"/"sgd". "constant" keeps
        ``learning_rate_init`` and ends a phase at the first plateau (more
        than ``n_iter_no_change`` epochs without an improvement of ``tol``),
        as ``MLPClassifier`` does. "adaptive" divides the step size by 5 at
        a plateau instead and goes on, twice, and ends the phase at the
        third (``MLPClassifier``'s "adaptive" divides by 5 after two such
        epochs, for "sgd" only). A ``partial_fit`` call is one epoch and
        never divides it.

    shuffle : bool, default=True
        Shuffle the samples every epoch ("adam"/"sgd")."""

_VALIDATION_FRACTION = """\
    validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping=True``.
        Each side of the split needs at least one row (one per class when it
        is stratified), or ``fit`` raises a ``ValueError``."""

_STOPPING_PARAMETERS = _VALIDATION_FRACTION + """

    n_iter_no_change : int, default=10
        "adam"/"sgd" stop a phase after more than ``n_iter_no_change``
        consecutive epochs without an improvement of at least ``tol``, as
        ``MLPClassifier`` does."""

_STACK_STOPPING_PARAMETERS = _VALIDATION_FRACTION + """

    n_iter_no_change : int or "auto", default="auto"
        Patience of early stopping, and of "adam"/"sgd"'s plateau rule: a
        phase stops after more than ``n_iter_no_change`` consecutive epochs
        without an improvement of at least ``tol``, as ``MLPClassifier``
        does, or, with L-BFGS and ``early_stopping=True``, iterations
        without a rise of the validation score of 1e-4. "auto" is 10 epochs
        for "adam"/"sgd" and 100 iterations for L-BFGS, whose validation
        score can stay flat for tens of iterations and rise again (user
        guide, :ref:`heads-tables`). A classifier's "adam"/"sgd"
        fine-tuning that only refines, because the softmax on the
        pretrained codes already fits, runs with 5 epochs of "auto"
        patience and half of ``learning_rate_init`` (user guide,
        :ref:`Large data sets <large-data-sets>`)."""

_PRETRAINING_PARAMETERS = """\
    sparsity_target : float, default=0.1
        Target mean activation of the hidden units of every autoencoder.

    sparsity_weight : float or "auto", default={sparsity_weight_default}
        Weight of the KL sparsity penalty of every autoencoder. "auto" is
        UFLDL's 3 scaled by each layer's input variance (see
        ``pretrain_alpha``).{sparsity_weight_note}

    pretrain_alpha : float or "auto", default="auto"
        Weight decay of the autoencoders during pretraining. "auto" is
        UFLDL's 3e-3 times ``V / 52.7``, with ``V`` the total variance (sum
        of the feature variances) of each layer's input and 52.7 that of
        MNIST's pixels: UFLDL's value on MNIST, and the same balance between
        reconstruction and penalties on any other input (see
        :class:`SparseAutoencoder`).

    corruption : float, default=0.0
        Masking-noise level of every autoencoder (stacked denoising
        autoencoders when positive). Fine-tuning always sees clean data.

    decoder : {"auto", "logistic", "linear"}, default="auto"
        Decoder of every autoencoder; see :class:`SparseAutoencoder`. With
        "auto" the first layer picks from the range of ``X`` and the upper
        layers, whose inputs are sigmoid codes, use "logistic"."""

# The stacks pretrain 50-100 iterations per layer where SparseAutoencoder,
# whose codes are its product, runs UFLDL's 400: with fine-tuning after it,
# 50 gave 95.1 % held-out accuracy on 4,000 MNIST digits in 14.0 s, 400 per
# stage 94.7 % in 82.2 s (benchmarks/bench_fit.py; doc/benchmarks.rst);
# hard tables need 100 (_stacked_base.LBFGS_SUPERVISED_PRETRAIN_MAX_ITER).
_PRETRAIN_MAX_ITER_PARAMETER = """\
    pretrain_max_iter : "auto" or int, default={pretrain_max_iter_default}
        Maximum L-BFGS iterations (epochs for "adam"/"sgd") of each
        autoencoder: a budget (fine-tuning goes on from where it stops), so
        reaching it does not warn; an autoencoder whose codes come out
        constant does. "auto": for L-BFGS, 100 iterations in a classifier
        or regressor (some rows unlabeled or none), 50 without labels
        (:class:`StackedAutoencoder`); for "adam"/"sgd" the epochs of about
        2,500 mini-batch steps, at most 50 (10 epochs on 50,000 rows)."""

_SOLVER_PARAMETERS = """\
    solver : {"auto", "lbfgs", "adam", "sgd"}, default={solver_default}
        Optimiser of every phase; see :class:`SparseAutoencoder`. "adam" and
        "sgd" take mini-batch steps with ``MLPClassifier``'s meanings of the
        parameters below. "auto": "adam" from 5,000 training rows (counting
        labeled rows only when some are unlabeled), where full-batch L-BFGS
        takes too few steps (see :ref:`defaults-on-any-data`), "lbfgs" below;
        ``solver_`` says which ran. ``partial_fit`` always uses a mini-batch
        solver ("adam" for "auto").

    tol : "auto" or float, default={tol_default}
        L-BFGS stops a phase when the largest gradient component is below
        ``tol``. For "adam"/"sgd": the least improvement of the loss (or
        validation score) that counts. "auto": 1e-5 for L-BFGS (minFunc's
        default, which UFLDL ran with), 1e-4 for "adam"/"sgd"
        (``MLPClassifier``'s)."""

_RANDOM_STATE_VERBOSE_PARAMETERS = """\
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation of every layer and the corruption masks.

    verbose : int, default=0
        When positive, report each phase (pretraining layer k of n, the output
        layer, fine-tuning) as it starts and ends, with its loss, iterations and
        elapsed time, and the loss of every iteration within it."""

_COMPUTE_DTYPE_PARAMETER = """\
    compute_dtype : {"auto", "float32", "float64"} or None, default="auto"
        Dtype of the training arithmetic; the fitted weights are cast back to
        the input's dtype, so predictions, transforms and saved models keep
        it. None: the input's (float32 input trains in float32, anything
        else in float64). "float32" trains a float64 input in float32, about
        twice as fast at about the same accuracy (user guide,
        :ref:`choosing-parameters`), but float32 rounding can end L-BFGS
        early (a ``ConvergenceWarning`` says so). "auto": float32 for a
        ``fit`` on at least 2**20 (about a million) float64 values, where
        the time matters, and the input's dtype below that and for
        ``partial_fit``."""

# partial_fit's docstring, in the classifier and the regressor (8 spaces:
# a method's).
PARTIAL_FIT_SCHEDULE = """\
        Each call takes one epoch of the mini-batch solver over the rows
        given, of the stage the model is at:

        1. pretraining, for the first ``pretrain_max_iter`` calls: every
           layer's autoencoder takes an epoch of its ``partial_fit`` on the
           codes of the layer below (just updated, so all layers learn at
           once rather than one after the other as in :meth:`fit`), then
           the output layer an epoch on the top codes, so that the model
           predicts after every call;
        2. fine-tuning of the whole network (the output layer alone with
           ``fine_tune=False``), for every later call.

        ``pretrain_max_iter`` thus counts calls: with the whole data set per
        call it is :meth:`fit`'s number of pretraining epochs; with chunks,
        set it to the chunks of about one to a few passes. Each phase keeps
        its Adam/SGD state from call to call and starts a new one, with a
        new ``loss_curve_``, when it begins. ``early_stopping`` does not
        apply (as in ``MLPClassifier.partial_fit``) and ``warm_start`` is
        not needed: every call continues the model, whether it came from
        :meth:`fit` (which it then fine-tunes further) or from earlier
        calls. A call that raises leaves the model as it was."""

SHARED = {
    "minibatch_parameters": _MINIBATCH_PARAMETERS,
    "stopping_parameters": _STOPPING_PARAMETERS,
    "stack_stopping_parameters": _STACK_STOPPING_PARAMETERS,
    "pretraining_parameters": _PRETRAINING_PARAMETERS,
    "pretrain_max_iter_parameter": _PRETRAIN_MAX_ITER_PARAMETER,
    "solver_parameters": _SOLVER_PARAMETERS,
    "random_state_verbose_parameters": _RANDOM_STATE_VERBOSE_PARAMETERS,
    "compute_dtype_parameter": _COMPUTE_DTYPE_PARAMETER,
}


class Substitution:
    """Class or function decorator: put the ``SHARED`` blocks, and any text
    given by keyword (``{name}`` anywhere in the docstring), into its
    docstring."""

    def __init__(self, **values):
        # Placeholders inside the shared blocks, with the values most
        # estimators use.
        self.values = {
            "sparsity_weight_default": '"auto"', "sparsity_weight_note": "",
            "solver_default": '"auto"', "tol_default": '"auto"',
            "pretrain_max_iter_default": '"auto"', **values,
        }

    def __call__(self, obj):
        doc = obj.__doc__
        for name, text in SHARED.items():
            doc = doc.replace("    {" + name + "}", text)
        for name, text in self.values.items():
            doc = doc.replace("{" + name + "}", text)
        obj.__doc__ = doc
        return obj
