"""Polynomial Root Finder: all complex roots by Aberth's iteration, on the complex plane,
beside numpy.roots (the companion-matrix eigenvalues)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import linear_sum_assignment

from mlmath_jax import algebra, plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, List

DESCRIPTION = "all complex roots of a polynomial (Aberth in JAX) vs numpy.roots"

LESSON = Lesson(
    title="Roots of a polynomial",
    chapter="algebra",
    concept="""A polynomial of degree n has exactly n roots once complex numbers are allowed
(counted with multiplicity). When its coefficients are real, the complex roots come in
conjugate pairs a ± bi, mirror images across the real axis.

Aberth's method improves all n guesses at once: each guess takes a Newton step, pushed
away from the other guesses so that no two settle on the same root. The answer is
checked against numpy.roots, which finds the roots as the eigenvalues of the companion
matrix.""",
    equations=(r"p(z) = a_0 z^n + a_1 z^{n-1} + \dots + a_n = a_0 \prod_{k=1}^{n} (z - z_k)",
               r"z_k \leftarrow z_k - \frac{p(z_k)/p'(z_k)}"
               r"{1 - \frac{p(z_k)}{p'(z_k)} \sum_{j \neq k} \frac{1}{z_k - z_j}}"),
    try_next=(
        TryNext(("polynomial.coeffs=[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0]",),
                "z⁶ = 1: the six roots of unity, evenly spaced on the unit circle"),
        TryNext(("polynomial.random_degree=60",),
                "a random degree-60 polynomial: its roots crowd close to the unit circle"),
        TryNext(("polynomial.coeffs=[1.0, 0.0, 1.0]",),
                "z² + 1: no real roots, only the conjugate pair ±i"),
    ),
    main_figure="roots.png",
    headline="max_distance_to_numpy",
)

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
    c = np.asarray(cfg.polynomial.coeffs, np.float64)
    if cfg.polynomial.random_degree == 0 and not np.any(c):
        raise ConfigError("polynomial.coeffs are all zero: every number is a root")
    if not np.all(np.isfinite(c)):
        raise ConfigError("polynomial.coeffs must be finite numbers")
    if cfg.polynomial.random_degree == 0:
        # The roots depend only on the ratios of the coefficients: the run divides them by
        # the largest, so what must fit the dtype is the smallest nonzero ratio.
        nz = np.abs(c[c != 0])
        tiny = float(np.finfo(np.dtype(cfg.dtype)).tiny)
        if nz.min() < tiny * nz.max():
            raise ConfigError(f"polynomial.coeffs span a ratio {nz.max():.3g} / {nz.min():.3g}, "
                              "more than "
                              f"{cfg.dtype} can hold (ratios down to {tiny:.3g}); use "
                              "dtype = \"float64\" or closer coefficients")


def run(cfg, key, ctx):
    p = cfg.polynomial
    if p.random_degree:
        coeffs = jax.random.normal(key, (p.random_degree + 1,), ctx.dtype)
    else:
        c = np.asarray(p.coeffs, np.float64)
        # A power of two rescales exactly: the same roots, the same rounding, no overflow.
        scale = 2.0 ** -np.round(np.log2(np.max(np.abs(c))))
        coeffs = jnp.asarray(c * scale, ctx.dtype)
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
    _observe(ctx, roots, distance, ctx.dtype, bool(p.random_degree))
    return {"degree": int(len(roots)), "real_roots": int(np.sum(np.abs(roots.imag) < 1e-6)),
            "max_distance_to_numpy": distance,
            "max_relative_residual": float(np.max(residual / np.maximum(scale, 1e-300)))
            if len(roots) else 0.0}


def _observe(ctx, roots, distance, dtype, random):
    n = len(roots)
    big = max(1.0, float(np.max(np.abs(roots)))) if n else 1.0
    tol = (1e-3 if np.dtype(dtype) == np.float32 else 1e-8) * big
    ctx.observe(f"Aberth's {n} roots match numpy.roots: after pairing each root with its "
                f"nearest partner the largest distance is {fmt(distance)}.",
                distance <= tol,
                f"Aberth's roots are up to {fmt(distance)} from numpy.roots' (more than "
                f"{fmt(tol)}): the iteration stopped before it converged.")
    cplx = roots[np.abs(roots.imag) >= 1e-6]
    if len(cplx):
        gap = float(max(np.min(np.abs(cplx - np.conj(z))) for z in cplx))
        n_real = n - len(cplx)
        ctx.observe(f"{n_real} of the {n} roots {'is' if n_real == 1 else 'are'} real; "
                    f"the other {len(cplx)} come in "
                    f"conjugate pairs a ± bi (each matches its mirror image to "
                    f"{fmt(gap)}).", gap <= tol,
                    f"The complex roots do not pair up into conjugates (a mismatch of "
                    f"{fmt(gap)}).")
    else:
        ctx.observe(f"All {n} roots are real.", n > 0, "The polynomial is a constant.")
    if random and n:
        dist = np.abs(np.abs(roots) - 1.0)
        ctx.observe(f"The roots crowd near the unit circle: half of them have |z| within "
                    f"{fmt(float(np.median(dist)))} of 1 (|z| ranges from "
                    f"{fmt(float(np.min(np.abs(roots))))} to "
                    f"{fmt(float(np.max(np.abs(roots))))}).", np.median(dist) < 0.2,
                    f"Half the roots are more than {fmt(float(np.median(dist)))} away from "
                    "the unit circle.")


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
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.grid(True, alpha=0.3)
    ctx.save_figure(fig, "roots", caption="Every complex root on the plane: Aberth's (×) "
                    "inside numpy.roots' (○); the grey circle is |z| = 1.")
