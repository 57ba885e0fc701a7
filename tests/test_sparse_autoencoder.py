"""SparseAutoencoder: its fit, codes and reconstruction, the "auto" penalty
weights, mini-batch training, partial_fit and early stopping."""

import copy
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

import skstackedae
import skstackedae._sparse_autoencoder
import skstackedae._stacked_base
from skstackedae import (
    SparseAutoencoder,
)
from skstackedae._network import decode, encode, kl_divergence, total_variance
from skstackedae._sparse_autoencoder import (
    UFLDL_INPUT_VARIANCE,
    auto_penalty_weights,
    input_unit_params,
    normalised_params,
    reconstruction_r2,
)
from skstackedae.exceptions import NonFiniteLossError


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


def test_auto_weights_are_ufldls_on_mnists_variance_and_scale_with_it():
    rng = np.random.RandomState(0)
    X = rng.rand(50, 8)
    X *= np.sqrt(UFLDL_INPUT_VARIANCE / total_variance(X))  # MNIST's total variance
    assert auto_penalty_weights(total_variance(X)) == pytest.approx((3e-3, 3.0), rel=1e-10)
    # A tenth of the variance, a tenth of the weights.
    assert auto_penalty_weights(total_variance(X / np.sqrt(10))) == pytest.approx(
        (3e-4, 0.3), rel=1e-10
    )


def test_sparse_autoencoder_resolves_auto_and_keeps_numbers(digits):
    X = digits[0][:200]
    ae = SparseAutoencoder(8, max_iter=5, random_state=0).fit(X)
    assert (ae.alpha_, ae.sparsity_weight_) == pytest.approx(
        auto_penalty_weights(total_variance(X))
    )
    assert ae.alpha == "auto" and ae.sparsity_weight == "auto"  # parameters untouched
    ae = SparseAutoencoder(8, alpha=1e-3, sparsity_weight=0.5, max_iter=5).fit(X)
    assert (ae.alpha_, ae.sparsity_weight_) == (1e-3, 0.5)
    # The fitted cost is UFLDL's with the resolved values: same model as numbers.
    auto = SparseAutoencoder(8, max_iter=5, random_state=0).fit(X)
    alpha, beta = auto_penalty_weights(total_variance(X))
    explicit = SparseAutoencoder(
        8, alpha=alpha, sparsity_weight=beta, max_iter=5, random_state=0
    ).fit(X)
    np.testing.assert_array_equal(auto.coefs_[0], explicit.coefs_[0])


def test_partial_fit_keeps_the_first_chunks_auto_weights(digits):
    X = digits[0][:200]
    ae = SparseAutoencoder(8, solver="adam", random_state=0).partial_fit(X[:100])
    first = (ae.alpha_, ae.sparsity_weight_)
    ae.partial_fit(X[100:] * 0.5)
    assert (ae.alpha_, ae.sparsity_weight_) == first
    assert ae.reconstruction_r2_ is None


def _gaussian_table(n_rows=300, n_features=12, seed=0):
    """Real-valued features with unequal means and spreads: a linear decoder's input."""
    rng = np.random.RandomState(seed)
    latent = rng.standard_normal((n_rows, 3))
    X = latent @ rng.standard_normal((3, n_features)) + 0.3 * rng.standard_normal(
        (n_rows, n_features))
    return X * rng.uniform(0.5, 2.0, n_features) + rng.uniform(-3, 3, n_features)


def test_linear_decoder_fit_does_not_depend_on_the_value_range():
    # Before the normalisation: R^2 0.82 at 10 times the range and constant
    # codes (-0.04, with a warning) at 100 times, against 0.997.
    X = _gaussian_table()
    ranges = [(1.0, 0.0), (100.0, 0.0), (0.01, 5.0)]
    fits = [SparseAutoencoder(20, max_iter=100, random_state=0).fit(X * factor + shift)
            for factor, shift in ranges]
    reference = fits[0]
    assert reference.decoder_ == "linear" and reference.reconstruction_r2_ > 0.9
    for fit, (factor, shift) in zip(fits[1:], ranges[1:]):
        assert fit.reconstruction_r2_ == pytest.approx(reference.reconstruction_r2_, abs=1e-4)
        assert (fit.alpha_, fit.sparsity_weight_) == pytest.approx(
            (reference.alpha_, reference.sparsity_weight_))
        assert fit.input_scale_ == pytest.approx(reference.input_scale_ * factor)
        # The same fit up to rounding, which 100 L-BFGS iterations amplify
        # (2.6e-5 measured); constant codes would differ by 0.1 and more.
        assert_allclose(fit.transform(X * factor + shift), reference.transform(X), atol=1e-3)
        reconstruction = (fit.inverse_transform(reference.transform(X)) - shift) / factor
        assert_allclose(reconstruction, reference.inverse_transform(reference.transform(X)),
                        rtol=1e-3, atol=1e-3)


