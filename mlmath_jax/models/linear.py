"""Linear regression: ŷ = X·w, fitted three ways.

* the normal equation (XᵀX) w = Xᵀy, solved by elimination;
* least squares through an orthogonal factorization (``jnp.linalg.lstsq``), the
  numerically safer route when XᵀX is ill-conditioned;
* gradient descent on the mean squared error
  L(w) = (1/n)·‖y − Xw‖², with ∇L = −(2/n)·Xᵀ(y − Xw).

Add an intercept with :func:`mlmath_jax.data.add_bias_column`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mlmath_jax import algebra, registry


def predict(w: jax.Array, X: jax.Array) -> jax.Array:
    """ŷ = X·w."""
    return X @ w


def mse_loss(w: jax.Array, X: jax.Array, y: jax.Array) -> jax.Array:
    """L(w) = (1/n)·Σᵢ (yᵢ − xᵢ·w)²."""
    r = y - X @ w
    return jnp.mean(r * r)


def mse_loss_grad(w: jax.Array, X: jax.Array, y: jax.Array) -> jax.Array:
    """The manual gradient ∇L(w) = −(2/n)·Xᵀ(y − Xw)."""
    n = X.shape[0]
    return (-2.0 / n) * (X.T @ (y - X @ w))


def normal_equation(X: jax.Array, y: jax.Array, solve=None) -> jax.Array:
    """w = (XᵀX)⁻¹Xᵀy, computed by solving (XᵀX) w = Xᵀy (never by inverting).

    ``solve(A, b)`` defaults to the library's Gaussian elimination
    (:func:`mlmath_jax.algebra.solve`); pass ``jnp.linalg.solve`` to compare.
    """
    return (solve or algebra.solve)(X.T @ X, X.T @ y)


def least_squares(X: jax.Array, y: jax.Array) -> jax.Array:
    """argmin_w ‖y − Xw‖² by ``jnp.linalg.lstsq`` (SVD)."""
    return jnp.linalg.lstsq(X, y)[0]


def r2_score(y: jax.Array, y_hat: jax.Array) -> jax.Array:
    """Coefficient of determination 1 − SS_res / SS_tot."""
    ss_res = jnp.sum((y - y_hat) ** 2)
    ss_tot = jnp.sum((y - jnp.mean(y)) ** 2)
    return 1.0 - ss_res / ss_tot


def _sample(key, dtype):
    k1, k2, k3 = jax.random.split(key, 3)
    X = jax.random.normal(k1, (20, 4), dtype)
    return jax.random.normal(k2, (4,), dtype), X, jax.random.normal(k3, (20,), dtype)


registry.register("models.linear.mse_loss", mse_loss, mse_loss_grad, _sample,
                  doc="∇ (1/n)‖y − Xw‖² = −(2/n)Xᵀ(y − Xw)")
