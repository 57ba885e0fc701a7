"""Package-wide settings, in scikit-learn's style: ``get_config``,
``set_config`` and ``config_context`` (see ``sklearn/_config.py``).

Unlike scikit-learn's, the settings are process-wide, not per thread: the
one setting is about BLAS thread pools, which are process-wide themselves,
and fits started in worker threads (joblib's threading backend, a thread
pool) must see it without being handed it.
"""

import threading
from contextlib import contextmanager

_config = {"adaptive_blas_threads": False}
_lock = threading.Lock()


def get_config():
    """The current values of the package's settings.

    Returns
    -------
    config : dict
        Keys are the parameter names of :func:`set_config`.

    See Also
    --------
    config_context : Change the settings within a ``with`` block.
    set_config : Change the settings.

    Examples
    --------
    >>> import skstackedae
    >>> skstackedae.get_config()["adaptive_blas_threads"]
    False
    """
    with _lock:
        return dict(_config)


def set_config(adaptive_blas_threads=None):
    """Change the package's settings.

    Parameters
    ----------
    adaptive_blas_threads : bool, default=None
        False (the default setting): a fit runs NumPy's BLAS at the thread
        count it finds, so two fits with the same ``random_state`` on the
        same machine and software give bit-identical models, whatever else
        the machine runs. True: a fit follows the machine's load: every
        0.2 s it gives NumPy's BLAS the cores other processes leave free,
        and fits that overlap in threads of one process run every BLAS at
        one thread. Faster on a shared machine (figures in the user guide,
        "Reproducibility and BLAS threads"), but OpenBLAS's products differ
        in their last bits between thread counts and L-BFGS amplifies that,
        so results then depend on the machine's load. Linux only (elsewhere
        the load is not known and only the overlap rule applies). None
        leaves the setting unchanged.

    See Also
    --------
    config_context : Change the settings within a ``with`` block.
    get_config : The current settings.

    Examples
    --------
    >>> import skstackedae
    >>> skstackedae.set_config(adaptive_blas_threads=True)
    >>> skstackedae.get_config()["adaptive_blas_threads"]
    True
    >>> skstackedae.set_config(adaptive_blas_threads=False)
    """
    if adaptive_blas_threads is not None:
        if not isinstance(adaptive_blas_threads, bool):
            raise TypeError(
                f"adaptive_blas_threads must be True, False or None; got {adaptive_blas_threads!r}."
            )
        with _lock:
            _config["adaptive_blas_threads"] = adaptive_blas_threads


@contextmanager
def config_context(*, adaptive_blas_threads=None):
    """Change the package's settings within a ``with`` block (for the
    whole process: fits in other threads see them too).

    Parameters
    ----------
    adaptive_blas_threads : bool, default=None
        See :func:`set_config`. None leaves the setting unchanged.

    Yields
    ------
    None.

    See Also
    --------
    get_config : The current settings.
    set_config : Change the settings.

    Examples
    --------
    >>> import numpy as np
    >>> import skstackedae
    >>> from skstackedae import SparseAutoencoder
    >>> X = np.random.RandomState(0).rand(50, 6)
    >>> with skstackedae.config_context(adaptive_blas_threads=True):
    ...     ae = SparseAutoencoder(3, max_iter=5, random_state=0).fit(X)
    >>> skstackedae.get_config()["adaptive_blas_threads"]
    False
    """
    old = get_config()
    set_config(adaptive_blas_threads=adaptive_blas_threads)
    try:
        yield
    finally:
        set_config(**old)