def test_linear_decoder_trains_in_normalised_units():
    X = _gaussian_table()
    ae = SparseAutoencoder(8, max_iter=20, random_state=0).fit(X)
    assert_allclose(ae.input_offset_, X.mean(axis=0))
    assert ae.input_scale_ == pytest.approx(np.sqrt(total_variance(X) / X.shape[1]))
    # "auto" weights are those of the normalised input, whose total
    # variance is its number of features.
    assert (ae.alpha_, ae.sparsity_weight_) == pytest.approx(
        auto_penalty_weights(X.shape[1]))
    # The stored weights are the input's: the same model as one trained on
    # the normalised input, with the normalisation folded in.
    Z = (X - ae.input_offset_) / ae.input_scale_
    on_z = SparseAutoencoder(8, max_iter=20, random_state=0, decoder="linear").fit(Z)
    assert_allclose(ae.transform(X), on_z.transform(Z), atol=1e-8)
    assert on_z.input_scale_ == pytest.approx(1.0)
    assert_allclose(ae.loss_curve_, on_z.loss_curve_, rtol=1e-6)
    # Computed in float32, the offset is cast back with the weights.
    in_float32 = SparseAutoencoder(8, max_iter=2, compute_dtype="float32").fit(X)
    assert in_float32.input_offset_.dtype == in_float32.coefs_[0].dtype == X.dtype
    # A logistic decoder trains on the input itself.
    assert SparseAutoencoder(8, max_iter=2).fit(X - X.min()).input_scale_ is not None
    logistic = SparseAutoencoder(8, max_iter=2).fit((X - X.min()) / np.ptp(X))
    assert logistic.decoder_ == "logistic" and logistic.input_scale_ is None


def test_constant_input_trains_at_scale_one():
    ae = SparseAutoencoder(2, max_iter=2).fit(np.full((5, 3), 7.0))
    assert ae.decoder_ == "linear" and ae.input_scale_ == 1.0
    assert_allclose(ae.input_offset_, 7.0)
    assert np.all(np.isfinite(ae.transform(np.full((2, 3), 7.0))))


def test_normalisation_folds_exactly():
    rng = np.random.RandomState(0)
    coefs = [rng.standard_normal((5, 3)), rng.standard_normal((3, 5))]
    intercepts = [rng.standard_normal(3), rng.standard_normal(5)]
    offset, scale = rng.standard_normal(5), 7.0
    X = rng.standard_normal((10, 5)) * scale + offset
    Z = (X - offset) / scale
    folded = input_unit_params(coefs, intercepts, offset, scale)
    assert_allclose(encode(X, folded[0][0], folded[1][0]), encode(Z, coefs[0], intercepts[0]))
    codes = encode(Z, coefs[0], intercepts[0])
    assert_allclose(decode(codes, folded[0][1], folded[1][1], "linear"),
                    decode(codes, coefs[1], intercepts[1], "linear") * scale + offset)
    back = normalised_params(*folded, offset, scale)
    for a, b in zip(back[0] + back[1], coefs + intercepts):
        assert_allclose(a, b)


def test_partial_fit_keeps_the_first_chunks_normalisation():
    X = _gaussian_table()
    ae = SparseAutoencoder(8, solver="adam", random_state=0).partial_fit(X[:150])
    offset, scale = ae.input_offset_.copy(), ae.input_scale_
    ae.partial_fit(X[150:] * 3.0)
    assert_array_equal(ae.input_offset_, offset)
    assert ae.input_scale_ == scale
    # Sparse input is scaled but not centred (centring would make it dense).
    from scipy import sparse
    ae = SparseAutoencoder(8, max_iter=5, random_state=0).fit(sparse.csr_matrix(X * (X > 0)))
    assert ae.decoder_ == "linear" and not ae.input_offset_.any()


def test_reconstruction_r2_is_one_minus_squared_error_over_total_variance(digits):
    X = digits[0][:200]
    ae = SparseAutoencoder(16, max_iter=30, random_state=0).fit(X)
    error = ((ae.inverse_transform(ae.transform(X)) - X) ** 2).sum()
    expected = 1 - error / ((X - X.mean(axis=0)) ** 2).sum()
    assert ae.reconstruction_r2_ == pytest.approx(expected, rel=1e-9)
    assert reconstruction_r2(np.ones((5, 3)), None, None, "linear") == 1.0  # constant input


@pytest.mark.parametrize("solver, rate", [("adam", 1e-2), ("sgd", 0.1)])
def test_minibatch_autoencoder_learns(small_digits, solver, rate):
    X, _ = small_digits
    short = SparseAutoencoder(
        20, solver=solver, learning_rate_init=rate, max_iter=1, random_state=0
    ).fit(X)
    long = SparseAutoencoder(
        20, solver=solver, learning_rate_init=rate, max_iter=60, random_state=0
    ).fit(X)
    assert long.score(X) > short.score(X)
    assert len(long.loss_curve_) == long.n_iter_
    assert long.loss_curve_[-1] < long.loss_curve_[0]


def test_lbfgs_has_no_partial_fit():
    assert not hasattr(SparseAutoencoder(), "partial_fit")
    assert hasattr(SparseAutoencoder(solver="adam"), "partial_fit")


