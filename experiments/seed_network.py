"""Neural Network from First Principles: the seed's two-layer network learns XOR.

z₁ = W₁x + b₁, a₁ = σ(z₁), z₂ = W₂a₁ + b₂, ŷ = σ(z₂), binary cross-entropy, trained with
the seed's hand-written backward pass (``train.gradients = "manual"``) or ``jax.grad``
("autodiff"). XOR is the classic problem no linear model solves: the hidden layer must
bend the plane.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import nn, train
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.schema import Int, Str

from . import _nn

DESCRIPTION = "the seed's 2-layer sigmoid network with manual backprop learns XOR"

SCHEMA = {
    "model": {"hidden": Int(4, min=1, max=1024, help="hidden units")},
    "optimizer": _nn.OPTIMIZER_SCHEMA,
    "train": {
        "steps": Int(2000, min=1),
        "log_every": Int(100, min=1),
        "gradients": Str("manual", choices=("manual", "autodiff"),
                         help="manual: nn.seed_backward; autodiff: jax.grad"),
        "devices": Int(1, min=1, help="data-parallel over this many devices (1, 2 or 4: "
                                      "XOR has four examples)"),
    },
}

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


def check(cfg):
    if 4 % cfg.train.devices:
        raise ConfigError(f"train.devices = {cfg.train.devices}: the four XOR examples "
                          f"split evenly over 1, 2 or 4 devices only")
    if cfg.train.devices > len(jax.devices()):
        raise ConfigError(f"train.devices = {cfg.train.devices} but only "
                          f"{len(jax.devices())} device(s) are available")


def run(cfg, key, ctx):
    X, y = jnp.asarray(XOR_X, ctx.dtype), jnp.asarray(XOR_Y, ctx.dtype)
    params = nn.init_seed_network(key, 2, cfg.model.hidden, ctx.dtype)

    # The hand-written backward pass beside jax.grad, at the initial parameters.
    _, manual = jax.jit(nn.seed_backward)(params, X, y)
    auto = jax.jit(jax.grad(nn.seed_loss))(params, X, y)
    num = sum(float(jnp.sum((manual[k] - auto[k]) ** 2)) for k in auto)
    den = sum(float(jnp.sum(auto[k] ** 2)) for k in auto)
    grad_rel_err = (num / den) ** 0.5

    accuracy = jax.jit(lambda p: nn.accuracy(nn.seed_predict(p, X), y.astype(jnp.int32)))
    records = []

    def eval_fn(p):
        records.append({"train_accuracy": float(accuracy(p))})
        return records[-1]

    result = train.fit(lambda p, batch: nn.seed_loss(p, *batch), params,
                       _nn.make_optimizer(cfg.optimizer), (X, y), steps=cfg.train.steps,
                       log_every=cfg.train.log_every, eval_fn=eval_fn, ctx=ctx,
                       grad_fn=((lambda p, batch: nn.seed_backward(p, *batch))
                                if cfg.train.gradients == "manual" else None),
                       desc="XOR", devices=cfg.train.devices)
    p = result.params
    y_hat = np.asarray(jax.jit(nn.seed_forward)(p, X).y_hat)
    acc = float(accuracy(p))
    steps = list(range(0, cfg.train.steps, cfg.train.log_every)) + [cfg.train.steps]
    records = [{"step": s, **r} for s, r in zip(steps, records, strict=False)]
    _nn.curves(ctx, result.losses, records)
    grid_fn = jax.jit(lambda pts: nn.seed_forward(p, pts).y_hat)
    _nn.decision_boundary(ctx, lambda pts: grid_fn(jnp.asarray(pts, ctx.dtype)), XOR_X,
                          XOR_Y, title="XOR: P(class 1) from the 2-layer network")
    ctx.print("XOR outputs ŷ: " + ", ".join(f"{v:.3f}" for v in y_hat))
    graph_err = _computation_graph(ctx, p, X, y)
    return {"accuracy": acc, "final_loss": float(result.losses[-1]),
            "outputs": y_hat.tolist(), "manual_grad_rel_err": grad_rel_err,
            "graph_grad_max_error": graph_err}


def _computation_graph(ctx, p, X, y) -> float:
    """The trained network's loss on one example (x = (0, 1)) as a computation graph:
    one node per primitive, its value and ∂loss/∂node, checked against jax.grad."""
    from mlmath_jax import graph

    def loss(W1, b1, W2, b2, x, t):
        return nn.seed_loss({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, x[None], t[None])

    g = graph.trace(loss, p["W1"], p["b1"], p["W2"], p["b2"], X[1], y[1],
                    names=("W1", "b1", "W2", "b2", "x", "y"))
    graph.render(g, ctx.path("computation_graph"))
    ctx.figures.append("computation_graph.png")              # into the report's figures
    ctx.print(f"computation graph of the loss on x = (0, 1): {len(g.nodes)} nodes; "
              f"backward pass vs jax.grad, largest |difference| {g.max_error:.3g}")
    return g.max_error
