"""The base class of every estimator: input validation, all-or-nothing fits,
training phases through the one solver entry point, and their reports."""

import math
import time
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._atomic import restore_state_on_error
from ._callbacks import CallbackSupportMixin, NoTask, phase_task, root_task
from ._persistence import VersionedPickleMixin
from ._solvers import (
    LBFGS_N_ITER_NO_CHANGE,
    LBFGS_TOL,
    MINIBATCH_N_ITER_NO_CHANGE,
    MINIBATCH_TOL,
    REFINE_N_ITER_NO_CHANGE,
    REFINE_STEP_SCALE,
    Minibatch,
    minimize,
)

#: compute_dtype="auto": a fit on at least this many float64 values (stored
#: values if sparse) trains in float32. Measured at the defaults: on 50,000
#: MNIST digits (39 million values) the fit took 107.0 s instead of 234.4 s,
#: 98.32 % against 98.27 % held out; on 3,750 (2.9 million) 13 s instead of
#: 25 s, 95.0 % against 95.2 %. Below it fits take seconds, and float32's
#: earlier L-BFGS stops moved small tables by up to 2 points either way.
FLOAT32_MIN_VALUES = 2**20

#: batch_size="auto": MLPClassifier's 200 rows, but at least this many
#: mini-batch steps per epoch below 6,400 rows (batches of no fewer than
#: MINIBATCH_MIN_BATCH rows). Sigmoid autoencoders learn by steps, not by
#: epochs: with 200-row batches, 10 epochs on 1,347 8x8 digits are 70 steps
#: per layer, the codes stayed near constant (R^2 0.14 and -0.10) and the
#: stack with 10 epochs per phase scored 0.904 against MLPClassifier's
#: 0.956. With batches of n / 32 (dev splits, 10 / 50 / 200 epochs per
#: phase): 8x8 digits 0.962 / 0.980 / 0.976 (was 0.904 / 0.973 / 0.982;
#: MLPClassifier 0.956 / 0.978 / 0.973), 3,750 MNIST digits 0.950 / 0.959
#: / 0.962 (was 0.948 / 0.959 / 0.954; 0.942 / 0.949 / 0.949), at 0.85 to
#: 2.3 times the time. From 6,400 rows the batch is 200, as before.
MINIBATCH_STEPS_PER_EPOCH = 32
MINIBATCH_MIN_BATCH = 32


