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


def test_rows_merged_with_their_targets_are_not_copied_again_without():
    # A stack merges (x, y) rows, then its first autoencoder merges the same
    # rows without y: they are already in that order (the key sorts by x
    # first), so the autoencoder gets the stack's array, not a second copy.
    rng = np.random.RandomState(0)
    X, y = rng.uniform(size=(40, 5)), rng.randint(0, 3, 40)
    X_stack, y_stack, _ = merge_identical_rows(X, y)
    assert X_stack is not X  # reordered: a copy
    X_autoencoder, _, w = merge_identical_rows(X_stack)
    assert X_autoencoder is X_stack and w is None
    # Identical x with different labels stay two rows for the stack, and
    # one row of weight 2 for the autoencoder (which then copies).
    X_dup, y_dup = np.vstack([X, X[:1]]), np.append(y, (y[0] + 1) % 3)
    X_stack, y_stack, _ = merge_identical_rows(X_dup, y_dup)
    assert X_stack.shape[0] == 41
    X_autoencoder, _, w = merge_identical_rows(X_stack)
    assert X_autoencoder.shape[0] == 40 and sorted(set(w)) == [1.0, 2.0]
    # A Fortran-ordered input, even in canonical order, is still copied to C
    # order.
    X_canonical = merge_identical_rows(X)[0]
    X_f = merge_identical_rows(np.asfortranarray(X_canonical))[0]
    assert X_f.flags.c_contiguous
    np.testing.assert_array_equal(X_f, X_canonical)
