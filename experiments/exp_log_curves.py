"""Exponents and logarithms: exponential growth and its doubling time, logs in several
bases, the sigmoid with its derivative σ(1 − σ), and −log p, the cross-entropy of the
true class."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import algebra, explog, plotting
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, List

DESCRIPTION = "exponential growth, log curves, the sigmoid and −log p"

LESSON = Lesson(
    title="Exponents and logarithms",
    chapter="explog",
    concept="""Exponential growth multiplies by the same factor in every equal stretch of
time: y = e^(rt) doubles every ln 2 / r, whatever the starting point. On a log scale
such curves are straight lines. The logarithm undoes the exponential; logs in different
bases differ only by a constant factor, and all of them are 0 at x = 1.

The sigmoid σ squeezes any number into (0, 1), and its slope is σ(1 − σ), largest
(1/4) at 0. The cross-entropy of a prediction is −log p of the true class: near 0 when
p is close to 1, and huge when a confident prediction is wrong.""",
    equations=(r"e^{rT} = 2 \iff T = \frac{\ln 2}{r}",
               r"\log_b x = \frac{\ln x}{\ln b}",
               r"\sigma(x) = \frac{1}{1 + e^{-x}} \quad \sigma'(x) = \sigma(x)(1 - \sigma(x))",
               r"\ell(p) = -\log p"),
    try_next=(
        TryNext(("growth.rates=[0.05, 1.0, 2.0]",),
                "faster growth, steeper lines on the log scale: r = 2 doubles every 0.35"),
        TryNext(("sigmoid.x_max=30.0",),
                "a wide view: σ is flat at 0 and 1 far from the origin, and σ' all but "
                "vanishes there"),
    ),
    main_figure="exp_log.png",
    headline="sigmoid_grad_at_0",
)

SCHEMA = {
    "growth": {
        "rates": List([0.1, 0.3, 0.7], item=Float(0.1, gt=0.0, max=10.0), min_len=1,
                      help="growth rates r of y = e^(rt)"),
        "t_max": Float(10.0, gt=0.0, max=100.0, help="time axis length"),
    },
    "sigmoid": {"x_max": Float(8.0, gt=0.0, max=1e4, help="sigmoid plotted on ±x_max")},
}


def run(cfg, key, ctx):
    del key
    dt = ctx.dtype
    t = jnp.linspace(0.0, cfg.growth.t_max, 400, dtype=dt)
    metrics = {}
    for i, r in enumerate(cfg.growth.rates):
        # doubling time: e^(rT) = 2 ⇔ T = ln 2 / r, found by Newton on e^(rT) − 2
        rr = jnp.asarray(r, dt)
        found = algebra.newton(lambda T, rr=rr: jnp.exp(rr * T) - 2.0, jnp.asarray(1.0, dt))
        metrics[f"doubling_time_r{r:g}"] = float(found.root)
        ctx.log(i, rate=r, doubling_time=float(found.root), exact=math.log(2) / r)
    x = jnp.linspace(-cfg.sigmoid.x_max, cfg.sigmoid.x_max, 401, dtype=dt)
    s = explog.sigmoid(x)
    ds = explog.sigmoid_grad(x)
    auto = jax.vmap(jax.grad(explog.sigmoid))(x)
    metrics["sigmoid_grad_max_abs_diff_vs_jax_grad"] = float(jnp.max(jnp.abs(ds - auto)))
    metrics["sigmoid_grad_at_0"] = float(explog.sigmoid_grad(jnp.asarray(0.0, dt)))
    for p in (0.99, 0.5, 0.01):
        metrics[f"minus_log_{p:g}"] = float(-jnp.log(jnp.asarray(p, dt)))
    metrics["log2_of_8"] = float(explog.log_base(jnp.asarray(8.0, dt), 2))
    _draw(ctx, cfg, t, x, s, ds)
    _observe(ctx, cfg, metrics)
    return metrics


def _observe(ctx, cfg, m):
    rel = 1e-5 if np.dtype(ctx.dtype) == np.float32 else 1e-10
    for r in cfg.growth.rates:
        found, exact = m[f"doubling_time_r{r:g}"], math.log(2) / r
        ctx.observe(f"For r = {r:g}, Newton's method on e^(rT) − 2 found the doubling time "
                    f"T = {fmt(found)}, and ln 2 / r = {fmt(exact)}.",
                    abs(found - exact) <= rel * 10 * exact,
                    f"For r = {r:g}, Newton's method found T = {fmt(found)}, not "
                    f"ln 2 / r = {fmt(exact)}.")
    g0, gap = m["sigmoid_grad_at_0"], m["sigmoid_grad_max_abs_diff_vs_jax_grad"]
    ctx.observe(f"σ'(0) = {fmt(g0)}, the steepest point of the sigmoid; the formula "
                f"σ(1 − σ) agrees with jax.grad to {fmt(gap)} on the whole plotted range.",
                abs(g0 - 0.25) < 1e-6 and gap < 1e-6,
                f"σ'(0) = {fmt(g0)} and the formula differs from jax.grad by {fmt(gap)}.")
    a, b = m["minus_log_0.99"], m["minus_log_0.01"]
    ctx.observe(f"A confident right answer costs little and a confident wrong one a lot: "
                f"−log 0.99 = {fmt(a)}, −log 0.5 = {fmt(m['minus_log_0.5'])}, "
                f"−log 0.01 = {fmt(b)}, {fmt(b / a)} times as much.", b > 100 * a,
                f"−log 0.99 = {fmt(a)} and −log 0.01 = {fmt(b)}.")


def _draw(ctx, cfg, t, x, s, ds):
    fig, axes = plotting.subplots(2, 2, size=(4.8, 3.6), layout="constrained")
    (a1, a2), (a3, a4) = axes
    tn = np.asarray(t, float)
    for r in cfg.growth.rates:
        a1.plot(tn, np.exp(r * tn), label=f"e^({r:g}t), doubles every {math.log(2) / r:.3g}")
    a1.set_yscale("log")
    a1.set_xlabel("t")
    a1.set_ylabel("y = e^(rt)")
    a1.set_title("exponential growth (log scale: straight lines)", fontsize=9)
    a1.legend(fontsize=7)
    u = np.linspace(0.05, 10, 400)
    for base, name in ((2, "log₂"), (math.e, "ln"), (10, "log₁₀")):
        a2.plot(u, np.asarray(explog.log_base(jnp.asarray(u), base)), label=f"{name} x")
    a2.axhline(0, color="0.6", lw=0.6)
    a2.axvline(1, color="0.6", lw=0.6, ls=":")
    a2.set_xlabel("x")
    a2.set_ylabel("log x")
    a2.set_title("logarithms: all cross 0 at x = 1", fontsize=9)
    a2.legend(fontsize=7)
    xn = np.asarray(x, float)
    a3.plot(xn, np.asarray(s), label="σ(x) = 1/(1 + e^(−x))")
    a3.plot(xn, np.asarray(ds), label="σ'(x) = σ(1 − σ)")
    a3.set_xlabel("x")
    a3.set_ylabel("σ(x), σ'(x)")
    a3.set_title("sigmoid and its derivative (max 1/4 at 0)", fontsize=9)
    a3.legend(fontsize=7)
    p = np.linspace(0.005, 1.0, 400)
    a4.plot(p, -np.log(p), color="tab:red")
    for q in (0.99, 0.5, 0.01):
        a4.plot(q, -math.log(q), "o", color="k")
        a4.annotate(f"−log {q:g} = {-math.log(q):.2f}", (q, -math.log(q)), fontsize=7,
                    textcoords="offset points", xytext=(5, 5))
    a4.set_xlabel("probability of the true class p")
    a4.set_ylabel("loss −log p")
    a4.set_title("cross-entropy −log p", fontsize=9)
    for ax in (a1, a2, a3, a4):
        ax.grid(True, alpha=0.3)
    ctx.save_figure(fig, "exp_log", caption="Exponential growth on a log scale, logarithms "
                    "in three bases, the sigmoid with its slope, and the cross-entropy "
                    "−log p of the true class.")
