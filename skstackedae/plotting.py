"""Pictures of learned features (needs matplotlib: ``pip install skstackedae[plot]``).

:func:`filter_grid` arranges filters in one array (NumPy only);
:func:`display_network` draws it, like UFLDL's ``display_network``.
"""

import numpy as np


def filter_grid(components, image_shape=None, n_cols=None, pad=1):
    """Tile filters (one per row) into a single 2-D image.

    Each filter is scaled by its largest absolute value to [-1, 1] (UFLDL's
    normalisation), so the contrast of every tile is comparable; tiles are
    separated by ``pad`` pixels of -1 (black).

    Parameters
    ----------
    components : array-like of shape (n_filters, n_pixels)
        The filters, e.g. :attr:`SparseAutoencoder.components_`.
    image_shape : tuple of int, default=None
        Shape of one filter; a square ``(sqrt(n_pixels),) * 2`` if None.
    n_cols : int, default=None
        Tiles per row; ``ceil(sqrt(n_filters))`` if None.
    pad : int, default=1
        Pixels between tiles.

    Returns
    -------
    grid : ndarray of shape (rows * (height + pad) + pad, n_cols * (width + pad) + pad)
        Values in [-1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skstackedae.plotting import filter_grid
    >>> filter_grid(np.ones((6, 4))).shape  # six 2x2 tiles, 3 per row, 1px apart
    (7, 10)
    """
    components = np.asarray(components, dtype=float)
    n_filters, n_pixels = components.shape
    if image_shape is None:
        side = int(round(np.sqrt(n_pixels)))
        if side * side != n_pixels:
            raise ValueError(
                f"filters of {n_pixels} pixels are not square; pass image_shape"
            )
        image_shape = (side, side)
    height, width = image_shape
    if height * width != n_pixels:
        raise ValueError(f"image_shape {image_shape} does not hold {n_pixels} pixels")
    n_cols = n_cols or int(np.ceil(np.sqrt(n_filters)))
    n_rows = int(np.ceil(n_filters / n_cols))
    scale = np.abs(components).max(axis=1, keepdims=True)
    tiles = components / np.where(scale > 0, scale, 1)
    grid = -np.ones((n_rows * (height + pad) + pad, n_cols * (width + pad) + pad))
    for index, tile in enumerate(tiles):
        row, col = divmod(index, n_cols)
        top, left = pad + row * (height + pad), pad + col * (width + pad)
        grid[top : top + height, left : left + width] = tile.reshape(image_shape)
    return grid


def display_network(components, image_shape=None, n_cols=None, ax=None, cmap="gray"):
    """Draw filters as a grid of images (UFLDL's ``display_network``).

    Parameters
    ----------
    components : array-like of shape (n_filters, n_pixels)
        The filters, e.g. :attr:`SparseAutoencoder.components_`.
    image_shape, n_cols :
        See :func:`filter_grid`.
    ax : matplotlib Axes, default=None
        Where to draw; the current axes if None.
    cmap : str, default="gray"
        Colour map.

    Returns
    -------
    image : matplotlib.image.AxesImage
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "skstackedae.plotting needs matplotlib: pip install matplotlib"
        ) from exc
    ax = plt.gca() if ax is None else ax
    image = ax.imshow(
        filter_grid(components, image_shape, n_cols), cmap=cmap, vmin=-1, vmax=1
    )
    ax.set_axis_off()
    return image
