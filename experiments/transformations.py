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

from mlmath_jax import explorers, linalg
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
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

LESSON = Lesson(
    title="Linear transformations",
    chapter="linear algebra",
    concept="""A 2×2 matrix moves every point of the plane: scaling stretches the axes,
rotation turns, shear slides rows sideways, and reflection mirrors. Straight lines stay
straight and the origin stays put.

The determinant of the matrix is the factor by which it multiplies areas, and it is
negative when the map flips the shape over. Doing one map after another is the same as
applying the product of their matrices, with the right-most matrix acting first; in
general the order matters, since AB and BA differ. A rotation in 3-D keeps every length,
and its determinant is 1.""",
    equations=(r"R(\theta) = \begin{pmatrix} \cos\theta & -\sin\theta \\ "
               r"\sin\theta & \cos\theta \end{pmatrix} \quad "
               r"\begin{pmatrix} 1 & k \\ 0 & 1 \end{pmatrix}",
               r"\operatorname{area}(M S) = |\det M| \, \operatorname{area}(S)",
               r"\det(AB) = \det A \, \det B \quad AB \neq BA"),
    try_next=(
        TryNext(("transforms.scale_x=2.0", "transforms.scale_y=0.5"),
                "a scaling with det = 1: the shape is reshaped but its area is kept"),
        TryNext(("transforms.angle_deg=90.0", "transforms.shear=0.0"),
                "a quarter turn and no shear: the rotation panel shows the shape turned on "
                "its side, and the shear panel leaves it as it was (det 1)"),
        TryNext(("shape.name=letter_f", "transforms.reflect=y=x"),
                "an F mirrored across the line y = x: a mirror image, with a negative "
                "det"),
    ),
    main_figure="transforms_2d.png",
    headline="max_det_area_mismatch",
)

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
    _observe(ctx, dets, ratios, det_product, order_gap, float(jnp.linalg.det(R)),
             length_err, steps)
    return {
        "dets": dets,
        "signed_area_ratios": ratios,
        "max_det_area_mismatch": max(abs(dets[n] - ratios[n]) for n in dets),
        "composed_det_minus_product": abs(dets["composed"] - det_product),
        "order_matters_max_gap": order_gap,
        "rotation3d_det": float(jnp.linalg.det(R)),
        "rotation3d_max_length_change": length_err,
    }


def _observe(ctx, dets, ratios, det_product, order_gap, det3, length_err, steps):
    tol = 1e-4 if np.dtype(ctx.dtype) == np.float32 else 1e-10
    worst = max(abs(dets[n] - ratios[n]) for n in dets)
    ctx.observe("For every matrix the determinant is the factor by which the area changed: "
                + "; ".join(f"{n}: det {fmt(dets[n])}, area × {fmt(ratios[n])}"
                            for n in dets) + f" (largest mismatch {fmt(worst)}).",
                worst <= tol * (1 + max(abs(d) for d in dets.values())),
                f"The determinants and the measured area ratios differ by up to {fmt(worst)}.")
    flips = [n for n in steps if dets[n] < 0]
    if flips:
        ctx.observe(f"{', '.join(flips)} has a negative determinant "
                    f"({', '.join(fmt(dets[n]) for n in flips)}): it flips the shape over.",
                    all(ratios[n] < 0 for n in flips),
                    "A negative determinant did not come with a flipped (negative) area.")
    ctx.observe(f"The composed matrix has det {fmt(dets['composed'])}, the product of the "
                f"four determinants ({fmt(det_product)}).",
                abs(dets["composed"] - det_product) <= tol * (1 + abs(det_product)),
                f"The composed det {fmt(dets['composed'])} differs from the product of the "
                f"dets, {fmt(det_product)}.")
    ctx.observe(f"Applying the same four matrices in the opposite order moves a vertex by up "
                f"to {fmt(order_gap)}: the order of matrix products matters.",
                order_gap > 10 * tol,
                f"Both orders give the same shape here (largest difference "
                f"{fmt(order_gap)}): these four matrices happen to commute.")
    ctx.observe(f"The 3-D rotation has det {fmt(det3)} and changes no corner's distance from "
                f"the centre by more than {fmt(length_err)}.",
                abs(det3 - 1) <= tol and length_err <= tol,
                f"The 3-D rotation has det {fmt(det3)} and changes a length by "
                f"{fmt(length_err)}.")


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


def _limits(*shapes):
    pts = np.vstack([np.asarray(P) for P in shapes])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    c, r = (lo + hi) / 2, 0.55 * float(np.max(hi - lo)) + 0.1
    return (c[0] - r, c[0] + r), (c[1] - r, c[1] + r)


