"""Hand-written optimizers against optax, step by step.

Each case runs the hand-written optimizer and its optax counterpart side by side for
1,000 steps inside one ``lax.scan`` on a small random pytree: both follow the gradient of
the same noisy quadratic at their *own* parameters, and after every step the two
parameter trees are compared. Tolerances per dtype (max over all steps and leaves):

* float64: |a − b| ≤ 1e-12 + 1e-10·|b|
* float32: |a − b| ≤ 1e-6 + 1e-4·|b|

The schedule cases give both optimizers the same schedule from
:mod:`mlmath_jax.schedules` (so what is compared is how each optimizer consumes a
schedule: which count it sees, how it casts α); the schedules themselves are compared
with optax's in ``tests/test_schedules.py``. The same check catches a classic mistake
(Adam without bias correction).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mlmath_jax import optim, schedules
from mlmath_jax.errors import UserError

STEPS = 1000
TOL = {"float32": (1e-6, 1e-4), "float64": (1e-12, 1e-10),  # (atol, rtol)
       "complex64": (1e-6, 1e-4), "complex128": (1e-12, 1e-10)}

CASES = {
    "sgd": (lambda: optim.sgd(0.05), lambda: optax.sgd(0.05)),
    "sgd_momentum": (lambda: optim.sgd(0.02, momentum=0.9),
                     lambda: optax.sgd(0.02, momentum=0.9)),
    "sgd_nesterov": (lambda: optim.sgd(0.02, momentum=0.9, nesterov=True),
                     lambda: optax.sgd(0.02, momentum=0.9, nesterov=True)),
    "sgd_cosine_schedule": (lambda: optim.sgd(schedules.cosine_decay(0.05, 800), 0.5),
                            lambda: optax.sgd(schedules.cosine_decay(0.05, 800), 0.5)),
    "adagrad": (lambda: optim.adagrad(0.1), lambda: optax.adagrad(0.1)),
    "rmsprop": (lambda: optim.rmsprop(0.01), lambda: optax.rmsprop(0.01)),
    "rmsprop_eps_outside_momentum": (
        lambda: optim.rmsprop(0.01, eps_in_sqrt=False, momentum=0.5, nesterov=True),
        lambda: optax.rmsprop(0.01, eps_in_sqrt=False, momentum=0.5, nesterov=True)),
    "rmsprop_centered_bias_corrected": (
        lambda: optim.rmsprop(0.01, centered=True, bias_correction=True, initial_scale=0.1),
        lambda: optax.rmsprop(0.01, centered=True, bias_correction=True, initial_scale=0.1)),
    "adam": (lambda: optim.adam(0.01), lambda: optax.adam(0.01)),
    "adam_nesterov": (lambda: optim.adam(0.01, nesterov=True),
                      lambda: optax.adam(0.01, nesterov=True)),
    "adam_warmup_cosine": (
        lambda: optim.adam(schedules.warmup_cosine(0.0, 0.02, 100, 1000, 1e-4)),
        lambda: optax.adam(schedules.warmup_cosine(0.0, 0.02, 100, 1000, 1e-4))),
    "adamw": (lambda: optim.adamw(0.01, weight_decay=0.1),
              lambda: optax.adamw(0.01, weight_decay=0.1)),
    "adamw_mask_schedule": (
        lambda: optim.adamw(schedules.exponential_decay(0.01, 1e-3), weight_decay=0.1,
                            mask={"b": False, "w": True, "s": True}),
        lambda: optax.adamw(schedules.exponential_decay(0.01, 1e-3), weight_decay=0.1,
                            mask={"b": False, "w": True, "s": True})),
}


def _problem(dtype):
    """A small pytree, the quadratic's curvature and optimum, and a noise key."""
    k = jax.random.split(jax.random.key(42), 5)
    shapes = {"w": (3, 4), "b": (4,), "s": ()}
    params = {n: jax.random.normal(k[0], s, dtype) * 2 for n, s in shapes.items()}
    real = jnp.finfo(dtype).dtype  # the real dtype of a complex one
    curv = {n: jax.random.uniform(k[1], s, real, 0.5, 2.0).astype(dtype)
            for n, s in shapes.items()}
    target = {n: jax.random.normal(k[2], s, dtype) for n, s in shapes.items()}
    return params, curv, target, k[3]


