"""Gradient Descent Visualizer: the path of x ← x − α·∇f(x) over a contour plot.

Functions: the parabola x² (1-D), a quadratic bowl x² + 5y², Rosenbrock's valley
(1 − x)² + 100(y − x²)², and the saddle x² − y². The learning rate decides the regime:
too small crawls, just right converges, too large diverges (the run then stops with
status ``diverged`` and the figure still shows the path up to that step).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mlmath_jax import explorers, optim, plotting, train
from mlmath_jax.errors import ConfigError, Diverged
from mlmath_jax.runner.schema import Float, Int, List, Str
from mlmath_jax.surfaces import SURFACES, bowl, parabola, rosenbrock, saddle

DESCRIPTION = "gradient descent paths on x², a bowl, Rosenbrock and a saddle"


# name: (function, default start, known minimizer or None, plot box)
# (the functions and minimizers come from mlmath_jax.surfaces; start and box are this
# experiment's presentation)
FUNCTIONS = {
    "parabola": (parabola, [3.0], list(SURFACES["parabola"].minima[0]), (-4.0, 4.0)),
    "bowl": (bowl, [-4.0, 2.0], list(SURFACES["bowl"].minima[0]),
             ((-5.0, 5.0), (-3.0, 3.0))),
    "rosenbrock": (rosenbrock, [-1.5, 2.0], list(SURFACES["rosenbrock"].minima[0]),
                   ((-2.0, 2.0), (-1.0, 3.0))),
    "saddle": (saddle, [1.5, 0.01], None, ((-2.0, 2.0), (-2.0, 2.0))),
}

SCHEMA = {
    "problem": {
        "function": Str("bowl", choices=tuple(FUNCTIONS)),
        "start": List([], item=Float(0.0), max_len=2,
                      help="starting point; empty for the function's default"),
    },
    "optimizer": {
        "lr": Float(0.05, gt=0.0, help="learning rate α"),
        "momentum": Float(0.0, min=0.0, lt=1.0, help="heavy-ball momentum (0: plain GD)"),
        "impl": Str("handwritten", choices=optim.IMPLS,
                    help="'handwritten' (mlmath_jax.optim.sgd) or 'optax' (optax.sgd)"),
    },
    "train": {"steps": Int(100, min=1), "log_every": Int(10, min=1)},
}


def check(cfg):
    fn, default, _, _ = FUNCTIONS[cfg.problem.function]
    if cfg.problem.start and len(cfg.problem.start) != len(default):
        raise ConfigError(f"problem.start needs {len(default)} value(s) for "
                          f"{cfg.problem.function}, got {len(cfg.problem.start)}")


def run(cfg, key, ctx):
    f, default, minimizer, box = FUNCTIONS[cfg.problem.function]
    start = jnp.asarray(cfg.problem.start or default, ctx.dtype)
    momentum = cfg.optimizer.momentum or None
    ctx.save_explorer("explore_lr", explorers.gradient_descent(   # 60 rates in one vmap
        f, start, box, steps=cfg.train.steps, lr=cfg.optimizer.lr, momentum=momentum,
        hessian_at=minimizer, log_levels=cfg.problem.function == "rosenbrock"),
        "the learning rate, 60 values")
    optimizer = optim.by_name("sgd", cfg.optimizer.lr, impl=cfg.optimizer.impl,
                              momentum=momentum)
    try:
        result = train.fit(f, start, optimizer, steps=cfg.train.steps,
                           log_every=cfg.train.log_every, record_params=True, ctx=ctx,
                           desc=cfg.problem.function)
    except Diverged as exc:
        _draw(ctx, cfg, f, box, exc.result.trace, exc.result.losses, diverged_at=exc.step)
        raise
    path, losses = result.trace, result.losses
    _draw(ctx, cfg, f, box, path, losses)
    final = np.asarray(result.params)
    metrics = {"final_point": final.tolist(), "final_loss": float(losses[-1]),
               "initial_loss": float(losses[0]),
               "grad_norm": float(np.linalg.norm(_grad(f, final)))}
    if minimizer is not None:
        metrics["distance_to_minimum"] = float(np.linalg.norm(final - np.asarray(minimizer)))
    return metrics


def _grad(f, p):
    import jax

    return np.asarray(jax.grad(f)(jnp.asarray(p)))


def _draw(ctx, cfg, f, box, path, losses, diverged_at=None):
    path = np.asarray(path, dtype=float)
    finite = np.all(np.isfinite(path), axis=1) if path.ndim == 2 else np.isfinite(path)
    path = path[finite]
    title = f"{cfg.problem.function}, α = {cfg.optimizer.lr:g}"
    if diverged_at is not None:
        title += f" — diverged at step {diverged_at}"
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.5, 4.5))
    if path.shape[1] == 1:
        lo, hi = box
        span = max(abs(lo), abs(hi), float(np.max(np.abs(path))) if len(path) else 0.0)
        span = min(span, 1e3)
        xs = np.linspace(-span, span, 400)
        ax1.plot(xs, [float(f(np.array([x]))) for x in xs], "k-", lw=1)
        shown = path[np.abs(path[:, 0]) <= span]
        ax1.plot(shown[:, 0], [float(f(p)) for p in shown], "o-", ms=3, color="tab:red",
                 lw=0.8)
        ax1.set_xlabel("x")
        ax1.set_ylabel("f(x)")
    else:
        (xl, yl) = box
        plotting.contour(ax1, lambda X, Y: f(np.stack([X, Y])), xl, yl,
                         log=cfg.problem.function == "rosenbrock")
        shown = path[(np.abs(path[:, 0]) < 1e3) & (np.abs(path[:, 1]) < 1e3)]
        ax1.plot(shown[:, 0], shown[:, 1], ".-", color="tab:red", ms=3, lw=0.8)
        ax1.plot(*shown[0], "o", color="white", mec="k", label="start")
        ax1.plot(*shown[-1], "*", color="yellow", mec="k", ms=12, label="end")
        ax1.set_xlim(*xl)
        ax1.set_ylim(*yl)
        ax1.legend(fontsize=8, loc="upper right")
    ax1.set_title(title, fontsize=10)
    losses = np.asarray(losses, dtype=float)
    plotting.loss_curve(ax2, np.arange(len(losses)), losses,
                        log=cfg.problem.function != "saddle")
    ax2.set_title("f along the path", fontsize=10)
    ctx.save_figure(fig, "path")
