"""Shared pieces of the loss-landscape experiments (optimizer_race, convex_vs_nonconvex,
saddle_escape): their view of the test surfaces of :mod:`mlmath_jax.surfaces` (start and
plot box), the optimizer line-up, and path plots.

Not an experiment itself (the leading underscore keeps it out of ``mlmath list``).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mlmath_jax import optim, plotting, train
from mlmath_jax.runner.schema import Float, Str
from mlmath_jax.surfaces import SURFACES as _LIB

# name: (function, default start, minimizers, plot box, log-scale contours)
# ("saddle" here is the double-well saddle, which has minima to reach.)
_VIEW = {   # name: (library surface, default start, plot box, log-scale contours)
    "rosenbrock": ("rosenbrock", (-1.5, 2.0), ((-2.0, 2.0), (-1.0, 3.0)), True),
    "beale": ("beale", (1.0, 1.5), ((-1.0, 4.0), (-1.5, 2.5)), True),
    "saddle": ("double_well_saddle", (1.5, 1e-3), ((-2.0, 2.0), (-1.6, 1.6)), False),
    "himmelblau": ("himmelblau", (0.0, 0.0), ((-5.0, 5.0), (-5.0, 5.0)), True),
    "bowl": ("bowl", (-4.0, 2.0), ((-5.0, 5.0), (-5.0, 5.0)), False),
}
SURFACES = {name: (_LIB[lib].fn, start, [tuple(m) for m in _LIB[lib].minima], box, log)
            for name, (lib, start, box, log) in _VIEW.items()}

# The line-up: label -> (optimizer name, extra keyword arguments).
LINEUP = {
    "gd": ("sgd", {}),
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("adagrad", {}),
    "rmsprop": ("rmsprop", {}),
    "adam": ("adam", {}),
}

IMPL = Str("handwritten", choices=optim.IMPLS,
           help="'handwritten' (mlmath_jax.optim) or 'optax' (the reference)")
LR_SCALE = Float(1.0, gt=0.0, help="multiplies every optimizer's tuned learning rate")


def make(label: str, lr: float, impl: str):
    """The optimizer called ``label`` in :data:`LINEUP`."""
    name, kwargs = LINEUP[label]
    return optim.by_name(name, lr, impl=impl, **kwargs)


def run_path(f, start, optimizer, steps, log_every, dtype):
    """Minimize f from ``start``; returns (path (steps + 1, 2), losses (steps + 1,),
    FitResult). A diverging run keeps its finite prefix."""
    from mlmath_jax.errors import Diverged

    x0 = jnp.asarray(start, dtype)
    try:
        res = train.fit(f, x0, optimizer, steps=steps, log_every=log_every,
                        record_params=True)
        return np.asarray(res.trace, float), np.asarray(res.losses, float), res
    except Diverged as exc:
        r = exc.result
        path = np.asarray(r.trace, float) if r.trace is not None else np.asarray([start])
        return path, np.asarray(r.losses, float), r


def draw_paths(ax, surface: str, paths: dict, title: str = "", box=None):
    """Contours of a surface with one path per optimizer, start and end marked."""
    f, _, minima, default_box, log = SURFACES[surface]
    (xl, yl) = box or default_box
    plotting.contour(ax, lambda X, Y: f(np.stack([X, Y])), xl, yl, log=log)
    for label, path in paths.items():
        path = path[np.all(np.isfinite(path), axis=1)]
        path = path[(np.abs(path[:, 0]) < 1e3) & (np.abs(path[:, 1]) < 1e3)]
        if len(path) == 0:
            continue
        line, = ax.plot(path[:, 0], path[:, 1], "-", lw=1.2, label=label)
        ax.plot(*path[-1], "o", color=line.get_color(), mec="k", ms=5)
    starts = {tuple(np.round(p[0], 9)) for p in paths.values() if len(p)}
    for i, s0 in enumerate(sorted(starts)):
        ax.plot(*s0, "s", color="white", mec="k", ms=7, label="start" if i == 0 else None)
    for m in minima:
        ax.plot(*m, "*", color="yellow", mec="k", ms=13)
    ax.set_xlim(*xl)
    ax.set_ylim(*yl)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or surface, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")


def distance_to_nearest_minimum(point, surface: str) -> float:
    minima = np.asarray(SURFACES[surface][2])
    return float(np.min(np.linalg.norm(minima - np.asarray(point)[None, :], axis=1)))
