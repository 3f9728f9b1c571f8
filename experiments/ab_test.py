"""A/B Testing Framework: one experiment analysed, and thousands simulated to check the
method itself.

1. One simulated conversion experiment (visitors of A and B convert with p_A, p_B): the
   two-proportion z-test, its confidence interval, the sample size a given power needs,
   and a one-line recommendation.
2. Many experiments at once (``jax.vmap`` over independent keys): how often the 95%
   interval covers the true difference (≈ 95%), how often the test rejects when there is
   no difference (≈ α) and when there is one (≈ the power the sample-size formula
   promised), and the same coverage for Welch's t-interval on a skewed-variance
   continuous metric (e.g. revenue per visitor).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import abtest as hyp
from mlmath_jax import plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.schema import Float, Int

DESCRIPTION = "A/B test: z-test, Welch t-test, sample size, and simulated 95% CI coverage"

SCHEMA = {
    "ab": {
        "p_a": Float(0.10, gt=0.0, lt=1.0, help="true conversion rate of A"),
        "p_b": Float(0.12, gt=0.0, lt=1.0, help="true conversion rate of B"),
        "n": Int(4000, min=2, max=10**9, help="visitors per group"),
        "alpha": Float(0.05, gt=0.0, lt=1.0),
        "power": Float(0.8, gt=0.0, lt=1.0, help="target power for the sample size"),
    },
    "welch": {
        "mean_a": Float(10.0), "mean_b": Float(10.5),
        "sd_a": Float(2.0, gt=0.0), "sd_b": Float(5.0, gt=0.0),
        "n_a": Int(40, min=2, max=100_000), "n_b": Int(25, min=2, max=100_000),
    },
    "simulation": {"experiments": Int(10_000, min=10, max=10_000_000)},
}


LESSON = Lesson(
    title="A/B testing: confidence intervals, p-values and power",
    chapter="probability",
    concept="""
An A/B test shows two versions of a page to two groups of visitors and compares how often
each group converts. The observed rates differ by chance even when the versions are equally
good, so the test asks how surprising the observed difference would be if there were no
real difference: the z statistic divides the difference by its standard error, and the
p-value is the probability of a difference at least that large by chance alone. A 95%
confidence interval is a range built so that, over many repeated experiments, 95% of such
ranges contain the true difference.

