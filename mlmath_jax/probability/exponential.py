"""The exponential distribution with rate λ = ``rate`` (scipy's ``scale`` = 1/λ):

    pdf(x) = λ e^(−λx) for x ≥ 0 (0 below),   mean 1/λ,   variance 1/λ².

Defined for λ > 0; a rate ≤ 0 (or NaN) gives NaN from every function, eagerly and under
``jit``.

Example:
  >>> from mlmath_jax.probability import exponential
  >>> print(round(float(exponential.cdf(1.0, 2.0)), 4))
  0.8647
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


def logpdf(x, rate=1.0) -> jax.Array:
    """log(λ e^(−λx)) = log λ − λx for x ≥ 0, −∞ for x < 0.

    Args:
      x: points.
      rate: λ > 0 (NaN where λ ≤ 0).

    Returns:
      The log-density, broadcast shape, the inputs' floating dtype.

    Example:
      >>> print(round(float(logpdf(1.0, 2.0)), 6))
      -1.306853
      >>> print(float(logpdf(-1.0, 2.0)))
      -inf
    """
    x, rate = floats(x, rate)
    inside = jnp.log(rate) - rate * jnp.where(x >= 0, x, 0.0)
    return nan_unless(rate > 0, jnp.where(x >= 0, inside, -jnp.inf))


def pdf(x, rate=1.0) -> jax.Array:
    """λ e^(−λx) for x ≥ 0, 0 for x < 0.

    Args:
      x: points.
      rate: λ > 0 (NaN where λ ≤ 0).

    Returns:
      The density, exp(:func:`logpdf`).

    Example:
      >>> print(float(pdf(0.0, 2.0)))
      2.0
    """
    return jnp.exp(logpdf(x, rate))


def cdf(x, rate=1.0) -> jax.Array:
    """P(X ≤ x) = 1 − e^(−λx) = −expm1(−λx) for x ≥ 0, 0 below.

    Args:
      x: points.
      rate: λ > 0 (NaN where λ ≤ 0).

    Returns:
      The distribution function at each point.

    Example:
      >>> print(round(float(cdf(1.0, 1.0)), 4))
      0.6321
    """
    x, rate = floats(x, rate)
    return nan_unless(rate > 0, jnp.where(x >= 0, -jnp.expm1(-rate * jnp.maximum(x, 0.0)),
                                          0.0))


def mean(rate=1.0) -> jax.Array:
    """E[X] = 1/λ.

    Args:
      rate: λ > 0 (NaN where λ ≤ 0).

    Returns:
      1/λ.

    Example:
      >>> print(float(mean(4.0)))
      0.25
    """
    (rate,) = floats(rate)
    return nan_unless(rate > 0, 1.0 / rate)


def var(rate=1.0) -> jax.Array:
    """Var[X] = 1/λ².

    Args:
      rate: λ > 0 (NaN where λ ≤ 0).

    Returns:
      1/λ².

    Example:
      >>> print(float(var(4.0)))
      0.0625
    """
    (rate,) = floats(rate)
    return nan_unless(rate > 0, 1.0 / rate**2)


def sample(key, rate=1.0, shape=(), dtype=float) -> jax.Array:
    """Draw x = E/λ with E ~ Exp(1) (``jax.random.exponential``).

    Args:
      key: a ``jax.random`` key.
      rate: λ > 0 (NaN samples where λ ≤ 0).
      shape: the sample shape (static), broadcast with the rate's shape.
      dtype: a floating dtype (static).

    Returns:
      Samples of shape ``broadcast(shape, rate)``.

    Raises:
      ValueError, TypeError: a bad ``shape`` or ``dtype`` (eagerly and under jit).

    Example:
      >>> x = sample(jax.random.key(0), 2.0, shape=(100_000,))
      >>> print(round(float(x.mean()), 2))
      0.5
    """
    shape = out_shape(check_shape(shape), rate)
    return _draw(key, rate, shape=shape, dtype=check_dtype(dtype, integer_ok=False))


@jit_draw
def _draw(key, rate, shape, dtype):
    e = jax.random.exponential(key, shape, dtype)
    rate = jnp.broadcast_to(jnp.asarray(rate, dtype), shape)
    return finish(e / rate, rate > 0, dtype)
