"""Test-session set-up shared by tests/ and the doctests in skstackedae/."""

import os

# scikit-learn's check_array_api_input skips itself unless SciPy runs in array
# API mode, which has to be switched on before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
