"""Finite differences: the error of f'(x) against the step h, in float32 and float64.

For each step h on a log grid the forward, central and complex-step estimates of f'(x₀)
(:func:`mlmath_jax.calculus.derivative`) are compared with the exact derivative:

* truncation error falls with h: O(h) forward, O(h²) central and complex step;
* rounding error rises as h shrinks: f(x + h) − f(x) cancels, leaving ≈ ε|f|/h;
* so the error is V-shaped with its best step near √ε (forward) and ∛ε (central);
  the complex step Im f(x + ih)/h subtracts nothing and stays at rounding level.

Both precisions come from one run, honestly: the float32 curve evaluates f on float32
arrays (x₀ and h rounded to float32 first, as a float32 program would), and the float64
curve is computed inside ``jax.enable_x64(True)`` on float64 arrays, whatever the run's
own dtype. The exact derivative is evaluated in float64 by NumPy. The run's ``dtype``
key therefore does not change the result.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import calculus, plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "finite-difference error against the step h: truncation vs rounding"

LESSON = Lesson(
    title="Finite differences: choosing the step h",
    chapter="calculus",
    concept="""
A derivative is the limit of a difference quotient, so a computer can estimate f'(x) by
evaluating f at two nearby points. Two errors pull in opposite directions. Truncation error
comes from the formula itself and shrinks as the step h shrinks: in proportion to h for the
forward difference and to h² for the central difference. Rounding error comes from the
floating-point numbers: f(x + h) and f(x) agree in almost all their digits, so their
difference keeps only a few correct ones, and dividing by a small h magnifies what is lost.

