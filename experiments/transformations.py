"""2-D/3-D Transformation Visualizer: a shape before and after each matrix.

Scale, rotate, shear and reflect a 2-D shape, then apply them in sequence (the composed
matrix is the product, right-most applied first). Every panel shows det M beside the
measured area ratio: the determinant is the factor by which M scales areas, negative
when M flips orientation. The same sequence in the opposite order lands elsewhere, since
matrix products do not commute. In 3-D, rotations about the x, y and z axes turn a cube
without changing any length (det = 1).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from mlmath_jax import explorers, linalg, plotting
from mlmath_jax.runner.schema import Float, Str

DESCRIPTION = "scale, rotate, shear, reflect a shape; det as the area factor; 3-D rotations"

SHAPES = {
    # A closed polygon (first vertex not repeated); "house" is asymmetric on purpose so
    # reflections and rotations are visible.
    "house": [(0.0, 0.0), (1.0, 0.0), (1.0, 0.6), (0.5, 1.0), (0.0, 0.6), (0.0, 0.3),
              (-0.3, 0.3), (-0.3, 0.0)],
    "square": [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
    "letter_f": [(0.0, 0.0), (0.25, 0.0), (0.25, 0.45), (0.6, 0.45), (0.6, 0.65),
                 (0.25, 0.65), (0.25, 0.8), (0.75, 0.8), (0.75, 1.0), (0.0, 1.0)],
}

SCHEMA = {
    "shape": {"name": Str("house", choices=tuple(SHAPES), help="the 2-D shape drawn")},
    "transforms": {
        "scale_x": Float(1.5, help="scaling along x"),
        "scale_y": Float(0.75, help="scaling along y"),
        "angle_deg": Float(30.0, help="rotation angle in degrees (counter-clockwise)"),
        "shear": Float(0.6, help="shear factor k: x ← x + k·y"),
        "reflect": Str("y", choices=("x", "y", "y=x"), help="reflection line"),
    },
    "rotation3d": {
        "x_deg": Float(30.0, help="rotation about x, degrees"),
        "y_deg": Float(20.0, help="rotation about y, degrees"),
        "z_deg": Float(45.0, help="rotation about z, degrees"),
    },
}


def polygon_area(P: np.ndarray) -> float:
    """Signed area by the shoelace formula ½ Σ (xᵢyᵢ₊₁ − xᵢ₊₁yᵢ)."""
    x, y = P[:, 0], P[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def run(cfg, key, ctx):
    t = cfg.transforms
    dt = ctx.dtype
    shape = jnp.asarray(SHAPES[cfg.shape.name], dt)
    theta = math.radians(t.angle_deg)
    steps = {
        f"scale({t.scale_x:g}, {t.scale_y:g})": linalg.scale(jnp.asarray(t.scale_x, dt),
                                                             t.scale_y),
        f"rotate({t.angle_deg:g}°)": linalg.rotate(jnp.asarray(theta, dt)),
        f"shear({t.shear:g})": linalg.shear(jnp.asarray(t.shear, dt)),
        f"reflect({t.reflect})": linalg.reflect(t.reflect).astype(dt),
    }
    mats = list(steps.values())
    composed = linalg.compose(*reversed(mats))          # scale first, reflect last
    reverse = linalg.compose(*mats)                     # reflect first, scale last

    area0 = polygon_area(np.asarray(shape))
    rows, dets, ratios = [], {}, {}
    for i, (name, M) in enumerate([*steps.items(), ("composed", composed)]):
        det = float(jnp.linalg.det(M))
        ratio = polygon_area(np.asarray(linalg.apply(M, shape))) / area0
        dets[name], ratios[name] = det, ratio
        rows.append((name, M, det, ratio))
        ctx.log(i, det=det, signed_area_ratio=ratio)
    det_product = math.prod(dets[n] for n in steps)
    order_gap = float(jnp.max(jnp.abs(linalg.apply(composed, shape)
                                      - linalg.apply(reverse, shape))))

    # 3-D: rotations about each axis and their composition keep lengths.
    r3 = cfg.rotation3d
    R = linalg.compose(linalg.rotate_z(jnp.asarray(math.radians(r3.z_deg), dt)),
                       linalg.rotate_y(jnp.asarray(math.radians(r3.y_deg), dt)),
                       linalg.rotate_x(jnp.asarray(math.radians(r3.x_deg), dt)))
    cube = jnp.asarray([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], dt)
    cube = cube - jnp.full((1, 3), 0.5, dt)
    turned = linalg.apply(R, cube)
    length_err = float(jnp.max(jnp.abs(linalg.norm(turned) - linalg.norm(cube))))

    ctx.save_explorer("explore_matrix", explorers.transformation(start=linalg.shear(t.shear)),
                      "a 2×2 matrix: grid, square, circle, det, eigenpairs")
    _figure_2d(ctx, shape, rows)
    _figure_sequence(ctx, shape, steps, composed, reverse)
    _figure_3d(ctx, np.asarray(cube), np.asarray(turned), r3)
    ctx.print(f"composed det {dets['composed']:.4g} = product of dets {det_product:.4g}")
    return {
        "dets": dets,
        "signed_area_ratios": ratios,
        "max_det_area_mismatch": max(abs(dets[n] - ratios[n]) for n in dets),
        "composed_det_minus_product": abs(dets["composed"] - det_product),
        "order_matters_max_gap": order_gap,
        "rotation3d_det": float(jnp.linalg.det(R)),
        "rotation3d_max_length_change": length_err,
    }


def _draw(ax, P, **kw):
    P = np.asarray(P)
    closed = np.vstack([P, P[:1]])
    ax.fill(closed[:, 0], closed[:, 1], alpha=kw.pop("alpha", 0.35), **kw)
    ax.plot(closed[:, 0], closed[:, 1], color=kw.get("color"), lw=1)
    ax.plot(P[0, 0], P[0, 1], "o", color=kw.get("color"), ms=4)   # marks orientation


def _frame(ax):
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)


def _figure_2d(ctx, shape, rows):
    fig, axes = plotting.subplots(1, len(rows), size=(3.2, 3.4))
    for ax, (name, M, det, ratio) in zip(axes, rows, strict=True):
        _draw(ax, shape, color="tab:blue", label="before")
        _draw(ax, linalg.apply(M, shape), color="tab:orange", label="after")
        m = np.asarray(M)
        ax.set_title(f"{name}\n[[{m[0, 0]:.2f}, {m[0, 1]:.2f}], [{m[1, 0]:.2f}, "
                     f"{m[1, 1]:.2f}]]\ndet = {det:.3f}, area × {ratio:.3f}", fontsize=8)
        _frame(ax)
    axes[0].legend(fontsize=7, loc="lower right")
    ctx.save_figure(fig, "transforms_2d")


def _figure_sequence(ctx, shape, steps, composed, reverse):
    fig, axes = plotting.subplots(1, 2, size=(4.5, 4.2))
    ax = axes[0]
    P = shape
    _draw(ax, P, color="tab:blue")
    colors = ["tab:green", "tab:purple", "tab:brown", "tab:red"]
    for (name, M), c in zip(steps.items(), colors, strict=True):
        P = linalg.apply(M, P)
        _draw(ax, P, color=c, alpha=0.15)
        ax.annotate(name, np.asarray(P).mean(axis=0), fontsize=7, color=c)
    ax.set_title("applied one after another\n(dashed: the composed matrix at once)",
                 fontsize=9)
    Pc = np.vstack([np.asarray(linalg.apply(composed, shape))] * 1)
    ax.plot(*np.vstack([Pc, Pc[:1]]).T, "k--", lw=1)
    _frame(ax)
    ax = axes[1]
    _draw(ax, shape, color="tab:blue")
    _draw(ax, linalg.apply(composed, shape), color="tab:red")
    _draw(ax, linalg.apply(reverse, shape), color="tab:gray")
    ax.set_title("order matters: red = reflect·shear·rotate·scale,\n"
                 "gray = scale·rotate·shear·reflect", fontsize=9)
    _frame(ax)
    ctx.save_figure(fig, "composition")


def _figure_3d(ctx, cube, turned, r3):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(5, 5))
    ax = fig.add_subplot(projection="3d")
    edges = [(i, j) for i in range(8) for j in range(i + 1, 8)
             if np.sum(np.abs(cube[i] - cube[j])) == 1.0]
    for i, j in edges:
        ax.plot(*np.stack([cube[i], cube[j]]).T, color="tab:blue", lw=1)
        ax.plot(*np.stack([turned[i], turned[j]]).T, color="tab:orange", lw=1.5)
    ax.set_title(f"cube turned by R_z({r3.z_deg:g}°)·R_y({r3.y_deg:g}°)·R_x({r3.x_deg:g}°)"
                 "\nlengths kept, det = 1", fontsize=9)
    ax.set_box_aspect((1, 1, 1))
    ctx.save_figure(fig, "rotation_3d")
