"""The package's settings (set_config, get_config, config_context) and what
the default promises: the same random_state gives the same model, whatever
else the machine runs."""

import subprocess
import sys
import threading

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import skstackedae
from skstackedae import StackedAEClassifier, config_context, get_config, set_config

# A competing BLAS job: large products in a loop, in another process.
COMPETING_JOB = """
import numpy as np, time
a = np.random.rand(600, 600)
end = time.monotonic() + {seconds}
while time.monotonic() < end:
    a @ a
"""


def test_the_default_is_fixed_threads():
    assert get_config() == {"adaptive_blas_threads": False}


def test_set_config_changes_and_context_restores():
    with config_context(adaptive_blas_threads=True):
        assert get_config()["adaptive_blas_threads"] is True
        set_config(adaptive_blas_threads=False)
        assert get_config()["adaptive_blas_threads"] is False
        set_config()  # None: unchanged
        assert get_config()["adaptive_blas_threads"] is False
    assert get_config()["adaptive_blas_threads"] is False
    with pytest.raises(RuntimeError), config_context(adaptive_blas_threads=True):
        raise RuntimeError
    assert get_config()["adaptive_blas_threads"] is False


def test_the_setting_is_process_wide():
    # BLAS pools are process-wide: a fit in a worker thread must see it.
    seen = []
    with config_context(adaptive_blas_threads=True):
        worker = threading.Thread(target=lambda: seen.append(get_config()))
        worker.start()
        worker.join()
    assert seen == [{"adaptive_blas_threads": True}]


@pytest.mark.parametrize("value", [1, "yes", np.bool_(True)])
def test_set_config_rejects_what_is_not_a_bool(value):
    with pytest.raises(TypeError, match="adaptive_blas_threads must be True, False or None"):
        set_config(adaptive_blas_threads=value)


def test_exported_like_scikit_learns():
    for name in ("get_config", "set_config", "config_context"):
        assert name in skstackedae.__all__


@pytest.mark.slow
def test_same_random_state_same_weights_while_another_blas_job_runs(digits):
    X, y = digits
    params = dict(pretrain_max_iter=20, max_iter=60, random_state=0)
    alone = StackedAEClassifier(**params).fit(X, y)
    job = subprocess.Popen([sys.executable, "-c", COMPETING_JOB.format(seconds=30)])
    try:
        loaded = StackedAEClassifier(**params).fit(X, y)
    finally:
        job.kill()
        job.wait()
    for a, b in zip(alone.coefs_ + alone.intercepts_, loaded.coefs_ + loaded.intercepts_):
        assert_array_equal(a, b)
