"""Optimizer race: gradient descent, momentum, Nesterov, AdaGrad, RMSprop and Adam from
one start on Rosenbrock's valley, Beale's plateau or a saddle, every path on one contour
plot.

Each optimizer uses a learning rate tuned for the surface (``LEARNING_RATES``), scaled by
``optimizer.lr_scale``; ``optimizer.impl`` swaps the hand-written optimizers of
``mlmath_jax.optim`` for optax's own. Logged per step: each optimizer's f.
"""

from __future__ import annotations

import numpy as np

from mlmath_jax import plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, List, Str

from . import _landscape as L

DESCRIPTION = "GD, momentum, Nesterov, AdaGrad, RMSprop and Adam racing on one contour plot"

RACE_SURFACES = ("rosenbrock", "beale", "saddle")

LEARNING_RATES = {
    "rosenbrock": {"gd": 1e-3, "momentum": 2e-4, "nesterov": 2e-4, "adagrad": 0.5,
                   "rmsprop": 5e-3, "adam": 0.05},
    "beale": {"gd": 1e-2, "momentum": 2e-3, "nesterov": 2e-3, "adagrad": 0.5,
              "rmsprop": 5e-3, "adam": 0.05},
    "saddle": {"gd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.2,
               "rmsprop": 0.01, "adam": 0.05},
}

SCHEMA = {
    "problem": {
        "function": Str("rosenbrock", choices=RACE_SURFACES),
        "start": List([], item=Float(0.0), max_len=2,
                      help="starting point (x, y); empty for the surface's default"),
    },
    "optimizer": {
        "impl": L.IMPL,
        "lr_scale": L.LR_SCALE,
        "names": List(list(L.LINEUP), item=Str("adam", choices=tuple(L.LINEUP)), min_len=1,
                      help="which optimizers race"),
    },
    "train": {"steps": Int(2000, min=1), "log_every": Int(100, min=1)},
}


