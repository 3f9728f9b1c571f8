"""models.pca against scikit-learn's PCA (float64 to 1e-8/1e-9, float32 to 1e-4: the
eigen/SVD solvers differ in rounding)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA

from mlmath_jax.errors import UserError
from mlmath_jax.models import pca
from mlmath_jax.models.pca import _gram

# ---------------------------------------------------------------------------------- PCA


@pytest.fixture(scope="module")
def pca_data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(60, 6)) @ rng.normal(size=(6, 6)) + rng.normal(size=6)


@pytest.mark.parametrize("method", ["svd", "covariance"])
def test_pca_matches_sklearn_up_to_sign(pca_data, method):
    with jax.enable_x64(True):
        r = pca.pca(jnp.asarray(pca_data), 3, method=method)
        sk = PCA(n_components=3).fit(pca_data)
        signs = np.sign(np.sum(np.asarray(r.components) * sk.components_, axis=1))
        np.testing.assert_allclose(np.asarray(r.components) * signs[:, None],
                                   sk.components_, atol=1e-8)
        np.testing.assert_allclose(r.explained_variance, sk.explained_variance_, rtol=1e-9)
        np.testing.assert_allclose(r.explained_variance_ratio, sk.explained_variance_ratio_,
                                   rtol=1e-9)
        np.testing.assert_allclose(np.abs(pca.transform(r, jnp.asarray(pca_data))),
                                   np.abs(sk.transform(pca_data)), atol=1e-8)


def test_pca_error_never_rises_with_k_and_full_k_is_exact(pca_data):
    with jax.enable_x64(True):
        X = jnp.asarray(pca_data)
        full = pca.pca(X, 6)
        errors = []
        for k in range(1, 7):                   # the top k of one fit: the same as pca(X, k)
            r = pca.PCAResult(full.components[:k], full.explained_variance[:k],
                              full.explained_variance_ratio[:k], full.mean)
            X_hat = pca.reconstruct(r, pca.transform(r, X))
            errors.append(float(jnp.mean((X - X_hat) ** 2)))
        np.testing.assert_allclose(pca.pca(X, 3).components, full.components[:3],
                                   atol=1e-10)
        assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:], strict=False))
        assert errors[-1] < 1e-20
        assert float(jnp.sum(pca.pca(X, 6).explained_variance_ratio)) == pytest.approx(1.0)


def test_pca_float32_and_errors(pca_data):
    r = pca.pca(jnp.asarray(pca_data, jnp.float32), 2)
    sk = PCA(n_components=2).fit(pca_data)
    np.testing.assert_allclose(np.abs(r.components), np.abs(sk.components_), atol=1e-4)
    with pytest.raises(UserError, match="k = 7"):
        pca.pca(jnp.asarray(pca_data), 7)
    with pytest.raises(UserError, match="method"):
        pca.pca(jnp.asarray(pca_data), 2, method="qr")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 40), d=st.integers(1, 37), blocks=st.integers(1, 6),
       seed=st.integers(0, 2**31 - 1))
def test_gram_from_upper_blocks_equals_the_full_product(n, d, blocks, seed):
    """The covariance route's XᵀX, built from the blocks on and above the diagonal, is
    NumPy's X.T @ X (any width, any block count, including widths below 2·blocks)."""
    X = np.random.default_rng(seed).standard_normal((n, d))
    with jax.enable_x64(True):
        G = np.asarray(_gram(jnp.asarray(X), blocks))
    np.testing.assert_allclose(G, X.T @ X, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(G, G.T)
