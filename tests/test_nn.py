"""Manual backward passes of mlmath_jax.nn against jax.grad (float64), and the forward
pass against jax.nn / optax."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mlmath_jax import nn, registry

RTOL64 = 1e-10  # float64: manual and automatic gradients agree to rounding


def _rel_err(a, b):
    a = np.concatenate([np.ravel(x) for x in jax.tree.leaves(a)])
    b = np.concatenate([np.ravel(x) for x in jax.tree.leaves(b)])
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def test_seed_network_forward_matches_jax_nn():
    key = jax.random.key(0)
    p = nn.init_seed_network(key, 2, 4)
    X = jax.random.normal(jax.random.key(1), (5, 2))
    f = nn.seed_forward(p, X)
    a1 = jax.nn.sigmoid(X @ p["W1"].T + p["b1"][None, :])
    y_hat = jax.nn.sigmoid(a1 @ p["W2"][0] + p["b2"][0])
    np.testing.assert_allclose(f.y_hat, y_hat, rtol=1e-6)
    y = jnp.array([0.0, 1.0, 1.0, 0.0, 1.0])
    ref = optax.sigmoid_binary_cross_entropy(f.z2, y).mean()
    np.testing.assert_allclose(nn.seed_loss(p, X, y), ref, rtol=1e-6)


def test_seed_backward_equals_jax_grad_float64():
    with jax.enable_x64(True):
        params, X, y = nn._sample_seed(jax.random.key(3), jnp.float64)
        loss, grads = nn.seed_backward(params, X, y)
        ref_loss, ref = jax.value_and_grad(nn.seed_loss)(params, X, y)
        assert grads["W1"].dtype == jnp.float64
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-14)
        for k in ref:
            assert grads[k].shape == ref[k].shape
        assert _rel_err(grads, ref) < RTOL64


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_backward_equals_jax_grad_float64(activation):
    with jax.enable_x64(True):
        params, x, y = nn._sample_mlp(jax.random.key(4), jnp.float64)
        loss, grads = nn.mlp_backward(params, x, y, activation)
        ref_loss, ref = jax.value_and_grad(nn.mlp_loss)(params, x, y, activation)
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-14)
        assert jax.tree.structure(grads) == jax.tree.structure(ref)
        assert _rel_err(grads, ref) < RTOL64


def test_mlp_backward_float32_and_jit():
    params = nn.init_mlp(jax.random.key(0), [5, 7, 3], "he")
    x = jax.random.normal(jax.random.key(1), (8, 5))
    y = jnp.arange(8, dtype=jnp.int32) % 3
    loss, grads = jax.jit(nn.mlp_backward, static_argnums=3)(params, x, y, "relu")
    ref_loss, ref = jax.value_and_grad(nn.mlp_loss)(params, x, y)
    assert grads[0]["W"].dtype == jnp.float32
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
    assert _rel_err(grads, ref) < 1e-5  # float32


def test_mlp_loss_matches_optax_and_forward_matches_hand_loop():
    params = nn.init_mlp(jax.random.key(2), [3, 4, 4, 2], "xavier")
    x = jax.random.normal(jax.random.key(3), (6, 3))
    y = jnp.array([0, 1, 1, 0, 1, 0], jnp.int32)
    logits = nn.mlp_forward(params, x, "tanh")
    h = x
    for layer in params[:-1]:
        h = jnp.tanh(h @ layer["W"].T + layer["b"][None, :])
    ref = h @ params[-1]["W"].T + params[-1]["b"][None, :]
    np.testing.assert_allclose(logits, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        nn.mlp_loss(params, x, y, "tanh"),
        optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), rtol=1e-5)
    np.testing.assert_array_equal(nn.mlp_predict(params, x, "tanh"), jnp.argmax(ref, -1))


def test_init_scales():
    big = nn.init_mlp(jax.random.key(0), [400, 300, 200], "he")
    assert big[0]["W"].shape == (300, 400) and big[0]["b"].shape == (300,)
    np.testing.assert_allclose(np.std(big[0]["W"]), np.sqrt(2 / 400), rtol=0.05)
    xav = nn.init_mlp(jax.random.key(0), [400, 300, 200], "xavier")
    limit = np.sqrt(6 / 700)
    assert np.max(np.abs(xav[0]["W"])) <= limit
    np.testing.assert_allclose(np.std(xav[0]["W"]), limit / np.sqrt(3), rtol=0.05)
    assert not np.any(xav[1]["b"])
    with pytest.raises(ValueError, match="init"):
        nn.init_mlp(jax.random.key(0), [2, 2], "lecun")
    with pytest.raises(ValueError, match="activation"):
        nn.mlp_forward(big, jnp.ones((1, 400)), "gelu")


@pytest.mark.parametrize("name,ref", [("relu", jax.nn.relu), ("tanh", jnp.tanh),
                                      ("sigmoid", jax.nn.sigmoid)])
def test_activation_derivatives(name, ref):
    f, f_grad = nn.ACTIVATIONS[name]
    z = jnp.linspace(-4.0, 4.0, 17) + 0.01  # avoid ReLU's kink at exactly 0
    np.testing.assert_allclose(f(z), ref(z), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(f_grad(z), jax.vmap(jax.grad(ref))(z), rtol=1e-6, atol=1e-7)


def test_registry_entries():
    names = {e.name for e in registry.entries("nn.")}
    assert {"nn.seed_network", "nn.mlp", "nn.mlp_tanh", "nn.mlp_sigmoid", "nn.relu",
            "nn.tanh"} <= names
    with jax.enable_x64(True):
        for e in registry.entries("nn.*"):
            args = e.sample(jax.random.key(7), jnp.float64)
            auto = jax.grad(lambda *a, e=e: jnp.sum(e.fn(*a)), argnums=e.wrt)(*args)
            assert _rel_err(e.manual(*args), auto) < RTOL64, e.name


def test_xor_config_reaches_full_accuracy(tmp_path):
    """The seed's network learns XOR from its config (tour budget), manual backprop."""
    from pathlib import Path

    from mlmath_jax.runner import execute, prepare

    config = Path(__file__).resolve().parents[1] / "configs" / "seed_network_xor.toml"
    out = execute(prepare(config, tour=True), tmp_path, quiet=True, interactive=False)
    assert out.status == "ok", out.message
    m = out.summary["metrics"]
    assert m["accuracy"] == 1.0
    assert m["manual_grad_rel_err"] < 1e-5  # float32
    y_hat = np.asarray(m["outputs"])
    assert np.all((y_hat > 0.5) == np.array([False, True, True, False]))


def test_relu_subgradient_at_zero_agrees_with_jax_nn():
    """ReLU'(0) = 0 for the manual derivative, jax.grad of ours and jax.nn.relu alike."""
    z = jnp.array([-2.0, -0.0, 0.0, 1e-30, 3.0, jnp.nan])
    auto = jax.vmap(jax.grad(nn.relu))(z)
    ref = jax.vmap(jax.grad(jax.nn.relu))(z)
    np.testing.assert_array_equal(auto[:5], ref[:5])
    np.testing.assert_array_equal(nn.relu_grad(z)[:5], ref[:5])
    np.testing.assert_array_equal(nn.relu(z), jax.nn.relu(z))  # nan stays nan
