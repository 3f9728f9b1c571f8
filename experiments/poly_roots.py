"""Polynomial Root Finder: all complex roots by Aberth's iteration, on the complex plane,
beside numpy.roots (the companion-matrix eigenvalues)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import linear_sum_assignment

from mlmath_jax import algebra, plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.schema import Float, Int, List

DESCRIPTION = "all complex roots of a polynomial (Aberth in JAX) vs numpy.roots"

SCHEMA = {
    "polynomial": {
        "coeffs": List([1.0, 0.0, -2.0, 1.0, -1.0, 3.0], item=Float(0.0), min_len=2,
                       help="coefficients, highest degree first (as numpy.roots)"),
        "random_degree": Int(0, min=0, max=200,
                             help="if > 0, use random normal coefficients of this degree"),
    },
    "solver": {"max_iter": Int(500, min=1), "tol": Float(0.0, min=0.0,
                                                          help="0: 100·ε of the dtype")},
}


def check(cfg):
    if cfg.polynomial.random_degree == 0 and not any(cfg.polynomial.coeffs):
        raise ConfigError("polynomial.coeffs are all zero: every number is a root")


def run(cfg, key, ctx):
    p = cfg.polynomial
    if p.random_degree:
        coeffs = jax.random.normal(key, (p.random_degree + 1,), ctx.dtype)
    else:
        coeffs = jnp.asarray(p.coeffs, ctx.dtype)
    tol = cfg.solver.tol or None
    roots = np.asarray(algebra.poly_roots(coeffs, max_iter=cfg.solver.max_iter, tol=tol))
    reference = np.roots(np.asarray(coeffs, np.float64))
    cost = np.abs(roots[:, None] - reference[None, :])
    r, c = linear_sum_assignment(cost)
    distance = float(cost[r, c].max()) if len(r) else 0.0
    residual = np.abs(np.asarray(algebra.poly_eval(coeffs, jnp.asarray(roots))))
    scale = np.asarray(algebra.poly_eval(jnp.abs(coeffs), jnp.abs(jnp.asarray(roots))))
    for i, z in enumerate(sorted(roots, key=lambda z: (z.real, z.imag))):
        ctx.log(i, real=float(z.real), imag=float(z.imag))
    _draw(ctx, roots, reference, np.asarray(coeffs))
    return {"degree": int(len(roots)), "real_roots": int(np.sum(np.abs(roots.imag) < 1e-6)),
            "max_distance_to_numpy": distance,
            "max_relative_residual": float(np.max(residual / np.maximum(scale, 1e-300)))
            if len(roots) else 0.0}


def _draw(ctx, roots, reference, coeffs):
    fig, ax = plotting.subplots(1, 1, size=(5.5, 5.0))
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(t), np.sin(t), color="0.8", lw=0.8, label="unit circle")
    ax.axhline(0, color="0.7", lw=0.6)
    ax.axvline(0, color="0.7", lw=0.6)
    ax.plot(reference.real, reference.imag, "o", ms=11, mfc="none", mec="tab:blue",
            label="numpy.roots")
    ax.plot(roots.real, roots.imag, "x", ms=8, color="tab:red", label="Aberth (JAX)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Re z")
    ax.set_ylabel("Im z")
    degree = len(coeffs) - 1
    ax.set_title(f"roots of a degree-{degree} polynomial", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    ctx.save_figure(fig, "roots")
