"""merge_identical_rows: repeated rows as one weighted row."""

import numpy as np

from skstackedae._rows import merge_identical_rows


def test_merge_identical_rows_sums_weights_and_drops_zeros():
    X = np.array([[1.0, 0], [0, 1], [1, 0], [0, 1], [2, 2]])
    y = np.array([0, 1, 0, 2, 1])
    Xm, ym, wm = merge_identical_rows(X, y, np.array([1.0, 2, 3, 4, 0]))
    merged = {(tuple(x), int(t)): w for x, t, w in zip(Xm, ym, wm)}
    assert merged == {((1.0, 0.0), 0): 4.0, ((0.0, 1.0), 1): 2.0, ((0.0, 1.0), 2): 4.0}
    # Equal weights after merging: no weights (the unweighted cost).
    X, y = X[[0, 1, 3, 4]], y[[0, 1, 3, 4]]  # distinct rows
    Xu, yu, wu = merge_identical_rows(X[::-1], y[::-1], np.array([2.0, 2, 2, 2]))
    assert wu is None and Xu.shape == (4, 2)
    # The order does not depend on the input's.
    Xa, ya, _ = merge_identical_rows(X, y)
    np.testing.assert_array_equal(Xa, Xu)
    np.testing.assert_array_equal(ya, yu)
