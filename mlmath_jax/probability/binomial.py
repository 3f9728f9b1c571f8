"""The binomial distribution: successes in n = ``n`` independent trials of probability
p = ``p``, as ``jax.scipy.stats.binom``:

    P(X = k) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ, k = 0…n,   mean np,   variance np(1 − p).

Defined for whole n ≥ 0 and 0 ≤ p ≤ 1; other values (or NaN) give NaN from every function
(integer samples: −1), eagerly and under ``jit``. :func:`logpmf` uses guarded
x·log y forms, so its value and its gradient in p are right at k = n, p = 1 and k = 0,
p = 0.

Integer samples cannot exceed their dtype: with a concrete n larger than the dtype holds
(and never above 2³⁰ − 1, the room ``jax.random`` keeps), :func:`sample` raises
ValueError; under ``jit`` (a traced n) the samples saturate at the dtype's maximum
instead. Float samples (``dtype=jnp.float32``) have no such limit.

Example:
  >>> from mlmath_jax.probability import binomial
  >>> print(round(float(binomial.pmf(2, 4, 0.5)), 4))
  0.375
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
    xlog1py,
    xlogy,
)

__all__ = ["pmf", "logpmf", "cdf", "sample", "mean", "var"]


def _as_count(n):
    # A huge Python int would overflow int32 on its way into an array.
    return float(n) if isinstance(n, int) else n


def _valid(n, p):
    return (n >= 0) & (n == jnp.floor(n)) & (p >= 0) & (p <= 1)


def logpmf(k, n, p) -> jax.Array:
    """log P(X = k) = log C(n, k) + k log p + (n − k) log(1 − p) for whole 0 ≤ k ≤ n,
    −∞ for other k; log C(n, k) = log Γ(n + 1) − log Γ(k + 1) − log Γ(n − k + 1).

    Args:
      k: outcomes.
      n: the number of trials, a whole number ≥ 0 (NaN otherwise).
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      The log-probability, broadcast shape, the parameters' floating dtype.

    Example:
      >>> print(round(float(logpmf(2, 4, 0.5)), 6))
      -0.980829
      >>> print(float(jax.grad(logpmf, 2)(4.0, 4.0, 1.0)))
      4.0
    """
    n, p, k = floats(_as_count(n), p, k)
    inside = (k >= 0) & (k <= n) & (k == jnp.floor(k))
    kk = jnp.where(inside, k, 0.0)
    edge = (kk == 0) | (kk == n)   # C(n, 0) = C(n, n) = 1 exactly
    log_choose = jnp.where(edge, 0.0, special.gammaln(n + 1) - special.gammaln(kk + 1)
                           - special.gammaln(n - kk + 1))
    lp = log_choose + xlogy(kk, p) + xlog1py(n - kk, -p)
    return nan_unless(_valid(n, p), jnp.where(inside, lp, -jnp.inf))


def pmf(k, n, p) -> jax.Array:
    """P(X = k) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ for whole 0 ≤ k ≤ n, 0 for other k.

    Args:
      k: outcomes.
      n: the number of trials, a whole number ≥ 0 (NaN otherwise).
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      The probability, exp(:func:`logpmf`).

    Example:
      >>> print([round(v, 4) for v in pmf(jnp.arange(4), 3, 0.5).tolist()])
      [0.125, 0.375, 0.375, 0.125]
    """
    return jnp.exp(logpmf(k, n, p))


def cdf(k, n, p) -> jax.Array:
    """P(X ≤ k) = I_{1−p}(n − ⌊k⌋, ⌊k⌋ + 1) (the regularized incomplete beta), 0 for
    k < 0 and 1 for k ≥ n.

    Args:
      k: points.
      n: the number of trials, a whole number ≥ 0 (NaN otherwise).
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      The distribution function at each point.

    Example:
      >>> print(round(float(cdf(1, 3, 0.5)), 4))
      0.5
    """
    n, p, k = floats(_as_count(n), p, k)
    k = jnp.floor(k)
    kk = jnp.clip(k, 0.0, jnp.maximum(n - 1, 0.0))
    mid = special.betainc(jnp.maximum(n - kk, 1.0), kk + 1, 1 - p)
    return nan_unless(_valid(n, p), jnp.where(k < 0, 0.0, jnp.where(k >= n, 1.0, mid)))


def mean(n, p) -> jax.Array:
    """E[X] = np.

    Args:
      n: the number of trials, a whole number ≥ 0 (NaN otherwise).
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      np.

    Example:
      >>> print(float(mean(20, 0.25)))
      5.0
    """
    n, p = floats(_as_count(n), p)
    return nan_unless(_valid(n, p), n * p)


def var(n, p) -> jax.Array:
    """Var[X] = np(1 − p).

    Args:
      n: the number of trials, a whole number ≥ 0 (NaN otherwise).
      p: the success probability, 0 ≤ p ≤ 1 (NaN outside).

    Returns:
      np(1 − p).

    Example:
      >>> print(float(var(20, 0.25)))
      3.75
    """
    n, p = floats(_as_count(n), p)
    return nan_unless(_valid(n, p), n * p * (1 - p))


def sample(key, n, p, shape=(), dtype=jnp.int32) -> jax.Array:
    """Draw the number of successes in n trials (``jax.random.binomial``).

    Args:
      key: a ``jax.random`` key.
      n: the number of trials, a whole number ≥ 0 (samples −1, or NaN for a float
        dtype, where n or p is outside the domain).
      p: the success probability, 0 ≤ p ≤ 1.
      shape: the sample shape (static), broadcast with the parameters' shapes.
      dtype: an integer or floating dtype (static).

    Returns:
      Samples of shape ``broadcast(shape, n, p)``.

    Raises:
      ValueError: a bad ``shape``, or a concrete n whose samples the integer ``dtype``
        cannot hold (traced n: the samples saturate at the dtype's maximum).
      TypeError: a bad ``dtype``.

    Example:
      >>> x = sample(jax.random.key(0), 20, 0.25, shape=(100_000,))
      >>> print(x.dtype, round(float(x.mean()), 1))
      int32 5.0
    """
    n = _as_count(n)
    shape = out_shape(check_shape(shape), n, p)
    dtype = check_dtype(dtype, integer_ok=True)
    limit = count_limit(dtype, internal_int32=False)
    refuse_overflow("n", n, limit, "pass dtype=jnp.float32 for float counts")
    return _draw(key, n, p, limit, shape=shape, dtype=dtype)


@functools.partial(jax.jit, static_argnames=("limit", "shape", "dtype"))
def _draw(key, n, p, limit, shape, dtype):
    n, p = floats(n, p)
    ok = _valid(n, p)
    over = n > limit if limit is not None else jnp.zeros((), bool)
    n_ok = jnp.where(ok & ~over, n, 0.0)
    x = jax.random.binomial(key, n_ok, jnp.where(ok, p, 0.0), shape)
    return finish(saturate(x, over, dtype), ok, dtype)