def _figure_2d(ctx, shape, rows):
    import matplotlib.pyplot as plt

    cols = 3
    nrows = -(-len(rows) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(3.3 * cols, 3.6 * nrows),
                             layout="constrained", squeeze=False)
    moved = [linalg.apply(M, shape) for _, M, _, _ in rows]
    xlim, ylim = _limits(shape, *moved)
    flat = axes.ravel()
    for ax, (name, M, det, ratio), P in zip(flat, rows, moved, strict=False):
        _draw(ax, shape, color="tab:blue", label="before")
        _draw(ax, P, color="tab:orange", label="after")
        m = np.asarray(M)
        ax.set_title(f"{name}\nM = [[{m[0, 0]:.2f}, {m[0, 1]:.2f}], [{m[1, 0]:.2f}, "
                     f"{m[1, 1]:.2f}]]\ndet = {det:.3f}, area × {ratio:.3f}", fontsize=9)
        _frame(ax)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("x", fontsize=8)
        ax.set_ylabel("y", fontsize=8)
    for ax in flat[len(rows):]:
        ax.axis("off")
    handles, labels = flat[0].get_legend_handles_labels()
    keep = {lab: h for h, lab in zip(handles, labels, strict=True)}
    if len(rows) < len(flat):
        flat[-1].legend(keep.values(), keep.keys(), loc="center", fontsize=10,
                        title="the shape (dot: first corner)")
    else:
        fig.legend(keep.values(), keep.keys(), loc="outside lower center", ncol=2)
    ctx.save_figure(fig, "transforms_2d", caption="Each matrix applied to the shape, all "
                    "panels on the same axes; the title gives M, its determinant and the "
                    "signed area ratio measured on the shape.")


def _figure_sequence(ctx, shape, steps, composed, reverse):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 5.6), layout="constrained")
    ax = axes[0]
    P = shape
    _draw(ax, P, color="tab:blue", label="start")
    colors = ["tab:green", "tab:purple", "tab:brown", "tab:red"]
    stages = [shape]
    for k, ((name, M), c) in enumerate(zip(steps.items(), colors, strict=True), 1):
        P = linalg.apply(M, P)
        stages.append(P)
        _draw(ax, P, color=c, alpha=0.15, label=f"{k}. after {name}")
    Pc = np.asarray(linalg.apply(composed, shape))
    ax.plot(*np.vstack([Pc, Pc[:1]]).T, "k--", lw=1, label="composed matrix at once")
    ax.set_title("the steps applied one after another", fontsize=10)
    _frame(ax)
    ax.set_xlim(*_limits(*stages)[0])
    ax.set_ylim(*_limits(*stages)[1])
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    ax = axes[1]
    Pr = linalg.apply(reverse, shape)
    _draw(ax, shape, color="tab:blue", label="start")
    _draw(ax, Pc, color="tab:red", label="reflect·shear·rotate·scale (scale first)")
    _draw(ax, Pr, color="tab:gray", label="scale·rotate·shear·reflect (reflect first)")
    ax.set_title("the same four matrices in the opposite order", fontsize=10)
    _frame(ax)
    ax.set_xlim(*_limits(shape, Pc, Pr)[0])
    ax.set_ylim(*_limits(shape, Pc, Pr)[1])
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    for ax in axes:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    ctx.save_figure(fig, "composition", caption="Left: the shape after each step in turn; "
                    "the dashed outline is the composed matrix applied at once. Right: the "
                    "two orders of the same product.")


def _figure_3d(ctx, cube, turned, r3):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(5, 5))
    ax = fig.add_subplot(projection="3d")
    edges = [(i, j) for i in range(8) for j in range(i + 1, 8)
             if np.sum(np.abs(cube[i] - cube[j])) == 1.0]
    for i, j in edges:
        ax.plot(*np.stack([cube[i], cube[j]]).T, color="tab:blue", lw=1)
        ax.plot(*np.stack([turned[i], turned[j]]).T, color="tab:orange", lw=1.5)
    ax.set_title(f"cube (blue) turned by R_z({r3.z_deg:g}°)·R_y({r3.y_deg:g}°)·"
                 f"R_x({r3.x_deg:g}°) (orange)", fontsize=9)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("z")
    ax.set_box_aspect((1, 1, 1))
    ctx.save_figure(fig, "rotation_3d", caption="A unit cube centred at the origin (blue) "
                    "and the same cube after the three rotations (orange).")
