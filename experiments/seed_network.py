"""Neural Network from First Principles: a two-layer sigmoid network learns XOR.

z₁ = W₁x + b₁, a₁ = σ(z₁), z₂ = W₂a₁ + b₂, ŷ = σ(z₂), binary cross-entropy, trained with
a hand-written backward pass (``train.gradients = "manual"``) or ``jax.grad``
("autodiff"). XOR is the classic problem no linear model solves: the hidden layer must
bend the plane.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import nn, train
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Int, Str

from . import _nn

DESCRIPTION = "a 2-layer sigmoid network with a hand-written backward pass learns XOR"

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


LESSON = Lesson(
    title="A two-layer network learns XOR",
    chapter="neural networks",
    concept="XOR outputs 1 when exactly one of its two inputs is 1. No straight line "
            "separates those two points from the other two, so no linear model can learn it. "
            "A hidden layer of sigmoid units bends the plane: each unit draws a line, and "
            "the output unit combines them. The network is trained with binary cross-entropy "
            "and a backward pass written by hand (the chain rule, layer by layer), checked "
            "against jax.grad and against a computation graph of the loss.",
    equations=(r"z_1 = W_1 x + b_1, \quad a_1 = \sigma(z_1), \quad z_2 = W_2 a_1 + b_2, \quad "
               r"\hat{y} = \sigma(z_2)",
               r"L = -\frac{1}{n} \sum_i \left[ y_i \log \hat{y}_i + (1 - y_i) \log (1 - "
               r"\hat{y}_i) \right]",
               r"\frac{\partial L}{\partial z_2} = \frac{1}{n} (\hat{y} - y), \qquad "
               r"\frac{\partial L}{\partial z_1} = W_2^\top \frac{\partial L}{\partial z_2}"
               r" \odot a_1 (1 - a_1)"),
    try_next=(
        TryNext(("model.hidden=1",), "one hidden unit draws a single line, which cannot "
                "separate XOR."),
        TryNext(('train.gradients="autodiff"',), "jax.grad in place of the hand-written "
                "backward pass: the same training."),
        TryNext(("train.steps=50",), "a short run: the outputs have not yet moved to 0 and 1."),
    ),
    main_figure="decision_boundary.png",
    headline="accuracy",
)


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
    outs = ", ".join(fmt(float(v)) for v in y_hat)
    ctx.observe(f"All four XOR outputs are on the right side of ½: ŷ = {outs} for targets "
                f"0, 1, 1, 0.", acc == 1.0,
                f"accuracy {fmt(acc)}: ŷ = {outs} for targets 0, 1, 1, 0.")
    tol = 1e-10 if ctx.dtype == jnp.float64 else 1e-5
    ctx.observe(f"The hand-written backward pass matched jax.grad to a relative error of "
                f"{fmt(grad_rel_err)}.", grad_rel_err < tol,
                f"the hand-written backward pass differed from jax.grad by "
                f"{fmt(grad_rel_err)}.")
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
