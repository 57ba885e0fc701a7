"""StackedAutoencoder: the unrolled deep autoencoder."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skstackedae import (
    StackedAutoencoder,
)


def test_deep_autoencoder_unrolls_the_pretrained_stack(tiny_digits):
    from skstackedae import StackedAutoencoder

    X, _ = tiny_digits
    before = StackedAutoencoder((12, 5), fine_tune=False, pretrain_max_iter=30, random_state=0).fit(
        X
    )
    # Unrolled: encoders, then each autoencoder's decoder, top first.
    first, top = before.autoencoders_
    expected = [first.coefs_[0], top.coefs_[0], top.coefs_[1], first.coefs_[1]]
    for W, W_expected in zip(before.coefs_, expected):
        np.testing.assert_array_equal(W, W_expected)
    np.testing.assert_allclose(before.transform(X), top.transform(first.transform(X)))
    np.testing.assert_allclose(
        before.inverse_transform(before.transform(X)),
        first.inverse_transform(top.inverse_transform(top.transform(first.transform(X)))),
    )
    after = StackedAutoencoder((12, 5), pretrain_max_iter=30, max_iter=100, random_state=0).fit(X)
    assert after.score(X) > before.score(X)
    assert after.transform(X).shape == (X.shape[0], 5) and after.n_layers_ == 5
    np.testing.assert_allclose(
        -after.score(X),
        0.5 * np.sum((after.inverse_transform(after.transform(X)) - X) ** 2) / X.shape[0],
    )
    assert list(after.get_feature_names_out()) == [f"stackedautoencoder{i}" for i in range(5)]


def test_deep_autoencoder_inverse_transform_checks_the_code_size(tiny_digits):
    from skstackedae import StackedAutoencoder

    X, _ = tiny_digits
    model = StackedAutoencoder((6, 3), pretrain_max_iter=5, max_iter=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="expects 3 codes"):
        model.inverse_transform(np.zeros((2, 4)))


def test_deep_autoencoder_accepts_numpy_integer_layer_size():
    X = np.random.RandomState(0).rand(20, 5)
    model = StackedAutoencoder(np.int64(3), pretrain_max_iter=2, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    assert model.transform(X).shape == (20, 3)
