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
from mlmath_jax.runner.schema import Float, Int, Str

from . import _landscape as L

DESCRIPTION = "several starts: one minimum on a convex bowl, different minima on Himmelblau"

SCHEMA = {
    "problem": {
        "starts": Int(8, min=1, max=64, help="number of starting points, on a circle"),
        "radius": Float(4.5, gt=0.0, help="radius of the circle of starting points"),
        "jitter": Float(0.0, min=0.0, help="random offset added to each start (seeded)"),
    },
    "optimizer": {
        "impl": L.IMPL,
        "name": Str("momentum", choices=tuple(L.LINEUP)),
        "lr": Float(0.002, gt=0.0),
    },
    "train": {"steps": Int(1000, min=1), "log_every": Int(50, min=1)},
}

SURFACES = ("bowl", "himmelblau")


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

    fig, axes = plotting.subplots(1, 2, size=(5.2, 4.8))
    for ax, surface in zip(axes, SURFACES, strict=True):
        trace = np.asarray(results[surface].trace, float)  # (steps + 1, k, 2)
        paths = {f"start {i}": trace[:, i, :] for i in range(k)}
        box = ((-6.0, 6.0), (-6.0, 6.0))
        n = metrics[f"{surface}_minima_reached"]
        word = "minimum" if n == 1 else "minima"
        L.draw_paths(ax, surface, paths, f"{surface}: {k} starts → {n} {word}", box=box)
        ax.get_legend().remove()
    ctx.save_figure(fig, "starts_and_minima")
    return metrics
