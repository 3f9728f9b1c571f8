"""Losses against optax.losses, manual gradients against jax.grad, and the edges
(probabilities exactly 0 and 1, logits ±1e4). Tolerances: float32 rtol 1e-5, float64
rtol 1e-12."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax import losses, registry

RTOL = {"float32": 1e-5, "float64": 1e-12}
NAMES = ["mse", "mae", "huber", "binary_cross_entropy", "sigmoid_binary_cross_entropy",
         "categorical_cross_entropy", "softmax_cross_entropy",
         "softmax_cross_entropy_with_integer_labels"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_manual_gradient_matches_jax_grad(name, dtype):
    (entry,) = [e for e in registry.entries(f"losses.{name}") if e.name == f"losses.{name}"]
    with jax.enable_x64(dtype == "float64"):
        for seed in range(3):
            args = entry.sample(jax.random.key(seed), jnp.dtype(dtype))
            auto = jax.jit(jax.grad(lambda *a: jnp.sum(entry.fn(*a)), argnums=entry.wrt))(*args)
            manual = jax.jit(entry.manual)(*args)
            assert manual.dtype == jnp.dtype(dtype)
            np.testing.assert_allclose(manual, auto, rtol=RTOL[dtype],
                                       atol=RTOL[dtype] * 1e-2)


def _data(dtype):
    k1, k2, k3 = jax.random.split(jax.random.key(7), 3)
    pred = jax.random.normal(k1, (10, 3), dtype) * 2
    target = jax.random.normal(k2, (10, 3), dtype)
    labels = jax.random.randint(k3, (10,), 0, 3)
    return pred, target, labels


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_losses_match_optax(dtype):
    with jax.enable_x64(dtype == "float64"):
        pred, target, labels = _data(jnp.dtype(dtype))
        pairs = jax.jit(_optax_pairs)(pred, target, labels)
        for i, (mine, ref) in enumerate(pairs):
            assert mine.dtype == jnp.dtype(dtype), i
            np.testing.assert_allclose(mine, ref, rtol=RTOL[dtype] * 10, err_msg=str(i))


def _optax_pairs(pred, target, labels):
    onehot = jax.nn.one_hot(labels, 3, dtype=pred.dtype)
    bits = (target > 0).astype(pred.dtype)
    return [
        (losses.mse(pred, target), jnp.mean(optax.losses.squared_error(pred, target))),
        (losses.mse(pred, target), 2 * jnp.mean(optax.losses.l2_loss(pred, target))),
        (losses.huber(pred, target), jnp.mean(optax.losses.huber_loss(pred, target))),
        (losses.huber(pred, target, 0.3),
         jnp.mean(optax.losses.huber_loss(pred, target, delta=0.3))),
        (losses.sigmoid_binary_cross_entropy(pred, bits),
         jnp.mean(optax.losses.sigmoid_binary_cross_entropy(pred, bits))),
        (losses.softmax_cross_entropy(pred, onehot),
         jnp.mean(optax.losses.softmax_cross_entropy(pred, onehot))),
        (losses.softmax_cross_entropy_with_integer_labels(pred, labels),
         jnp.mean(optax.losses.softmax_cross_entropy_with_integer_labels(pred, labels))),
        # probability forms against the logits forms (σ and softmax applied first)
        (losses.binary_cross_entropy(jax.nn.sigmoid(pred), bits),
         jnp.mean(optax.losses.sigmoid_binary_cross_entropy(pred, bits))),
        (losses.categorical_cross_entropy(jax.nn.softmax(pred), onehot),
         jnp.mean(optax.losses.softmax_cross_entropy(pred, onehot))),
        (losses.mae(pred, target), jnp.mean(jnp.abs(pred - target))),
    ]


def test_binary_cross_entropy_matches_sklearn_log_loss():
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(0)
    p = rng.uniform(0.01, 0.99, 50)
    y = (rng.uniform(size=50) < 0.5).astype(float)
    with jax.enable_x64(True):
        mine = losses.binary_cross_entropy(jnp.asarray(p), jnp.asarray(y))
        np.testing.assert_allclose(mine, log_loss(y, p), rtol=1e-12)


def test_seed_gradient_formulas():
    """The seed's forms: −2(y − ŷ), −sign(y − ŷ), (ŷ − y)/(ŷ(1 − ŷ)), per example."""
    y, yh = jnp.array([1.0, 0.0, 1.0]), jnp.array([0.2, 0.3, 0.9])
    np.testing.assert_allclose(losses.mse_grad(yh, y), -2 * (y - yh) / 3, rtol=1e-6)
    np.testing.assert_allclose(losses.mae_grad(yh, y), -jnp.sign(y - yh) / 3, rtol=1e-6)
    np.testing.assert_allclose(losses.binary_cross_entropy_grad(yh, y),
                               (yh - y) / (yh * (1 - yh)) / 3, rtol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_edges_give_finite_losses_and_gradients(dtype):
    with jax.enable_x64(dtype == "float64"):
        dt = jnp.dtype(dtype)
        p = jnp.array([0.0, 1.0, 0.0, 1.0], dt)
        y = jnp.array([1.0, 0.0, 0.0, 1.0], dt)
        z = jnp.array([1e4, -1e4, 1e4, -1e4], dt)
        P = jnp.array([[0.0, 1.0], [1.0, 0.0]], dt)
        Y = jnp.array([[1.0, 0.0], [1.0, 0.0]], dt)
        Z = jnp.array([[-1e4, 1e4], [1e4, -1e4]], dt)
        labels = jnp.array([0, 0])
        cases = [
            (losses.binary_cross_entropy, losses.binary_cross_entropy_grad, p, y),
            (losses.sigmoid_binary_cross_entropy, losses.sigmoid_binary_cross_entropy_grad,
             z, y),
            (losses.categorical_cross_entropy, losses.categorical_cross_entropy_grad, P, Y),
            (losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad, Z, Y),
            (losses.softmax_cross_entropy_with_integer_labels,
             losses.softmax_cross_entropy_with_integer_labels_grad, Z, labels),
        ]

        @jax.jit
        def evaluate(args):  # one compilation for every case
            return [(fn(a, b), grad(a, b), jax.grad(fn)(a, b))
                    for (fn, grad, _, _), (a, b) in zip(cases, args, strict=True)]

        results = evaluate([(a, b) for _, _, a, b in cases])
        for (fn, _, _, _), (value, g_manual, g_auto) in zip(cases, results, strict=True):
            assert jnp.isfinite(value), fn.__name__
            assert jnp.all(jnp.isfinite(g_manual)) and jnp.all(jnp.isfinite(g_auto))
            np.testing.assert_allclose(g_manual, g_auto, rtol=1e-5, err_msg=fn.__name__)
        # logits: exact values, no clipping (σ(1e4) misclassified → loss 1e4 for that one)
        np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy(z, y), 1e4 / 2,
                                   rtol=1e-6)
        np.testing.assert_allclose(losses.softmax_cross_entropy(Z, Y), 1e4, rtol=1e-6)
        # probabilities: the clip bounds the loss by −log(eps)
        assert losses.binary_cross_entropy(p, y) <= -np.log(losses.EPS) * 0.5 + 1e-3
        # the straight-through clip still pushes a confident wrong p the right way
        g = losses.binary_cross_entropy_grad(p, y)
        assert g[0] < 0 and g[1] > 0