def test_partial_fit_over_memmap_chunks(tmp_path, digits):
    X, _ = digits
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    X_map = np.load(path, mmap_mode="r")  # read-only, never loaded whole
    ae = SparseAutoencoder(30, solver="adam", learning_rate_init=1e-2, random_state=0)
    scores = []
    for _ in range(4):
        for begin in range(0, X_map.shape[0], 300):
            ae.partial_fit(X_map[begin : begin + 300])
        scores.append(ae.score(X_map))
    assert ae.n_iter_ == 4 * 6
    assert len(ae.loss_curve_) == ae.n_iter_
    assert ae.coefs_[0].dtype == np.float32
    assert scores[-1] > scores[0]


def test_one_partial_fit_is_one_epoch_of_fit(small_digits):
    X, _ = small_digits
    params = dict(n_components=10, solver="sgd", shuffle=False, random_state=0)
    incremental = SparseAutoencoder(**params).partial_fit(X)
    full = SparseAutoencoder(max_iter=1, **params).fit(X)
    for a, b in zip(incremental.coefs_ + incremental.intercepts_, full.coefs_ + full.intercepts_):
        assert_array_equal(a, b)


def test_partial_fit_rejects_a_new_feature_count(small_digits):
    X, _ = small_digits
    ae = SparseAutoencoder(5, solver="adam", random_state=0).partial_fit(X)
    with pytest.raises(
        ValueError, match="X has 10 features, but SparseAutoencoder is expecting 64"
    ):
        ae.partial_fit(X[:, :10])


def test_autoencoder_early_stopping_on_sparse_input(small_digits):
    import scipy.sparse as sp

    X, _ = small_digits
    ae = SparseAutoencoder(
        10,
        solver="adam",
        learning_rate_init=1e-2,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=100,
        random_state=0,
    ).fit(sp.csr_matrix(X))
    assert len(ae.validation_scores_) == ae.n_iter_
    assert ae.best_validation_score_ == max(ae.validation_scores_) < 0


def test_non_finite_autoencoder_loss_names_the_phase(small_digits, monkeypatch):
    X, _ = small_digits
    monkeypatch.setattr(
        skstackedae._sparse_autoencoder, "autoencoder_loss_grad", lambda *a, **k: np.inf
    )
    ae = SparseAutoencoder(5, random_state=0)
    with pytest.raises(NonFiniteLossError, match=r"SparseAutoencoder\(5\) phase became inf"):
        ae.fit(X)
    assert not hasattr(ae, "coefs_") and not hasattr(ae, "n_features_in_")


def test_saturated_units_give_a_finite_sparsity_penalty(small_digits):
    X, _ = small_digits
    # Every hidden unit stuck at 0 or 1: the KL term is large but finite.
    ae = SparseAutoencoder(4, max_iter=1, random_state=0).fit(X)
    ae.coefs_[0][...] = 0
    ae.intercepts_[0][...] = [-1e4, 1e4, -1e4, 1e4]
    H = ae.transform(X)
    assert_array_equal(np.unique(H), [0.0, 1.0])
    from skstackedae._network import autoencoder_loss_grad

    grads = [np.empty_like(a) for a in ae.coefs_ + ae.intercepts_]
    loss = autoencoder_loss_grad(
        ae.coefs_,
        ae.intercepts_,
        X,
        X,
        alpha=3e-3,
        sparsity_target=0.1,
        sparsity_weight=3.0,
        decoder="logistic",
        coef_grads=grads[:2],
        intercept_grads=grads[2:],
    )
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads)
    # Large (each unit is as far from rho = 0.1 as the clip allows) but finite.
    assert loss > 3.0 * 4 * 10
    assert np.isfinite(kl_divergence(0.1, np.array([1e-300])))


# 3. A partial_fit that fails half-way leaves no trace.
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_failed_partial_fit_leaves_the_optimiser_and_generator_untouched(
    small_digits, monkeypatch, solver
):
    X, _ = small_digits
    chunks = [X[:200], X[200:]]
    params = dict(n_components=8, solver=solver, batch_size=50, corruption=0.2, random_state=0)
    reference = SparseAutoencoder(**params).partial_fit(chunks[0])
    survivor = copy.deepcopy(reference)

    real = skstackedae._sparse_autoencoder.autoencoder_loss_grad
    calls = []

    def fail_on_third_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise FloatingPointError("injected failure half-way through the chunk")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        skstackedae._sparse_autoencoder, "autoencoder_loss_grad", fail_on_third_batch
    )
    with pytest.raises(FloatingPointError, match="injected"):
        survivor.partial_fit(chunks[1])
    monkeypatch.setattr(skstackedae._sparse_autoencoder, "autoencoder_loss_grad", real)

    # The next chunk continues exactly as if the failed call never happened.
    reference.partial_fit(chunks[1])
    survivor.partial_fit(chunks[1])
    for a, b in zip(
        reference.coefs_ + reference.intercepts_, survivor.coefs_ + survivor.intercepts_
    ):
        assert_array_equal(a, b)
    assert survivor.n_iter_ == reference.n_iter_ == 2
