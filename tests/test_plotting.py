"""skstackedae.plotting: filter images."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skstackedae import SparseAutoencoder
from skstackedae.plotting import filter_grid


def test_filter_grid_tiles_and_normalises():
    components = np.arange(1, 5 * 9 + 1, dtype=float).reshape(5, 9)
    grid = filter_grid(components)
    assert grid.shape == (2 * 4 + 1, 3 * 4 + 1)  # 3x3 tiles and padding, 3 per row, 2 rows
    assert_array_equal(grid[1:4, 1:4], components[0].reshape(3, 3) / 9)
    assert grid.max() == 1 and grid.min() == -1
    assert np.all(grid[0] == -1)  # padding
    with pytest.raises(ValueError, match="not square"):
        filter_grid(np.ones((2, 10)))
    assert filter_grid(np.ones((2, 10)), image_shape=(2, 5)).shape == (4, 13)


def test_display_network_draws_the_grid(small_digits):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skstackedae.plotting import display_network

    ae = SparseAutoencoder(16, max_iter=5, random_state=0).fit(small_digits[0])
    fig, ax = plt.subplots()
    image = display_network(ae.components_, ax=ax)
    assert_array_equal(image.get_array(), filter_grid(ae.components_))
    plt.close(fig)
