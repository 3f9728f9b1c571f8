"""The categorical distribution over the indices 0…K−1 with probabilities ``probs``
(p₀, …, p_{K−1}) along the last axis (leading axes: a batch of distributions):

    P(X = k) = p_k,   mean Σ k p_k,   variance Σ k² p_k − mean²   (of the index).

Defined where every p_k is in [0, 1] and Σ p_k = 1 (to √ε of the dtype: 3.5e-4 in
float32, 1.5e-8 in float64); other rows give NaN from every function (integer samples:
−1), eagerly and under ``jit``. The outcomes have no order, so there is no cdf.
:func:`logpmf` takes the log of the picked entry only, so a zero probability elsewhere
leaves its gradient finite.

Example:
  >>> from mlmath_jax.probability import categorical
  >>> print(float(categorical.pmf(2, jnp.array([0.5, 0.25, 0.25]))))
  0.25
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax.probability._common import (
    check_dtype,
    check_shape,
    finish,
    floats,
    jit_draw,
    nan_unless,
    out_shape,
)

__all__ = ["pmf", "logpmf", "sample", "mean", "var"]


def _probs(probs):
    (probs,) = floats(probs)
    if probs.ndim == 0:
        raise ValueError("probs must have a last axis of categories, got a scalar")
    return probs


def _valid(probs):
    """Rows of probabilities in [0, 1] that sum to 1 (to √ε); shape probs.shape[:-1]."""
    tol = float(np.sqrt(np.finfo(probs.dtype).eps))
    in_range = jnp.all((probs >= 0) & (probs <= 1), axis=-1)
    return in_range & (jnp.abs(jnp.sum(probs, axis=-1) - 1) <= tol)


def logpmf(k, probs) -> jax.Array:
    """log P(X = k) = log p_k for an index 0 ≤ k < K, −∞ for other k.

    Args:
      k: indices; broadcast with the batch shape ``probs.shape[:-1]``.
      probs: (..., K) probabilities along the last axis (NaN for rows outside the
        domain).

    Returns:
      The log-probability, shape ``broadcast(k, probs.shape[:-1])``.

    Example:
      >>> print(round(float(logpmf(0, jnp.array([0.5, 0.25, 0.25]))), 6))
      -0.693147
      >>> g = jax.grad(logpmf, 1)(0, jnp.array([0.5, 0.0, 0.5]))
      >>> print(g.tolist())
      [2.0, 0.0, 0.0]
    """
    probs = _probs(probs)
    k = jnp.asarray(k)
    K = probs.shape[-1]
    inside = (k >= 0) & (k < K) & (k == jnp.floor(k))
    shape = jnp.broadcast_shapes(k.shape, probs.shape[:-1])
    idx = jnp.broadcast_to(jnp.clip(k, 0, K - 1).astype(jnp.int32), shape)[..., None]
    rows = jnp.broadcast_to(probs, (*shape, K))
    picked = jnp.take_along_axis(rows, idx, axis=-1)[..., 0]
    valid = jnp.broadcast_to(_valid(probs), shape)
    return nan_unless(valid, jnp.where(inside, jnp.log(picked), -jnp.inf))


def pmf(k, probs) -> jax.Array:
    """P(X = k) = p_k for an index 0 ≤ k < K, 0 for other k.

    Args:
      k: indices.
      probs: (..., K) probabilities along the last axis.

    Returns:
      The probability, exp(:func:`logpmf`).

    Example:
      >>> print(pmf(jnp.arange(-1, 4), jnp.array([0.5, 0.25, 0.25])).tolist())
      [0.0, 0.5, 0.25, 0.25, 0.0]
    """
    return jnp.exp(logpmf(k, probs))


def _moments(probs):
    probs = _probs(probs)
    ks = jnp.broadcast_to(jnp.arange(probs.shape[-1], dtype=probs.dtype), probs.shape)
    m = jnp.sum(probs * ks, axis=-1)
    v = jnp.sum(probs * (ks - m[..., None]) ** 2, axis=-1)
    ok = _valid(probs)
    return nan_unless(ok, m), nan_unless(ok, v)


def mean(probs) -> jax.Array:
    """E[X] = Σ_k k p_k (the mean index).

    Args:
      probs: (..., K) probabilities along the last axis.

    Returns:
      The mean, shape ``probs.shape[:-1]``.

    Example:
      >>> print(float(mean(jnp.array([0.5, 0.25, 0.25]))))
      0.75
    """
    return _moments(probs)[0]


def var(probs) -> jax.Array:
    """Var[X] = Σ_k p_k (k − E[X])² (of the index; the centred form).

    Args:
      probs: (..., K) probabilities along the last axis.

    Returns:
      The variance, shape ``probs.shape[:-1]``.

    Example:
      >>> print(float(var(jnp.array([0.5, 0.25, 0.25]))))
      0.6875
    """
    return _moments(probs)[1]


def sample(key, probs, shape=(), dtype=jnp.int32) -> jax.Array:
    """Draw indices with ``jax.random.categorical`` on log-probabilities.

    Args:
      key: a ``jax.random`` key.
      probs: (..., K) probabilities along the last axis (samples −1, or NaN for a float
        dtype, for rows outside the domain).
      shape: the sample shape (static), broadcast with ``probs.shape[:-1]``.
      dtype: an integer or floating dtype (static).

    Returns:
      Indices of shape ``broadcast(shape, probs.shape[:-1])``.

    Raises:
      ValueError, TypeError: a bad ``shape`` or ``dtype`` (eagerly and under jit).

    Example:
      >>> x = sample(jax.random.key(0), jnp.array([0.5, 0.25, 0.25]), shape=(100_000,))
      >>> print(x.dtype, round(float(jnp.mean(x == 0)), 2))
      int32 0.5
    """
    probs = _probs(probs)
    shape = out_shape(check_shape(shape), probs[..., 0])
    return _draw(key, probs, shape=shape, dtype=check_dtype(dtype, integer_ok=True))


@jit_draw
def _draw(key, probs, shape, dtype):
    x = jax.random.categorical(key, jnp.log(probs), shape=shape)
    return finish(x, jnp.broadcast_to(_valid(probs), shape), dtype)
