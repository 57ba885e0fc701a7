"""scikit-learn's callbacks (``sklearn.callback``, scikit-learn >= 1.9).

With an older scikit-learn the mixin is empty (no ``set_callbacks``) and
every task is a :class:`NoTask`, so the fits run the same code either way.
"""

import contextlib

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:  # nothing to add before 1.9
        pass


class NoTask:
    """A task of the callback tree when no callback can listen (the API is
    absent, or the estimator has none): every hook does nothing."""

    listening = False

    def subcontext(self, **kwargs):
        return self

    def call_on_fit_task_begin(self, **kwargs):
        return self

    def call_on_fit_task_end(self, **kwargs):
        return False

    def propagate_callback_context(self, sub_estimator):
        return contextlib.nullcontext()


def root_task(estimator, max_subtasks):
    """The root task of a fit of ``estimator`` (call before the fit starts)."""
    if not hasattr(estimator, "_init_callback_context"):
        return NoTask()
    context = estimator._init_callback_context(max_subtasks=max_subtasks)
    context.listening = bool(getattr(context, "_callbacks", None))
    return context


def phase_task(parent, estimator, name, max_iter, report=None):
    """A subtask of ``parent`` for a training phase, and the ``on_iteration``
    function that reports each of its iterations as a subtask.

    ``report(coefs, intercepts) -> (X, y, reconstruction_attributes)`` gives
    what a callback needs to evaluate the model at an iteration (None: the
    iterations are reported without a model to evaluate).
    """
    if not getattr(parent, "listening", False):
        return NoTask(), None
    task = parent.subcontext(task_name=name, max_subtasks=max_iter)
    task.listening = True

    def on_iteration(coefs, intercepts):
        iteration = task.subcontext(task_name="iteration")
        iteration.call_on_fit_task_begin(estimator=estimator)
        if report is None:
            iteration.call_on_fit_task_end(estimator=estimator)
            return
        X, y, attributes = report([W.copy() for W in coefs], [b.copy() for b in intercepts])
        iteration.call_on_fit_task_end(
            estimator=estimator, X=X, y=y, reconstruction_attributes=attributes
        )

    return task, on_iteration
