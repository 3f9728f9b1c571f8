"""Several processes, for real: two processes on this machine form one JAX cluster with
``jax.distributed.initialize`` (a coordinator on 127.0.0.1, gloo CPU collectives, one CPU
device each) and train the data-parallel MLP across both with ``train.fit(devices=2)``.
Their losses equal the one-process run's within float32 tolerance."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mlmath_jax import nn, train

ROOT = Path(__file__).resolve().parents[1]


def problem(n=64):
    kx, kp = jax.random.split(jax.random.key(0))
    x = jax.random.normal(kx, (n, 5), jnp.float32)
    y = (jnp.sum(x[:, :2], axis=1) > 0).astype(jnp.int32) + (x[:, 2] > 1).astype(jnp.int32)
    return nn.init_mlp(kp, [5, 16, 3], "he"), (x, y)


def train_mlp(params, data, devices):
    return train.fit(lambda p, b: nn.mlp_loss(p, *b), params, optax.adam(1e-2), data,
                     steps=20, log_every=10, devices=devices)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_train_like_one():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p), "JAX_PLATFORMS": "cpu"}
    env.pop("XLA_FLAGS", None)
    procs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "_distributed_worker.py"),
                               str(i), str(port)], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(2)]
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=240)
            assert p.returncode == 0, err[-2000:]
            outs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    params, data = problem()
    one = train_mlp(params, data, devices=1)
    assert one.losses[-1] < one.losses[0]  # it trains
    assert sorted(o["process"] for o in outs) == [0, 1]
    for o in outs:
        assert o["devices"] == 2 and o["local_devices"] == 1  # one device per process
        np.testing.assert_allclose(o["losses"], one.losses, rtol=1e-5, atol=1e-6)  # float32