def has_minibatch_solver(estimator):
    """For ``available_if``: ``partial_fit`` takes one epoch of Adam or SGD
    (also what ``solver="auto"`` trains it with); L-BFGS works on the whole
    data set at once."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available with solver='adam' or solver='sgd' "
            "(one epoch over the rows given per call); L-BFGS takes the whole "
            "data set at once: use fit."
        )
    return True


class BaseNetwork(CallbackSupportMixin, VersionedPickleMixin, BaseEstimator):
    """What every skstackedae estimator shares (not public).

    Subclasses implement ``_fit``; their public ``fit`` calls
    :meth:`_atomic_fit`, and each training phase goes through :meth:`_train`.
    """

    # The optimisation parameters, with MLPClassifier's names and meanings.
    _parameter_constraints: dict = {
        "solver": [StrOptions({"lbfgs", "adam", "sgd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "adaptive"})],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "compute_dtype": [None, StrOptions({"auto", "float32", "float64"})],
    }

    def _atomic_fit(self, X, y=None, **kwargs):
        """``self._fit(...)``, leaving the estimator as it was if it raises.

        The fit is the root task of scikit-learn's callbacks (``set_callbacks``,
        scikit-learn >= 1.9); its phases and their iterations are subtasks.
        """
        task = root_task(self, self._n_fit_tasks())
        self._fit_task = task  # before the snapshot: kept if the fit fails
        try:
            task.call_on_fit_task_begin(estimator=self, X=X, y=y)
            with restore_state_on_error(self):
                fitted = self._fit(X, y, **kwargs)
                input_dtype = vars(self).pop("_input_dtype", None)
                if input_dtype is not None:
                    self._cast_fitted(input_dtype)
            task.call_on_fit_task_end(estimator=self, X=X, y=y)
            return fitted
        finally:
            vars(self).pop("_fit_task", None)

    def _n_fit_tasks(self):
        """Phases of a fit, for the callbacks' task tree (None: unknown)."""
        return None

    def _validate_X(self, X, y="no_validation", *, reset, **kwargs):
        """scikit-learn's validation: float64/float32, CSR for sparse input."""
        return validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], reset=reset,
            **kwargs,
        )

    def _validate_fit_X(self, X, y="no_validation", *, reset, incremental=False, **kwargs):
        """:meth:`_validate_X` for a fit, with ``X`` in the dtype of the
        training arithmetic (:meth:`_arithmetic_dtype`).

        The input's dtype is kept in ``_input_dtype`` for :meth:`_atomic_fit`,
        which casts the fitted attributes back to it: the arithmetic follows
        ``compute_dtype``, the model the input.
        """
        validated = self._validate_X(X, y, reset=reset, **kwargs)
        X = validated[0] if isinstance(validated, tuple) else validated
        dtype = self._arithmetic_dtype(X, incremental)
        if dtype is None or X.dtype == dtype:
            return validated
        self._input_dtype = X.dtype
        X = X.astype(dtype)
        return (X, *validated[1:]) if isinstance(validated, tuple) else X

    def _arithmetic_dtype(self, X, incremental):
        """The dtype ``compute_dtype`` asks for on the validated ``X`` (None:
        ``X``'s own). "auto" is float32 for a fit on at least
        ``FLOAT32_MIN_VALUES`` float64 values, and ``X``'s dtype otherwise
        and for ``partial_fit`` (where a call's chunk would choose it)."""
        if self.compute_dtype != "auto":
            return self.compute_dtype
        n_values = X.nnz if sparse.issparse(X) else X.size
        large = not incremental and X.dtype == np.float64 and n_values >= FLOAT32_MIN_VALUES
        return np.float32 if large else None

    def _cast_fitted(self, dtype):
        """The fitted weights, and those of fitted sub-estimators, in ``dtype``."""
        self.coefs_, self.intercepts_ = (list(p) for p in self._params_as(dtype))
        for autoencoder in getattr(self, "autoencoders_", ()):
            autoencoder._cast_fitted(dtype)

    def _validate_sample_weight(self, sample_weight, X):
        """``sample_weight`` as a float array of X's dtype, or None.

        Zero weights are allowed (the row is left out); negative weights, a
        wrong length or shape, and weights that are all zero raise.
        """
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        if not np.any(sample_weight > 0):
            raise ValueError(
                "sample_weight is zero for every sample: at least one sample "
                "needs a positive weight."
            )
        return sample_weight

    def _params_as(self, dtype):
        """The fitted ``(coefs, intercepts)`` in ``dtype``, to match the input's."""
        return (
            [W.astype(dtype, copy=False) for W in self.coefs_],
            [b.astype(dtype, copy=False) for b in self.intercepts_],
        )

    def _early_stopping_split(self, n_samples, rng, stratify=None):
        """Row indices ``(train, validation)`` for early stopping.

        ``train_test_split`` itself, with a clear error first where the split
        would leave a side without rows (or, stratified, without a row of
        every class).
        """
        n_validation = math.ceil(self.validation_fraction * n_samples)
        n_train = n_samples - n_validation
        need = 1 if stratify is None else np.unique(stratify).shape[0]
        if min(n_train, n_validation) < need:
            per_class = "" if stratify is None else f" (one per class of {need}, stratified)"
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.validation_fraction} of the {n_samples} training samples: "
                f"{n_validation} for validation and {n_train} for training, but each "
                f"side needs at least {need}{per_class}. Change 'validation_fraction', "
                "pass more samples, or set early_stopping=False."
            )
        return train_test_split(
            np.arange(n_samples), test_size=n_validation, stratify=stratify,
            random_state=rng,
        )

    def _train(
        self,
        loss_grad,
        coefs,
        intercepts,
        *,
        phase,
        n_samples,
        max_iter,
        rng,
        validation_score=None,
        interruptible=False,
        optimizer=None,
        warn_at_max_iter=True,
        manage_threads=True,
        report=None,
        resample=None,
        resample_every=None,
        min_decrease=None,
        stall_progress=None,
        refine=False,
    ):
        """One training phase with this estimator's solver settings.

        See :func:`skstackedae._solvers.minimize` (``resample`` and
        ``resample_every`` for a cost with noise, ``min_decrease`` and
        ``stall_progress`` for the
        L-BFGS stall rule) and its :class:`~skstackedae._solvers.Minibatch`
        (``n_samples``, ``rng``, ``optimizer``, ``manage_threads``);
        ``validation_score`` (early stopping, either solver) is
        ``minimize``'s; returns its result. The phase is a callback
        task whose subtasks are its iterations; ``report`` gives callbacks
        the model at each (see ``_callbacks.phase_task``). ``refine``:
        fine-tuning that refines, from ``REFINE_STEP_SCALE`` times Adam/SGD's
        ``learning_rate_init`` and with its "auto" patience
        (:meth:`_fit_n_iter_no_change`).
        """
        minibatch = None
        solver = self._fit_solver()
        if solver != "lbfgs":
            minibatch = Minibatch(
                n_samples=n_samples, rng=rng, batch_size=self._batch_size(n_samples),
                learning_rate_init=(
                    self.learning_rate_init * REFINE_STEP_SCALE if refine
                    else self.learning_rate_init
                ),
                learning_rate=self.learning_rate,
                shuffle=self.shuffle, optimizer=optimizer, manage_threads=manage_threads,
            )
        parent = getattr(self, "_fit_task", NoTask())
        task, on_iteration = phase_task(parent, self, phase, max_iter, report)
        task.call_on_fit_task_begin(estimator=self)
        result = minimize(
            loss_grad, coefs, intercepts, solver=solver, max_iter=max_iter,
            tol=self._fit_tol(), phase=phase, verbose=self.verbose,
            interruptible=interruptible, warn_at_max_iter=warn_at_max_iter,
            on_iteration=on_iteration, resample=resample, resample_every=resample_every,
            min_decrease=min_decrease, stall_progress=stall_progress,
            validation_score=validation_score,
            n_iter_no_change=self._fit_n_iter_no_change(refine),
            minibatch=minibatch,
        )
        task.call_on_fit_task_end(estimator=self)
        return result

    def _fit_solver(self):
        """The solver of the fit under way: ``solver``, or the one that
        "auto" chose for it (the stacks set ``solver_`` as a fit starts)."""
        return self.solver_ if self.solver == "auto" else self.solver

    def _batch_size(self, n_samples):
        """The mini-batch size on ``n_samples`` rows ("auto": 200 rows, or
        ``MINIBATCH_STEPS_PER_EPOCH`` steps per epoch on fewer rows)."""
        if self.batch_size != "auto":
            return min(self.batch_size, n_samples)
        batch = math.ceil(n_samples / MINIBATCH_STEPS_PER_EPOCH)
        return min(max(batch, MINIBATCH_MIN_BATCH), 200, n_samples)

    def _fit_tol(self):
        """``tol``, or what "auto" means for the solver of this fit."""
        if self.tol != "auto":
            return self.tol
        return LBFGS_TOL if self._fit_solver() == "lbfgs" else MINIBATCH_TOL

    def _fit_n_iter_no_change(self, refine=False):
        """``n_iter_no_change``, or what "auto" (the stacks') means for the
        solver of this fit: epochs for Adam/SGD (fewer in fine-tuning that
        ``refine``-s), iterations for L-BFGS."""
        if self.n_iter_no_change != "auto":
            return self.n_iter_no_change
        if self._fit_solver() == "lbfgs":
            return LBFGS_N_ITER_NO_CHANGE
        return REFINE_N_ITER_NO_CHANGE if refine else MINIBATCH_N_ITER_NO_CHANGE

    def _set_training_result(self, result, coefs=None, intercepts=None):
        """The fitted attributes every estimator shares, from a phase's result."""
        self.coefs_ = list(result.coefs if coefs is None else coefs)
        self.intercepts_ = list(result.intercepts if intercepts is None else intercepts)
        self.loss_ = result.loss
        self.loss_curve_ = result.loss_curve
        self.n_iter_ = result.n_iter
        self.validation_scores_ = result.validation_scores
        self.best_validation_score_ = (
            None if result.validation_scores is None else max(result.validation_scores)
        )

    def _log(self, message):
        if self.verbose:
            print(f"[{type(self).__name__}] {message}", flush=True)

    def _log_done(self, name, loss, n_iter, start):
        self._log(
            f"{name} done: loss = {loss:.6f} after {n_iter} iteration(s), "
            f"{time.perf_counter() - start:.2f}s"
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