def _grad(params, curv, target, key, t):
    """∇ of Σ ½c(p − p*)², plus Gaussian noise fixed by (key, t)."""
    leaves, tree = jax.tree.flatten(params)
    keys = jax.tree.unflatten(tree, list(jax.random.split(jax.random.fold_in(key, t),
                                                           len(leaves))))
    return jax.tree.map(
        lambda p, c, s, kk: c * (p - s) + 0.1 * jax.random.normal(kk, p.shape, p.dtype),
        params, curv, target, keys)


def max_diffs(opt_a, opt_b, dtype, steps=STEPS):
    """Run both optimizers side by side; return (violation, max_abs, max_rel) where
    violation = max over steps/leaves of |a − b| − (atol + rtol·|b|)."""
    atol, rtol = TOL[dtype]
    params, curv, target, key = _problem(jnp.dtype(dtype))

    def step(carry, t):
        pa, sa, pb, sb = carry
        ua, sa = opt_a.update(_grad(pa, curv, target, key, t), sa, pa)
        ub, sb = opt_b.update(_grad(pb, curv, target, key, t), sb, pb)
        pa, pb = optax.apply_updates(pa, ua), optax.apply_updates(pb, ub)
        leaves_b = jax.tree.leaves(pb)
        diff = [jnp.abs(a - b) for a, b in zip(jax.tree.leaves(pa), leaves_b, strict=True)]
        ref = [jnp.abs(b) for b in leaves_b]
        pairs = list(zip(diff, ref, strict=True))
        viol = jnp.max(jnp.stack([jnp.max(d - (atol + rtol * r)) for d, r in pairs]))
        mabs = jnp.max(jnp.stack([jnp.max(d) for d in diff]))
        mrel = jnp.max(jnp.stack([jnp.max(d / jnp.maximum(r, 1e-3)) for d, r in pairs]))
        return (pa, sa, pb, sb), jnp.stack([viol, mabs, mrel])

    @jax.jit
    def run():
        carry = (params, opt_a.init(params), params, opt_b.init(params))
        _, out = jax.lax.scan(step, carry, jnp.arange(steps))
        return out.max(axis=0)

    # optax's bias correction mixes a Python float and an int32 count, which the suite's
    # strict dtype promotion refuses; the hand-written side runs under the same context.
    with jax.numpy_dtype_promotion("standard"):
        return [float(v) for v in run()]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_optax_step_by_step(name, dtype):
    mine, ref = CASES[name]
    with jax.enable_x64(dtype == "float64"):
        viol, mabs, mrel = max_diffs(mine(), ref(), dtype)
    assert viol <= 0.0, (f"{name} {dtype}: max |Δ| = {mabs:.3g}, max rel = {mrel:.3g} "
                         f"exceed {TOL[dtype]}")


# Complex parameters: every optimizer whose state holds a second moment, and SGD.
COMPLEX_CASES = ["sgd_momentum", "adagrad", "rmsprop", "rmsprop_eps_outside_momentum",
                 "rmsprop_centered_bias_corrected", "adam", "adam_nesterov", "adamw",
                 "adamw_nesterov"]
CASES_COMPLEX = {**CASES, "adamw_nesterov": (
    lambda: optim.adamw(0.01, weight_decay=0.1, nesterov=True),
    lambda: optax.adamw(0.01, weight_decay=0.1, nesterov=True))}


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", COMPLEX_CASES)
def test_complex_parameters_match_optax_step_by_step(name, dtype):
    """optax squares a complex gradient as |g|² = g·conj(g); so must we (g² would give
    a different, silently wrong step)."""
    mine, ref = CASES_COMPLEX[name]
    with jax.enable_x64(dtype == "complex128"):
        viol, mabs, mrel = max_diffs(mine(), ref(), dtype)
    assert viol <= 0.0, (f"{name} {dtype}: max |Δ| = {mabs:.3g}, max rel = {mrel:.3g} "
                         f"exceed {TOL[dtype]}")


