"""Convex against non-convex: the same optimizer from several starting points on a convex
bowl (every start reaches the one minimum) and on Himmelblau's function (four minima:
where you start decides where you end).

All starts run together: the parameters are a (k, 2) array and the loss is Σᵢ f(pᵢ),
whose gradient is row by row ∇f(pᵢ), so one compiled ``train.fit`` moves k independent
points (every optimizer here is element-wise). Logged per step: the mean f over the
starts, per surface.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import plotting, train
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Str

from . import _landscape as L

DESCRIPTION = "several starts: one minimum on a convex bowl, different minima on Himmelblau"

SCHEMA = {
    "problem": {
        "starts": Int(8, min=1, max=64, help="number of starting points, on a circle"),
        "radius": Float(4.5, gt=0.0, help="radius of the circle of starting points"),
        "jitter": Float(0.0, min=0.0, help="random offset added to each start (drawn from the "
                                               "run's random key)"),
    },
    "optimizer": {
        "impl": L.IMPL,
        "name": Str("momentum", choices=tuple(L.LINEUP)),
        "lr": Float(0.002, gt=0.0),
    },
    "train": {"steps": Int(1000, min=1), "log_every": Int(50, min=1)},
}

SURFACES = ("bowl", "himmelblau")

LESSON = Lesson(
    title="Convex against non-convex",
    chapter="optimization",
    concept="A function is convex when the straight line between any two points of its "
            "graph lies on or above the graph. A convex function has no local minima other "
            "than its global minimum, so gradient descent reaches the same answer from any "
            "start. A non-convex function can have several minima, and which one a run ends "
            "in depends on where it starts. The same optimizer runs here from points on a "
            "circle, on the convex bowl x² + 5y² and on Himmelblau's function, which has four "
            "minima.",
    equations=(r"f(\lambda a + (1 - \lambda) b) \le \lambda f(a) + (1 - \lambda) f(b), "
               r"\quad 0 \le \lambda \le 1",
               r"f_{\text{bowl}}(x, y) = x^2 + 5y^2",
               r"f_{\text{Himmelblau}}(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2"),
    try_next=(
        TryNext(("problem.starts=3",), "three starts: at most three of Himmelblau's four "
                "minima can be reached."),
        TryNext(("problem.starts=32",), "32 starts on the circle: the paths show which "
                "region of starts leads to which minimum."),
        TryNext(("problem.jitter=1.0",), "starts moved at random off the circle."),
    ),
    main_figure="starts_and_minima.png",
    headline="himmelblau_minima_reached",
)


def starting_points(k: int, radius: float, jitter: float, key) -> np.ndarray:
    """k points on a circle (offset by half a step so none sits on an axis)."""
    angles = 2 * np.pi * (np.arange(k) + 0.5) / k
    pts = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    if jitter:
        pts = pts + jitter * np.asarray(jax.random.normal(key, (k, 2)))
    return pts


def run(cfg, key, ctx):
    starts = starting_points(cfg.problem.starts, cfg.problem.radius, cfg.problem.jitter, key)
    metrics, results = {}, {}
    for surface in SURFACES:
        f = L.SURFACES[surface][0]
        total = lambda P, f=f: jnp.sum(jax.vmap(f)(P))
        opt = L.make(cfg.optimizer.name, cfg.optimizer.lr, cfg.optimizer.impl)
        res = train.fit(total, jnp.asarray(starts, ctx.dtype), opt, steps=cfg.train.steps,
                        log_every=cfg.train.log_every, record_params=True)
        ctx.add_timing(res.compile_seconds, res.run_seconds, res.steps)
        results[surface] = res
        final = np.asarray(res.params, float)
        minima = np.asarray(L.SURFACES[surface][2])
        dist = np.linalg.norm(final[:, None, :] - minima[None, :, :], axis=2)
        nearest = np.argmin(dist, axis=1)
        reached = np.min(dist, axis=1) < 1e-2
        metrics[f"{surface}_minima_reached"] = int(len(set(nearest[reached].tolist())))
        metrics[f"{surface}_starts_converged"] = int(reached.sum())
        metrics[f"{surface}_final_f_max"] = float(np.max(jax.vmap(f)(jnp.asarray(final))))
        metrics[f"{surface}_assignment"] = [int(i) if r else None
                                            for i, r in zip(nearest, reached, strict=True)]
    k = cfg.problem.starts
    for t in range(0, cfg.train.steps + 1, cfg.train.log_every):
        ctx.log(t, **{f"{s}_mean_f": float(results[s].losses[t]) / k for s in SURFACES})
    if cfg.train.steps % cfg.train.log_every:
        t = cfg.train.steps
        ctx.log(t, **{f"{s}_mean_f": float(results[s].losses[t]) / k for s in SURFACES})
    ctx.print(f"minima reached: bowl {metrics['bowl_minima_reached']}, "
              f"himmelblau {metrics['himmelblau_minima_reached']}")

    n = cfg.train.steps
    bc, hc = metrics["bowl_starts_converged"], metrics["himmelblau_starts_converged"]
    ctx.observe(f"On the convex bowl all {k} starts ended within 0.01 of its one minimum "
                f"(0, 0) after {n:,} steps (largest final f: "
                f"{fmt(metrics['bowl_final_f_max'])}).", bc == k,
                f"On the convex bowl {bc} of {k} starts came within 0.01 of the minimum "
                f"(0, 0) in {n:,} steps (largest final f: "
                f"{fmt(metrics['bowl_final_f_max'])}).")
    counts = np.bincount([i for i in metrics["himmelblau_assignment"] if i is not None],
                         minlength=4)
    minima = L.SURFACES["himmelblau"][2]
    split = ", ".join(f"{c} at ({fmt(float(m[0]))}, {fmt(float(m[1]))})"
                      for c, m in zip(counts, minima, strict=True) if c)
    hm = metrics["himmelblau_minima_reached"]
    ctx.observe(f"On Himmelblau's function the {hc} starts that converged ended in {hm} "
                f"different minima: {split}.", hc > 0 and hm >= 2,
                f"On Himmelblau's function {hc} of {k} starts converged, into {hm} "
                f"minimum(s)" + (f": {split}." if split else "."))

    fig, axes = plotting.subplots(1, 2, size=(5.2, 4.8))
    for ax, surface in zip(axes, SURFACES, strict=True):
        trace = np.asarray(results[surface].trace, float)  # (steps + 1, k, 2)
        paths = {f"start {i}": trace[:, i, :] for i in range(k)}
        box = ((-6.0, 6.0), (-6.0, 6.0))
        n = metrics[f"{surface}_minima_reached"]
        word = "minimum" if n == 1 else "minima"
        L.draw_paths(ax, surface, paths, f"{surface}: {k} starts → {n} {word}", box=box)
        ax.get_legend().remove()
    ctx.save_figure(fig, "starts_and_minima", caption=f"The paths of {k} starts on each "
                    "surface; stars mark the minima.")
    return metrics