def test_shape_mismatch_and_float_labels_are_refused():
    with pytest.raises(ValueError, match="shape"):
        losses.mse(jnp.zeros(3), jnp.zeros((3, 1)))
    with pytest.raises(TypeError, match="integer labels"):
        losses.softmax_cross_entropy_with_integer_labels(jnp.zeros((2, 3)), jnp.zeros(2))


def test_jit_and_vmap():
    pred, target, labels = _data(jnp.float32)
    batched = jax.vmap(jax.jit(losses.mse))(pred, target)  # one example per row
    np.testing.assert_allclose(batched, jnp.mean((pred - target) ** 2, axis=1), rtol=1e-6)
    np.testing.assert_allclose(
        jax.jit(losses.softmax_cross_entropy_with_integer_labels)(pred, labels),
        losses.softmax_cross_entropy_with_integer_labels(pred, labels), rtol=1e-6)


@given(st.lists(st.integers(-3, 3), min_size=1, max_size=8),
       st.lists(st.integers(-3, 3), min_size=8, max_size=8))
@settings(max_examples=25, deadline=None)
def test_mae_subgradient_at_ties_agrees_with_jax_grad(pred, target):
    """Integer-valued inputs make ties (ŷ = y) frequent: manual and automatic agree on the
    subgradient 0 there, and on sign(ŷ − y)/N elsewhere."""
    p = jnp.asarray(pred, jnp.float32)
    y = jnp.asarray(target[: len(pred)], jnp.float32)
    auto = jax.grad(losses.mae)(p, y)
    np.testing.assert_array_equal(losses.mae_grad(p, y), auto)
    np.testing.assert_array_equal(auto, np.sign(np.asarray(p) - np.asarray(y)) / len(pred))
    np.testing.assert_allclose(losses.mae(p, y), np.mean(np.abs(np.asarray(p) - y)))


@given(st.floats(1.0, 1e6), st.integers(2, 6), st.integers(0, 2**31 - 1))
@settings(max_examples=20, deadline=None)
def test_softmax_cross_entropy_with_huge_logits_matches_optax(scale, classes, seed):
    z = jax.random.normal(jax.random.key(seed), (3, classes)) * scale
    y = jax.nn.one_hot(jnp.arange(3) % classes, classes)
    np.testing.assert_allclose(losses.softmax_cross_entropy(z, y),
                               jnp.mean(optax.losses.softmax_cross_entropy(z, y)),
                               rtol=1e-5, atol=1e-6)
