"""The normal distribution N(μ, σ²) with μ = ``loc`` and σ = ``scale``, as
``jax.scipy.stats.norm``:

    pdf(x) = exp(−(x − μ)²/(2σ²)) / (σ√(2π)),   mean μ,   variance σ².

Defined for σ > 0; a scale ≤ 0 (or NaN) gives NaN from every function, eagerly and under
``jit``.

Example:
  >>> from mlmath_jax.probability import normal
  >>> print(round(float(normal.cdf(1.96)), 4))
  0.975
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.scipy import special

from mlmath_jax.probability._common import (
    check_dtype,
    check_shape,
    finish,
    floats,
    jit_draw,
    nan_unless,
    out_shape,
)

__all__ = ["pdf", "logpdf", "logpdf_grad", "cdf", "sample", "mean", "var"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def logpdf(x, loc=0.0, scale=1.0) -> jax.Array:
    """log N(x; μ, σ²) = −(x − μ)²/(2σ²) − log σ − ½ log 2π.

    Args:
      x: points (array of any shape; broadcasts with the parameters).
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN where σ ≤ 0).

    Returns:
      The log-density, broadcast shape, the inputs' floating dtype.

    Example:
      >>> print(round(float(logpdf(0.0)), 6))
      -0.918939
      >>> print(logpdf(0.0, 0.0, -1.0))
      nan
    """
    x, loc, scale = floats(x, loc, scale)
    z = (x - loc) / scale
    return nan_unless(scale > 0, -0.5 * z * z - jnp.log(scale) - _HALF_LOG_2PI)


def logpdf_grad(x, loc=0.0, scale=1.0) -> jax.Array:
    """The manual derivative ∂/∂x log N(x; μ, σ²) = −(x − μ)/σ².

    Args:
      x: points.
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN where σ ≤ 0).

    Returns:
      The derivative at each point (registered as ``probability.normal_logpdf``).

    Example:
      >>> print(float(logpdf_grad(1.0, 0.0, 2.0)))
      -0.25
    """
    x, loc, scale = floats(x, loc, scale)
    return nan_unless(scale > 0, -(x - loc) / scale**2)


def pdf(x, loc=0.0, scale=1.0) -> jax.Array:
    """N(x; μ, σ²) = exp(−(x − μ)²/(2σ²)) / (σ√(2π)).

    Args:
      x: points.
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN where σ ≤ 0).

    Returns:
      The density, exp(:func:`logpdf`).

    Example:
      >>> print(round(float(pdf(0.0)), 4))
      0.3989
    """
    return jnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0) -> jax.Array:
    """P(X ≤ x) = Φ((x − μ)/σ), Φ(z) = ½(1 + erf(z/√2)).

    Args:
      x: points.
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN where σ ≤ 0).

    Returns:
      The distribution function at each point.

    Example:
      >>> print(round(float(cdf(1.0, 1.0, 3.0)), 4))
      0.5
    """
    x, loc, scale = floats(x, loc, scale)
    return nan_unless(scale > 0, special.ndtr((x - loc) / scale))


def mean(loc=0.0, scale=1.0) -> jax.Array:
    """E[X] = μ.

    Args:
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN where σ ≤ 0).

    Returns:
      μ, NaN where σ ≤ 0.

    Example:
      >>> print(float(mean(2.0, 3.0)))
      2.0
    """
    loc, scale = floats(loc, scale)
    return nan_unless(scale > 0, loc + jnp.zeros_like(scale))


def var(loc=0.0, scale=1.0) -> jax.Array:
    """Var[X] = σ².

    Args:
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN where σ ≤ 0).

    Returns:
      σ², NaN where σ ≤ 0.

    Example:
      >>> print(float(var(2.0, 3.0)))
      9.0
    """
    loc, scale = floats(loc, scale)
    return nan_unless(scale > 0, scale**2 + jnp.zeros_like(loc))


def sample(key, loc=0.0, scale=1.0, shape=(), dtype=float) -> jax.Array:
    """Draw x = μ + σ·z with z ~ N(0, 1) (``jax.random.normal``).

    Args:
      key: a ``jax.random`` key.
      loc: the mean μ.
      scale: the standard deviation σ > 0 (NaN samples where σ ≤ 0).
      shape: the sample shape (static), broadcast with the parameters' shapes.
      dtype: a floating dtype (static; float → float32, or float64 under x64).

    Returns:
      Samples of shape ``broadcast(shape, loc, scale)``.

    Raises:
      ValueError, TypeError: a bad ``shape`` or ``dtype`` (eagerly and under jit).

    Example:
      >>> x = sample(jax.random.key(0), 1.0, 2.0, shape=(100_000,))
      >>> print(round(float(x.mean()), 1), round(float(x.std()), 1))
      1.0 2.0
    """
    shape = out_shape(check_shape(shape), loc, scale)
    return _draw(key, loc, scale, shape=shape, dtype=check_dtype(dtype, integer_ok=False))


@jit_draw
def _draw(key, loc, scale, shape, dtype):
    z = jax.random.normal(key, shape, dtype)
    loc, scale = (jnp.broadcast_to(jnp.asarray(v, dtype), shape) for v in (loc, scale))
    return finish(loc + scale * z, scale > 0, dtype)
