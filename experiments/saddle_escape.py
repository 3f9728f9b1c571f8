"""Saddle escape: on f(x, y) = x² + y⁴/4 − y²/2, start a hair off the saddle's stable line
(y = offset) and watch plain gradient descent stall where momentum and Adam escape.

Near the saddle ∂f/∂y ≈ −y, so plain gradient descent grows y only by the factor (1 + α)
per step: from y₀ it needs about ln(0.5/y₀)/α steps to leave. Momentum multiplies the
effective step by up to 1/(1 − μ); Adam divides by √v̂ ≈ |g|, so its step in y is ≈ α
whatever the (tiny) gradient. All optimizers share one learning rate here, so the
difference is the update rule alone. Logged per step: each optimizer's f and |y|.
"""

from __future__ import annotations

import numpy as np

from mlmath_jax import plotting
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, List, Str
from mlmath_jax.surfaces import double_well_saddle

from . import _landscape as L

DESCRIPTION = "a saddle point where plain gradient descent stalls and momentum / Adam escape"

SCHEMA = {
    "problem": {
        "x0": Float(1.5, help="starting x"),
        "offset": Float(1e-4, min=0.0, help="starting y: distance from the saddle's line"),
        "escaped": Float(0.5, gt=0.0, lt=1.0, help="|y| beyond which a run has escaped"),
    },
    "optimizer": {
        "impl": L.IMPL,
        "lr": Float(0.01, gt=0.0, help="one learning rate for every optimizer"),
        "names": List(["gd", "momentum", "adam"], item=Str("adam", choices=tuple(L.LINEUP)),
                      min_len=1),
    },
    "train": {"steps": Int(300, min=1), "log_every": Int(10, min=1)},
}


NAMES = {"gd": "plain gradient descent", "momentum": "momentum", "nesterov": "Nesterov",
         "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}

LESSON = Lesson(
    title="Escaping a saddle point",
    chapter="optimization",
    concept="At a saddle point the gradient is zero although the point is not a minimum: "
            "the surface curves up in one direction and down in another. Here "
            "f(x, y) = x² + y⁴/4 − y²/2 has a saddle at the origin and minima at (0, ±1). "
            "A run that starts a tiny distance y₀ off the line y = 0 feels almost no push "
            "along y. Plain gradient descent grows y by only the factor 1 + α per step, so "
            "it needs about ln(0.5/y₀)/α steps to leave. Momentum builds up speed along the "
            "weak but steady push, and Adam divides by the size of the gradient, so its "
            "step along y is about α however small the gradient is. Every optimizer uses "
            "the same learning rate, so the difference is the update rule alone.",
    equations=(r"f(x, y) = x^2 + \frac{y^4}{4} - \frac{y^2}{2}",
               r"\frac{\partial f}{\partial y} = y^3 - y \approx -y \quad (|y| \ll 1)",
               r"y_{t+1} \approx (1 + \alpha)\, y_t \quad \Rightarrow \quad t_{\text{escape}}"
               r" \approx \frac{\ln(0.5 / y_0)}{\alpha}"),
    try_next=(
        TryNext(("train.steps=1200",), "a longer run: plain gradient descent escapes too, "
                "near step ln(0.5/y₀)/α."),
        TryNext(("problem.offset=0.01",), "a start farther from the saddle's line: every "
                "optimizer leaves sooner."),
        TryNext(("problem.offset=0.0",), "a start exactly on the line y = 0: the push along "
                "y is zero, and no optimizer leaves."),
    ),
    main_figure="saddle_escape.png",
    headline="escaped",
)


def run(cfg, key, ctx):
    start = (cfg.problem.x0, cfg.problem.offset)
    paths, metrics = {}, {}
    for label in cfg.optimizer.names:
        opt = L.make(label, cfg.optimizer.lr, cfg.optimizer.impl)
        path, losses, res = L.run_path(double_well_saddle, start, opt, cfg.train.steps,
                                       cfg.train.log_every, ctx.dtype)
        ctx.add_timing(res.compile_seconds, res.run_seconds, res.steps)
        paths[label] = path
        out = np.flatnonzero(np.abs(path[:, 1]) >= cfg.problem.escaped)
        metrics[f"{label}_escape_step"] = int(out[0]) if len(out) else None
        metrics[f"{label}_final_abs_y"] = float(abs(path[-1, 1]))
        metrics[f"{label}_final_f"] = float(losses[-1])
    steps = list(range(0, cfg.train.steps + 1, cfg.train.log_every))
    if steps[-1] != cfg.train.steps:
        steps.append(cfg.train.steps)
    for t in steps:
        record = {}
        for label, path in paths.items():
            if t < len(path):
                record[f"{label}_f"] = float(double_well_saddle(path[t]))
                record[f"{label}_abs_y"] = float(abs(path[t, 1]))
        ctx.log(t, **record)
    escaped = [k for k in cfg.optimizer.names if metrics[f"{k}_escape_step"] is not None]
    metrics["escaped"] = escaped
    ctx.print("escaped: " + (", ".join(f"{k} (step {metrics[f'{k}_escape_step']})"
                                       for k in escaped) or "none"))

    _observe(ctx, cfg, paths, metrics)

    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.5, 4.6))
    L.draw_paths(ax1, "saddle", paths, f"start ({cfg.problem.x0:g}, {cfg.problem.offset:g}), "
                 f"α = {cfg.optimizer.lr:g}")
    for label, path in paths.items():
        ax2.plot(np.arange(len(path)), np.maximum(np.abs(path[:, 1]), 1e-12), label=label)
    ax2.axhline(cfg.problem.escaped, color="k", ls="--", lw=1, label="escaped")
    ax2.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel("|y| (distance from the saddle's stable line)")
    ax2.grid(True, alpha=0.3)
    ax2.legend(fontsize=8)
    ctx.save_figure(fig, "saddle_escape", caption="Left: the paths from the start beside the "
                    "saddle point. Right: |y|, the distance from the saddle's line, on a log "
                    "axis; the dashed line marks the escape threshold.")
    return metrics


