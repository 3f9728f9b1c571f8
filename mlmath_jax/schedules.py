"""Learning-rate schedules: functions of the update count t = 0, 1, 2, … → α_t.

A schedule is a plain function ``schedule(count) -> α`` (jittable, vmappable), usable as
the ``learning_rate`` of every optimizer in :mod:`mlmath_jax.optim` and of optax's. Each
matches an optax schedule at every step (``tests/test_schedules.py``):

* ``constant(α₀)``: α_t = α₀ — optax ``constant_schedule(α₀)``;
* ``step_decay(α₀, s, γ)``: α_t = α₀ · γ^⌊t/s⌋ —
  optax ``exponential_decay(α₀, s, γ, staircase=True)``;
* ``exponential_decay(α₀, λ)``: α_t = α₀ · e^(−λt) — optax ``exponential_decay(α₀, 1, e^(−λ))``;
* ``cosine_decay(α₀, T, a)``: α_t = α₀ · [(1 − a)·(1 + cos(π·min(t, T)/T))/2 + a] —
  optax ``cosine_decay_schedule(α₀, T, a)``;
* ``warmup_cosine(α_init, α_peak, W, T, α_end)``: linear α_init → α_peak over W steps, then
  cosine from α_peak to α_end over T − W — optax
  ``warmup_cosine_decay_schedule(α_init, α_peak, W, T, α_end)``.

Example:
    >>> from mlmath_jax import optim, schedules
    >>> opt = optim.sgd(schedules.cosine_decay(0.1, decay_steps=1000))
    >>> print([round(float(schedules.cosine_decay(0.1, 1000)(t)), 4) for t in (0, 500, 1000)])
    [0.1, 0.05, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp

from mlmath_jax._util import as_float as _float

Schedule = Callable[[jax.Array], jax.Array]


def constant(value: float) -> Schedule:
    """α_t = α₀ for every t.

    Args:
      value: α₀.

    Returns:
      A schedule ``count -> α₀``.

    Example:
      >>> print(round(float(constant(0.1)(7)), 6))
      0.1
    """

    def schedule(count):
        return jnp.full(jnp.shape(count), value, dtype=_float(count).dtype)

    return schedule


def step_decay(init_value: float, step_size: int, decay_rate: float = 0.5) -> Schedule:
    """Step decay: α_t = α₀ · γ^⌊t/s⌋ — drop by the factor γ every s steps.

    Args:
      init_value: α₀.
      step_size: s (> 0), steps between drops.
      decay_rate: γ, the factor per drop.

    Returns:
      A schedule ``count -> α``.

    Raises:
      ValueError: ``step_size`` ≤ 0.

    Example:
      >>> print(float(step_decay(1.0, 10, 0.5)(25)))  # two drops
      0.25
    """
    if step_size <= 0:
        raise ValueError(f"step_size must be > 0, got {step_size}")

    def schedule(count):
        t = _float(count)
        return init_value * jnp.power(decay_rate, jnp.floor(t / step_size))

    return schedule


def exponential_decay(init_value: float, decay: float) -> Schedule:
    """Exponential decay: α_t = α₀ · e^(−λt) (a halving every ln 2/λ steps).

    Args:
      init_value: α₀.
      decay: λ ≥ 0, the decay rate per step.

    Returns:
      A schedule ``count -> α``.

    Raises:
      ValueError: ``decay`` < 0.

    Example:
      >>> print(round(float(exponential_decay(1.0, 0.5)(2)), 6))  # e^(−1)
      0.367879
    """
    if decay < 0:
        raise ValueError(f"decay must be >= 0, got {decay}")

    def schedule(count):
        return init_value * jnp.exp(-decay * _float(count))

    return schedule


def cosine_decay(init_value: float, decay_steps: int, alpha: float = 0.0) -> Schedule:
    """Cosine decay: α_t = α₀ · (1 + cos(πt/T))/2 for t ≤ T, then α₀·a.

    With a floor fraction a: α_t = α₀ · [(1 − a)(1 + cos(π·min(t, T)/T))/2 + a].

    Args:
      init_value: α₀.
      decay_steps: T (> 0).
      alpha: a, the final value as a fraction of α₀.

    Returns:
      A schedule ``count -> α``.

    Raises:
      ValueError: ``decay_steps`` ≤ 0.

    Example:
      >>> print(round(float(cosine_decay(1.0, 100)(50)), 6))  # half way: (1 + cos(π/2))/2
      0.5
    """
    if decay_steps <= 0:
        raise ValueError(f"decay_steps must be > 0, got {decay_steps}")
    T = float(decay_steps)

    def schedule(count):
        t = jnp.minimum(_float(count), T)
        cosine = 0.5 * (1 + jnp.cos(math.pi * t / T))
        return init_value * ((1 - alpha) * cosine + alpha)

    return schedule


def warmup_cosine(init_value: float, peak_value: float, warmup_steps: int, decay_steps: int,
                  end_value: float = 0.0) -> Schedule:
    """Linear warm-up, then cosine decay.

    α_t = α_init + (α_peak − α_init)·t/W                         for t < W
    α_t = cosine_decay(α_peak, T − W, α_end/α_peak)(t − W)      for t ≥ W

    ``decay_steps`` T counts the warm-up too (optax's convention): α_T = α_end.

    Args:
      init_value: α_init, the rate at t = 0.
      peak_value: α_peak, reached at t = W.
      warmup_steps: W ≥ 0.
      decay_steps: T > W.
      end_value: α_end.

    Returns:
      A schedule ``count -> α``.

    Raises:
      ValueError: unless 0 ≤ ``warmup_steps`` < ``decay_steps``.

    Example:
      >>> print(float(warmup_cosine(0.0, 1.0, 10, 110)(5)))
      0.5
    """
    if not 0 <= warmup_steps < decay_steps:
        raise ValueError(f"need 0 <= warmup_steps < decay_steps, got {warmup_steps}, "
                         f"{decay_steps}")
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    decay = cosine_decay(peak_value, decay_steps - warmup_steps, alpha)
    W = float(warmup_steps)

    def schedule(count):
        t = _float(count)
        if warmup_steps == 0:
            return decay(t)
        frac = 1 - jnp.clip(t, 0, W) / W
        warm = (init_value - peak_value) * frac + peak_value
        return jnp.where(t < W, warm, decay(t - W))

    return schedule


SCHEDULES = {
    "constant": constant,
    "step_decay": step_decay,
    "exponential_decay": exponential_decay,
    "cosine_decay": cosine_decay,
    "warmup_cosine": warmup_cosine,
}