These promises are about many experiments, so this experiment simulates many of them: how
often the interval covers the truth, how often the test finds a difference when there is
none (the false-positive rate, which should be α), and how often it finds a real one (the
power, which the sample-size formula plans for). Welch's t-test does the same for a
continuous measure such as revenue, without assuming equal variances.
""",
    equations=(
        r"\hat{p} = \frac{x_A + x_B}{n_A + n_B}, \quad z = \frac{\hat{p}_B - \hat{p}_A}"
        r"{\sqrt{\hat{p}(1-\hat{p})\left(\frac{1}{n_A} + \frac{1}{n_B}\right)}}",
        r"\hat{p}_B - \hat{p}_A \pm z_{1-\alpha/2}\sqrt{\frac{\hat{p}_A(1-\hat{p}_A)}{n_A} + "
        r"\frac{\hat{p}_B(1-\hat{p}_B)}{n_B}}",
        r"n = \frac{\left(z_{1-\alpha/2} + z_{1-\beta}\right)^2 \left(p_A(1-p_A) + "
        r"p_B(1-p_B)\right)}{(p_B - p_A)^2}",
    ),
    try_next=(
        TryNext(("ab.n=500",),
                "only 500 visitors per group: the intervals widen and the test usually "
                "misses the real 2-point difference (low power)"),
        TryNext(("ab.alpha=0.2",),
                "α = 0.2: 80% intervals, and about one false positive in five experiments "
                "with no difference"),
        TryNext(("welch.n_a=5", "welch.n_b=5"),
                "Welch's test on only 5 values per group, where its interval is very wide"),
    ),
    main_figure="ab_simulation.png",
    headline="coverage_z",
)


def check(cfg):
    if cfg.ab.p_a == cfg.ab.p_b:
        raise ConfigError("ab.p_a and ab.p_b must differ (the simulation also runs the "
                          "no-difference case by itself)")


@functools.partial(jax.jit, static_argnames=("m", "alpha"))
def simulate_proportions(key, p_a, p_b, n, m, alpha):
    """m independent z-tests with n visitors per group: (conversions A, B, results)."""
    ka, kb = jax.random.split(key)
    xa = jax.random.binomial(ka, n, p_a, (m,))
    xb = jax.random.binomial(kb, n, p_b, (m,))
    return xa, xb, jax.vmap(lambda a, b: hyp.two_proportion_ztest(a, n, b, n, alpha))(xa, xb)


@functools.partial(jax.jit, static_argnames=("m", "n_a", "n_b", "alpha"))
def simulate_welch(key, mean_a, mean_b, sd_a, sd_b, n_a, n_b, m, alpha):
    """m independent Welch t-tests on normal data."""
    ka, kb = jax.random.split(key)
    a = mean_a + sd_a * jax.random.normal(ka, (m, n_a), mean_a.dtype)
    b = mean_b + sd_b * jax.random.normal(kb, (m, n_b), mean_a.dtype)
    return jax.vmap(lambda x, y: hyp.welch_ttest(x, y, alpha))(a, b)


def run(cfg, key, ctx):
    ab, w, m = cfg.ab, cfg.welch, cfg.simulation.experiments
    f = lambda v: jnp.asarray(v, ctx.dtype)
    k_cov, k_null, k_pow, k_welch = jax.random.split(key, 4)
    # Many experiments at once (vmapped); the first is also analysed on its own.
    conv_a, conv_b, sim = simulate_proportions(k_cov, f(ab.p_a), f(ab.p_b), f(ab.n), m,
                                               ab.alpha)

    # 1. One experiment, analysed.
    xa, xb = int(conv_a[0]), int(conv_b[0])
    one = hyp.ab_test(xa, ab.n, xb, ab.n, ab.alpha, ab.power, min_effect=ab.p_b - ab.p_a)
    n_needed = int(hyp.sample_size_two_proportions(ab.p_a, ab.p_b, ab.alpha, ab.power))
    ctx.print(f"A: {xa}/{ab.n} = {one.rate_a:.4f}   B: {xb}/{ab.n} = {one.rate_b:.4f}   "
              f"z = {float(one.test.statistic):.3f}, p = {float(one.test.p_value):.4g}")
    ctx.print(one.recommendation)
    ctx.print(f"to detect {ab.p_a:g} → {ab.p_b:g} with power {ab.power:g} at α = {ab.alpha:g}: "
              f"{n_needed:,} visitors per group")

    # 2. Many experiments: coverage, false positives, power.
    true_diff = ab.p_b - ab.p_a
    covered = np.asarray((sim.ci_low <= true_diff) & (true_diff <= sim.ci_high))
    coverage = float(covered.mean())
    power_at_n = float(np.mean(np.asarray(sim.p_value) < ab.alpha))
    _, _, null = simulate_proportions(k_null, f(ab.p_a), f(ab.p_a), f(ab.n), m, ab.alpha)
    type1 = float(np.mean(np.asarray(null.p_value) < ab.alpha))
    _, _, at_needed = simulate_proportions(k_pow, f(ab.p_a), f(ab.p_b), f(n_needed), m, ab.alpha)
    power_at_needed = float(np.mean(np.asarray(at_needed.p_value) < ab.alpha))
    welch = simulate_welch(k_welch, f(w.mean_a), f(w.mean_b), f(w.sd_a), f(w.sd_b), w.n_a,
                           w.n_b, m, ab.alpha)
    welch_diff = w.mean_b - w.mean_a
    welch_cov = float(np.mean(np.asarray((welch.ci_low <= welch_diff)
                                         & (welch_diff <= welch.ci_high))))
    se = np.sqrt((1 - ab.alpha) * ab.alpha / m)
    level = 1 - ab.alpha
    ctx.print(f"{m:,} simulated experiments: {100 * level:g}% CI coverage {coverage:.4f} "
              f"(z-test), {welch_cov:.4f} (Welch), ±{se:.4f} expected; false-positive rate "
              f"{type1:.4f} (α = {ab.alpha:g}); power at n = {ab.n}: {power_at_n:.3f}, at "
              f"n = {n_needed}: {power_at_needed:.3f} (target {ab.power:g})")
    ctx.log(0, coverage_z=coverage, coverage_welch=welch_cov, type1_rate=type1,
            power_at_n=power_at_n, power_at_sample_size=power_at_needed)

    _figures(ctx, sim, true_diff, covered, null, level)
    observe(ctx, cfg, xa, xb, one, n_needed, coverage, welch_cov, type1, power_at_needed)
    return {
        "conversions_a": xa, "conversions_b": xb,
        "z": float(one.test.statistic), "p_value": float(one.test.p_value),
        "ci_low": float(one.test.ci_low), "ci_high": float(one.test.ci_high),
        "recommendation": one.recommendation,
        "sample_size_per_group": n_needed,
        "coverage_z": coverage, "coverage_welch": welch_cov,
        "coverage_expected": level, "coverage_se": float(se),
        "type1_rate": type1, "power_at_n": power_at_n,
        "power_at_sample_size": power_at_needed,
        "power_formula_at_n": float(hyp.power_two_proportions(ab.p_a, ab.p_b, ab.n, ab.alpha)),
    }


def _figures(ctx, sim, true_diff, covered, null, level):
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.2, 4))
    k = min(100, len(covered))
    lo, hi = np.asarray(sim.ci_low[:k]), np.asarray(sim.ci_high[:k])
    colors = np.where(covered[:k], "tab:blue", "tab:red")
    ax1.hlines(np.arange(k), lo, hi, colors=colors, lw=1.2)
    ax1.plot(np.asarray(sim.diff[:k]), np.arange(k), "k.", ms=2)
    ax1.axvline(true_diff, color="k", ls="--", lw=1, label="true p_B − p_A")
    ax1.set_title(f"first {k} intervals: {int(covered[:k].sum())} cover ({100 * level:g}% CI)",
                  fontsize=9)
    ax1.set_xlabel("p_B − p_A")
    ax1.set_ylabel("simulated experiment")
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    bins = np.linspace(0, 1, 21)
    ax2.hist(np.asarray(null.p_value), bins=bins, alpha=0.6, label="no difference (uniform)")
    ax2.hist(np.asarray(sim.p_value), bins=bins, alpha=0.6, label="B better")
    ax2.set_xlabel("p-value")
    ax2.set_ylabel("experiments")
    ax2.set_title("p-values over simulated experiments", fontsize=9)
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    ctx.save_figure(fig, "ab_simulation", caption=(
        f"Left: the {100 * level:g}% intervals of the first {k} simulated experiments, blue "
        "when they contain the true difference and red when they miss it. Right: "
        "histograms of the p-values with no difference and with B better."))


def observe(ctx, cfg, xa, xb, one, n_needed, coverage, welch_cov, type1, power) -> None:
    """The single experiment, then what the simulated experiments show about the method."""
    ab, m = cfg.ab, cfg.simulation.experiments
    level, true_diff = 1 - ab.alpha, ab.p_b - ab.p_a
    lo, hi = float(one.test.ci_low), float(one.test.ci_high)
    found = (f"In the first simulated experiment A converted {xa:,} of {ab.n:,} visitors and "
             f"B {xb:,}: z = {float(one.test.statistic):.2f}, p = "
             f"{float(one.test.p_value):.2g}, and the {100 * level:g}% interval for "
             f"p_B − p_A is [{lo:.4f}, {hi:.4f}]")
    ctx.observe(found + f"; it contains the true difference {true_diff:.4g}.",
                lo <= true_diff <= hi,
                found + f"; it misses the true difference {true_diff:.4g}, as "
                f"{100 * ab.alpha:g}% of such intervals do.")

    def near(rate, target):
        return abs(rate - target) <= 3 * float(np.sqrt(target * (1 - target) / m)) + 1e-12

    se = float(np.sqrt(level * ab.alpha / m))
    found = (f"Over {m:,} simulated experiments the {100 * level:g}% intervals covered the "
             f"true difference {100 * coverage:.1f}% of the time (z-test) and "
             f"{100 * welch_cov:.1f}% (Welch)")
    ok = near(coverage, level) and near(welch_cov, level)
    ctx.observe(found + f": within 3 standard errors (±{100 * 3 * se:.1f} points) of "
                f"{100 * level:g}%.", ok,
                found + f": not both within 3 standard errors (±{100 * 3 * se:.1f} points) "
                f"of {100 * level:g}%.")
    found = (f"With no real difference the test still declared one in {100 * type1:.1f}% of "
             f"the {m:,} experiments")
    ctx.observe(found + f", as α = {ab.alpha:g} promises.", near(type1, ab.alpha),
                found + f", more than 3 standard errors from α = {ab.alpha:g}.")
    found = (f"With the {n_needed:,} visitors per group that the sample-size formula asks "
             f"for, the test detected B's lift in {100 * power:.1f}% of experiments")
    ctx.observe(found + f", close to the planned power of {100 * ab.power:g}%.",
                abs(power - ab.power) <= 3 * float(np.sqrt(ab.power * (1 - ab.power) / m))
                + 0.02,
                found + f", not close to the planned {100 * ab.power:g}% (the formula is an "
                "approximation that loosens for small samples or rates near 0 or 1).")