def _observe(ctx, cfg, paths, metrics):
    n, a, y0, out = cfg.train.steps, cfg.optimizer.lr, cfg.problem.offset, cfg.problem.escaped
    names = cfg.optimizer.names
    esc = {k: metrics[f"{k}_escape_step"] for k in names}
    left = [f"{NAMES[k]} at step {s}" for k, s in esc.items() if s is not None]
    stayed = [NAMES[k] for k, s in esc.items() if s is None]
    ctx.observe(f"Within {n:,} steps {', '.join(left) or 'no optimizer'} reached |y| ≥ "
                f"{out:g}; {', '.join(stayed) or 'none'} stayed closer to the saddle's line.",
                bool(left), f"No optimizer reached |y| ≥ {out:g} within {n:,} steps.")
    if "gd" in paths and y0 > 0:
        y = np.abs(paths["gd"][:, 1])
        near = np.flatnonzero(y < 0.1)   # where ∂f/∂y ≈ −y holds to 1 %
        t = int(near[-1]) if len(near) else 0
        if t > 0:
            grew, predicted = float(y[t] / y[0]), float((1 + a) ** t)
            ctx.observe(f"While |y| < 0.1, plain gradient descent grew y by the factor "
                        f"{fmt(grew)} in {t} steps; (1 + α)^{t} = {fmt(predicted)}.",
                        abs(grew / predicted - 1) < 0.05,
                        f"plain gradient descent grew y by {fmt(grew)} in {t} steps, not the "
                        f"(1 + α)^{t} = {fmt(predicted)} of the linear estimate.")
        if esc["gd"] is None:
            est = float(np.log(out / y0) / a)
            ctx.observe(f"Plain gradient descent ended at |y| = {fmt(float(y[-1]))}, still "
                        f"stalled: the estimate ln({out:g}/y₀)/α = {est:,.0f} steps is more "
                        f"than this run's {n:,}.", est > n,
                        f"plain gradient descent had not escaped after {n:,} steps although "
                        f"the estimate ln({out:g}/y₀)/α is {est:,.0f} steps.")
