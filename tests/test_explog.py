"""explog: exponentials, logs, sigmoid, softmax, log-sum-exp, information measures.

Oracles: jax.nn, jax.scipy.special, scipy.stats.entropy, numpy.prod. Values and
gradients must stay finite for inputs up to ±1e4. float32 tolerance 1e-6 (relative).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.scipy.special import logsumexp as jsp_logsumexp
from scipy import stats

from mlmath_jax import explog, registry

EXTREME = jnp.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4])


def _finite(*arrays):
    return all(bool(jnp.all(jnp.isfinite(a))) for a in arrays)


# ------------------------------------------------------------------ seed worked examples

def test_seed_powers_and_logs():
    assert float(explog.prod_via_logs(jnp.full(10, 2.0))) == pytest.approx(1024.0)  # 2¹⁰
    assert float(explog.log_base(8.0, 2)) == pytest.approx(3.0)    # log₂ 8 = 3
    assert float(explog.log_base(1.0, jnp.e)) == 0.0               # ln 1 = 0
    assert float(explog.log_base(1000.0, 10)) == pytest.approx(3.0)


@pytest.mark.parametrize("p, expected", [(0.99, 0.01), (0.5, 0.69), (0.01, 4.61)])
def test_seed_cross_entropy_of_the_true_class(p, expected):
    # −log p of the true class: 0.99 → 0.01, 0.5 → 0.69, 0.01 → 4.61 (nats)
    loss = explog.cross_entropy(jnp.array([1.0, 0.0]), jnp.array([p, 1.0 - p]))
    assert float(loss) == pytest.approx(expected, abs=0.005)
    assert float(loss) == pytest.approx(-math.log(p), rel=1e-6)


def test_seed_coin_entropies():
    # a fair coin carries 1 bit; a 99/1 coin about 0.08 bits
    assert float(explog.entropy(jnp.array([0.5, 0.5]))) == pytest.approx(1.0)
    h = float(explog.entropy(jnp.array([0.99, 0.01])))
    assert h == pytest.approx(0.08, abs=0.001)
    assert h == pytest.approx(stats.entropy([0.99, 0.01], base=2), rel=1e-6)


def test_seed_log_sum_exp_identity():
    # LSE(x) = m + log Σ e^(xᵢ − m) = log Σ e^(xᵢ), and LSE(x + c) = LSE(x) + c
    x = jnp.array([1.0, 2.0, 3.0])
    assert float(explog.logsumexp(x)) == pytest.approx(math.log(sum(math.exp(v) for v in
                                                                   (1, 2, 3))), rel=1e-6)
    assert float(explog.logsumexp(x + 1000.0)) == pytest.approx(
        float(explog.logsumexp(x)) + 1000.0, rel=1e-6)


# -------------------------------------------------------------- against jax.nn / scipy

def test_sigmoid_and_grad_match_jax_nn_at_extremes():
    np.testing.assert_allclose(np.asarray(explog.sigmoid(EXTREME)),
                               np.asarray(jax.nn.sigmoid(EXTREME)), rtol=1e-6)
    g = jax.vmap(jax.grad(explog.sigmoid))(EXTREME)
    assert _finite(g)
    np.testing.assert_allclose(np.asarray(explog.sigmoid_grad(EXTREME)), np.asarray(g),
                               rtol=1e-6, atol=1e-30)
    # jax.nn.sigmoid's own gradient rounds σ'(50) ≈ 1.9e−22 to 0: agree to 1e−20 absolute,
    # and to the float64 value e^(−|x|)/(1 + e^(−|x|))² relatively
    np.testing.assert_allclose(np.asarray(explog.sigmoid_grad(EXTREME)),
                               np.asarray(jax.vmap(jax.grad(jax.nn.sigmoid))(EXTREME)),
                               rtol=1e-6, atol=1e-20)
    z = np.exp(-np.abs(np.asarray(EXTREME, np.float64)))
    np.testing.assert_allclose(np.asarray(explog.sigmoid_grad(EXTREME)), z / (1 + z) ** 2,
                               rtol=1e-6, atol=1e-38)


def test_log_sigmoid_matches_jax_nn_at_extremes():
    np.testing.assert_allclose(np.asarray(explog.log_sigmoid(EXTREME)),
                               np.asarray(jax.nn.log_sigmoid(EXTREME)), rtol=1e-6)
    g = jax.vmap(jax.grad(explog.log_sigmoid))(EXTREME)
    assert _finite(explog.log_sigmoid(EXTREME), g)
    np.testing.assert_allclose(np.asarray(explog.log_sigmoid_grad(EXTREME)), np.asarray(g),
                               rtol=1e-6)


def test_softmax_family_matches_jax_at_extremes():
    x = jnp.stack([EXTREME, EXTREME[::-1], jnp.linspace(-3.0, 3.0, 7)])
    np.testing.assert_allclose(np.asarray(explog.softmax(x)),
                               np.asarray(jax.nn.softmax(x)), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(np.asarray(explog.log_softmax(x)),
                               np.asarray(jax.nn.log_softmax(x)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(explog.logsumexp(x)),
                               np.asarray(jsp_logsumexp(x, axis=-1)), rtol=1e-6)
    w = jnp.arange(7.0)
    for fn in (lambda v: jnp.sum(w * explog.softmax(v)),
               lambda v: jnp.sum(w * explog.log_softmax(v)),
               lambda v: explog.logsumexp(v)):
        g = jax.vmap(jax.grad(fn))(x)
        assert _finite(g)
    np.testing.assert_allclose(np.asarray(jax.vmap(jax.grad(explog.logsumexp))(x)),
                               np.asarray(explog.logsumexp_grad(x)), rtol=1e-6, atol=1e-30)


def test_information_measures_match_scipy():
    p = jnp.array([0.1, 0.2, 0.3, 0.4])
    q = jnp.array([0.25, 0.25, 0.25, 0.25])
    assert float(explog.entropy(p, base=None)) == pytest.approx(stats.entropy(p), rel=1e-6)
    assert float(explog.kl_divergence(p, q)) == pytest.approx(stats.entropy(p, q), rel=1e-6)
    assert float(explog.cross_entropy(p, q)) == pytest.approx(
        stats.entropy(p) + stats.entropy(p, q), rel=1e-6)
    assert float(explog.entropy(jnp.array([1.0, 0.0]))) == 0.0       # 0·log 0 = 0
    independent = jnp.outer(jnp.array([0.3, 0.7]), jnp.array([0.5, 0.5]))
    assert float(explog.mutual_information(independent)) == pytest.approx(0.0, abs=1e-7)
    copy = jnp.diag(jnp.array([0.5, 0.5]))
    assert float(explog.mutual_information(copy)) == pytest.approx(1.0, rel=1e-6)


# ------------------------------------------------------------------ products via logs

def test_products_as_sums_of_logs():
    x = jnp.array([-2.0, 3.0, 0.5, -4.0])
    sign, log_abs = explog.log_prod(x)
    assert float(sign) == 1.0 and float(log_abs) == pytest.approx(math.log(12.0), rel=1e-6)
    assert float(explog.prod_via_logs(x)) == pytest.approx(float(np.prod(np.asarray(x))),
                                                           rel=1e-6)
    assert float(explog.prod_via_logs(jnp.array([2.0, 0.0, 5.0]))) == 0.0
    # 500 probabilities of 0.01: the product underflows to 0, its log does not
    probs = jnp.full((500,), 0.01)
    assert float(jnp.prod(probs)) == 0.0
    assert float(explog.log_prod(probs).log_abs) == pytest.approx(500 * math.log(0.01),
                                                                  rel=1e-5)


# ------------------------------------------------------------- registered derivatives

@pytest.mark.parametrize("name", ["explog.sigmoid", "explog.log_sigmoid", "explog.softmax",
                                  "explog.log_softmax", "explog.logsumexp"])
def test_registered_manual_derivatives_equal_jax_grad(name):
    entry = {e.name: e for e in registry.entries("explog")}[name]
    for dtype, tol in ((jnp.float32, 1e-5), (jnp.float64, 1e-12)):
        with jax.enable_x64(dtype == jnp.float64):
            args = entry.sample(jax.random.key(0), dtype)
            auto = jax.grad(lambda *a: jnp.sum(entry.fn(*a)), argnums=entry.wrt)(*args)
            np.testing.assert_allclose(np.asarray(entry.manual(*args)), np.asarray(auto),
                                       rtol=tol, atol=tol)


def test_information_measures_accept_python_lists():
    assert float(explog.entropy([0.5, 0.5, 0.0])) == pytest.approx(1.0)
    assert float(explog.kl_divergence([0.5, 0.5], [0.5, 0.5])) == pytest.approx(0.0)


# ------------------------------------------------- gradients at the boundary (issue 14)

def test_prod_via_logs_gradient_at_a_zero_factor_is_exact():
    x = jnp.array([2.0, 0.0, 3.0])
    np.testing.assert_array_equal(jax.grad(explog.prod_via_logs)(x), jax.grad(jnp.prod)(x))


@given(st.lists(st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, -3.0]), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None)
def test_prod_via_logs_gradient_matches_jnp_prod(values):
    """Zeros (none, one or several), signs and magnitudes mixed: ∂Π/∂xⱼ = Π_{i≠j} xᵢ."""
    x = jnp.asarray(values, jnp.float32)
    np.testing.assert_allclose(explog.prod_via_logs(x), jnp.prod(x), rtol=1e-5, atol=1e-6)
    mine, ref = _PROD_GRADS(x)
    np.testing.assert_allclose(mine, ref, rtol=1e-5, atol=1e-6)


# Both gradients in one compiled program per length (1..6): op-by-op jax.grad compiled
# every primitive anew for each length, ~25 s of the suite for the same comparison.
_PROD_GRADS = jax.jit(lambda x: (jax.grad(explog.prod_via_logs)(x), jax.grad(jnp.prod)(x)))


def test_cross_entropy_gradient_where_p_is_zero():
    p, q = jnp.array([0.0, 1.0]), jnp.array([0.5, 0.5])
    g = jax.grad(explog.cross_entropy, 0)(p, q)
    np.testing.assert_allclose(g, -jnp.log(q), rtol=1e-6)   # [.693, .693]
    np.testing.assert_allclose(jax.grad(explog.cross_entropy, 1)(p, q), [0.0, -2.0])
    # the oracle: jax.scipy's xlogy gives the same gradient with respect to p
    ref = jax.grad(lambda a: -jnp.sum(jax.scipy.special.xlogy(a, q)))(p)
    np.testing.assert_allclose(g, ref, rtol=1e-6)
    # and ∂/∂q stays finite (0) where p = q = 0
    assert np.isfinite(jax.grad(explog.kl_divergence, 1)(p, jnp.array([0.0, 1.0]))).all()


@given(st.floats(-1e6, 1e6), st.integers(2, 6), st.integers(0, 2**31 - 1))
@settings(max_examples=30, deadline=None)
def test_log_softmax_matches_jax_nn_at_large_offsets(offset, n, seed):
    x = offset + jax.random.normal(jax.random.key(seed), (n,)) * 3
    np.testing.assert_allclose(explog.log_softmax(x), jax.nn.log_softmax(x), rtol=1e-5,
                               atol=1e-5)


def test_log_softmax_of_a_constant_row_of_1e4():
    x = jnp.full(5, 1e4)
    np.testing.assert_allclose(explog.log_softmax(x), jax.nn.log_softmax(x), rtol=1e-6)
