"""Finite differences, Jacobians, Hessians and quadrature (mlmath_jax.calculus).

Oracles: jax.grad / jacfwd / jacrev / hessian, exact antiderivatives, scipy.integrate.
Tolerances are stated per dtype next to each assertion.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import calculus, explog

# --------------------------------------------------------------- the seed's examples


@pytest.mark.parametrize("x, expected", [(3.0, 6.0), (0.0, 0.0), (-2.0, -4.0)])
@pytest.mark.parametrize("method", ["central", "forward", "backward", "complex"])
def test_power_rule_examples(x, expected, method):
    # (x²)' = 2x. float32: the one-sided rules are O(h) with h = √ε·max(1,|x|) ≈ 1e-3.
    tol = {"central": 1e-3, "complex": 1e-6}.get(method, 2e-3 * max(1.0, abs(x)))
    d = calculus.derivative(lambda t: t ** 2, x, method=method)
    assert abs(float(d) - expected) <= tol
    assert float(calculus.square_grad(jnp.float32(x))) == expected
    assert float(jax.grad(calculus.square)(jnp.float32(x))) == expected


def test_chain_rule_example():
    # d/dx (3x + 2)⁵ = 15(3x + 2)⁴, checked against jax.grad and finite differences.
    with jax.enable_x64(True):
        xs = jnp.linspace(-1.0, 1.0, 9)
        manual = calculus.chain_example_grad(xs)
        np.testing.assert_allclose(manual, 15 * (3 * xs + 2) ** 4, rtol=0)
        np.testing.assert_allclose(manual, jax.vmap(jax.grad(calculus.chain_example))(xs),
                                   rtol=1e-13)
        np.testing.assert_allclose(calculus.derivative(calculus.chain_example, xs), manual,
                                   rtol=1e-8, atol=1e-8)


def test_partials_of_two_variable_function():
    # f = x² + 3xy + y²: ∂f/∂x = 2x + 3y, ∂f/∂y = 3x + 2y; at (1, 2): (8, 7).
    v = jnp.array([1.0, 2.0])
    np.testing.assert_allclose(calculus.two_variable_grad(v), [8.0, 7.0])
    np.testing.assert_allclose(jax.grad(calculus.two_variable)(v), [8.0, 7.0])
    np.testing.assert_allclose(calculus.gradient(calculus.two_variable, v), [8.0, 7.0],
                               rtol=1e-3)  # float32 central differences
    np.testing.assert_allclose(calculus.hessian(calculus.two_variable, v),
                               [[2.0, 3.0], [3.0, 2.0]], atol=2e-2)


def test_gradient_of_squared_norm_at_3_4():
    v = jnp.array([3.0, 4.0])
    np.testing.assert_allclose(calculus.squared_norm_grad(v), [6.0, 8.0])
    np.testing.assert_allclose(calculus.gradient(calculus.squared_norm, v), [6.0, 8.0],
                               rtol=1e-3)


@pytest.mark.parametrize("name", sorted(calculus.DERIVATIVE_TABLE))
def test_derivative_table_against_jax_grad(name):
    f, df, _, sample = calculus.DERIVATIVE_TABLE[name]
    with jax.enable_x64(True):
        (x,) = sample(jax.random.key(1), jnp.float64)
        auto = jax.vmap(jax.grad(f))(x)
        np.testing.assert_allclose(df(x), auto, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(calculus.derivative(f, x), auto, rtol=1e-8, atol=1e-9)


def test_derivative_table_matches_reference_formulas():
    # Oracles from numpy / jax.nn rather than from our own code.
    x = np.linspace(0.3, 3.0, 7)
    tab = {k: v[1] for k, v in calculus.DERIVATIVE_TABLE.items()}
    np.testing.assert_allclose(tab["exp"](jnp.asarray(x)), np.exp(x), rtol=1e-6)
    np.testing.assert_allclose(tab["log"](jnp.asarray(x)), 1 / x, rtol=1e-6)
    np.testing.assert_allclose(tab["sin"](jnp.asarray(x)), np.cos(x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(tab["cos"](jnp.asarray(x)), -np.sin(x), rtol=1e-6, atol=1e-7)
    z = jnp.linspace(-5.0, 5.0, 11)
    s = jax.nn.sigmoid(z)
    np.testing.assert_allclose(tab["sigmoid"](z), s * (1 - s), rtol=1e-5)
    np.testing.assert_allclose(tab["relu"](z), jax.vmap(jax.grad(jax.nn.relu))(z))
    assert tab["sigmoid"] is explog.sigmoid_grad  # one copy of σ', in explog


# ------------------------------------------------------------ finite differences


def test_central_beats_forward_and_complex_step_reaches_rounding():
    # float64 at x = 1 with h = 1e-4: forward error ~ h|f''|/2, central ~ h²|f'''|/6.
    with jax.enable_x64(True):
        x, h = jnp.float64(1.0), 1e-4
        exact = math.cos(1.0)
        fwd = abs(float(calculus.derivative(jnp.sin, x, h, "forward")) - exact)
        bwd = abs(float(calculus.derivative(jnp.sin, x, h, "backward")) - exact)
        cen = abs(float(calculus.derivative(jnp.sin, x, h, "central")) - exact)
        cpx = abs(float(calculus.derivative(jnp.sin, x, 1e-20, "complex")) - exact)
        assert fwd == pytest.approx(h * math.sin(1.0) / 2, rel=1e-2)
        assert bwd == pytest.approx(h * math.sin(1.0) / 2, rel=1e-2)
        assert cen == pytest.approx(h * h * math.cos(1.0) / 6, rel=5e-2)
        assert cpx <= 2 * np.finfo(np.float64).eps


def test_derivative_sweep_over_steps_is_one_vectorized_call():
    hs = jnp.logspace(-6, -1, 6)
    d = calculus.derivative(jnp.exp, jnp.float32(0.5), h=hs)
    assert d.shape == (6,) and d.dtype == jnp.float32


def test_complex_step_refuses_non_analytic_code():
    with pytest.raises(ValueError, match="not analytic"):
        calculus.derivative(lambda x: jnp.abs(x), 1.0, method="complex")
    with pytest.raises(ValueError, match="method="):
        calculus.derivative(jnp.sin, 1.0, method="sideways")


def test_derivative_is_jittable_and_vmappable():
    f = jax.jit(lambda x: calculus.derivative(jnp.sin, x))
    xs = jnp.linspace(-2.0, 2.0, 5)
    np.testing.assert_allclose(f(xs), jnp.cos(xs), atol=1e-4)
    np.testing.assert_allclose(jax.vmap(f)(xs), jnp.cos(xs), atol=1e-4)


def _vec_fn(v):
    return jnp.stack([v[0] * v[1] ** 2, jnp.sin(v[2]) * v[0], jnp.exp(v[1] - v[2])])


def test_jacobian_matches_jacfwd_and_jacrev():
    with jax.enable_x64(True):
        v = jnp.array([0.7, -1.2, 0.4])
        J, J_fwd, J_bwd, ref_fwd, ref_rev = jax.jit(lambda v: (
            calculus.jacobian(_vec_fn, v), calculus.jacobian(_vec_fn, v, method="forward"),
            calculus.jacobian(_vec_fn, v, method="backward"), jax.jacfwd(_vec_fn)(v),
            jax.jacrev(_vec_fn)(v)))(v)
        np.testing.assert_allclose(J, ref_fwd, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(J, ref_rev, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(J_fwd, ref_fwd, atol=1e-6)   # one-sided: O(√ε)
        np.testing.assert_allclose(J_bwd, ref_fwd, atol=1e-6)
        M = jnp.arange(6.0).reshape(2, 3) / 5.0  # matrix-shaped input and output
        g = lambda A: jnp.tanh(A) @ A.T
        J = jax.jit(lambda A: calculus.jacobian(g, A))(M)
        np.testing.assert_allclose(J, jax.jacfwd(g)(M), atol=1e-8)


def test_hessian_matches_jax_hessian():
    rosen = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2 + jnp.sin(p[2] * p[0])
    with jax.enable_x64(True):
        p = jnp.array([-0.5, 1.5, 0.3])
        H, ref = jax.jit(lambda p: (calculus.hessian(rosen, p), jax.hessian(rosen)(p)))(p)
        np.testing.assert_allclose(H, ref, rtol=1e-6, atol=1e-5)


def test_gradient_of_pytree_matches_jax_grad():
    params = {"w": jnp.array([[0.5, -1.0], [2.0, 0.1]]), "b": jnp.array([0.3, -0.2])}
    f = lambda p: jnp.sum(jnp.tanh(p["w"] @ p["b"]) ** 2) + jnp.sum(p["b"] ** 3)
    g, g_batched, ref = jax.jit(lambda p: (
        calculus.gradient(f, p), calculus.gradient(f, p, batch_size=2),  # vmap, lax.map
        jax.grad(f)(p)))(params)
    assert jax.tree.structure(g) == jax.tree.structure(ref)
    for k in ("w", "b"):  # float32 central differences: ~ε^(2/3) relative
        np.testing.assert_allclose(g[k], ref[k], atol=2e-3)
        np.testing.assert_allclose(g_batched[k], ref[k], atol=2e-3)


# ------------------------------------------------------------------- integration


@pytest.mark.parametrize("method", ["left", "right", "midpoint", "trapezoid", "simpson"])
def test_integral_of_sin_over_0_pi_is_2(method):
    # float32, 200 panels: every rule within 1e-4 of 2 (Riemann sums are exact to O(h²)
    # here because sin vanishes at both ends).
    assert abs(float(calculus.integrate(jnp.sin, 0.0, jnp.pi, 200, method)) - 2.0) < 1e-4


def test_monte_carlo_integral_of_sin():
    est = calculus.monte_carlo_integrate(jax.random.key(0), jnp.sin, 0.0, jnp.pi, 100_000)
    # standard error π·std(sin U)/√n ≈ 3.1e-3; 5 standard errors.
    assert abs(float(est) - 2.0) < 1.6e-2
    with pytest.raises(ValueError, match="monte_carlo"):
        calculus.integrate(jnp.sin, 0.0, 1.0, 10, "monte_carlo")


def test_integration_matches_scipy_and_refuses_bad_input():
    scipy_integrate = pytest.importorskip("scipy.integrate")
    with jax.enable_x64(True):
        x = np.linspace(0.0, 2.0, 9)
        f = lambda t: jnp.exp(-t) * t ** 2
        y = np.asarray(f(jnp.asarray(x)))
        np.testing.assert_allclose(calculus.integrate(f, 0.0, 2.0, 8, "trapezoid"),
                                   scipy_integrate.trapezoid(y, x), rtol=1e-13)
        np.testing.assert_allclose(calculus.integrate(f, 0.0, 2.0, 8, "simpson"),
                                   scipy_integrate.simpson(y, x=x), rtol=1e-13)
    with pytest.raises(ValueError, match="even"):
        calculus.integrate(jnp.sin, 0.0, 1.0, 7, "simpson")
    with pytest.raises(ValueError, match="method="):
        calculus.integrate(jnp.sin, 0.0, 1.0, 8, "gauss")


def test_integrate_is_jittable_in_the_limits():
    f = jax.jit(calculus.integrate, static_argnums=(0, 3, 4))
    np.testing.assert_allclose(f(jnp.cos, 0.0, jnp.float32(1.0), 16, "simpson"),
                               math.sin(1.0), rtol=1e-6)
    np.testing.assert_allclose(calculus.integrate(jnp.cos, 0.0, 1.0, 16, "riemann"),
                               calculus.integrate(jnp.cos, 0.0, 1.0, 16, "left"))


def test_convergence_orders_are_1_2_2_4_and_half():
    # ∫₀¹ eˣ dx = e − 1 in float64, n = 8 … 128 panels (Simpson stays above rounding).
    # Monte Carlo: root-mean-square error over 400 independent estimates per n.
    exact = math.e - 1
    ns = [8, 16, 32, 64, 128]
    mc_ns = [64, 256, 1024, 4096]
    expected = {"left": 1, "right": 1, "midpoint": 2, "trapezoid": 2, "simpson": 4}

    def all_errors(keys):
        errs = {m: jnp.stack([jnp.abs(calculus.integrate(jnp.exp, 0.0, 1.0, n, m) - exact)
                              for n in ns]) for m in expected}
        mc = lambda k, n: calculus.monte_carlo_integrate(k, jnp.exp, 0.0, 1.0, n)
        errs["monte_carlo"] = jnp.stack([
            jnp.sqrt(jnp.mean((jax.vmap(lambda k, n=n: mc(k, n))(keys) - exact) ** 2))
            for n in mc_ns])
        return errs

    with jax.enable_x64(True):
        errs = jax.jit(all_errors)(jax.random.split(jax.random.key(3), 400))
        for method, order in expected.items():
            measured = calculus.convergence_order(ns, errs[method], floor=1e-13)
            assert abs(measured - order) < 0.1, (method, measured)
        assert abs(calculus.convergence_order(mc_ns, errs["monte_carlo"]) - 0.5) < 0.1
