import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from skstackedae import SparseAutoencoder


def test_fitted_attributes_and_shapes(small_digits):
    X, _ = small_digits
    ae = SparseAutoencoder(n_components=20, max_iter=30, random_state=0).fit(X)
    W1, W2 = ae.coefs_
    b1, b2 = ae.intercepts_
    assert W1.shape == (64, 20) and W2.shape == (20, 64)
    assert b1.shape == (20,) and b2.shape == (64,)
    assert_array_equal(ae.components_, W1.T)
    assert ae.n_features_in_ == 64
    assert 1 <= ae.n_iter_ <= 30
    assert len(ae.loss_curve_) == ae.n_iter_
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]
    assert_allclose(ae.loss_, ae.loss_curve_[-1])

    H = ae.transform(X)
    assert H.shape == (400, 20)
    assert np.all((H > 0) & (H < 1))
    assert_allclose(H, expit(X @ W1 + b1))
    assert ae.inverse_transform(H).shape == X.shape
    assert_allclose(ae.inverse_transform(H), expit(H @ W2 + b2))


def test_loss_is_the_cost_of_the_fitted_weights(small_digits):
    # loss_ is J of the user guide ("The sparse autoencoder") evaluated at the returned weights.
    X, _ = small_digits
    rho, beta, alpha = 0.05, 2.0, 1e-3
    ae = SparseAutoencoder(
            n_components=16, sparsity_target=rho, sparsity_weight=beta, alpha=alpha,
            max_iter=40, random_state=0,
        ).fit(X,)
    W1, W2 = ae.coefs_
    H = ae.transform(X)
    rho_hat = H.mean(axis=0)
    J = (
        -ae.score(X)
        + alpha / 2 * (np.sum(W1**2) + np.sum(W2**2))
        + beta * np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    )
    assert_allclose(ae.loss_, J, rtol=1e-10)


def test_sparsity_penalty_drives_mean_activation_to_target(small_digits):
    X, _ = small_digits
    for rho in (0.05, 0.3):
        ae = SparseAutoencoder(n_components=30, sparsity_target=rho, sparsity_weight=5.0,
                              max_iter=200, random_state=0).fit(X,)
        assert_allclose(ae.transform(X).mean(axis=0), rho, atol=0.02)


@pytest.mark.parametrize(
    "data, expected", [("unit", "logistic"), ("standardized", "linear")]
)
def test_auto_decoder_follows_the_data_range(small_digits, data, expected):
    X, _ = small_digits
    if data == "standardized":
        X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)
    ae = SparseAutoencoder(n_components=8, max_iter=10, random_state=0).fit(X)
    assert ae.decoder_ == expected
    X_hat = ae.inverse_transform(ae.transform(X))
    if expected == "logistic":
        assert X_hat.min() > 0 and X_hat.max() < 1
    else:
        assert X_hat.min() < 0  # an identity decoder reaches negative values


@pytest.mark.parametrize("decoder", ["logistic", "linear"])
def test_explicit_decoder_is_used(small_digits, decoder):
    X, _ = small_digits
    ae = SparseAutoencoder(n_components=8, decoder=decoder, max_iter=10, random_state=0).fit(X)
    assert ae.decoder_ == decoder


def test_training_improves_the_score(small_digits):
    X, _ = small_digits
    short = SparseAutoencoder(n_components=30, max_iter=2, random_state=0).fit(X)
    long = SparseAutoencoder(n_components=30, max_iter=200, random_state=0).fit(X)
    assert long.score(X) > short.score(X)
    X_hat = long.inverse_transform(long.transform(X))
    assert_allclose(long.score(X), -0.5 * np.sum((X_hat - X) ** 2) / X.shape[0])


def test_denoising_autoencoder_removes_masking_noise(digits):
    X, _ = digits
    X_train, X_test = X[:1200], X[1200:]
    rng = np.random.RandomState(42)
    X_noisy = X_test * (rng.uniform(size=X_test.shape) >= 0.3)
    # Light weight decay: a strongly decayed plain autoencoder is already a
    # smoother, which would hide the effect of training on corrupted input.
    params = dict(n_components=100, alpha=1e-4, max_iter=200, random_state=0)
    plain = SparseAutoencoder(**params).fit(X_train)
    denoising = SparseAutoencoder(corruption=0.3, **params).fit(X_train)

    def error(ae):
        return np.mean((ae.inverse_transform(ae.transform(X_noisy)) - X_test) ** 2)

    assert error(denoising) < 0.7 * error(plain)
    assert not np.allclose(plain.coefs_[0], denoising.coefs_[0])


def test_feature_names_out(small_digits):
    X, _ = small_digits
    ae = SparseAutoencoder(n_components=3, max_iter=5, random_state=0).fit(X)
    assert_array_equal(
        ae.get_feature_names_out(),
        ["sparseautoencoder0", "sparseautoencoder1", "sparseautoencoder2"],
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(small_digits, dtype):
    X = small_digits[0].astype(dtype)
    ae = SparseAutoencoder(n_components=10, max_iter=20, random_state=0).fit(X)
    assert all(W.dtype == dtype for W in ae.coefs_ + ae.intercepts_)
    H = ae.transform(X)
    assert H.dtype == dtype
    assert ae.inverse_transform(H).dtype == dtype


def test_inverse_transform_checks_the_number_of_codes(small_digits):
    X, _ = small_digits
    ae = SparseAutoencoder(n_components=10, max_iter=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="expects 10 hidden activations"):
        ae.inverse_transform(np.zeros((3, 9)))


def test_same_random_state_gives_identical_weights(small_digits):
    X, _ = small_digits
    a = SparseAutoencoder(n_components=10, max_iter=20, random_state=3).fit(X)
    b = SparseAutoencoder(n_components=10, max_iter=20, random_state=3).fit(X)
    c = SparseAutoencoder(n_components=10, max_iter=20, random_state=4).fit(X)
    assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.allclose(a.coefs_[0], c.coefs_[0])


def test_convergence_warning_names_the_phase(small_digits):
    X, _ = small_digits
    with pytest.warns(ConvergenceWarning, match=re.escape("SparseAutoencoder(7)")):
        SparseAutoencoder(n_components=7, max_iter=2, random_state=0).fit(X)


def test_verbose_reports_iterations(small_digits, capsys):
    X, _ = small_digits
    SparseAutoencoder(n_components=5, max_iter=3, verbose=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert re.search(r"iteration 3, loss = [0-9.]+, elapsed = [0-9.]+s", out)
