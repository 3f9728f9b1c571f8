"""Data-parallel training (train.fit(devices=k)) on the 8 simulated CPU devices: the batch
is sharded over a "data" mesh axis, parameters replicated, and the loss curve equals the
single-device run's up to the order of floating-point sums."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mlmath_jax import nn, train


def _problem(dtype, n=64):
    kx, kp = jax.random.split(jax.random.key(0))
    x = jax.random.normal(kx, (n, 5), dtype)
    y = (jnp.sum(x[:, :2], axis=1) > 0).astype(jnp.int32) + (x[:, 2] > 1).astype(jnp.int32)
    params = nn.init_mlp(kp, [5, 16, 3], "he", dtype)
    return params, (x, y)


def _loss(p, batch):
    return nn.mlp_loss(p, *batch)


def _manual(p, batch):
    return nn.mlp_backward(p, *batch)


def test_eight_devices_available():
    assert len(jax.devices()) == 8


@pytest.mark.parametrize("batch_size,grad_fn", [(16, None), (None, _manual)])
def test_sharded_losses_equal_single_device(batch_size, grad_fn):
    params, data = _problem(jnp.float32)
    kw = dict(steps=30, log_every=10, batch_size=batch_size, shuffle_key=jax.random.key(1),
              grad_fn=grad_fn)
    one = train.fit(_loss, params, optax.adam(1e-2), data, devices=1, **kw)
    eight = train.fit(_loss, params, optax.adam(1e-2), data, devices=8, **kw)
    # The sharded parameters live on all 8 devices, replicated.
    w = eight.params[0]["W"]
    assert len(w.sharding.device_set) == 8 and w.sharding.is_fully_replicated
    assert one.losses[-1] < one.losses[0]  # it trains
    np.testing.assert_allclose(eight.losses, one.losses, rtol=1e-5, atol=1e-6)  # float32
    for a, b in zip(jax.tree.leaves(eight.params), jax.tree.leaves(one.params), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_sharded_losses_float64():
    with jax.enable_x64(True):
        params, data = _problem(jnp.float64, n=60)  # 60 examples: batches of 32 are split
        kw = dict(steps=20, log_every=20, batch_size=32, shuffle_key=jax.random.key(2))
        one = train.fit(_loss, params, optax.sgd(0.1), data, **kw)
        four = train.fit(_loss, params, optax.sgd(0.1), data, devices=4, **kw)
        assert one.losses.dtype == np.float64
        np.testing.assert_allclose(four.losses, one.losses, rtol=1e-12)


def test_uneven_split_and_too_many_devices_are_refused():
    params, data = _problem(jnp.float32)
    with pytest.raises(ValueError, match="evenly over 8 devices"):
        train.fit(_loss, params, optax.sgd(0.1), data, steps=1, batch_size=12,
                  shuffle_key=jax.random.key(0), devices=8)
    with pytest.raises(ValueError, match="not available"):
        train.data_mesh(64)


def test_config_key_train_devices_gives_the_same_loss_curve(tmp_path):
    """`train.devices = 8` in a config: the experiment's logged losses equal the
    single-device run's."""
    import json
    from pathlib import Path

    from mlmath_jax.runner import execute, prepare

    config = Path(__file__).resolve().parents[1] / "configs" / "mlp_moons.toml"
    curves = {}
    for k in (1, 8):
        prep = prepare(config, ["train.steps=40", "train.log_every=10", "train.batch_size=80",
                                f"train.devices={k}"])
        out = execute(prep, tmp_path / f"d{k}", quiet=True, interactive=False)
        assert out.status == "ok" and out.summary["metrics"]["devices"] == k
        lines = (out.run_dir / "metrics.jsonl").read_text().splitlines()
        curves[k] = np.array([json.loads(line)["loss"] for line in lines])
    assert len(curves[1]) == 5
    np.testing.assert_allclose(curves[8], curves[1], rtol=1e-5, atol=1e-6)
