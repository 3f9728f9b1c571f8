"""A/B tests against scipy.stats: z-test (≡ chi-square without correction), Welch's t-test
and its interval, t quantiles, sample size/power, and CI coverage by vmapped simulation.

Tolerances: float32 statistics rtol 1e-4, p-values atol 1e-5; float64 rtol 1e-9.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st

from mlmath_jax import abtest as hyp
from mlmath_jax import probability as pr


def test_reexported_from_probability():
    assert pr.ab_test is hyp.ab_test and pr.welch_ttest is hyp.welch_ttest


def test_two_proportion_z_matches_chi_square():
    res = hyp.two_proportion_ztest(200, 2000, 250, 2000)
    table = np.array([[200, 1800], [250, 1750]])
    chi2, p, _, _ = st.chi2_contingency(table, correction=False)
    assert float(res.statistic) ** 2 == pytest.approx(chi2, rel=1e-4)
    assert float(res.p_value) == pytest.approx(p, rel=1e-4)
    assert float(res.diff) == pytest.approx(0.025, rel=1e-5)
    # Wald interval by hand with scipy's normal quantile.
    se = np.sqrt(0.1 * 0.9 / 2000 + 0.125 * 0.875 / 2000)
    z = st.norm.ppf(0.975)
    assert float(res.ci_low) == pytest.approx(0.025 - z * se, rel=1e-4)
    assert float(res.ci_high) == pytest.approx(0.025 + z * se, rel=1e-4)


def test_one_sided_z_p_values():
    g = hyp.two_proportion_ztest(200, 2000, 250, 2000, alternative="greater")
    l = hyp.two_proportion_ztest(200, 2000, 250, 2000, alternative="less")
    z = float(g.statistic)
    assert float(g.p_value) == pytest.approx(st.norm.sf(z), rel=1e-4)
    assert float(l.p_value) == pytest.approx(st.norm.cdf(z), rel=1e-4)


def test_welch_matches_scipy_float64():
    rng = np.random.default_rng(1)
    a = rng.normal(10.0, 2.0, 40)
    b = rng.normal(11.0, 4.0, 25)
    ref = st.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval(0.95)
    with jax.enable_x64(True):
        res = hyp.welch_ttest(jnp.asarray(a), jnp.asarray(b))
        assert float(res.statistic) == pytest.approx(ref.statistic, rel=1e-9)
        assert float(res.p_value) == pytest.approx(ref.pvalue, rel=1e-9)
        assert float(res.df) == pytest.approx(ref.df, rel=1e-9)
        assert float(res.ci_low) == pytest.approx(ci.low, rel=1e-8)
        assert float(res.ci_high) == pytest.approx(ci.high, rel=1e-8)
    for alt in ("greater", "less"):
        r32 = hyp.welch_ttest(jnp.asarray(a, jnp.float32), jnp.asarray(b, jnp.float32),
                              alternative=alt)
        assert float(r32.p_value) == pytest.approx(
            st.ttest_ind(b, a, equal_var=False, alternative=alt).pvalue, abs=1e-5)


def test_t_cdf_and_ppf_vs_scipy():
    with jax.enable_x64(True):
        t = jnp.array([-5.0, -1.0, 0.0, 0.7, 3.0])
        for df in (1.0, 4.5, 30.0):
            np.testing.assert_allclose(hyp.student_t_cdf(t, df), st.t.cdf(np.asarray(t), df),
                                       rtol=1e-10)
            q = jnp.array([0.025, 0.5, 0.9, 0.975])
            np.testing.assert_allclose(hyp.student_t_ppf(q, df), st.t.ppf(np.asarray(q), df),
                                       rtol=1e-8, atol=1e-10)


def test_sample_size_and_power():
    pa, pb, alpha, power = 0.10, 0.12, 0.05, 0.8
    n = int(hyp.sample_size_two_proportions(pa, pb, alpha, power))
    za, zb = st.norm.ppf(1 - alpha / 2), st.norm.ppf(power)
    bar = (pa + pb) / 2
    ref = (za * np.sqrt(2 * bar * (1 - bar)) + zb * np.sqrt(pa * (1 - pa) + pb * (1 - pb))) ** 2
    assert n == int(np.ceil(ref / (pb - pa) ** 2))
    assert float(hyp.power_two_proportions(pa, pb, n, alpha)) >= power - 1e-4
    assert float(hyp.power_two_proportions(pa, pb, n - 10, alpha)) < power


def test_recommendation_lines():
    ship = hyp.ab_test(200, 2000, 250, 2000)
    assert ship.recommendation.startswith("Ship B")
    keep = hyp.ab_test(250, 2000, 200, 2000)
    assert keep.recommendation.startswith("Keep A")
    none = hyp.ab_test(200, 2000, 205, 2000)
    assert none.recommendation.startswith("No significant difference")
    assert "\n" not in none.recommendation
    assert ship.sample_size == pytest.approx(
        float(hyp.sample_size_two_proportions(0.1, 0.125)), rel=1e-6)


@pytest.mark.parametrize("call", [
    lambda: hyp.ab_test(30, 20, 5, 20),
    lambda: hyp.welch_ttest(jnp.ones(3), jnp.ones(3), alternative="bigger"),
    lambda: hyp.two_proportion_ztest(1, 10, 2, 10, alternative="bigger"),
])
def test_bad_static_input_refused(call):
    with pytest.raises(ValueError, match="not allowed|need"):
        call()


def test_static_alternative_refused_under_jit_too():
    with pytest.raises(ValueError, match="alternative"):
        jax.jit(lambda a: hyp.welch_ttest(a, a, alternative="bigger"))(jnp.ones(3))


@pytest.mark.parametrize("call", [
    lambda f: f(hyp.two_proportion_ztest, 1, 10, 2, 10, 1.5).ci_low,
    lambda f: f(hyp.welch_ttest, jnp.arange(4.0), jnp.arange(4.0) + 1, 0.0).ci_high,
    lambda f: f(hyp.sample_size_two_proportions, 0.1, 0.2, 0.05, 1.0),
    lambda f: f(hyp.power_two_proportions, 0.1, 0.2, 100.0, -0.1),
])
def test_values_outside_domain_nan_eagerly_and_under_jit(call):
    eager = call(lambda fn, *a: fn(*a))
    jitted = call(lambda fn, *a: jax.jit(fn)(*a))
    assert np.isnan(float(eager)) and np.isnan(float(jitted))


def test_equal_rates_need_infinite_sample():
    assert float(hyp.sample_size_two_proportions(0.1, 0.1)) == np.inf
    assert float(jax.jit(hyp.sample_size_two_proportions)(0.1, 0.1)) == np.inf


def test_ci_coverage_by_vmapped_simulation():
    """Over 4,000 simulated experiments the 95% intervals cover the true difference
    about 95% of the time (binomial SE of a coverage of 0.95 is 0.0034)."""
    n, pa, pb, m = 1000, 0.2, 0.23, 4000
    ka, kb, kn = jax.random.split(jax.random.key(3), 3)
    xa = jax.random.binomial(ka, jnp.float32(n), jnp.float32(pa), (m,))
    xb = jax.random.binomial(kb, jnp.float32(n), jnp.float32(pb), (m,))
    res = jax.jit(jax.vmap(lambda a, b: hyp.two_proportion_ztest(a, n, b, n)))(xa, xb)
    covered = float(jnp.mean((res.ci_low <= pb - pa) & (pb - pa <= res.ci_high)))
    assert abs(covered - 0.95) < 0.015
    # Welch on normal data with unequal variances and sizes.
    k1, k2 = jax.random.split(kn)
    a = 1.0 + 1.0 * jax.random.normal(k1, (m, 30))
    b = 1.5 + 3.0 * jax.random.normal(k2, (m, 20))
    w = jax.jit(jax.vmap(hyp.welch_ttest))(a, b)
    covered = float(jnp.mean((w.ci_low <= 0.5) & (0.5 <= w.ci_high)))
    assert abs(covered - 0.95) < 0.015
