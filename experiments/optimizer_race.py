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
    ctx.save_figure(fig, "race")
    return metrics
