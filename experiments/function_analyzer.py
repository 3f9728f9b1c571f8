"""Function Grapher and Analyzer: plot f with its zeros, extrema and asymptotes marked.

The expression comes from the config (e.g. ``x^3 - 3*x + 1`` or ``1/(x - 2)``); the
analysis is :func:`mlmath_jax.functions.analyze` and the derivative panel shows the
symbolic f' of :func:`mlmath_jax.expr.diff` beside ``jax.grad``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import expr, functions, plotting
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "graph a function with zeros, extrema and asymptotes found and marked"

SCHEMA = {
    "function": {
        "expression": Str("x^3 - 3*x + 1", help="f(x) in the expression language"),
        "lo": Float(-3.0, help="left end of the interval"),
        "hi": Float(3.0, help="right end of the interval"),
        "points": Int(2001, min=11, max=200_001, help="grid points for bracketing"),
    },
}


def check(cfg):
    try:
        tree = expr.check_constants(expr.parse(cfg.function.expression))
    except UserError as exc:
        raise ConfigError(f"function.expression: {exc}") from None
    extra = [v for v in expr.variables(tree) if v != "x"]
    if extra:
        raise ConfigError(f"function.expression must use only the variable x, found "
                          f"{', '.join(extra)}")
    if not cfg.function.lo < cfg.function.hi:
        raise ConfigError(f"function.lo = {cfg.function.lo} must be < function.hi = "
                          f"{cfg.function.hi}")


def run(cfg, key, ctx):
    del key                                                   # deterministic
    c = cfg.function
    tree = expr.parse(c.expression)
    f = expr.to_function(tree, "x")
    d_tree = expr.diff(tree, "x")
    df = expr.to_function(d_tree, "x")
    ctx.print(f"f(x) = {tree}    f'(x) = {d_tree}")
    a = functions.analyze(f, c.lo, c.hi, n=c.points)

    xs = jnp.linspace(c.lo, c.hi, c.points, dtype=ctx.dtype)
    ys = np.asarray(jax.vmap(f)(xs), dtype=float)
    dys_sym = np.asarray(jax.vmap(df)(xs), dtype=float)
    dys_auto = np.asarray(jax.vmap(jax.grad(f))(xs), dtype=float)
    ok = np.isfinite(dys_sym) & np.isfinite(dys_auto) & (np.abs(dys_auto) < 1e6)
    grad_gap = float(np.max(np.abs(dys_sym[ok] - dys_auto[ok]) / (1 + np.abs(dys_auto[ok]))))

    for i, r in enumerate(a.roots):
        ctx.log(i, root=r)
    _draw(ctx, np.asarray(xs, float), ys, dys_sym, a, str(tree), str(d_tree))
    return {
        "expression": str(tree),
        "derivative": str(d_tree),
        "roots": a.roots,
        "extrema": [[e.x, e.y, e.kind] for e in a.extrema],
        "increasing": [list(p) for p in a.increasing],
        "decreasing": [list(p) for p in a.decreasing],
        "vertical_asymptotes": [[v.x, v.left, v.right] for v in a.vertical_asymptotes],
        "horizontal_asymptotes": a.horizontal_asymptotes,
        "max_rel_diff_symbolic_vs_jax_grad": grad_gap,
    }


def _draw(ctx, xs, ys, dys, a, text, d_text):
    fig, (ax, ax2) = plotting.subplots(1, 2, size=(5.5, 4.2))
    finite = ys[np.isfinite(ys)]
    lo, hi = np.percentile(finite, [2, 98]) if finite.size else (-1, 1)
    pad = 0.25 * (hi - lo + 1e-9)
    ylim = (lo - pad, hi + pad)
    shown = np.where((ys > ylim[0] - 10 * pad) & (ys < ylim[1] + 10 * pad), ys, np.nan)
    for v in a.vertical_asymptotes:                      # break the curve at the poles
        shown[np.argmin(np.abs(xs - v.x))] = np.nan
    ax.plot(xs, shown, "k-", lw=1.2, label=f"f(x) = {text}")
    ax.axhline(0, color="0.6", lw=0.6)
    if a.roots:
        ax.plot(a.roots, np.zeros(len(a.roots)), "o", color="tab:blue", label="zeros")
    for e in a.extrema:
        ax.plot(e.x, e.y, "^" if e.kind == "max" else "v", color="tab:red", ms=9)
        ax.annotate(f"{e.kind} ({e.x:.3g}, {e.y:.3g})", (e.x, e.y), fontsize=7,
                    textcoords="offset points", xytext=(4, 6))
    for v in a.vertical_asymptotes:
        ax.axvline(v.x, ls="--", color="tab:purple",
                   label=f"x = {v.x:.3g} ({'+' if v.left > 0 else '−'}∞ | "
                         f"{'+' if v.right > 0 else '−'}∞)")
    for side, y in a.horizontal_asymptotes.items():
        if y is not None:
            ax.axhline(y, ls=":", color="tab:green", label=f"y = {y:g} as x → {side}")
    for lo_, hi_ in a.increasing:
        ax.axvspan(lo_, hi_, color="tab:green", alpha=0.06)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_title("f with zeros, extrema (▲ max, ▼ min), asymptotes; green: increasing",
                 fontsize=8)
    ax.legend(fontsize=7, loc="best")
    ax.grid(True, alpha=0.3)
    dshown = np.where(np.abs(dys) < 1e3 * (1 + np.nanmedian(np.abs(dys))), dys, np.nan)
    ax2.plot(xs, dshown, color="tab:orange", lw=1.2)
    ax2.axhline(0, color="0.6", lw=0.6)
    ax2.set_title(f"f'(x) = {d_text}", fontsize=8)
    ax2.set_xlabel("x")
    ax2.grid(True, alpha=0.3)
    ctx.save_figure(fig, "function")
