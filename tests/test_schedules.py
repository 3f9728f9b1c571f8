"""Schedules against optax's, at every step t = 0 … 1,199 (beyond their ends too).
Tolerances: float64 rtol 1e-12; float32 rtol 1e-5, except exponential decay: optax
computes (e^(−λ))^t, which multiplies the float32 rounding of e^(−λ) by t, so that case
allows rtol = 1e-5 + t_max·2⁻²⁴ ≈ 8e-5. optax evaluates some schedules in float32 even
under x64; those are compared at float32 precision."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mlmath_jax import schedules

T = 1200

CASES = {
    "constant": (lambda: schedules.constant(0.3), lambda: optax.constant_schedule(0.3)),
    "step_decay": (lambda: schedules.step_decay(0.1, 250, 0.5),
                   lambda: optax.exponential_decay(0.1, 250, 0.5, staircase=True)),
    "step_decay_piecewise": (
        lambda: schedules.step_decay(0.1, 400, 0.1),
        lambda: optax.piecewise_constant_schedule(0.1, {400: 0.1, 800: 0.1})),
    "exponential_decay": (lambda: schedules.exponential_decay(0.1, 3e-3),
                          lambda: optax.exponential_decay(0.1, 1, float(np.exp(-3e-3)))),
    "cosine_decay": (lambda: schedules.cosine_decay(0.1, 1000),
                     lambda: optax.cosine_decay_schedule(0.1, 1000)),
    "cosine_decay_alpha": (lambda: schedules.cosine_decay(0.1, 1000, alpha=0.1),
                           lambda: optax.cosine_decay_schedule(0.1, 1000, alpha=0.1)),
    "warmup_cosine": (lambda: schedules.warmup_cosine(0.0, 0.1, 100, 1000, 1e-3),
                      lambda: optax.warmup_cosine_decay_schedule(0.0, 0.1, 100, 1000, 1e-3)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_optax_at_every_step(name, dtype):
    mine, ref = CASES[name]
    with jax.enable_x64(dtype == "float64"), jax.numpy_dtype_promotion("standard"):
        t = jnp.arange(T, dtype=jnp.int32)
        a = np.asarray(jax.jit(jax.vmap(mine()))(t))
        b = np.asarray(jax.jit(jax.vmap(ref()))(t))
    assert a.shape == (T,)
    # optax's result dtype decides the precision of the comparison
    rtol = 1e-12 if b.dtype == np.float64 else 1e-5
    if name == "exponential_decay" and b.dtype == np.float32:
        rtol += T * 2.0**-24
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)


def test_closed_forms():
    """The formulas of the seed: α₀·e^(−λt) and α₀·(1 + cos(πt/T))/2."""
    with jax.enable_x64(True):
        t = jnp.arange(0, 500, dtype=jnp.int32)
        tf = np.arange(0, 500, dtype=float)
        np.testing.assert_allclose(schedules.exponential_decay(2.0, 0.01)(t),
                                   2.0 * np.exp(-0.01 * tf), rtol=1e-13)
        np.testing.assert_allclose(schedules.cosine_decay(2.0, 499)(t),
                                   2.0 * (1 + np.cos(np.pi * tf / 499)) / 2, rtol=1e-12,
                                   atol=1e-15)
        assert float(schedules.warmup_cosine(0.0, 1.0, 10, 100)(10)) == 1.0


def test_strict_promotion_and_python_ints():
    """Usable with plain ints and under the suite's strict dtype promotion."""
    for name, (mine, _) in CASES.items():
        v = mine()(3)
        assert jnp.isfinite(v) and jnp.ndim(v) == 0, name


def test_bad_arguments():
    with pytest.raises(ValueError, match="step_size"):
        schedules.step_decay(0.1, 0)
    with pytest.raises(ValueError, match="warmup_steps"):
        schedules.warmup_cosine(0.0, 1.0, 100, 50)