NAMES = {"gd": "plain gradient descent", "momentum": "momentum", "nesterov": "Nesterov",
         "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}
REACHED = 1e-2   # a run within this distance of a minimum has reached it

SURFACE_TEXT = {
    "rosenbrock": ("Rosenbrock's valley", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
                   "a narrow curved valley with steep walls and a nearly flat floor"),
    "beale": ("Beale's function", r"f(x, y) = \sum_{k=1}^{3} \left(c_k - x + x y^k\right)^2",
              "flat plateaus between steep walls, with its minimum at (3, 0.5)"),
    "saddle": ("a saddle", r"f(x, y) = x^2 + \frac{y^4}{4} - \frac{y^2}{2}",
               "a saddle point at the origin between two minima at (0, ±1)"),
}


def lesson(cfg) -> Lesson:
    title, formula, shape = SURFACE_TEXT[cfg.problem.function]
    return Lesson(
        title=f"Optimizer race on {title}",
        chapter="optimization",
        concept="Six update rules start from one point and take the same number of steps. "
                "Plain gradient descent steps against the gradient; momentum and Nesterov "
                "add a running sum of past gradients, which builds speed along directions "
                "that stay consistent; AdaGrad, RMSprop and Adam divide each coordinate's "
                "step by a running size of its gradients, so flat directions get larger "
                "steps and steep ones smaller. Each optimizer uses a learning rate chosen "
                f"for this surface.\n\nThis surface has {shape}.",
        equations=(formula,
                   r"v_{t+1} = \nabla f(x_t) + \mu\, v_t, \qquad x_{t+1} = x_t - \alpha\, "
                   r"v_{t+1}",
                   r"m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \quad v_t = \beta_2 "
                   r"v_{t-1} + (1 - \beta_2)\, g_t^2, \quad x_{t+1} = x_t - \alpha\, "
                   r"\frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}"),
        try_next=(
            TryNext(('optimizer.names=["gd", "adam"]',), "only plain gradient descent and "
                    "Adam race, so their two paths are easy to follow."),
            TryNext(('optimizer.impl="optax"',), "the same race with optax's optimizers in "
                    "place of the hand-written ones: the same paths."),
            TryNext(("optimizer.lr_scale=0.5",), "every learning rate halved: each path "
                    "covers less ground in the same number of steps."),
        ),
        main_figure="race.png",
        headline="winner",
    )


def check(cfg):
    if cfg.problem.start and len(cfg.problem.start) != 2:
        raise ConfigError(f"problem.start needs 2 values, got {len(cfg.problem.start)}")
    if len(set(cfg.optimizer.names)) != len(cfg.optimizer.names):
        raise ConfigError("optimizer.names lists an optimizer twice")


def run(cfg, key, ctx):
    surface = cfg.problem.function
    f, default, _, _, _ = L.SURFACES[surface]
    start = tuple(cfg.problem.start) or default
    paths, curves, metrics = {}, {}, {}
    for label in cfg.optimizer.names:
        lr = LEARNING_RATES[surface][label] * cfg.optimizer.lr_scale
        opt = L.make(label, lr, cfg.optimizer.impl)
        path, losses, res = L.run_path(f, start, opt, cfg.train.steps, cfg.train.log_every,
                                       ctx.dtype)
        ctx.add_timing(res.compile_seconds, res.run_seconds, res.steps)
        paths[label], curves[label] = path, losses
        finished = len(losses) == cfg.train.steps + 1
        metrics[f"{label}_final_f"] = float(losses[-1]) if finished else None
        metrics[f"{label}_distance"] = (L.distance_to_nearest_minimum(path[-1], surface)
                                        if finished else None)
        metrics[f"{label}_lr"] = lr
    for t in range(0, cfg.train.steps + 1, cfg.train.log_every):
        ctx.log(t, **{k: (float(v[t]) if t < len(v) else None) for k, v in curves.items()})
    if cfg.train.steps % cfg.train.log_every:
        t = cfg.train.steps
        ctx.log(t, **{k: (float(v[t]) if t < len(v) else None) for k, v in curves.items()})
    finished = {k: v for k, v in metrics.items() if k.endswith("_distance") and v is not None}
    if finished:
        metrics["winner"] = min(finished, key=finished.get).removesuffix("_distance")

    _observe(ctx, cfg, surface, metrics)

    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.5, 4.6))
    L.draw_paths(ax1, surface, paths, f"{surface}: {cfg.train.steps} steps "
                 f"({cfg.optimizer.impl})")
    floor = 1e-7   # float32 cannot resolve f − f* below about this near f* = O(1)
    for label, losses in curves.items():
        shift = 0.25 if surface == "saddle" else 0.0  # f ≥ −1/4 there
        gap = np.maximum(np.asarray(losses, float) + shift, floor)
        ax2.plot(np.arange(len(losses)), gap, label=label)
    ax2.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel(("f − f*" if surface != "saddle" else "f + 1/4") +
                   f"  (floored at {floor:g})")
    ax2.grid(True, alpha=0.3)
    ax2.legend(fontsize=8)
    ctx.save_figure(fig, "race", caption="Left: each optimizer's path from the same start "
                    "(squares: start, dots: where each ended, stars: minima). Right: how far "
                    "f is above its minimum at each step, on a log axis.")
    return metrics


def _observe(ctx, cfg, surface, metrics):
    n = cfg.train.steps
    minima = L.SURFACES[surface][2]
    where = ("the minimum " + _point(minima[0]) if len(minima) == 1 else "the nearest minimum")
    dist = {k: metrics[f"{k}_distance"] for k in cfg.optimizer.names}
    failed = [NAMES[k] for k, d in dist.items() if d is None]
    done = {k: d for k, d in dist.items() if d is not None}
    if "adam" in done and "gd" in done:
        a, g = done["adam"], done["gd"]
        ctx.observe(f"Adam ended {fmt(a)} from {where} after {n:,} steps; plain gradient "
                    f"descent ended {fmt(g)} away.", a < REACHED and g > a,
                    f"After {n:,} steps Adam was {fmt(a)} from {where} and plain gradient "
                    f"descent {fmt(g)}" + (": Adam had not reached it yet." if a >= REACHED
                                           else ": plain gradient descent was closer."))
    reached = [NAMES[k] for k, d in sorted(done.items(), key=lambda kv: kv[1]) if d < REACHED]
    order = ", ".join(f"{NAMES[k]} {fmt(d)}" for k, d in sorted(done.items(),
                                                                  key=lambda kv: kv[1]))
    ctx.observe(f"{len(reached)} of {len(dist)} optimizers came within {REACHED:g} of "
                f"{where} in {n:,} steps ({', '.join(reached)}). Distances at the end: "
                f"{order}.", len(reached) > 0,
                f"No optimizer came within {REACHED:g} of {where} in {n:,} steps. Distances "
                f"at the end: {order or 'none finished'}.")
    if failed:
        ctx.observe(f"{', '.join(failed)} diverged (f became infinite or undefined).", True,
                    "")


def _point(p):
    return "(" + ", ".join(fmt(float(v)) for v in p) + ")"
