"""Numerical Integration Visualizer: the panels of each rule over the curve, and the
convergence order of each rule measured on a log-log plot.

Rules (:func:`mlmath_jax.calculus.integrate`): left and right Riemann sums (order 1),
midpoint and trapezoid (order 2), Simpson (order 4) and Monte Carlo (order ½, measured on
the root-mean-square error over many independent estimates). The order is minus the
slope of log error against log n (:func:`mlmath_jax.calculus.convergence_order`), fitted
over the points whose error stays above the rounding floor (a few hundred ε).

Functions: eˣ on [0, 1] (∫ = e − 1), sin on [0, π] (∫ = 2, the seed's example) and
1/(1 + x²) on [0, 1] (∫ = π/4). On sin over [0, π] the Riemann sums look second order:
the integrand vanishes at both ends, so left, right and trapezoid sums coincide. On
1/(1 + x²) Simpson looks sixth order: its h⁴ error term is proportional to
f‴(b) − f‴(a), and f‴ vanishes at 0 and at 1.
Run in float64 to see Simpson's order before rounding takes over.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import calculus, plotting
from mlmath_jax.runner.schema import Int, Str

DESCRIPTION = "integration rules drawn over the curve; convergence orders 1, 2, 2, 4, ½"

# name: (f, a, b, exact integral, label)
FUNCTIONS = {
    "exp": (jnp.exp, 0.0, 1.0, math.e - 1, "eˣ on [0, 1]"),
    "sin": (jnp.sin, 0.0, math.pi, 2.0, "sin x on [0, π]"),
    "runge": (lambda x: 1.0 / (1.0 + x * x), 0.0, 1.0, math.pi / 4, "1/(1 + x²) on [0, 1]"),
}
RULES = ("left", "right", "midpoint", "trapezoid", "simpson")
METHODS = RULES + ("monte_carlo",)
EXPECTED_ORDER = {"left": 1.0, "right": 1.0, "midpoint": 2.0, "trapezoid": 2.0,
                  "simpson": 4.0, "monte_carlo": 0.5}

SCHEMA = {
    "problem": {"function": Str("exp", choices=tuple(FUNCTIONS))},
    "sweep": {
        "max_log2_n": Int(10, min=3, max=20, help="panels n = 2, 4, …, 2^max_log2_n"),
        "mc_max_log2_n": Int(14, min=3, max=18, help="Monte Carlo samples up to 2^this"),
        "mc_repeats": Int(200, min=2, max=1000,
                          help="independent Monte Carlo estimates per n (RMS error)"),
    },
    "draw": {"panels": Int(6, min=2, max=50, help="panels drawn over the curve (even)")},
}


def check(cfg):
    from mlmath_jax.errors import ConfigError

    if cfg.draw.panels % 2:
        raise ConfigError(f"draw.panels = {cfg.draw.panels} must be even (Simpson's rule "
                          "pairs panels)")


def measure(f, a: float, b: float, exact: float, ns, mc_ns, keys, dtype):
    """Errors of every deterministic rule at each n, and the Monte Carlo RMS error at each
    sample size over ``len(keys)`` independent estimates — one compiled call."""
    def all_errors(keys):
        A, B = jnp.asarray(a, dtype), jnp.asarray(b, dtype)
        errs = {m: jnp.stack([jnp.abs(calculus.integrate(f, A, B, n, m) - exact)
                              for n in ns]) for m in RULES}
        mc = []
        for n in mc_ns:
            est = jax.vmap(lambda k, n=n: calculus.monte_carlo_integrate(k, f, A, B, n))(keys)
            mc.append(jnp.sqrt(jnp.mean((est - exact) ** 2)))
        errs["monte_carlo"] = jnp.stack(mc)
        return errs

    return {m: np.asarray(e, dtype=np.float64) for m, e in jax.jit(all_errors)(keys).items()}


def run(cfg, key, ctx):
    f, a, b, exact, label = FUNCTIONS[cfg.problem.function]
    ns = [2 ** k for k in range(1, cfg.sweep.max_log2_n + 1)]
    # Monte Carlo sizes 8, 32, 128, …: every other power of two keeps the number of
    # compiled sample shapes (the PRNG dominates compile time) small.
    mc_ns = [2 ** k for k in range(3, cfg.sweep.mc_max_log2_n + 1, 2)]
    keys = jax.random.split(key, cfg.sweep.mc_repeats)
    errs = measure(f, a, b, exact, ns, mc_ns, keys, ctx.dtype)
    # Fit only above the rounding floor: a few hundred ε times the size of the integral.
    floor = 300 * float(jnp.finfo(ctx.dtype).eps) * max(1.0, abs(exact))
    orders = {m: calculus.convergence_order(mc_ns if m == "monte_carlo" else ns, errs[m],
                                            floor=floor) for m in METHODS}

    for i, n in enumerate(ns):
        ctx.log(n, **{f"err_{m}": float(errs[m][i]) for m in RULES})
    for i, n in enumerate(mc_ns):
        ctx.log(n, err_monte_carlo_rms=float(errs["monte_carlo"][i]))

    metrics = {"exact": exact, **{f"order_{m}": orders[m] for m in METHODS}}
    for m in RULES:
        metrics[f"estimate_{m}_n{ns[-1]}"] = float(
            calculus.integrate(f, jnp.asarray(a, ctx.dtype), b, ns[-1], m))
    ctx.print("orders: " + ", ".join(f"{m} {o:.2f}" for m, o in orders.items()))
    _draw_panels(ctx, f, a, b, label, cfg.draw.panels, jax.random.fold_in(key, 1))
    _draw_convergence(ctx, label, ns, mc_ns, errs, orders, floor)
    return metrics


def _draw_panels(ctx, f, a, b, label, n, key):
    """One panel per rule: the curve and the rectangles / trapezoids / parabolas / samples
    whose area the rule adds up."""
    fn = lambda x: np.asarray(f(jnp.asarray(x, jnp.float32)), dtype=float)
    xs = np.linspace(a, b, 400)
    h = (b - a) / n
    edges = np.linspace(a, b, n + 1)
    fig, axes = plotting.subplots(2, 3, size=(4.2, 3.2))
    for ax, m in zip(axes.ravel(), METHODS, strict=True):
        ax.plot(xs, fn(xs), "k-", lw=1.5, zorder=3)
        est = float(calculus.monte_carlo_integrate(key, f, a, b, n) if m == "monte_carlo"
                    else calculus.integrate(f, a, b, n, m))
        style = dict(alpha=0.35, edgecolor="tab:blue", facecolor="tab:blue")
        if m in ("left", "right", "midpoint"):
            at = {"left": edges[:-1], "right": edges[1:], "midpoint": edges[:-1] + h / 2}[m]
            ax.bar(edges[:-1], fn(at), width=h, align="edge", **style)
            ax.plot(at, fn(at), "o", color="tab:red", ms=4, zorder=4)
        elif m == "trapezoid":
            y = fn(edges)
            for i in range(n):
                ax.fill([edges[i], edges[i], edges[i + 1], edges[i + 1]],
                        [0, y[i], y[i + 1], 0], **style)
            ax.plot(edges, y, "o", color="tab:red", ms=4, zorder=4)
        elif m == "simpson":
            for i in range(0, n, 2):  # the parabola through each pair of panels
                x3 = edges[i:i + 3]
                c = np.polyfit(x3, fn(x3), 2)
                xx = np.linspace(x3[0], x3[-1], 50)
                ax.fill_between(xx, 0, np.polyval(c, xx), **style)
            ax.plot(edges, fn(edges), "o", color="tab:red", ms=4, zorder=4)
        else:  # Monte Carlo: the samples, and the mean height times the width
            u = np.asarray(jax.random.uniform(key, (n,), jnp.float32, a, b), dtype=float)
            ax.vlines(u, 0, fn(u), color="tab:red", lw=1)
            ax.axhline(est / (b - a), color="tab:blue", ls="--", lw=1, label="mean height")
            ax.fill_between([a, b], 0, est / (b - a), **style)
        ax.set_title(f"{m}: {est:.5f}", fontsize=9)
        ax.axhline(0, color="k", lw=0.5)
    fig.suptitle(f"∫ {label} with n = {n}", fontsize=10)
    ctx.save_figure(fig, "panels")


def _draw_convergence(ctx, label, ns, mc_ns, errs, orders, floor):
    fig, ax = plotting.subplots(size=(6.5, 4.8))
    for m in METHODS:
        x = mc_ns if m == "monte_carlo" else ns
        y = np.maximum(errs[m], 1e-300)
        ax.loglog(x, y, "o-", ms=3, lw=1,
                  label=f"{m}: order {orders[m]:.2f} (expect {EXPECTED_ORDER[m]:g})")
    ax.axhline(floor, color="gray", ls=":", lw=1, label="rounding floor (not fitted)")
    ax.set_xlabel("n (panels, or samples for Monte Carlo)")
    ax.set_ylabel("|error| (Monte Carlo: RMS)")
    ax.set_title(f"convergence, ∫ {label}", fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7)
    ctx.save_figure(fig, "convergence")
