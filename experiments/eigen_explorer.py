"""Eigenvalue/Eigenvector Explorer: Av = λv, seen and computed.

* A 2×2 matrix maps the unit circle to an ellipse; its eigenvectors are the directions
  it only stretches (by λ), drawn on top.
* Power iteration finds the dominant eigenpair; deflation finds the next ones. Both are
  checked against ``jnp.linalg.eigh``, with trace = Σλ and det = Πλ.
* Repeated multiplication: with |λ| > 1 the iterates Aᵗx grow like |λ₁|ᵗ, with every
  |λ| < 1 they shrink to 0 — why repeated products explode or vanish (stability).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import algebra, explorers, linalg, plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, List

DESCRIPTION = "eigenvectors of a 2×2 matrix, power iteration vs eigh, |λ|>1 vs |λ|<1"

LESSON = Lesson(
    title="Eigenvalues and eigenvectors",
    chapter="linear algebra",
    concept="""An eigenvector of a matrix A is a direction that A only stretches: Av = λv,
and the stretch factor λ is its eigenvalue. A 2×2 matrix turns the unit circle into an
ellipse, and for a symmetric matrix the eigenvectors point along the ellipse's axes.
The eigenvalues add up to the trace and multiply to the determinant.

Multiplying a vector by A again and again lines it up with the eigenvector of the
largest |λ| — this is power iteration — and its length grows or shrinks like |λ|ᵗ. So a
product of many copies of A explodes when the largest |λ| is above 1 and vanishes when
every |λ| is below 1, the root of exploding and vanishing gradients.""",
    equations=(r"A v = \lambda v",
               r"\operatorname{tr} A = \sum_i \lambda_i \quad \det A = \prod_i \lambda_i",
               r"v_{t+1} = \frac{A v_t}{\lVert A v_t \rVert} \quad "
               r"\lVert A^t x \rVert \approx c \, |\lambda_1|^t"),
    try_next=(
        TryNext(("matrix.entries=[0.0, -1.0, 1.0, 0.0]",),
                "a quarter-turn rotation: complex eigenvalues ±i, so no real direction is "
                "only stretched, and power iteration does not settle"),
        TryNext(("matrix.entries=[2.0, 1.0, 1.0, 1.9]",),
                "eigenvalues 2.95 and 0.95: the eigenvectors tilt a little away from the "
                "diagonals"),
        TryNext(("repeat.shrink=0.95", "repeat.steps=60"),
                "a spectral radius just below 1: the shrinking iterates fade slowly"),
    ),
    main_figure="circle_to_ellipse.png",
    headline="deflation_vs_eigh_max_abs_err",
)

SCHEMA = {
    "matrix": {
        "entries": List([2.0, 1.0, 1.0, 2.0], item=Float(0.0), min_len=4, max_len=4,
                        help="the 2×2 matrix, row by row [a, b, c, d]"),
    },
    "power": {
        "num_iters": Int(500, min=1, help="power-iteration cap"),
        "tol": Float(1e-5, gt=0.0, help="residual tolerance ‖Av − λv‖ / scale"),
    },
    "random": {
        "n": Int(8, min=2, max=200, help="size of a random symmetric matrix to check"),
        "k": Int(3, min=1, help="eigenpairs found by deflation"),
    },
    "repeat": {
        "steps": Int(12, min=1, max=200, help="times the matrix is applied"),
        "shrink": Float(0.6, gt=0.0, lt=1.0,
                        help="spectral radius of the shrinking example"),
    },
}


def check(cfg):
    if cfg.random.k > cfg.random.n:
        raise ConfigError(f"random.k = {cfg.random.k} must be <= random.n = {cfg.random.n}")
    if not np.isfinite(np.linalg.det(np.reshape(cfg.matrix.entries, (2, 2)))):
        raise ConfigError("matrix.entries must be finite")


def run(cfg, key, ctx):
    dt = ctx.dtype
    A = jnp.asarray(cfg.matrix.entries, dt).reshape(2, 2)
    ctx.save_explorer("explore_power", explorers.power_iteration(A, steps=30),
                      "power iteration, step by step")
    info = linalg.power_iteration(key, A, num_iters=cfg.power.num_iters, tol=cfg.power.tol)
    w_np, V_np = np.linalg.eig(np.asarray(A, np.float64))
    real = bool(np.all(np.abs(np.imag(w_np)) < 1e-12))
    metrics = {
        "power_eigenvalue": float(info.eigenvalue),
        "power_converged": bool(info.converged),
        "power_iterations": int(info.iterations),
        "power_residual": float(info.residual),
        "eigenvalues_numpy": [complex(x).real if real else str(complex(x)) for x in w_np],
        "trace_minus_sum_eigenvalues": abs(float(jnp.trace(A)) - float(np.sum(w_np).real)),
        "det_minus_product_eigenvalues": abs(float(algebra.det(A))
                                             - float(np.prod(w_np).real)),
    }
    if real:
        dom = float(np.real(w_np[np.argmax(np.abs(w_np))]))
        metrics["power_vs_numpy_abs_err"] = abs(float(info.eigenvalue) - dom)

    # A random symmetric matrix: deflation's top k against eigh.
    n, k = cfg.random.n, cfg.random.k
    B = jax.random.normal(jax.random.fold_in(key, 1), (n, n), dt)
    S = (B + B.T) / 2.0
    lams, vecs = linalg.top_eigenpairs(jax.random.fold_in(key, 2), S, k,
                                       num_iters=20 * cfg.power.num_iters, tol=cfg.power.tol)
    w, _ = jnp.linalg.eigh(S)
    ref = w[jnp.argsort(-jnp.abs(w))][:k]
    metrics.update({
        "deflation_eigenvalues": np.asarray(lams).tolist(),
        "eigh_eigenvalues": np.asarray(ref).tolist(),
        "deflation_vs_eigh_max_abs_err": float(jnp.max(jnp.abs(lams - ref))),
        "deflation_max_residual": float(jnp.max(linalg.norm((S @ vecs - vecs * lams[None, :]).T))),
        "random_trace_minus_sum": abs(float(jnp.trace(S) - jnp.sum(w))),
        "random_det_rel_err": abs(float(algebra.det(S) - jnp.prod(w)))
        / max(abs(float(jnp.prod(w))), 1e-30),
    })
    for i, (a, b) in enumerate(zip(np.asarray(lams), np.asarray(ref), strict=True)):
        ctx.log(i, deflation_eigenvalue=float(a), eigh_eigenvalue=float(b))

    _figure_ellipse(ctx, np.asarray(A, np.float64), w_np, V_np, real, info)
    growth = _figure_repeat(ctx, np.asarray(A, np.float64), cfg.repeat.steps,
                            cfg.repeat.shrink)
    metrics.update(growth)
    _observe(ctx, metrics, real, cfg, float(np.linalg.norm([1.0, 0.3])))
    return metrics


def _observe(ctx, m, real, cfg, norm0):
    f32 = np.dtype(ctx.dtype) == np.float32
    tol = 1e-4 if f32 else 1e-9
    if real:
        err = m["power_vs_numpy_abs_err"]
        ctx.observe(f"Power iteration found the dominant eigenvalue λ = "
                    f"{fmt(m['power_eigenvalue'])} in {m['power_iterations']} steps; "
                    f"numpy.linalg.eig gives {fmt(m['eigenvalues_numpy'])} (difference "
                    f"{fmt(err)}).", m["power_converged"] and err <= 10 * cfg.power.tol * (
                        1 + abs(m["power_eigenvalue"])),
                    f"Power iteration stopped at λ = {fmt(m['power_eigenvalue'])} after "
                    f"{m['power_iterations']} steps, {fmt(err)} from numpy's dominant "
                    f"eigenvalue{'' if m['power_converged'] else ' (it did not converge)'}.")
    else:
        ctx.observe(f"The eigenvalues are complex ({', '.join(m['eigenvalues_numpy'])}): no "
                    f"real direction is only stretched, and after {m['power_iterations']} "
                    f"steps power iteration had "
                    f"{'converged' if m['power_converged'] else 'not converged'}.",
                    not m["power_converged"],
                    "The eigenvalues are complex, yet power iteration reported convergence.")
    g = max(m["trace_minus_sum_eigenvalues"], m["det_minus_product_eigenvalues"])
    ctx.observe(f"The eigenvalues add up to the trace and multiply to the determinant "
                f"(largest gap {fmt(g)}).", g <= tol * 10, f"trace − Σλ and det − Πλ are "
                f"{fmt(m['trace_minus_sum_eigenvalues'])} and "
                f"{fmt(m['det_minus_product_eigenvalues'])}.")
    e = m["deflation_vs_eigh_max_abs_err"]
    ctx.observe(f"On a random symmetric {cfg.random.n}×{cfg.random.n} matrix, power "
                f"iteration with deflation found the {cfg.random.k} eigenvalues of largest "
                f"|λ|, {fmt(m['deflation_eigenvalues'])}, within {fmt(e)} of "
                f"jnp.linalg.eigh.", e <= 1e-3 if f32 else 1e-6,
                f"Deflation's eigenvalues {fmt(m['deflation_eigenvalues'])} are up to "
                f"{fmt(e)} from eigh's {fmt(m['eigh_eigenvalues'])}.")
    steps = cfg.repeat.steps
    ctx.observe(f"After {steps} multiplications, with the largest |λ| = "
                f"{fmt(m['grow_spectral_radius'])} the vector's length grew from "
                f"{fmt(norm0)} to {fmt(m['grow_final_norm'])}; scaled to largest |λ| = "
                f"{fmt(m['shrink_spectral_radius'])} it shrank to "
                f"{fmt(m['shrink_final_norm'])}.",
                m["grow_final_norm"] > norm0 > m["shrink_final_norm"],
                f"After {steps} multiplications the lengths are {fmt(m['grow_final_norm'])} "
                f"and {fmt(m['shrink_final_norm'])}, starting from {fmt(norm0)}.")


def _figure_ellipse(ctx, A, w, V, real, info):
    t = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(t), np.sin(t)])
    ellipse = A @ circle
    fig, ax = plotting.subplots(size=(5.5, 5.5))
    ax.plot(*circle, color="tab:blue", label="unit circle")
    ax.plot(*ellipse, color="tab:orange", label="A · circle")
    if real:
        for i in range(2):
            v = np.real(V[:, i])
            lam = float(np.real(w[i]))
            # Av = λv drawn first and thick, v on top of it (dashed) so both stay visible.
            ax.annotate("", xy=lam * v, xytext=(0, 0), zorder=2,
                        arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 3,
                                    "alpha": 0.7})
            ax.annotate("", xy=v, xytext=(0, 0), zorder=3,
                        arrowprops={"arrowstyle": "->", "color": "tab:blue", "lw": 1.5,
                                    "linestyle": "--"})
            ax.text(*(lam * v * 1.08), f"λ{i + 1} = {lam:.3g}", color="tab:red", fontsize=9)
    else:
        ax.text(0.02, 0.02, "complex eigenvalues: no real direction is only stretched",
                transform=ax.transAxes, fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    a = A.ravel()
    ax.set_title(f"A = [[{a[0]:g}, {a[1]:g}], [{a[2]:g}, {a[3]:g}]]: eigenvectors v (blue) "
                 f"→ Av = λv (red)\npower iteration: λ = {float(info.eigenvalue):.5g} after "
                 f"{int(info.iterations)} steps"
                 f"{'' if bool(info.converged) else ' (NOT converged)'}", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ctx.save_figure(fig, "circle_to_ellipse", caption="The unit circle (blue) and its image "
                    "under A (orange); where the eigenvalues are real, each eigenvector v "
                    "(dashed blue) is drawn with Av = λv (red).")


def _figure_repeat(ctx, A, steps, shrink):
    rho = float(np.max(np.abs(np.linalg.eigvals(A))))
    grow_A = A if rho > 1 else A * (1.5 / max(rho, 1e-12))
    shrink_A = A * (shrink / max(rho, 1e-12))
    x0 = np.array([1.0, 0.3])
    out = {}
    w, V = np.linalg.eig(A)
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.0, 4.0), layout="constrained")
    t = np.arange(steps + 1)
    for label, M, color, marker in (("grow", grow_A, "tab:red", "o"),
                                    ("shrink", shrink_A, "tab:blue", "s")):
        xs = [x0]
        for _ in range(steps):
            xs.append(M @ xs[-1])
        xs = np.array(xs)
        norms = np.linalg.norm(xs, axis=1)
        r = float(np.max(np.abs(np.linalg.eigvals(M))))
        ax1.semilogy(t, norms, marker, color=color, ms=6, mfc="none",
                     label=f"‖Aᵗx‖, max|λ| = {r:.3g}")
        # |λ₁|ᵗ through the last point: parallel to the data once it lines up
        ax1.semilogy(t, norms[-1] * r ** (t - steps), "-", color=color, lw=1.2, alpha=0.8,
                     label=f"∝ {r:.3g}ᵗ")
        angle = np.degrees(np.arctan2(xs[:, 1], xs[:, 0])) % 180.0
        ax2.plot(t, angle, marker + "-", color=color, ms=5, mfc="none", lw=0.8,
                 label=f"max|λ| = {r:.3g}")
        out[f"{label}_final_norm"] = float(norms[-1])
        out[f"{label}_spectral_radius"] = r
    ax1.axhline(1.0, color="0.5", lw=0.6)
    ax1.set_xlabel("t (times A is applied)")
    ax1.set_ylabel("length ‖Aᵗx‖ (log scale)")
    ax1.set_title("length: markers measured, lines |λ₁|ᵗ", fontsize=9)
    ax1.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    ax1.grid(True, which="both", alpha=0.3)
    if np.all(np.abs(np.imag(w)) < 1e-12):
        dom = np.real(V[:, np.argmax(np.abs(w))])
        ax2.axhline(np.degrees(np.arctan2(dom[1], dom[0])) % 180.0, color="k", ls="--",
                    lw=1, label="dominant eigenvector")
    ax2.set_xlabel("t (times A is applied)")
    ax2.set_ylabel("direction of Aᵗx (degrees, mod 180)")
    ax2.set_ylim(0, 180)
    ax2.set_title("direction of Aᵗx", fontsize=9)
    ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    ax2.grid(True, alpha=0.3)
    ctx.save_figure(fig, "repeated_multiplication", caption="Multiplying x = (1, 0.3) by A "
                    "again and again, for A rescaled to two spectral radii (largest |λ|): "
                    "left, the length on a log scale beside |λ₁|ᵗ; right, the direction.")
    return out
