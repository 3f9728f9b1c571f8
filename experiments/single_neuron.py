"""Backpropagation from scratch: one sigmoid neuron learning AND and OR.

The neuron (:mod:`mlmath_jax.calculus`, section "the chain rule on one sigmoid neuron"):

    forward    z = X·w + b,   a = σ(z)
    loss       L = −(1/n) Σ [y log a + (1 − y) log(1 − a)]
    backward   ∂L/∂z = ∂L/∂a · ∂a/∂z = (a − y)/n,   ∂L/∂w = Xᵀ ∂L/∂z,   ∂L/∂b = Σ ∂L/∂z

Each gate gets its own neuron; the neurons are trained side by side as one batch of
parameters (``vmap`` over the gates) by the shared training loop, with the hand-written
backward pass as its gradient (``grad_fn``). At every logged step the manual gradient is
compared with ``jax.grad``'s and their largest absolute difference is logged. Figures:
the loss of each gate, and the decision line w·x + b = 0 moving as training goes on.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mlmath_jax import calculus, plotting, train
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.schema import Float, Int, List, Str

DESCRIPTION = "backpropagation by hand: a sigmoid neuron learns AND and OR"

INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
GATES = {"and": [0.0, 0.0, 0.0, 1.0], "or": [0.0, 1.0, 1.0, 1.0],
         "nand": [1.0, 1.0, 1.0, 0.0], "xor": [0.0, 1.0, 1.0, 0.0]}

SCHEMA = {
    "data": {"gates": List(["and", "or"], item=Str("and", choices=tuple(GATES)), min_len=1,
                           max_len=4, help="truth tables to learn (xor: one neuron cannot)")},
    "model": {"init_scale": Float(0.5, min=0.0, help="std of the initial weights")},
    "optimizer": {"lr": Float(2.0, gt=0.0, help="gradient-descent learning rate")},
    "train": {"steps": Int(2000, min=1), "log_every": Int(100, min=1)},
}


def check(cfg):
    if len(set(cfg.data.gates)) != len(cfg.data.gates):
        raise ConfigError(f"data.gates lists a gate twice: {cfg.data.gates}")


# One neuron per gate: params {"w": (G, 2), "b": (G,)}, targets (G, 4).
def loss_fn(params, batch):
    """Σ over gates of each neuron's cross-entropy (the neurons share nothing, so each
    one's gradient is its own loss's gradient)."""
    X, Y = batch
    return jnp.sum(jax.vmap(calculus.neuron_loss, in_axes=(0, None, 0))(params, X, Y))


def manual_grad(params, batch):
    """(loss, gradients) with the chain rule written out (calculus.neuron_backward)."""
    X, Y = batch
    grads = jax.vmap(calculus.neuron_backward, in_axes=(0, None, 0))(params, X, Y)
    return loss_fn(params, batch), grads


def run(cfg, key, ctx):
    gates = cfg.data.gates
    X = jnp.asarray(INPUTS, ctx.dtype)
    Y = jnp.asarray([GATES[g] for g in gates], ctx.dtype)
    params = {"w": cfg.model.init_scale * jax.random.normal(key, (len(gates), 2), ctx.dtype),
              "b": jnp.zeros((len(gates),), ctx.dtype)}
    # The training loop passes the data with its leading axis as examples; here the data
    # is the fixed truth table, so it goes in through closures.
    loss = lambda p: loss_fn(p, (X, Y))
    grad = lambda p: manual_grad(p, (X, Y))

    @jax.jit
    def diagnostics(p):
        _, g_manual = grad(p)
        g_auto = jax.grad(loss)(p)
        diff = jnp.maximum(jnp.max(jnp.abs(g_manual["w"] - g_auto["w"])),
                           jnp.max(jnp.abs(g_manual["b"] - g_auto["b"])))
        per_gate = jax.vmap(calculus.neuron_loss, in_axes=(0, None, 0))(p, X, Y)
        acc = jnp.mean((jax.vmap(calculus.neuron_forward, in_axes=(0, None))(p, X) > 0.5)
                       == (Y > 0.5), axis=1)
        return diff, per_gate, acc

    max_diffs = []

    def eval_fn(p):
        diff, per_gate, acc = diagnostics(p)
        max_diffs.append(float(diff))
        out = {"grad_max_abs_diff": float(diff)}
        for i, g in enumerate(gates):
            out[f"loss_{g}"] = float(per_gate[i])
            out[f"accuracy_{g}"] = float(acc[i])
        return out

    result = train.fit(loss, params, optax.sgd(cfg.optimizer.lr), steps=cfg.train.steps,
                       log_every=cfg.train.log_every, grad_fn=grad, record_params=True,
                       eval_fn=eval_fn, ctx=ctx, desc="single neuron")
    diff, per_gate, acc = diagnostics(result.params)
    metrics = {"max_grad_abs_diff": max(max_diffs), "final_loss": float(result.losses[-1])}
    for i, g in enumerate(gates):
        metrics[f"loss_{g}"] = float(per_gate[i])
        metrics[f"accuracy_{g}"] = float(acc[i])
        metrics[f"w_{g}"] = np.asarray(result.params["w"][i]).tolist()
        metrics[f"b_{g}"] = float(result.params["b"][i])
    ctx.print("manual vs jax.grad, largest |difference| over the logged steps: "
              f"{metrics['max_grad_abs_diff']:.3g}")
    _figures(ctx, gates, result, X, Y)
    metrics["graph_grad_max_error"] = _computation_graph(ctx, gates, result, X)
    return metrics


def _computation_graph(ctx, gates, result, X) -> float:
    """The first gate's trained neuron on the last example as a computation graph:
    σ(w₁x₁ + w₂x₂ + b), one node per primitive with its value and gradient, checked
    against jax.grad."""
    from mlmath_jax import graph

    w, b = np.asarray(result.params["w"][0]), float(result.params["b"][0])
    x = np.asarray(X)[-1]
    point = {"w1": float(w[0]), "w2": float(w[1]), "b": b, "x1": float(x[0]),
             "x2": float(x[1])}
    g = graph.expression_graph("sigmoid(w1*x1 + w2*x2 + b)", point)
    graph.render(g, ctx.path("computation_graph"))
    ctx.figures.append("computation_graph.png")              # into the report's figures
    ctx.print(f"computation graph of the {gates[0].upper()} neuron at x = {x.tolist()}: "
              f"{len(g.nodes)} nodes; backward pass vs jax.grad, largest |difference| "
              f"{g.max_error:.3g}")
    return g.max_error


def _figures(ctx, gates, result, X, Y):
    trace = jax.tree.map(np.asarray, result.trace)
    X, Y = np.asarray(X), np.asarray(Y)
    steps = np.arange(len(result.losses))
    per_gate = np.stack([
        np.asarray(jax.vmap(lambda p, i=i: calculus.neuron_loss(
            {"w": p["w"][i], "b": p["b"][i]}, jnp.asarray(X), jnp.asarray(Y[i])))(
                jax.tree.map(jnp.asarray, trace)))
        for i in range(len(gates))])

    fig, ax = plotting.subplots(size=(6, 4))
    for i, g in enumerate(gates):
        plotting.loss_curve(ax, steps, per_gate[i], label=g.upper())
    ax.set_title("cross-entropy of each neuron")
    ax.legend(fontsize=8)
    ctx.save_figure(fig, "loss")

    fig, axes = plotting.subplots(1, len(gates), size=(4, 4), squeeze=False)
    # Log-spaced steps: the line moves most in the first few updates.
    shown = np.unique(np.r_[0, np.geomspace(1, len(steps) - 1, 14).astype(int)])
    cmap = plotting.plt.get_cmap("viridis")
    xs = np.linspace(-0.5, 1.5, 2)
    for i, (ax, g) in enumerate(zip(axes[0], gates, strict=True)):
        for j, t in enumerate(shown):
            w, b = trace["w"][t, i], trace["b"][t, i]
            color = cmap(j / max(1, len(shown) - 1))
            if abs(w[1]) > 1e-9:
                ax.plot(xs, -(w[0] * xs + b) / w[1], color=color, lw=1,
                        alpha=0.4 + 0.6 * j / max(1, len(shown) - 1))
            elif abs(w[0]) > 1e-9:
                ax.axvline(-b / w[0], color=color, lw=1)
        ax.scatter(X[:, 0], X[:, 1], c=Y[i], cmap="coolwarm", s=90, edgecolors="k",
                   zorder=3, vmin=0, vmax=1)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
        ax.set_title(f"{g.upper()}: w·x + b = 0 at steps {', '.join(map(str, shown[:4]))}, …, "
                     f"{len(steps) - 1}\n(purple → yellow)", fontsize=8)
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
    ctx.save_figure(fig, "decision_line")
