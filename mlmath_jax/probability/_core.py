"""Dice, expectation and variance, Monte Carlo estimates, Bayes' rule and Monte Carlo π
(the functions of :mod:`mlmath_jax.probability` beside its distributions)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax.errors import UserError
from mlmath_jax.probability import normal
from mlmath_jax.probability._common import floats, nan_unless


def _whole(name: str, value, least: int = 1) -> int:
    """A static whole-number argument >= ``least``, or a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise UserError(f"{name} = {value!r} is not allowed; expected a whole number "
                        f">= {least}")
    return int(value)


def dice_sum_pmf(n_dice: int, sides: int = 6) -> jax.Array:
    """P(sum of ``n_dice`` fair ``sides``-sided dice = s), by repeated convolution.

    The pmf of one die is uniform on 1…sides; the pmf of a sum of independent dice is the
    convolution of their pmfs:  p_n(s) = Σ_k p_{n−1}(s − k) p_1(k).

    Args:
      n_dice: the number of dice, a whole number >= 1 (static).
      sides: faces per die, a whole number >= 1 (static).

    Returns:
      (n_dice·sides + 1,) array indexed by the sum s (entries below n_dice are 0).

    Raises:
      ValueError: n_dice or sides not a whole number >= 1 (eagerly and under jit).

    Example:
      >>> p = dice_sum_pmf(2)
      >>> print(round(float(p[2]) * 36, 4), round(float(p[7]) * 36, 4))
      1.0 6.0
    """
    n_dice, sides = _whole("n_dice", n_dice), _whole("sides", sides)
    die = jnp.concatenate([jnp.zeros(1), jnp.full(sides, 1.0 / sides)])  # index = face
    p = jnp.ones(1)  # the sum of zero dice is 0
    for _ in range(n_dice):  # n_dice is static: a handful of convolutions
        p = jnp.convolve(p, die)
    return p


def _probs_ok(probs):
    return jnp.all((probs >= 0) & (probs <= 1), axis=-1)


def expectation(values: jax.Array, probs: jax.Array) -> jax.Array:
    """E[X] = Σᵢ xᵢ pᵢ (over the last axis).

    Args:
      values: (..., n) outcomes xᵢ.
      probs: (..., n) their probabilities pᵢ (NaN where an entry is outside [0, 1]).

    Returns:
      E[X], shape ``(...)``.

    Example:
      >>> print(round(float(expectation(jnp.arange(1., 7.), jnp.full(6, 1 / 6))), 5))
      3.5
    """
    values, probs = floats(values, probs)
    return nan_unless(_probs_ok(probs), jnp.sum(values * probs, axis=-1))


def variance(values: jax.Array, probs: jax.Array) -> jax.Array:
    """Var[X] = E[(X − E[X])²] = Σᵢ pᵢ (xᵢ − μ)² (the centred form, no cancellation).

    Args:
      values: (..., n) outcomes xᵢ.
      probs: (..., n) their probabilities pᵢ (NaN where an entry is outside [0, 1]).

    Returns:
      Var[X], shape ``(...)``.

    Example:
      >>> print(round(float(variance(jnp.arange(1., 7.), jnp.full(6, 1 / 6))), 5))
      2.91667
    """
    values, probs = floats(values, probs)
    mu = expectation(values, probs)
    return jnp.sum(probs * (values - mu[..., None]) ** 2, axis=-1)


class MonteCarloResult(NamedTuple):
    """A Monte Carlo estimate.

    Attributes:
      estimate: the sample mean (1/N) Σ f(xᵢ).
      stderr: its standard error s/√N (s: the sample standard deviation).
    """

    estimate: jax.Array
    stderr: jax.Array


def monte_carlo_expectation(key: jax.Array, f: Callable, sample: Callable,
                            n: int) -> MonteCarloResult:
    """E[f(X)] ≈ (1/N) Σ f(xᵢ), xᵢ ~ X, with standard error s/√N.

    Args:
      key: a ``jax.random`` key.
      f: vectorized function of a batch of samples (leading axis N).
      sample: ``sample(key, n)`` → n samples of X.
      n: number of samples, a whole number >= 2 (static).

    Returns:
      A :class:`MonteCarloResult` (estimate, stderr).

    Example:
      >>> draw = lambda k, n: normal.sample(k, shape=(n,))
      >>> res = monte_carlo_expectation(jax.random.key(0), jnp.square, draw, 10_000)
      >>> print(round(float(res.estimate), 1), round(float(res.stderr), 2))
      1.0 0.01
    """
    n = _whole("n", n, 2)
    fx = f(sample(key, n))
    n_f = jnp.asarray(n, fx.dtype)
    mean = jnp.mean(fx, axis=0)
    sd = jnp.sqrt(jnp.sum((fx - mean) ** 2, axis=0) / (n_f - 1))
    return MonteCarloResult(mean, sd / jnp.sqrt(n_f))


