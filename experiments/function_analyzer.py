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
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "graph a function with zeros, extrema and asymptotes found and marked"

LESSON = Lesson(
    title="Graphing a function: zeros, extrema and asymptotes",
    chapter="algebra",
    concept="""A graph shows where a function crosses zero, where it turns around and where
it runs off to infinity. The zeros are the x with f(x) = 0. At a maximum or a minimum
the slope f'(x) is zero and changes sign: f climbs where f' > 0 and falls where f' < 0.

A vertical asymptote is a point where f blows up, like 1/(x − 2) at x = 2; a horizontal
asymptote is the value f settles to as x runs far left or right. The derivative is
computed twice: once by the rules of calculus on the formula, once by jax.grad.""",
    equations=(r"f(x^\ast) = 0",
               r"f'(x^\ast) = 0 \text{ and } f' \text{ changes sign at a maximum or minimum}",
               r"\lim_{x \to a} \left| f(x) \right| = \infty \quad"
               r"\lim_{x \to \pm\infty} f(x) = b"),
    try_next=(
        TryNext(("function.expression=x^4 - 4*x^2 + 1",),
                "an even quartic: four zeros, and two minima either side of a maximum "
                "at 0"),
        TryNext(("function.expression=x/(x^2 - 1)",),
                "two vertical asymptotes, at −1 and 1, and y = 0 at both ends"),
        TryNext(("function.expression=sin(x)", "function.lo=-7.0", "function.hi=7.0"),
                "a periodic function: zeros at multiples of π, maxima and minima in turn"),
    ),
    main_figure="function.png",
    headline="max_rel_diff_symbolic_vs_jax_grad",
)

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
    _observe(ctx, f, df, a, grad_gap, c)
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


def _observe(ctx, f, df, a, grad_gap, c):
    """What the analysis found, each stated only after checking it on f itself."""
    span = f"[{fmt(float(c.lo))}, {fmt(float(c.hi))}]"
    roots = [float(r) for r in a.roots]
    if roots:
        resid = [abs(float(f(jnp.asarray(r)))) for r in roots]
        ctx.observe(f"f has {len(roots)} zero{'s' * (len(roots) != 1)} in {span}, at "
                    f"{', '.join(fmt(r) for r in roots)}; |f| there is at most "
                    f"{fmt(max(resid))}.",
                    max(resid) < 1e-3,
                    f"{len(roots)} zero candidates were found in {span}, but |f| there is "
                    f"as large as {fmt(max(resid))}.")
    else:
        ctx.observe(f"f has no zero in {span}.", True, "")
    for e in a.extrema:
        slope = abs(float(df(jnp.asarray(e.x))))
        ctx.observe(f"A {'maximum' if e.kind == 'max' else 'minimum'} at "
                    f"({fmt(e.x)}, {fmt(e.y)}), where the slope f' is {fmt(slope)}.",
                    slope < 1e-2 * (1 + abs(e.y)),
                    f"The {e.kind} marked at x = {fmt(e.x)} has slope f' = {fmt(slope)}, "
                    "not close to 0.")
    for v in a.vertical_asymptotes:
        h = 1e-3 * (c.hi - c.lo)
        left, right = float(f(jnp.asarray(v.x - h))), float(f(jnp.asarray(v.x + h)))
        ctx.observe(f"A vertical asymptote at x = {fmt(v.x)}: f({fmt(v.x - h)}) = "
                    f"{fmt(left)} and f({fmt(v.x + h)}) = {fmt(right)}, heading to "
                    f"{'+' if v.left > 0 else '−'}∞ and {'+' if v.right > 0 else '−'}∞.",
                    np.sign(left) == np.sign(v.left) and np.sign(right) == np.sign(v.right)
                    and min(abs(left), abs(right)) > 10.0,
                    f"Near the asymptote marked at x = {fmt(v.x)}, f is only {fmt(left)} "
                    f"and {fmt(right)}.")
    for side, y in a.horizontal_asymptotes.items():
        if y is not None:
            ctx.observe(f"As x → {side}, f approaches y = {fmt(float(y))}.", True, "")
    ctx.observe(f"The derivative by the rules of calculus agrees with jax.grad at every grid "
                f"point where both are finite (largest relative difference "
                f"{fmt(grad_gap)}).", grad_gap < 1e-4,
                f"The derivative by the rules of calculus and jax.grad differ by up to "
                f"{fmt(grad_gap)} (relative).")


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
    ax.set_ylabel("f(x)")
    ax.set_title("f with zeros, extrema (▲ max, ▼ min), asymptotes; green: increasing",
                 fontsize=8)
    ax.legend(fontsize=7, loc="best")
    ax.grid(True, alpha=0.3)
    dshown = np.where(np.abs(dys) < 1e3 * (1 + np.nanmedian(np.abs(dys))), dys, np.nan)
    ax2.plot(xs, dshown, color="tab:orange", lw=1.2)
    ax2.axhline(0, color="0.6", lw=0.6)
    ax2.set_title(f"f'(x) = {d_text}", fontsize=8)
    ax2.set_xlabel("x")
    ax2.set_ylabel("f'(x)")
    ax2.grid(True, alpha=0.3)
    ctx.save_figure(fig, "function", caption="Left: f with the zeros, extrema and asymptotes "
                    "the analysis found (green bands: f increasing). Right: the derivative "
                    "f' from the rules of calculus.")