def test_complex_first_steps_are_optax_steps():
    """The issue's two cases: Adam on 1 + 2j and AdaGrad on g = 2j."""
    p = jnp.array([1 + 2j], jnp.complex64)
    for mine, ref in [(optim.adam(0.1), optax.adam(0.1)),
                      (optim.adagrad(0.1), optax.adagrad(0.1))]:
        u, _ = mine.update(p * 2j, mine.init(p))
        r, _ = ref.update(p * 2j, ref.init(p))
        np.testing.assert_allclose(u, r, rtol=1e-6)
        assert abs(complex(u[0])) > 0.04


def adam_without_bias_correction(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    """The classic mistake: Adam's moments used without dividing by (1 − βᵗ)."""

    def init(params):
        z = jax.tree.map(jnp.zeros_like, params)
        return (z, z)

    def update(grads, state, params=None):
        m = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state[0])
        v = jax.tree.map(lambda g, v: (1 - b2) * g * g + b2 * v, grads, state[1])
        u = jax.tree.map(lambda m, v: -learning_rate * m / (jnp.sqrt(v) + eps), m, v)
        return u, (m, v)

    return optax.GradientTransformation(init, update)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parity_check_catches_adam_without_bias_correction(dtype):
    with jax.enable_x64(dtype == "float64"):
        viol, mabs, _ = max_diffs(adam_without_bias_correction(0.01), optax.adam(0.01), dtype,
                                  steps=50)
    assert viol > 0.0
    assert mabs > 1e-3  # not a rounding effect: the early steps are ~3x too small


def test_runs_under_strict_promotion_and_chains_with_optax():
    """The hand-written optimizers need no promotion leniency, and compose with optax."""
    params = {"a": jnp.ones(3), "b": jnp.zeros((2, 2))}
    grads = jax.tree.map(lambda p: jnp.full_like(p, 10.0), params)
    for name in optim.OPTIMIZERS:
        opt = optim.by_name(name, schedules.cosine_decay(0.1, 10))
        mine = optax.chain(optax.clip_by_global_norm(1.0), opt)
        state = mine.init(params)
        for _ in range(3):
            u, state = jax.jit(mine.update)(grads, state, params)
        with jax.numpy_dtype_promotion("standard"):
            ref = optax.chain(optax.clip_by_global_norm(1.0),
                              optim.by_name(name, optax.cosine_decay_schedule(0.1, 10),
                                            impl="optax"))
            rstate = ref.init(params)
            for _ in range(3):
                r, rstate = jax.jit(ref.update)(grads, rstate, params)
        for x, y in zip(jax.tree.leaves(u), jax.tree.leaves(r), strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


def test_by_name_picks_implementation_and_refuses_unknown():
    assert optim.by_name("adam", 0.1).update.__module__ == "mlmath_jax.optim"
    assert optim.by_name("adam", 0.1, impl="optax").update.__module__.startswith("optax")
    with pytest.raises(UserError, match="allowed: sgd"):
        optim.by_name("adamax", 0.1)
    with pytest.raises(UserError, match="handwritten, optax"):
        optim.by_name("sgd", 0.1, impl="torch")


def test_first_adam_step_is_lr_times_sign():
    """Bias correction makes the first step −α·sign(g) whatever the gradient's size."""
    opt = optim.adam(0.1)
    g = jnp.array([5.0, -0.01, 1e-3])
    u, _ = opt.update(g, opt.init(jnp.zeros(3)))
    np.testing.assert_allclose(u, -0.1 * np.sign(g), rtol=1e-4)


def test_trains_through_fit():
    from mlmath_jax import train

    loss = lambda p: jnp.sum((p - 3.0) ** 2)
    res = train.fit(loss, jnp.zeros(2), optim.adam(0.1), steps=300, log_every=100)
    np.testing.assert_allclose(res.params, 3.0, atol=1e-2)
