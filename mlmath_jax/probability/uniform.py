"""The continuous uniform distribution on [a, b] with a = ``low`` and b = ``high``
(scipy's ``loc`` = a, ``scale`` = b − a):

    pdf(x) = 1/(b − a) on [a, b] (0 outside),   mean (a + b)/2,   variance (b − a)²/12.

Defined for a < b; low ≥ high (or NaN) gives NaN from every function, eagerly and under
``jit``.

Example:
  >>> from mlmath_jax.probability import uniform
  >>> print(float(uniform.cdf(0.5, 0.0, 2.0)))
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
)

__all__ = ["pdf", "logpdf", "cdf", "sample", "mean", "var"]


def logpdf(x, low=0.0, high=1.0) -> jax.Array:
    """−log(b − a) for a ≤ x ≤ b, −∞ outside.

    Args:
      x: points.
      low: a.
      high: b > a (NaN where b ≤ a).

    Returns:
      The log-density, broadcast shape, the inputs' floating dtype.

    Example:
      >>> print(round(float(logpdf(1.0, 0.0, 4.0)), 6))
      -1.386294
    """
    x, low, high = floats(x, low, high)
    inside = (x >= low) & (x <= high)
    return nan_unless(low < high, jnp.where(inside, -jnp.log(high - low), -jnp.inf))


def pdf(x, low=0.0, high=1.0) -> jax.Array:
    """1/(b − a) for a ≤ x ≤ b, 0 outside.

    Args:
      x: points.
      low: a.
      high: b > a (NaN where b ≤ a).

    Returns:
      The density, exp(:func:`logpdf`).

    Example:
      >>> print(pdf(jnp.array([-1.0, 1.0]), 0.0, 4.0).tolist())
      [0.0, 0.25]
    """
    return jnp.exp(logpdf(x, low, high))


def cdf(x, low=0.0, high=1.0) -> jax.Array:
    """P(X ≤ x) = clip((x − a)/(b − a), 0, 1).

    Args:
      x: points.
      low: a.
      high: b > a (NaN where b ≤ a).

    Returns:
      The distribution function at each point.

    Example:
      >>> print(cdf(jnp.array([-1.0, 1.0, 5.0]), 0.0, 4.0).tolist())
      [0.0, 0.25, 1.0]
    """
    x, low, high = floats(x, low, high)
    return nan_unless(low < high, jnp.clip((x - low) / (high - low), 0.0, 1.0))


def mean(low=0.0, high=1.0) -> jax.Array:
    """E[X] = (a + b)/2.

    Args:
      low: a.
      high: b > a (NaN where b ≤ a).

    Returns:
      (a + b)/2.

    Example:
      >>> print(float(mean(-1.0, 2.0)))
      0.5
    """
    low, high = floats(low, high)
    return nan_unless(low < high, (low + high) / 2)


def var(low=0.0, high=1.0) -> jax.Array:
    """Var[X] = (b − a)²/12.

    Args:
      low: a.
      high: b > a (NaN where b ≤ a).

    Returns:
      (b − a)²/12.

    Example:
      >>> print(float(var(-1.0, 2.0)))
      0.75
    """
    low, high = floats(low, high)
    return nan_unless(low < high, (high - low) ** 2 / 12)


def sample(key, low=0.0, high=1.0, shape=(), dtype=float) -> jax.Array:
    """Draw x = a + (b − a)·u with u ~ U[0, 1) (``jax.random.uniform``).

    Args:
      key: a ``jax.random`` key.
      low: a.
      high: b > a (NaN samples where b ≤ a).
      shape: the sample shape (static), broadcast with the parameters' shapes.
      dtype: a floating dtype (static).

    Returns:
      Samples of shape ``broadcast(shape, low, high)``.

    Raises:
      ValueError, TypeError: a bad ``shape`` or ``dtype`` (eagerly and under jit).

    Example:
      >>> x = sample(jax.random.key(0), -1.0, 2.0, shape=(100_000,))
      >>> print(round(float(x.mean()), 2), bool(x.min() >= -1.0), bool(x.max() < 2.0))
      0.5 True True
    """
    shape = out_shape(check_shape(shape), low, high)
    return _draw(key, low, high, shape=shape, dtype=check_dtype(dtype, integer_ok=False))


@jit_draw
def _draw(key, low, high, shape, dtype):
    u = jax.random.uniform(key, shape, dtype)
    low, high = (jnp.broadcast_to(jnp.asarray(v, dtype), shape) for v in (low, high))
    return finish(low + (high - low) * u, low < high, dtype)