def bayes(prior, p_e_given_h, p_e_given_not_h) -> jax.Array:
    """Bayes' rule: P(H | E) = P(E | H) P(H) / [P(E | H) P(H) + P(E | ¬H)(1 − P(H))].

    Args:
      prior: P(H).
      p_e_given_h: P(E | H).
      p_e_given_not_h: P(E | ¬H).

    Returns:
      The posterior P(H | E); NaN where an argument is outside [0, 1].

    Example (the seed's spam filter: 30% of mail is spam, "free" appears in 80% of spam
    and 10% of ham, so P(spam | "free") = 0.24 / 0.31):
      >>> print(round(float(bayes(0.3, 0.8, 0.1)), 4))
      0.7742
    """
    prior, a, b = floats(prior, p_e_given_h, p_e_given_not_h)
    ok = jnp.all(jnp.stack(jnp.broadcast_arrays(*[(v >= 0) & (v <= 1)
                                                  for v in (prior, a, b)])), axis=0)
    num = a * prior
    return nan_unless(ok, num / (num + b * (1 - prior)))


# ----------------------------------------------------------------------- Monte Carlo π

def _hits(key, batch_size, dtype):
    """Points of one batch falling inside the quarter unit circle x² + y² ≤ 1."""
    xy = jax.random.uniform(key, (batch_size, 2), dtype)
    return jnp.sum(jnp.sum(xy * xy, axis=1) <= 1.0, dtype=jnp.int32)


def _data_mesh():
    devices = jax.devices()
    return jax.sharding.Mesh(np.array(devices), ("data",)) if len(devices) > 1 else None


def pi_hits_per_batch(key: jax.Array, num_batches: int, batch_size: int,
                      dtype=jnp.float32) -> jax.Array:
    """Hits inside the quarter circle x² + y² ≤ 1 for each of ``num_batches`` batches of
    ``batch_size`` uniform points of the unit square.

    Batch b uses ``fold_in(key, b)``, so the result does not depend on how many devices
    share the work. The batch index array is laid out over a ``data`` mesh axis spanning
    every device (when more than one is present and the count divides evenly), and the
    vmapped, jitted count runs where its batches live.

    Args:
      key: a ``jax.random`` key.
      num_batches: a whole number >= 1 (static).
      batch_size: points per batch, a whole number >= 1 (static).
      dtype: the floating dtype of the points.

    Returns:
      (num_batches,) int32 counts.

    Example:
      >>> hits = pi_hits_per_batch(jax.random.key(0), 8, 10_000)
      >>> print(hits.shape, round(4 * float(hits.sum()) / 80_000, 1))
      (8,) 3.1
    """
    num_batches = _whole("num_batches", num_batches)
    batch_size = _whole("batch_size", batch_size)
    idx = jnp.arange(num_batches)
    mesh = _data_mesh()
    if mesh is not None and num_batches % mesh.size == 0:
        spec = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
        idx = jax.device_put(idx, spec)
    return _hits_batched(key, idx, batch_size, jnp.dtype(dtype))


@functools.partial(jax.jit, static_argnums=(2, 3))
def _hits_batched(key, idx, batch_size, dtype):
    return jax.vmap(lambda b: _hits(jax.random.fold_in(key, b), batch_size, dtype))(idx)


def monte_carlo_pi(key: jax.Array, n: int, batch_size: int = 65_536,
                   dtype=jnp.float32) -> MonteCarloResult:
    """π ≈ 4·(points of the unit square inside the quarter circle)/N.

    Each point is a Bernoulli(π/4) trial, so the estimate's standard error is
    4·√(p̂(1 − p̂)/N) ≈ 1.64/√N. Points are drawn in vmapped, jitted batches, split over
    the devices present (see :func:`pi_hits_per_batch`); exactly ``n`` points count. The
    total is summed on the host in int64, so this function runs eagerly (not under jit).

    Args:
      key: a ``jax.random`` key.
      n: the number of points, a whole number >= 1.
      batch_size: points per batch, a whole number >= 1.
      dtype: the floating dtype of the points and of the result.

    Returns:
      A :class:`MonteCarloResult` (estimate, stderr).

    Example:
      >>> res = monte_carlo_pi(jax.random.key(0), 1_000_000)
      >>> print(round(float(res.estimate), 2), round(float(res.stderr), 4))
      3.14 0.0016
    """
    n = _whole("n", n)
    batch_size = min(_whole("batch_size", batch_size), n)
    num_batches = -(-n // batch_size)
    mesh = _data_mesh()
    if mesh is not None:
        num_batches = -(-num_batches // mesh.size) * mesh.size
    counts = pi_hits_per_batch(key, num_batches, batch_size, dtype)
    # Exactly n points: the last batches may be partly or wholly past n.
    full = n // batch_size
    counts = np.asarray(counts, np.int64)
    hits = int(counts[:full].sum())
    rest = n - full * batch_size
    if rest:
        xy = jax.random.uniform(jax.random.fold_in(key, full), (batch_size, 2), dtype)
        hits += int(jnp.sum(jnp.sum(xy[:rest] ** 2, axis=1) <= 1.0))
    p = hits / n
    return MonteCarloResult(jnp.asarray(4.0 * p, dtype),
                            jnp.asarray(4.0 * math.sqrt(p * (1 - p) / n), dtype))


def _register():
    from mlmath_jax import registry

    registry.register(
        "probability.normal_logpdf",
        fn=normal.logpdf,
        manual=normal.logpdf_grad,
        sample=lambda key, dtype: (jax.random.normal(key, (7,), dtype) * 3,
                                   jnp.asarray(0.5, dtype), jnp.asarray(1.7, dtype)),
        doc="∂/∂x log N(x; μ, σ²) = −(x − μ)/σ²",
    )


_register()
