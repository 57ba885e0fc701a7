"""Docstring text that several estimators share, written once.

Modelled on imbalanced-learn's ``Substitution``: a class docstring holds a
placeholder such as ``{minibatch_parameters}`` on a line of its own, and
:class:`Substitution` replaces it. Only the named placeholders are touched,
so braces and percent signs elsewhere in a docstring are safe.
"""

_MINIBATCH_PARAMETERS = """\
    batch_size : int or "auto", default="auto"
        Mini-batch size of "adam"/"sgd"; "auto" is ``min(200, n_samples)``.
        Larger values are clipped to ``n_samples``.

    learning_rate_init : float, default=1e-3
        Step size of "adam"/"sgd".

    shuffle : bool, default=True
        Shuffle the samples every epoch ("adam"/"sgd")."""

_STOPPING_PARAMETERS = """\
    validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping=True``.
        Each side of the split needs at least one row (one per class when it
        is stratified), or ``fit`` raises a ``ValueError``.

    n_iter_no_change : int, default=10
        "adam"/"sgd" stop a phase after more than ``n_iter_no_change``
        consecutive epochs without an improvement of at least ``tol``, as
        ``MLPClassifier`` does."""

SHARED = {
    "minibatch_parameters": _MINIBATCH_PARAMETERS,
    "stopping_parameters": _STOPPING_PARAMETERS,
}


class Substitution:
    """Class or function decorator: put the ``SHARED`` blocks, and any text
    given by keyword (``{name}`` anywhere in the docstring), into its
    docstring."""

    def __init__(self, **values):
        self.values = values

    def __call__(self, obj):
        doc = obj.__doc__
        for name, text in SHARED.items():
            doc = doc.replace("    {" + name + "}", text)
        for name, text in self.values.items():
            doc = doc.replace("{" + name + "}", text)
        obj.__doc__ = doc
        return obj
