"""Warnings and errors raised by skstackedae."""


class NonFiniteLossError(FloatingPointError):
    """The loss or its gradient became NaN or infinite during a fit.

    Raised by every solver, naming the phase (``SparseAutoencoder(200)``,
    ``softmax``, ``fine-tuning``); the estimator is left as it was before
    the fit. Scaling the input, a larger ``alpha`` or, for "adam"/"sgd", a
    smaller ``learning_rate_init`` usually cures it.
    """


class InconsistentVersionWarning(UserWarning):
    """A model is unpickled with another skstackedae version than saved it.

    Like scikit-learn's own ``InconsistentVersionWarning``: the model may
    load but behave differently or break; refit it with this version.

    Attributes
    ----------
    estimator_name : str
        Class of the unpickled estimator.
    current_version : str
        skstackedae version doing the loading.
    original_version : str
        skstackedae version that saved the model.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from skstackedae "
            f"version {self.original_version} when using version "
            f"{self.current_version}. This might lead to breaking code or invalid "
            "results. Use at your own risk."
        )


__all__ = ["InconsistentVersionWarning", "NonFiniteLossError"]
