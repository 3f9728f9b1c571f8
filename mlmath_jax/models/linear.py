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
    """ŷ = X·w.

    Args:
      w: (d,) weights. X: (n, d) design matrix.

    Returns:
      (n,) predictions.

    Example:
      >>> print(predict(jnp.array([1.0, 2.0]), jnp.array([[1.0, 1.0], [0.0, 1.0]])).tolist())
      [3.0, 2.0]
    """
    return X @ w


def mse_loss(w: jax.Array, X: jax.Array, y: jax.Array) -> jax.Array:
    """L(w) = (1/n)·Σᵢ (yᵢ − xᵢ·w)².

    Args:
      w: (d,) weights. X: (n, d). y: (n,) targets.

    Returns:
      A scalar.

    Example:
      >>> X, y = jnp.array([[1.0], [2.0]]), jnp.array([1.0, 0.0])
      >>> print(float(mse_loss(jnp.array([1.0]), X, y)))
      2.0
    """
    r = y - X @ w
    return jnp.mean(r * r)


def mse_loss_grad(w: jax.Array, X: jax.Array, y: jax.Array) -> jax.Array:
    """The manual gradient ∇L(w) = −(2/n)·Xᵀ(y − Xw).

    Args:
      w: (d,) weights. X: (n, d). y: (n,) targets.

    Returns:
      (d,) gradient, equal to ``jax.grad(mse_loss)(w, X, y)``.

    Example:
      >>> X, y = jnp.array([[1.0], [2.0]]), jnp.array([1.0, 0.0])
      >>> print(mse_loss_grad(jnp.array([1.0]), X, y).tolist())
      [4.0]
    """
    n = X.shape[0]
    return (-2.0 / n) * (X.T @ (y - X @ w))


def normal_equation(X: jax.Array, y: jax.Array, solve=None) -> jax.Array:
    """w = (XᵀX)⁻¹Xᵀy, computed by solving (XᵀX) w = Xᵀy (never by inverting).

    ``solve(A, b)`` defaults to the library's Gaussian elimination
    (:func:`mlmath_jax.algebra.solve`); pass ``jnp.linalg.solve`` to compare.

    Args:
      X: (n, d) design matrix of full column rank. y: (n,) targets.
      solve: a solver ``solve(A, b)``, or None.

    Returns:
      (d,) weights.

    Example:
      >>> X = jnp.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
      >>> print(normal_equation(X, jnp.array([1.0, 3.0, 5.0])).round(4).tolist())
      [1.0, 2.0]
    """
    return (solve or algebra.solve)(X.T @ X, X.T @ y)


def least_squares(X: jax.Array, y: jax.Array) -> jax.Array:
    """argmin_w ‖y − Xw‖² by ``jnp.linalg.lstsq`` (SVD).

    Args:
      X: (n, d) design matrix. y: (n,) targets.

    Returns:
      (d,) weights (the minimum-norm solution when X is rank deficient).

    Example:
      >>> X = jnp.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
      >>> print(least_squares(X, jnp.array([1.0, 3.0, 5.0])).round(4).tolist())
      [1.0, 2.0]
    """
    return jnp.linalg.lstsq(X, y)[0]


def r2_score(predictions: jax.Array, targets: jax.Array) -> jax.Array:
    """Coefficient of determination R² = 1 − SS_res / SS_tot,
    SS_res = Σ (yᵢ − ŷᵢ)², SS_tot = Σ (yᵢ − ȳ)².

    Takes ``(predictions, targets)`` as every metric (docs/CONVENTIONS.md §1);
    ``sklearn.metrics.r2_score`` takes ``(y_true, y_pred)``. Constant targets (SS_tot = 0)
    give −∞ or nan.

    Args:
      predictions: ŷ. targets: y, same shape.

    Returns:
      A scalar (1 for a perfect fit, 0 for predicting the mean).

    Example:
      >>> print(float(r2_score(jnp.array([1.0, 2.0, 3.0]), jnp.array([1.0, 2.0, 4.0]))))
      0.7857...
    """
    y, y_hat = jnp.asarray(targets), jnp.asarray(predictions)
    ss_res = jnp.sum((y - y_hat) ** 2)
    ss_tot = jnp.sum((y - jnp.mean(y)) ** 2)
    return 1.0 - ss_res / ss_tot


def _sample(key, dtype):
    k1, k2, k3 = jax.random.split(key, 3)
    X = jax.random.normal(k1, (20, 4), dtype)
    return jax.random.normal(k2, (4,), dtype), X, jax.random.normal(k3, (20,), dtype)


registry.register("models.linear.mse_loss", mse_loss, mse_loss_grad, _sample,
                  doc="∇ (1/n)‖y − Xw‖² = −(2/n)Xᵀ(y − Xw)")
