"""Hypothesis tests for A/B experiments: two-proportion z-test, Welch's t-test, p-values,
confidence intervals, sample size for a given power, and a one-line recommendation.

Conventions: the difference is always B − A (B is the variant, A the control); tests are
two-sided unless ``alternative`` says "greater" (B > A) or "less" (B < A). Every numeric
function is jittable and vmappable (simulate thousands of experiments with ``jax.vmap``);
only :func:`ab_test` and :func:`recommendation` return text and so run eagerly.

Equations:

* z-test:  p̂ = (x_A + x_B)/(n_A + n_B),  z = (p̂_B − p̂_A) / √(p̂(1 − p̂)(1/n_A + 1/n_B)),
  p = 2Φ(−|z|); Wald interval  (p̂_B − p̂_A) ± z_{1−α/2} √(p̂_A q̂_A/n_A + p̂_B q̂_B/n_B).
* Welch:  t = (x̄_B − x̄_A)/√(s_A²/n_A + s_B²/n_B),
  ν = (s_A²/n_A + s_B²/n_B)² / [(s_A²/n_A)²/(n_A − 1) + (s_B²/n_B)²/(n_B − 1)],
  p = 2(1 − F_ν(|t|)); interval  (x̄_B − x̄_A) ± t_{ν,1−α/2} · SE.
* sample size per group for power 1 − β:
  n = [z_{1−α/2} √(2p̄q̄) + z_{1−β} √(p_A q_A + p_B q_B)]² / (p_B − p_A)²,  p̄ = (p_A + p_B)/2.

Validation (docs/CONVENTIONS.md §4): ``alternative`` is static and raises ValueError;
array values are not inspected: a level α or power outside (0, 1) gives NaN, equal rates
give an infinite sample size, the same eagerly and under ``jit``. :func:`ab_test`, which
works on Python counts and returns text, checks its counts and raises ValueError.

Example:
  >>> print(round(float(two_proportion_ztest(200, 2000, 250, 2000).p_value), 4))
  0.0124
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy import special

from mlmath_jax._util import as_float as _float
from mlmath_jax.errors import UserError

__all__ = ["ALTERNATIVES", "TestResult", "ABTestResult", "normal_ppf", "student_t_cdf",
           "student_t_ppf", "two_proportion_ztest", "welch_ttest",
           "sample_size_two_proportions", "power_two_proportions", "recommendation",
           "ab_test"]

ALTERNATIVES = ("two-sided", "greater", "less")


class TestResult(NamedTuple):
    """Outcome of a two-sample test of B against A.

    Attributes:
      statistic: z or t.
      p_value: for the chosen alternative.
      diff: the estimated difference B − A.
      ci_low, ci_high: the two-sided (1 − α) confidence interval for B − A.
      df: degrees of freedom (Welch), NaN for the z-test.
    """

    __test__ = False  # not a pytest class

    statistic: jax.Array
    p_value: jax.Array
    diff: jax.Array
    ci_low: jax.Array
    ci_high: jax.Array
    df: jax.Array


def _check_alternative(alternative: str) -> None:
    if alternative not in ALTERNATIVES:
        raise UserError(f"alternative = {alternative!r} is not allowed; expected one of "
                        f"{', '.join(ALTERNATIVES)}")


def _level(alpha, dtype) -> jax.Array:
    """α as an array; NaN outside (0, 1) (the NaN contract, no host-side check)."""
    alpha = jnp.asarray(alpha, dtype)
    return jnp.where((alpha > 0) & (alpha < 1), alpha, jnp.nan)


def normal_ppf(q) -> jax.Array:
    """Φ⁻¹(q), the standard normal quantile.

    Args:
      q: probabilities in (0, 1) (±∞ at 0 and 1, NaN outside).

    Returns:
      z with Φ(z) = q.

    Example:
      >>> print(round(float(normal_ppf(0.975)), 6))
      1.959964
    """
    return special.ndtri(_float(q))


def student_t_cdf(t, df) -> jax.Array:
    """F_ν(t) of Student's t: with x = ν/(ν + t²), the tail P(T < −|t|) is ½ I_x(ν/2, ½).

    Args:
      t: points.
      df: degrees of freedom ν > 0.

    Returns:
      P(T ≤ t).

    Example:
      >>> print(round(float(student_t_cdf(2.0, 5.0)), 5))
      0.94903
    """
    t = _float(t)
    df = jnp.asarray(df, t.dtype)
    half = jnp.asarray(0.5, t.dtype)
    x = df / (df + t * t)
    # Near t = 0 (x → 1) use I_x(a, b) = 1 − I_{1−x}(b, a) with 1 − x = t²/(ν + t²).
    tail = 0.5 * jnp.where(x < 0.5, special.betainc(df / 2, half, x),
                           1.0 - special.betainc(half, df / 2, t * t / (df + t * t)))
    return jnp.where(t > 0, 1.0 - tail, tail)


def student_t_ppf(q, df, iters: int = 100) -> jax.Array:
    """F_ν⁻¹(q) by bisection on :func:`student_t_cdf` (jittable; |t| ≤ 10⁴ covered).

    Args:
      q: probabilities in (0, 1).
      df: degrees of freedom ν > 0.
      iters: bisection steps (static).

    Returns:
      t with F_ν(t) = q (∓∞ at q = 0, 1; NaN outside [0, 1]).

    Example:
      >>> print(round(float(student_t_ppf(0.975, 10.0)), 4))
      2.2281
    """
    q = _float(q)
    df = jnp.asarray(df, q.dtype)
    lo = jnp.full(jnp.broadcast_shapes(q.shape, df.shape), -1e4, q.dtype)
    hi = -lo

    def step(_, bracket):
        lo, hi = bracket
        mid = 0.5 * (lo + hi)
        below = student_t_cdf(mid, df) < q
        return jnp.where(below, mid, lo), jnp.where(below, hi, mid)

    lo, hi = lax.fori_loop(0, iters, step, (lo, hi))
    t = 0.5 * (lo + hi)
    t = jnp.where(q == 0, -jnp.inf, jnp.where(q == 1, jnp.inf, t))
    return jnp.where((q >= 0) & (q <= 1), t, jnp.nan)   # NaN for q outside [0, 1]


def _p_value(stat, cdf, alternative):
    if alternative == "greater":
        return 1.0 - cdf(stat)
    if alternative == "less":
        return cdf(stat)
    return 2.0 * cdf(-jnp.abs(stat))


def two_proportion_ztest(successes_a, n_a, successes_b, n_b, alpha: float = 0.05,
                         alternative: str = "two-sided") -> TestResult:
    """Two-proportion z-test of rate B against rate A (pooled standard error), with the
    Wald (unpooled) (1 − α) interval for p_B − p_A.

    Args:
      successes_a, n_a: conversions and trials of A (arrays broadcast; vmappable).
      successes_b, n_b: the same for B.
      alpha: significance level of the interval.
      alternative: "two-sided", "greater" (B > A) or "less" (B < A) (static).

    Returns:
      A :class:`TestResult` (df is NaN); the interval is NaN where α is outside (0, 1).

    Raises:
      ValueError: an unknown ``alternative``.

    Example:
      >>> r = two_proportion_ztest(200, 2000, 250, 2000)
      >>> print(round(float(r.statistic), 3), round(float(r.p_value), 4))
      2.502 0.0124
      >>> print(round(float(r.ci_low), 4), round(float(r.ci_high), 4))
      0.0054 0.0446
    """
    _check_alternative(alternative)
    xa, na = _float(successes_a), _float(n_a)
    xb, nb = jnp.asarray(successes_b, xa.dtype), jnp.asarray(n_b, xa.dtype)
    pa, pb = xa / na, xb / nb
    pooled = (xa + xb) / (na + nb)
    se0 = jnp.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    diff = pb - pa
    z = diff / se0
    p = _p_value(z, special.ndtr, alternative)
    se = jnp.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    half = normal_ppf(1 - _level(alpha, xa.dtype) / 2) * se
    return TestResult(z, p, diff, diff - half, diff + half, jnp.full_like(z, jnp.nan))


def welch_ttest(a: jax.Array, b: jax.Array, alpha: float = 0.05,
                alternative: str = "two-sided") -> TestResult:
    """Welch's unequal-variance t-test of mean(B) against mean(A) (last axis = samples).

    ``statistic`` equals ``scipy.stats.ttest_ind(b, a, equal_var=False).statistic``.

    Args:
      a: (..., n_A) samples of A.
      b: (..., n_B) samples of B.
      alpha: significance level of the interval (NaN interval outside (0, 1)).
      alternative: "two-sided", "greater" (B > A) or "less" (B < A) (static).

    Returns:
      A :class:`TestResult` with the Welch–Satterthwaite df.

    Raises:
      ValueError: an unknown ``alternative``.

    Example:
      >>> r = welch_ttest(jnp.array([1., 2., 3., 4., 5.]), jnp.array([3., 4., 5., 6., 8.]))
      >>> print(round(float(r.statistic), 4), round(float(r.p_value), 3), round(float(r.df), 2))
      1.9757 0.085 7.71
    """
    _check_alternative(alternative)
    a, b = _float(a), _float(b)
    b = b.astype(a.dtype)
    na = jnp.asarray(a.shape[-1], a.dtype)
    nb = jnp.asarray(b.shape[-1], a.dtype)
    va = jnp.var(a, axis=-1, ddof=1) / na
    vb = jnp.var(b, axis=-1, ddof=1) / nb
    se = jnp.sqrt(va + vb)
    diff = jnp.mean(b, axis=-1) - jnp.mean(a, axis=-1)
    t = diff / se
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    p = _p_value(t, lambda s: student_t_cdf(s, df), alternative)
    half = student_t_ppf(1 - _level(alpha, a.dtype) / 2, df) * se
    return TestResult(t, p, diff, diff - half, diff + half, df)


def sample_size_two_proportions(p_a, p_b, alpha: float = 0.05, power: float = 0.8):
    """Smallest n per group with which a two-sided z-test at level α detects p_B ≠ p_A
    with the given power (normal approximation; see the module equations).

    Args:
      p_a: the control's rate.
      p_b: the variant's rate (p_b = p_a: no sample size detects it, the result is ∞).
      alpha: significance level in (0, 1) (NaN outside).
      power: target power in (0, 1) (NaN outside).

    Returns:
      n per group (a whole number as a float).

    Example:
      >>> print(int(sample_size_two_proportions(0.10, 0.12)))
      3841
    """
    pa = _float(p_a)
    pb = jnp.asarray(p_b, pa.dtype)
    bar = (pa + pb) / 2
    za = normal_ppf(1 - _level(alpha, pa.dtype) / 2)
    zb = normal_ppf(_level(power, pa.dtype))
    num = za * jnp.sqrt(2 * bar * (1 - bar)) + zb * jnp.sqrt(pa * (1 - pa) + pb * (1 - pb))
    return jnp.ceil(num**2 / (pb - pa) ** 2)


def power_two_proportions(p_a, p_b, n, alpha: float = 0.05):
    """Power of the two-sided z-test with n per group (the far tail neglected):
    Φ((|Δ|√n − z_{1−α/2} √(2p̄q̄)) / √(p_A q_A + p_B q_B)).

    Args:
      p_a, p_b: the two rates.
      n: the sample size per group.
      alpha: significance level in (0, 1) (NaN outside).

    Returns:
      The power.

    Example:
      >>> print(round(float(power_two_proportions(0.10, 0.12, 3841)), 3))
      0.8
    """
    pa = _float(p_a)
    pb, n = jnp.asarray(p_b, pa.dtype), jnp.asarray(n, pa.dtype)
    bar = (pa + pb) / 2
    za = normal_ppf(1 - _level(alpha, pa.dtype) / 2)
    num = jnp.abs(pb - pa) * jnp.sqrt(n) - za * jnp.sqrt(2 * bar * (1 - bar))
    return special.ndtr(num / jnp.sqrt(pa * (1 - pa) + pb * (1 - pb)))


def recommendation(result: TestResult, alpha: float = 0.05, what: str = "rate") -> str:
    """One line saying what to do with a finished test of B against A.

    Args:
      result: a :class:`TestResult`.
      alpha: the significance level it was run at.
      what: the name of the measured quantity in the sentence.

    Returns:
      "Ship B: …", "Keep A: …" or "No significant difference …".

    Example:
      >>> print(recommendation(two_proportion_ztest(200, 2000, 210, 2000)))
      No significant difference (p = 0.602 >= 0.05, 95% CI [-0.0138, +0.0238]): keep A,
      or collect more data if an effect inside the interval matters.
    """
    p, d = float(result.p_value), float(result.diff)
    lo, hi = float(result.ci_low), float(result.ci_high)
    level = f"{100 * (1 - alpha):g}%"
    ci = f"{level} CI [{lo:+.4g}, {hi:+.4g}]"
    if p < alpha and d > 0:
        return f"Ship B: its {what} is higher by {d:+.4g} ({ci}, p = {p:.3g} < {alpha:g})."
    if p < alpha and d < 0:
        return f"Keep A: B's {what} is lower by {d:+.4g} ({ci}, p = {p:.3g} < {alpha:g})."
    return (f"No significant difference (p = {p:.3g} >= {alpha:g}, {ci}): keep A, or collect "
            f"more data if an effect inside the interval matters.")


class ABTestResult(NamedTuple):
    """The outcome of :func:`ab_test`.

    Attributes:
      rate_a: conversions / visitors of A.
      rate_b: the same for B.
      test: the two-proportion z-test (:class:`TestResult`).
      sample_size: visitors per group needed to detect the target effect with the
        requested power (∞ when no effect or rate_a is 0 or 1).
      recommendation: one line of advice (:func:`recommendation`).
    """

    rate_a: float
    rate_b: float
    test: TestResult
    sample_size: float
    recommendation: str


def ab_test(successes_a: int, n_a: int, successes_b: int, n_b: int, alpha: float = 0.05,
            power: float = 0.8, min_effect: float | None = None) -> ABTestResult:
    """A conversion-rate A/B test: z-test, interval, sample size and a recommendation.

    Args:
      successes_a, n_a, successes_b, n_b: conversions and visitors of A and B.
      alpha: significance level; power: target power for the sample-size answer.
      min_effect: smallest absolute lift worth detecting (default: the observed one).

    Returns:
      An :class:`ABTestResult`.

    Raises:
      ValueError: counts that are not 0 <= successes <= trials, trials >= 1.

    Example:
      >>> print(ab_test(200, 2000, 250, 2000).recommendation)
      Ship B: its rate is higher by +0.025 (95% CI [+0.005431, +0.04457], p = 0.0124 < 0.05).
    """
    for name, x, n in (("A", successes_a, n_a), ("B", successes_b, n_b)):
        if not (0 <= x <= n and n >= 1):
            raise UserError(f"group {name}: need 0 <= successes <= trials and trials >= 1, "
                            f"got {x} of {n}")
    res = two_proportion_ztest(successes_a, n_a, successes_b, n_b, alpha)
    rate_a, rate_b = successes_a / n_a, successes_b / n_b
    effect = abs(rate_b - rate_a) if min_effect is None else float(min_effect)
    target = min(max(rate_a + effect, 1e-9), 1 - 1e-9)
    size = (float(sample_size_two_proportions(rate_a, target, alpha, power))
            if effect > 0 and 0 < rate_a < 1 else math.inf)
    return ABTestResult(rate_a, rate_b, res, size, recommendation(res, alpha))
