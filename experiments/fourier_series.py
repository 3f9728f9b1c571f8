"""Fourier series of a square wave: partial sums with n odd harmonics,
sq(x) ≈ (4/π) Σₖ₌₁ⁿ sin((2k − 1)x)/(2k − 1), and the error falling with n (while the
Gibbs overshoot near the jumps stays near 9%)."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from mlmath_jax import explorers, plotting, trig
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Int, List

DESCRIPTION = "square wave by Fourier series: approximations and error vs terms"

LESSON = Lesson(
    title="Fourier series of a square wave",
    chapter="trigonometry",
    concept="""Any periodic signal can be built from sines and cosines. A square wave, +1 for
half a period and −1 for the other half, needs only the odd harmonics sin x, sin 3x,
sin 5x, …, with amplitudes falling like 1/(2k − 1).

Adding more harmonics brings the sum closer to the wave: the mean squared error falls
roughly like 1/n. Next to the jumps, though, the sum always overshoots by about 9% of
the jump — the Gibbs phenomenon — and the overshoot only moves closer to the jump.""",
    equations=(r"\operatorname{sq}(x) \approx \frac{4}{\pi} \sum_{k=1}^{n} "
               r"\frac{\sin((2k-1)x)}{2k-1}",
               r"\frac{1}{2\pi}\int_{-\pi}^{\pi} (S_n(x) - \operatorname{sq}(x))^2 \, dx"
               r" \approx \frac{c}{n}"),
    try_next=(
        TryNext(("series.terms=[2, 5]",),
                "few harmonics: the sum is a wobbly approximation of the square wave"),
        TryNext(("series.error_terms=[1, 10, 100, 1000]", "series.points=20000"),
                "a thousand harmonics: the error keeps falling, the overshoot does not"),
    ),
    main_figure="fourier.png",
    headline="mse",
)

SCHEMA = {
    "series": {
        "terms": List([1, 3, 10, 50], item=Int(1, min=1, max=100_000), min_len=1,
                      help="numbers of odd harmonics to draw"),
        "error_terms": List([1, 2, 4, 8, 16, 32, 64, 128, 256], item=Int(1, min=1,
                                                                          max=100_000),
                            min_len=2, help="numbers of terms for the error curve"),
        "points": Int(2000, min=16, max=1_000_000, help="sample points over one period"),
    },
}


def run(cfg, key, ctx):
    del key
    s = cfg.series
    x = jnp.linspace(-math.pi, math.pi, s.points, endpoint=False, dtype=ctx.dtype)
    target = trig.square_wave(x)
    away = np.asarray(jnp.abs(jnp.abs(x) - math.pi / 2) < math.pi / 4)     # mid-plateau
    ns = sorted(set(s.error_terms))
    sums = np.asarray(trig.fourier_partial_sums(x, max(ns)))         # every n in one pass
    t = np.asarray(target)
    errors = []
    for n in ns:
        approx = sums[:, n - 1]
        mse = float(np.mean((approx - t) ** 2))
        plateau = float(np.max(np.abs(approx - t)[away]))
        overshoot = float(np.max(approx)) - 1.0
        errors.append((n, mse, plateau, overshoot))
        ctx.log(n, mse=mse, max_error_mid_plateau=plateau, overshoot=overshoot)
    ctx.save_explorer("explore_terms", explorers.fourier_series(max_terms=60, start=min(s.terms)),
                      "partial sums, a terms slider")
    _draw(ctx, np.asarray(x, float), np.asarray(target, float), s.terms, errors)
    n, mse, plateau, overshoot = errors[-1]
    ns, mses = np.array([e[0] for e in errors]), np.array([e[1] for e in errors])
    slope = float(np.polyfit(np.log(ns), np.log(mses), 1)[0])
    falls = bool(np.all(np.diff(mses) < 0))
    ctx.observe(f"The mean squared error fell at every step, from {fmt(float(mses[0]))} with "
                f"{int(ns[0])} harmonic{'s' * int(ns[0] != 1)} to {fmt(mse)} with {n}; on the "
                f"log-log plot its slope is {fmt(slope)}, close to −1 (error ∝ 1/n).",
                falls and -1.25 < slope < -0.75,
                f"The mean squared error went from {fmt(float(mses[0]))} to {fmt(mse)}, with "
                f"a log-log slope of {fmt(slope)}"
                f"{'' if falls else ', and it did not fall at every step'}.")
    ctx.observe(f"With {n} harmonics the sum still overshoots the jump by {fmt(overshoot)} "
                f"(Gibbs: about 9% of the jump of 2, that is 0.179), while mid-plateau the "
                f"error is down to {fmt(plateau)}.",
                abs(overshoot - 0.179) < 0.02 and plateau < overshoot,
                f"With {n} harmonics the overshoot is {fmt(overshoot)} and the mid-plateau "
                f"error {fmt(plateau)}: the grid of points is too coarse to show the Gibbs "
                f"peak of 0.179.")
    return {"terms": n, "mse": mse, "max_error_mid_plateau": plateau,
            "gibbs_overshoot": overshoot, "mse_log_log_slope": slope,
            "error_falls_with_n": bool(np.all(np.diff(mses) < 0))}


def _draw(ctx, x, target, terms, errors):
    fig, (ax, ax2) = plotting.subplots(1, 2, size=(5.5, 4.2))
    ax.plot(x, target, "k-", lw=1.5, label="square wave")
    sums = np.asarray(trig.fourier_partial_sums(jnp.asarray(x), max(terms)))
    for n in terms:
        ax.plot(x, sums[:, n - 1], lw=1, label=f"n = {n}")
    ax.set_xlabel("x")
    ax.set_ylabel("sq(x) and partial sums")
    ax.set_title("partial sums (4/π) Σ sin((2k−1)x)/(2k−1)", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    ns = [e[0] for e in errors]
    ax2.loglog(ns, [e[1] for e in errors], "o-", label="mean squared error")
    ax2.loglog(ns, [e[2] for e in errors], "s-", label="max error mid-plateau")
    ax2.loglog(ns, [e[3] for e in errors], "^-", label="overshoot (Gibbs, → 0.179)")
    ax2.set_xlabel("terms n")
    ax2.set_ylabel("error")
    ax2.set_title("error vs number of terms", fontsize=9)
    ax2.legend(fontsize=7)
    ax2.grid(True, which="both", alpha=0.3)
    ctx.save_figure(fig, "fourier", caption="Left: the square wave and its partial sums with "
                    "n odd harmonics. Right: three measures of the error against n, on "
                    "log-log axes.")
