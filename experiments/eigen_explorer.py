"""Eigenvalue/Eigenvector Explorer: Av = λv, seen and computed.

* A 2×2 matrix maps the unit circle to an ellipse; its eigenvectors are the directions
  it only stretches (by λ), drawn on top.
* Power iteration finds the dominant eigenpair; deflation finds the next ones. Both are
  checked against ``jnp.linalg.eigh``, with trace = Σλ and det = Πλ.
* Repeated multiplication: with |λ| > 1 the iterates Aᵗx grow like |λ₁|ᵗ, with every
  |λ| < 1 they shrink to 0 — the seed's note on stability (exploding / vanishing).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import algebra, explorers, linalg, plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.schema import Float, Int, List

DESCRIPTION = "eigenvectors of a 2×2 matrix, power iteration vs eigh, |λ|>1 vs |λ|<1"

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
    return metrics


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
    ctx.save_figure(fig, "circle_to_ellipse")


def _figure_repeat(ctx, A, steps, shrink):
    rho = float(np.max(np.abs(np.linalg.eigvals(A))))
    grow_A = A if rho > 1 else A * (1.5 / max(rho, 1e-12))
    shrink_A = A * (shrink / max(rho, 1e-12))
    x0 = np.array([1.0, 0.3])
    out = {}
    fig, axes = plotting.subplots(1, 3, size=(4.2, 4))
    for label, M, color in (("grow", grow_A, "tab:red"), ("shrink", shrink_A, "tab:blue")):
        xs = [x0]
        for _ in range(steps):
            xs.append(M @ xs[-1])
        xs = np.array(xs)
        norms = np.linalg.norm(xs, axis=1)
        r = float(np.max(np.abs(np.linalg.eigvals(M))))
        ax = axes[0] if label == "grow" else axes[1]
        ax.plot(xs[:, 0], xs[:, 1], "o-", color=color, ms=3)
        ax.set_title(f"x, Ax, A²x, … with max|λ| = {r:.3g}", fontsize=9)
        ax.grid(True, alpha=0.3)
        axes[2].semilogy(norms, "o-", color=color, ms=3, label=f"max|λ| = {r:.3g}")
        axes[2].semilogy(norms[0] * r ** np.arange(steps + 1), "--", color=color, lw=0.8)
        out[f"{label}_final_norm"] = float(norms[-1])
        out[f"{label}_spectral_radius"] = r
    axes[2].set_title("‖Aᵗx‖: grows when |λ| > 1, vanishes when |λ| < 1\n(dashed: |λ₁|ᵗ)",
                      fontsize=9)
    axes[2].set_xlabel("t")
    axes[2].legend(fontsize=8)
    axes[2].grid(True, alpha=0.3)
    ctx.save_figure(fig, "repeated_multiplication")
    return out
