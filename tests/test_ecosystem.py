"""pandas output, verbose progress, versioned pickles, plotting, dask."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import skstackedae
from skstackedae import SparseAutoencoder, StackedAEClassifier
from skstackedae.exceptions import InconsistentVersionWarning
from skstackedae.plotting import filter_grid


def test_set_output_pandas(small_digits):
    X, _ = small_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ae = SparseAutoencoder(3, max_iter=5, random_state=0).set_output(transform="pandas")
    codes = ae.fit_transform(frame)
    assert isinstance(codes, pd.DataFrame)
    assert list(codes.columns) == ["sparseautoencoder0", "sparseautoencoder1", "sparseautoencoder2"]
    assert_array_equal(codes.index, frame.index)
    assert_array_equal(codes.to_numpy(), ae.set_output(transform="default").transform(frame))


def test_dataframes_with_column_names_everywhere(small_digits):
    X, y = small_digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    clf = StackedAEClassifier((8,), pretrain_max_iter=5, max_iter=5, random_state=0).fit(
        frame, pd.Series(y)
    )
    assert list(clf.feature_names_in_) == list(frame.columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        from_array = clf.predict(X)
    assert_array_equal(clf.predict(frame), from_array)


def test_verbose_reports_phases_iterations_loss_and_time(small_digits, capsys):
    X, y = small_digits
    StackedAEClassifier((8, 4), pretrain_max_iter=2, max_iter=2, verbose=1, random_state=0).fit(
        X, y
    )
    out = capsys.readouterr().out
    expected = [
        r"\[StackedAEClassifier\] pretraining layer 1 of 2: 64 -> 8 units",
        r"\[SparseAutoencoder\(8\)\] iteration 1, loss = [0-9.]+, elapsed = [0-9.]+s",
        r"\[StackedAEClassifier\] pretraining layer 1 of 2 done: "
        r"loss = [0-9.]+ after 2 iteration\(s\), [0-9.]+s",
        r"\[StackedAEClassifier\] pretraining layer 2 of 2: 8 -> 4 units",
        r"\[StackedAEClassifier\] softmax done: loss = [0-9.]+ after 2 iteration\(s\)",
        r"\[fine-tuning\] iteration 2, loss = [0-9.]+",
        r"\[StackedAEClassifier\] fine-tuning done: "
        r"loss = [0-9.]+ after 2 iteration\(s\), [0-9.]+s",
    ]
    position = 0
    for pattern in expected:  # in this order
        match = re.compile(pattern).search(out, position)
        assert match, pattern
        position = match.end()


def test_silent_by_default(small_digits, capsys):
    X, y = small_digits
    StackedAEClassifier((4,), pretrain_max_iter=2, max_iter=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("kind", ["autoencoder", "classifier"])
def test_pickles_carry_the_version(small_digits, kind):
    X, y = small_digits
    model = (
        SparseAutoencoder(3, max_iter=3, random_state=0).fit(X)
        if kind == "autoencoder"
        else StackedAEClassifier((3,), pretrain_max_iter=3, max_iter=3, random_state=0).fit(X, y)
    )
    assert model.__getstate__()["_skstackedae_version"] == skstackedae.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(model))  # same version: silent

    state = model.__getstate__()
    state["_skstackedae_version"] = "0.0.1"
    clone = type(model).__new__(type(model))
    with pytest.warns(
        InconsistentVersionWarning, match="from skstackedae version 0.0.1 when using version"
    ) as record:
        clone.__setstate__(state)
    warning = record[0].message
    assert warning.estimator_name == type(model).__name__
    assert (warning.original_version, warning.current_version) == ("0.0.1", skstackedae.__version__)
    assert "_skstackedae_version" not in vars(clone)


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
