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
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
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


FORMULAS = {
    "parabola": r"f(x) = x^2, \qquad x_{t+1} = x_t - 2\alpha x_t = (1 - 2\alpha)\, x_t",
    "bowl": r"f(x, y) = x^2 + 5y^2, \qquad x_{t+1} = (1 - 2\alpha)\, x_t, \quad "
            r"y_{t+1} = (1 - 10\alpha)\, y_t",
    "rosenbrock": r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    "saddle": r"f(x, y) = x^2 - y^2, \qquad x_{t+1} = (1 - 2\alpha)\, x_t, \quad "
              r"y_{t+1} = (1 + 2\alpha)\, y_t",
}

STORY = {
    "parabola": "On f(x) = x² every step multiplies x by the same number 1 − 2α. When that "
                "factor lies between −1 and 1 the iterates shrink toward the minimum at 0; "
                "close to 1 (a small α) they shrink slowly, below 0 they flip sign every "
                "step, and beyond −1 (α > 1) they grow without bound.",
    "bowl": "The bowl x² + 5y² is five times steeper along y than along x, so one learning "
            "rate must suit two curvatures. Each step multiplies x by 1 − 2α and y by "
            "1 − 10α: for α below 0.1 both factors are positive and the path slides in; "
            "between 0.1 and 0.2 the y factor is negative and the path zig-zags across the "
            "steep axis; above 0.2 it diverges along y.",
    "rosenbrock": "Rosenbrock's function has a narrow curved valley whose floor falls very "
                  "gently toward the minimum at (1, 1). The walls are steep, so the gradient "
                  "there is large and the path drops quickly; on the floor the gradient is "
                  "small and the learning rate must stay small for the walls' sake, so "
                  "progress along the floor is slow. Momentum accumulates the small, "
                  "consistent gradient along the floor.",
    "saddle": "The saddle x² − y² curves up along x and down along y: the origin is a "
              "stationary point (zero gradient) but not a minimum. Gradient descent shrinks "
              "x by 1 − 2α per step and grows y by 1 + 2α, so a start close to the x axis "
              "first heads for the saddle, lingers while y is tiny, then slides off along y; "
              "the function has no minimum, and f keeps falling.",
}

TRY = {
    "parabola": (TryNext(("optimizer.lr=0.5",), "1 − 2α = 0: the first step lands exactly "
                         "on the minimum x = 0."),
                 TryNext(("optimizer.lr=0.9",), "1 − 2α = −0.8: x flips sign every step and "
                         "still shrinks toward 0."),
                 TryNext(("optimizer.lr=1.1",), "1 − 2α = −1.2: x flips sign and grows by "
                         "1.2× every step.")),
    "bowl": (TryNext(("optimizer.lr=0.15",), "1 − 10α = −0.5: y flips sign every step, so "
                     "the path zig-zags across the steep axis while x creeps in."),
             TryNext(("optimizer.lr=0.21",), "1 − 10α = −1.1: the zig-zag grows and the run "
                     "diverges along y."),
             TryNext(("optimizer.momentum=0.5",), "heavy-ball momentum: the path overshoots "
                     "and curls in toward the minimum.")),
    "rosenbrock": (TryNext(("optimizer.momentum=0.0", "train.steps=5000"), "no momentum: "
                           "the path stops much farther from (1, 1) after as many steps."),
                   TryNext(("optimizer.lr=0.002",), "a larger step with momentum: the path "
                           "overshoots the valley walls."),
                   TryNext(("train.steps=20000",), "a longer run: the path follows the "
                           "floor closer to (1, 1).")),
    "saddle": (TryNext(("problem.start=[1.5, 0.0]",), "starting exactly on the x axis: "
                       "y stays 0 and the path stops at the saddle point, where the gradient "
                       "is zero."),
               TryNext(("problem.start=[1.5, 0.000001]",), "a start closer to the axis: the "
                       "path lingers longer near the saddle before sliding off."),
               TryNext(("optimizer.lr=0.2",), "a larger step: the path leaves the saddle "
                       "sooner.")),
}


def lesson(cfg) -> Lesson:
    name = cfg.problem.function
    equations = [r"x_{t+1} = x_t - \alpha\, \nabla f(x_t)"]
    if cfg.optimizer.momentum:
        equations.append(r"v_{t+1} = \nabla f(x_t) + \mu\, v_t, \qquad "
                         r"x_{t+1} = x_t - \alpha\, v_{t+1}")
    equations.append(FORMULAS[name])
    return Lesson(
        title=f"Gradient descent on the {name}",
        chapter="optimization",
        concept="Gradient descent minimizes a function by repeatedly stepping against its "
                "gradient, the direction of steepest ascent. The learning rate α sets the "
                "step length: too small and progress crawls, too large and the steps "
                "overshoot and grow. With momentum μ each step also carries a share of the "
                "previous one.\n\n" + STORY[name],
        equations=tuple(equations),
        try_next=TRY[name],
        main_figure="path.png",
        headline="final_loss" if name == "saddle" else "distance_to_minimum",
    )


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
        _observe(ctx, cfg, exc.result.trace, exc.result.losses, minimizer, exc.step)
        raise
    path, losses = result.trace, result.losses
    _draw(ctx, cfg, f, box, path, losses)
    _observe(ctx, cfg, path, losses, minimizer, None)
    final = np.asarray(result.params)
    metrics = {"final_point": final.tolist(), "final_loss": float(losses[-1]),
               "initial_loss": float(losses[0]),
               "grad_norm": float(np.linalg.norm(_grad(f, final)))}
    if minimizer is not None:
        metrics["distance_to_minimum"] = float(np.linalg.norm(final - np.asarray(minimizer)))
    return metrics


