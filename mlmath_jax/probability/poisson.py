"""The Poisson distribution with rate λ = ``rate`` (scipy's and jax.scipy's ``mu``):

    P(X = k) = λᵏ e^(−λ) / k!, k = 0, 1, …,   mean λ,   variance λ.

Defined for λ ≥ 0 (λ = 0 puts all mass on 0); a negative rate (or NaN) gives NaN from
every function (integer samples: −1), eagerly and under ``jit``. :func:`logpmf` uses a
guarded k·log λ, so at k = 0, λ = 0 its value is 0 and its gradient in λ is −1.

``jax.random.poisson`` counts in int32: with a concrete rate above 2³⁰ − 1 (or above what
an integer ``dtype`` holds), :func:`sample` raises ValueError; under ``jit`` (a traced
rate) such samples saturate at the integer dtype's maximum, or are NaN for a float dtype.

Example:
  >>> from mlmath_jax.probability import poisson
  >>> print(round(float(poisson.pmf(0, 2.0)), 4))
  0.1353
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax.scipy import special

from mlmath_jax.probability._common import (
    check_dtype,
    check_shape,
    count_limit,
    finish,
    floats,
    nan_unless,
    out_shape,
    refuse_overflow,
    saturate,
    xlogy,
)

__all__ = ["pmf", "logpmf", "cdf", "sample", "mean", "var"]


def logpmf(k, rate=1.0) -> jax.Array:
    """log P(X = k) = k log λ − λ − log k! for whole k ≥ 0, −∞ for other k
    (log k! = log Γ(k + 1), exactly 0 for k = 0 and 1).

    Args:
      k: outcomes.
      rate: λ ≥ 0 (NaN where λ < 0).

    Returns:
      The log-probability, broadcast shape, the rate's floating dtype.

    Example:
      >>> print(round(float(logpmf(3, 2.0)), 6))
      -1.712318
      >>> print(float(logpmf(0, 0.0)), float(jax.grad(logpmf, 1)(0.0, 0.0)))
      0.0 -1.0
    """
    rate, k = floats(rate, k)
    inside = (k >= 0) & (k == jnp.floor(k))
    kk = jnp.where(inside, k, 0.0)
    log_fact = jnp.where(kk < 2, 0.0, special.gammaln(kk + 1))
    lp = xlogy(kk, rate) - rate - log_fact
    return nan_unless(rate >= 0, jnp.where(inside, lp, -jnp.inf))


def pmf(k, rate=1.0) -> jax.Array:
    """P(X = k) = λᵏ e^(−λ) / k! for whole k ≥ 0, 0 for other k.

    Args:
      k: outcomes.
      rate: λ ≥ 0 (NaN where λ < 0).

    Returns:
      The probability, exp(:func:`logpmf`).

    Example:
      >>> print([round(v, 4) for v in pmf(jnp.arange(3), 1.0).tolist()])
      [0.3679, 0.3679, 0.1839]
    """
    return jnp.exp(logpmf(k, rate))


def cdf(k, rate=1.0) -> jax.Array:
    """P(X ≤ k) = Q(⌊k⌋ + 1, λ) (the regularized upper incomplete gamma), 0 for k < 0.

    Args:
      k: points.
      rate: λ ≥ 0 (NaN where λ < 0).

    Returns:
      The distribution function at each point.

    Example:
      >>> print(round(float(cdf(1, 1.0)), 4))
      0.7358
    """
    rate, k = floats(rate, k)
    k = jnp.floor(k)
    mid = special.gammaincc(jnp.maximum(k, 0.0) + 1, jnp.maximum(rate, 0.0))
    return nan_unless(rate >= 0, jnp.where(k < 0, 0.0, mid))


def mean(rate=1.0) -> jax.Array:
    """E[X] = λ.

    Args:
      rate: λ ≥ 0 (NaN where λ < 0).

    Returns:
      λ.

    Example:
      >>> print(float(mean(4.0)))
      4.0
    """
    (rate,) = floats(rate)
    return nan_unless(rate >= 0, rate)


def var(rate=1.0) -> jax.Array:
    """Var[X] = λ.

    Args:
      rate: λ ≥ 0 (NaN where λ < 0).

    Returns:
      λ.

    Example:
      >>> print(float(var(4.0)))
      4.0
    """
    (rate,) = floats(rate)
    return nan_unless(rate >= 0, rate)


def sample(key, rate=1.0, shape=(), dtype=jnp.int32) -> jax.Array:
    """Draw Poisson counts (``jax.random.poisson``).

    Args:
      key: a ``jax.random`` key.
      rate: λ ≥ 0 (samples −1, or NaN for a float dtype, where λ < 0).
      shape: the sample shape (static), broadcast with the rate's shape.
      dtype: an integer or floating dtype (static).

    Returns:
      Samples of shape ``broadcast(shape, rate)``.

    Raises:
      ValueError: a bad ``shape``, or a concrete rate whose samples would overflow
        (traced rate: integer samples saturate at the dtype's maximum, float ones are NaN).
      TypeError: a bad ``dtype``.

    Example:
      >>> x = sample(jax.random.key(0), 4.0, shape=(100_000,))
      >>> print(x.dtype, round(float(x.mean()), 1))
      int32 4.0
    """
    shape = out_shape(check_shape(shape), rate)
    dtype = check_dtype(dtype, integer_ok=True)
    limit = count_limit(dtype, internal_int32=True)
    refuse_overflow("rate", rate, limit, "use the normal approximation N(λ, λ) for such rates")
    return _draw(key, rate, limit, shape=shape, dtype=dtype)


@functools.partial(jax.jit, static_argnames=("limit", "shape", "dtype"))
def _draw(key, rate, limit, shape, dtype):
    (rate,) = floats(rate)
    ok = rate >= 0
    over = rate > limit
    x = jax.random.poisson(key, jnp.where(ok & ~over, rate, 0.0), shape)
    return finish(saturate(x, over, dtype), ok, dtype)