Plotted against h on log axes the total error is V-shaped. Its lowest point sits near
h = √ε for the forward difference and h = ∛ε for the central one, where ε is the machine
epsilon of the number format (about 1.2e-7 in float32, 2.2e-16 in float64). The complex
step evaluates f at x + ih and takes the imaginary part: there is no subtraction, so no
cancellation, and the step can be made tiny.
""",
    equations=(
        r"f'(x) \approx \frac{f(x+h) - f(x)}{h}, \quad \text{error} \approx "
        r"\frac{h}{2}|f''(x)| + \frac{\varepsilon |f(x)|}{h}",
        r"f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}, \quad \text{error} \approx "
        r"\frac{h^2}{6}|f'''(x)| + \frac{\varepsilon |f(x)|}{h}",
        r"f'(x) \approx \frac{\operatorname{Im} f(x + ih)}{h}",
    ),
    try_next=(
        TryNext(("problem.function=exp", "problem.x=2.0"),
                "the same V shapes for eˣ at x = 2, where f and its derivatives are larger"),
        TryNext(("sweep.h_min_exp=-4",),
                "only larger steps: in float64 truncation error dominates there, so the "
                "forward and central errors are straight lines of slope 1 and 2"),
        TryNext(("problem.function=cubic",),
                "x³ − 2x: its third derivative is the constant 6, so the central "
                "difference's truncation error is exactly h²"),
    ),
    main_figure="error_vs_step.png",
    headline="best_err_central_float64",
)

# name: (f in jnp, exact f' in numpy, domain check)
FUNCTIONS = {
    "sin": (jnp.sin, np.cos, lambda x: True),
    "exp": (jnp.exp, np.exp, lambda x: True),
    "log": (jnp.log, lambda x: 1.0 / x, lambda x: x > 0),
    "cubic": (lambda x: x ** 3 - 2 * x, lambda x: 3 * x ** 2 - 2, lambda x: True),
}
METHODS = ("forward", "central", "complex")

SCHEMA = {
    "problem": {
        "function": Str("sin", choices=tuple(FUNCTIONS)),
        "x": Float(1.0, help="where to differentiate"),
    },
    "sweep": {
        "h_min_exp": Int(-17, min=-30, max=-1, help="smallest step 10^h_min_exp"),
        "h_max_exp": Int(0, min=-20, max=2, help="largest step 10^h_max_exp"),
        "points": Int(69, min=3, max=2000, help="steps on the log grid"),
    },
}


def check(cfg):
    if cfg.sweep.h_min_exp >= cfg.sweep.h_max_exp:
        raise ConfigError("sweep.h_min_exp must be smaller than sweep.h_max_exp")
    if not FUNCTIONS[cfg.problem.function][2](cfg.problem.x):
        raise ConfigError(f"problem.x = {cfg.problem.x} is outside the domain of "
                          f"{cfg.problem.function}")
    if cfg.problem.function == "log" and cfg.problem.x <= 10.0 ** cfg.sweep.h_max_exp:
        raise ConfigError("problem.x must exceed the largest step for log (x − h > 0)")


def errors(f, exact: float, x0: float, hs: np.ndarray, dtype) -> dict[str, np.ndarray]:
    """|estimate − exact| for each method at each step, computed in ``dtype``."""
    x = jnp.asarray(x0, dtype)
    h = jnp.asarray(hs, dtype)
    out = {}
    for method in METHODS:
        est = np.asarray(calculus.derivative(f, x, h, method), dtype=np.float64)
        out[method] = np.abs(est - exact)
    return out


def run(cfg, key, ctx):
    f, df, _ = FUNCTIONS[cfg.problem.function]
    x0 = cfg.problem.x
    exact = float(df(np.float64(x0)))
    hs = np.logspace(cfg.sweep.h_min_exp, cfg.sweep.h_max_exp, cfg.sweep.points)
    err32 = errors(f, exact, x0, hs, jnp.float32)
    with jax.enable_x64(True):
        err64 = errors(f, exact, x0, hs, jnp.float64)
    curves = {"float32": err32, "float64": err64}

    for i, h in enumerate(hs):
        ctx.log(i, h=float(h), **{f"err_{m}_{d}": float(curves[d][m][i])
                                  for d in curves for m in METHODS})

    metrics = {"exact_derivative": exact}
    for d, errs in curves.items():
        eps = float(np.finfo(d).eps)
        metrics[f"eps_{d}"] = eps
        for m in METHODS:
            e = np.where(errs[m] > 0, errs[m], np.finfo(np.float64).tiny)
            best = int(np.argmin(e))
            metrics[f"best_h_{m}_{d}"] = float(hs[best])
            metrics[f"best_err_{m}_{d}"] = float(errs[m][best])
        metrics[f"theory_h_forward_{d}"] = eps ** 0.5
        metrics[f"theory_h_central_{d}"] = eps ** (1 / 3)
    ctx.print(f"best h, float64: forward {metrics['best_h_forward_float64']:.1e} "
              f"(√ε = {metrics['theory_h_forward_float64']:.1e}), central "
              f"{metrics['best_h_central_float64']:.1e} (∛ε = "
              f"{metrics['theory_h_central_float64']:.1e})")
    _figure(ctx, cfg, hs, curves)
    observe(ctx, metrics, hs, curves)
    return metrics


def observe(ctx, metrics, hs, curves) -> None:
    """What this run shows about the best steps and the complex step."""
    for d in curves:
        parts, ok = [], True
        for m, root in (("forward", "√ε"), ("central", "∛ε")):
            best, theory = metrics[f"best_h_{m}_{d}"], metrics[f"theory_h_{m}_{d}"]
            ok &= bool(abs(np.log10(best / theory)) <= 1.0)
            parts.append(f"{m} difference at h = {best:.1e} ({root} = {theory:.1e}, "
                         f"error {metrics[f'best_err_{m}_{d}']:.1e})")
        found = f"In {d} the {parts[0]} and the {parts[1]} were the most accurate"
        ctx.observe(found + ": each best step within a factor of 10 of the rule of thumb.",
                    ok, found + ": not every best step lies within a factor of 10 of the "
                    "rule of thumb (the sweep may not reach it, or the function's "
                    "derivatives are unusually large or small here).")
    h0 = float(hs[0])
    c32, c64 = (float(curves[d]["complex"][0]) for d in ("float32", "float64"))
    b32, b64 = (metrics[f"best_err_central_{d}"] for d in ("float32", "float64"))
    found = (f"At the smallest step h = {h0:.0e} the complex step's error was {c32:.1e} "
             f"in float32 and {c64:.1e} in float64; the best central differences reached "
             f"{b32:.1e} and {b64:.1e}")
    ctx.observe(found + ": with no subtraction, the complex step loses nothing to "
                "cancellation even at a tiny step.", c32 <= b32 and c64 <= b64,
                found + ": here the complex step did not beat the central difference.")


def _figure(ctx, cfg, hs, curves):
    fig, axes = plotting.subplots(1, 2, size=(5.5, 4.3), sharey=True)
    colors = {"forward": "tab:blue", "central": "tab:orange", "complex": "tab:green"}
    for ax, (d, errs) in zip(axes, curves.items(), strict=True):
        eps = float(np.finfo(d).eps)
        floor = 1e-20
        for m in METHODS:
            ax.loglog(hs, np.maximum(errs[m], floor), ".-", ms=3, lw=1, color=colors[m],
                      label=m)
        for m, p in (("forward", 0.5), ("central", 1 / 3)):
            ax.axvline(eps ** p, color=colors[m], ls=":", lw=1)
        ax.set_title(f"{d}: f = {cfg.problem.function}, x = {cfg.problem.x:g}\n"
                     f"(dotted: √ε, ∛ε)", fontsize=9)
        ax.set_xlabel("step h")
        ax.grid(True, which="both", alpha=0.25)
        ax.set_ylim(floor, None)
    axes[0].set_ylabel("|estimate − f'(x)|  (exact zeros drawn at 1e-20)")
    axes[0].legend(fontsize=8)
    ctx.save_figure(fig, "error_vs_step", caption=(
        "Error of each estimate against the step h on log-log axes, float32 left and "
        "float64 right; the dotted lines mark √ε and ∛ε."))
