"""The Bernoulli distribution with success probability p = ``p``, as
``jax.scipy.stats.bernoulli``:

    P(X = 1) = p,  P(X = 0) = 1 − p,   mean p,   variance p(1 − p).

Defined for 0 ≤ p ≤ 1; p outside [0, 1] (or NaN) gives NaN from every function (integer
samples: −1), eagerly and under ``jit``. :func:`logpmf` is written as
k·log p + (1 − k)·log(1 − p) with guarded logs, so its value *and* its gradient in p are
right at p = 0 and p = 1 (``jax.grad(logpmf, 1)(1., 1.)`` is 1).

Example:
  >>> from mlmath_jax.probability import bernoulli
  >>> print(float(bernoulli.pmf(1, 0.25)))
  0.25
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mlmath_jax.probability._common import (
    check_dtype,
    check_shape,
    finish,
    floats,
    jit_draw,
    nan_unless,
    out_shape,
    xlog1py,
    xlogy,
)

__all__ = ["pmf", "logpmf", "cdf", "sample", "mean", "var"]


def _valid(p):
    return (p >= 0) & (p <= 1)


def logpmf(k, p=0.5) -> jax.Array:
    """log P(X = k) = k log p + (1 − k) log(1 − p) for k ∈ {0, 1}, −∞ for other k.

    The products are 0 where their factor k or 1 − k is 0 (0·log 0 = 0), with gradient
    ∂/∂p = k/p − (1 − k)/(1 − p) taken only over the terms present.

    Args:
      k: outcomes.
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      The log-probability, broadcast shape, p's floating dtype.

    Example:
      >>> print(round(float(logpmf(0, 0.25)), 6))
      -0.287682
      >>> print(float(jax.grad(logpmf, 1)(1.0, 1.0)))
      1.0
    """
    p, k = floats(p, k)
    inside = (k == 0) | (k == 1)
    kk = jnp.where(inside, k, 0.0)
    lp = xlogy(kk, p) + xlog1py(1.0 - kk, -p)
    return nan_unless(_valid(p), jnp.where(inside, lp, -jnp.inf))


def pmf(k, p=0.5) -> jax.Array:
    """P(X = k) = pᵏ (1 − p)¹⁻ᵏ for k ∈ {0, 1}, 0 for other k.

    Args:
      k: outcomes.
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      The probability, exp(:func:`logpmf`).

    Example:
      >>> print(pmf(jnp.array([0, 1, 2]), 0.25).tolist())
      [0.75, 0.25, 0.0]
    """
    return jnp.exp(logpmf(k, p))


def cdf(k, p=0.5) -> jax.Array:
    """P(X ≤ k) = 0 for k < 0, 1 − p for 0 ≤ k < 1, 1 for k ≥ 1.

    Args:
      k: points.
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      The distribution function at each point.

    Example:
      >>> print(cdf(jnp.array([-1, 0, 1]), 0.25).tolist())
      [0.0, 0.75, 1.0]
    """
    p, k = floats(p, k)
    return nan_unless(_valid(p), jnp.where(k < 0, 0.0, jnp.where(k < 1, 1.0 - p, 1.0)))


def mean(p=0.5) -> jax.Array:
    """E[X] = p.

    Args:
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      p.

    Example:
      >>> print(float(mean(0.25)))
      0.25
    """
    (p,) = floats(p)
    return nan_unless(_valid(p), p)


def var(p=0.5) -> jax.Array:
    """Var[X] = p(1 − p).

    Args:
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      p(1 − p).

    Example:
      >>> print(float(var(0.25)))
      0.1875
    """
    (p,) = floats(p)
    return nan_unless(_valid(p), p * (1 - p))


def sample(key, p=0.5, shape=(), dtype=jnp.int32) -> jax.Array:
    """Draw 1 with probability p, else 0 (``jax.random.bernoulli``).

    Args:
      key: a ``jax.random`` key.
      p: the success probability, 0 ≤ p ≤ 1 (samples −1, or NaN for a float dtype,
        where p is outside).
      shape: the sample shape (static), broadcast with p's shape.
      dtype: an integer or floating dtype (static).

    Returns:
      Samples of shape ``broadcast(shape, p)``.

    Raises:
      ValueError, TypeError: a bad ``shape`` or ``dtype`` (eagerly and under jit).

    Example:
      >>> x = sample(jax.random.key(0), 0.25, shape=(100_000,))
      >>> print(x.dtype, round(float(x.mean()), 2))
      int32 0.25
    """
    shape = out_shape(check_shape(shape), p)
    return _draw(key, p, shape=shape, dtype=check_dtype(dtype, integer_ok=True))


@jit_draw
def _draw(key, p, shape, dtype):
    (p,) = floats(p)
    x = jax.random.bernoulli(key, jnp.clip(p, 0.0, 1.0), shape)
    return finish(x, _valid(p), dtype)