def _observe(ctx, cfg, path, losses, minimizer, diverged_at):
    """What this run's path shows, each sentence with the check that makes it true."""
    name, a = cfg.problem.function, cfg.optimizer.lr
    path = np.asarray(path, float).reshape(len(path), -1)
    losses = np.asarray(losses, float)
    n = len(losses) - 1
    finite = losses[np.isfinite(losses)]
    if diverged_at is not None:
        k = int(diverged_at)
        ctx.observe(f"f grew from {fmt(losses[0])} to {fmt(float(np.max(finite)))} and "
                    f"overflowed at step {k}: the step is too large for this function.",
                    len(finite) >= 2 and finite[-1] > finite[0],
                    f"the run stopped at step {k} when f became infinite or undefined.")
    elif name != "saddle":
        d = float(np.linalg.norm(path[-1] - np.asarray(minimizer)))
        ctx.observe(f"f fell from {fmt(losses[0])} to {fmt(losses[-1])} in {n:,} steps; the "
                    f"last point is {fmt(d)} from the minimum {_point(minimizer)}.",
                    losses[-1] < losses[0],
                    f"f went from {fmt(losses[0])} to {fmt(losses[-1])} in {n:,} steps: it "
                    f"did not decrease.")
    momentum = bool(cfg.optimizer.momentum)
    if name in ("parabola", "bowl", "saddle") and not momentum:
        # The linear update: the coordinate with the largest |factor − 1| tells the story.
        col, factor, axis = {"parabola": (0, 1 - 2 * a, "x"), "bowl": (1, 1 - 10 * a, "y"),
                             "saddle": (1, 1 + 2 * a, "y")}[name]
        v = path[:, col]
        ok = np.isfinite(v[:-1]) & np.isfinite(v[1:]) & (np.abs(v[:-1]) > 1e-30) & \
            (np.abs(v[1:]) > 1e-30)
        ratios = v[1:][ok] / v[:-1][ok]
        if len(ratios):
            measured = float(np.median(ratios))
            ctx.observe(f"Each step multiplied {axis} by {fmt(measured)}, the factor "
                        f"{_factor_text(name)} = {fmt(factor)} that the update predicts.",
                        abs(measured - factor) <= 1e-3 * max(1.0, abs(factor)),
                        f"{axis} changed by a median factor of {fmt(measured)} per step, "
                        f"not the predicted {fmt(factor)}.")
            flips = int(np.sum(ratios < 0))
            if factor < 0:
                ctx.observe(f"{axis} changed sign at {flips} of the {len(ratios)} steps "
                            f"where it was non-zero: the path zig-zags across "
                            f"{'the minimum' if name == 'parabola' else 'the steep axis'}.",
                            flips == len(ratios),
                            f"{axis} changed sign at {flips} of {len(ratios)} steps.")
            elif name != "saddle":
                ctx.observe(f"{axis} never changed sign in {len(ratios)} steps: with "
                            f"{_factor_text(name)} = {fmt(factor)} > 0 the path comes in "
                            f"from one side, without zig-zagging.",
                            flips == 0, f"{axis} changed sign at {flips} of "
                            f"{len(ratios)} steps.")
    if name == "saddle" and diverged_at is None:
        dist = np.linalg.norm(path, axis=1)
        t = int(np.argmin(dist))
        ctx.observe(f"The path came closest to the saddle point (0, 0) at step {t} "
                    f"(distance {fmt(float(dist[t]))}, from {fmt(float(dist[0]))} at the "
                    f"start), then slid off along y: at step {n:,} |y| = "
                    f"{fmt(float(abs(path[-1, 1])))} and f = {fmt(losses[-1])}.",
                    0 < t < n and dist[-1] > 2 * dist[t],
                    f"the distance to the saddle point went from {fmt(float(dist[0]))} to "
                    f"{fmt(float(dist[-1]))} (closest at step {t}): within {n:,} steps the "
                    f"path did not both approach and leave it.")
    if name == "rosenbrock" and diverged_at is None:
        below = np.flatnonzero(losses < 1.0)
        k = int(below[0]) if len(below) else None
        ctx.observe(f"Down the wall: f fell from {fmt(losses[0])} to below 1 in the first "
                    f"{k} steps. Along the floor: the other {n - (k or 0):,} steps took it "
                    f"from 1 to {fmt(losses[-1])}.",
                    k is not None and k < 0.5 * n and losses[-1] < 1.0,
                    f"f went from {fmt(losses[0])} to {fmt(losses[-1])} in {n:,} steps"
                    + (f", first below 1 at step {k}." if k is not None else
                       ", never below 1."))


def _factor_text(name):
    return {"parabola": "1 − 2α", "bowl": "1 − 10α", "saddle": "1 + 2α"}[name]


def _point(p):
    if len(p) == 1:
        return f"x = {fmt(float(p[0]))}"
    return "(" + ", ".join(fmt(float(v)) for v in p) + ")"


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
        ax1.set_xlabel("x")
        ax1.set_ylabel("y")
        ax1.legend(fontsize=8, loc="upper right")
    ax1.set_title(title, fontsize=10)
    losses = np.asarray(losses, dtype=float)
    plotting.loss_curve(ax2, np.arange(len(losses)), losses,
                        log=cfg.problem.function != "saddle")
    ax2.set_ylabel("f at step t")
    ax2.set_title("f along the path", fontsize=10)
    ctx.save_figure(fig, "path", caption=f"Left: the path of gradient descent from "
                    f"{_point(path[0]) if len(path) else 'the start'}, α = "
                    f"{cfg.optimizer.lr:g}. Right: f at each step.")
