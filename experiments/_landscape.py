"""Shared pieces of the loss-landscape experiments (optimizer_race, convex_vs_nonconvex,
saddle_escape): the test surfaces, the optimizer line-up, and path plots.

Not an experiment itself (the leading underscore keeps it out of ``mlmath list``).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mlmath_jax import optim, plotting, train
from mlmath_jax.runner.schema import Float, Str

from .gradient_descent import bowl, rosenbrock


def beale(p):
    """f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum 0 at
    (3, 0.5), flat plateaus and steep walls."""
    x, y = p[0], p[1]
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def double_well_saddle(p):
    """f(x, y) = x² + y⁴/4 − y²/2: a saddle at the origin (f = 0) between two minima
    (0, ±1) with f = −1/4. Along y = 0 the gradient has no y-component, so a start close
    to that line sits near the saddle for a long time under plain gradient descent."""
    x, y = p[0], p[1]
    return x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def himmelblau(p):
    """f(x, y) = (x² + y − 11)² + (x + y² − 7)²: non-convex with four minima (f = 0) at
    (3, 2), (−2.805, 3.131), (−3.779, −3.283), (3.584, −1.848)."""
    x, y = p[0], p[1]
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def tilted_bowl(p):
    """f(x, y) = x² + 5y² (convex: one minimum, every start ends there)."""
    return bowl(p)


# name: (function, default start, minimizers, plot box, log-scale contours)
SURFACES = {
    "rosenbrock": (rosenbrock, (-1.5, 2.0), [(1.0, 1.0)], ((-2.0, 2.0), (-1.0, 3.0)), True),
    "beale": (beale, (1.0, 1.5), [(3.0, 0.5)], ((-1.0, 4.0), (-1.5, 2.5)), True),
    "saddle": (double_well_saddle, (1.5, 1e-3), [(0.0, 1.0), (0.0, -1.0)],
               ((-2.0, 2.0), (-1.6, 1.6)), False),
    "himmelblau": (himmelblau, (0.0, 0.0),
                   [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                    (3.584428, -1.848126)], ((-5.0, 5.0), (-5.0, 5.0)), True),
    "bowl": (tilted_bowl, (-4.0, 2.0), [(0.0, 0.0)], ((-5.0, 5.0), (-5.0, 5.0)), False),
}

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
