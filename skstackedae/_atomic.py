"""All-or-nothing fits."""

import contextlib


@contextlib.contextmanager
def restore_state_on_error(estimator):
    """Undo every attribute change of ``estimator`` if the block raises.

    ``validate_data`` records ``n_features_in_`` and ``feature_names_in_``
    before the first iteration runs; without this a fit that fails later
    would leave them describing data the fitted weights never saw.
    """
    state = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(state)
        raise
