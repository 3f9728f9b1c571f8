"""Distributions against jax.scipy.stats / scipy.stats, the seed's probability numbers,
Monte Carlo (π on 8 devices), Bayes, and the information measures shared with explog.

Tolerances: float32 densities rtol 1e-5 (log-space 1e-5 absolute), float64 1e-12; sample
moments within 5 standard errors (n = 20,000 draws, a fixed key).
"""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st
from jax.scipy import stats as jst
from sklearn.metrics import mutual_info_score

from mlmath_jax import explog, registry
from mlmath_jax import probability as pr
from mlmath_jax.errors import UserError

KEY = jax.random.key(0)


# ------------------------------------------------------------------ the seed's numbers

def test_two_dice_seed_numbers():
    p = pr.dice_sum_pmf(2, 6)
    assert float(p[2]) == pytest.approx(1 / 36, rel=1e-6)
    assert float(p[7]) == pytest.approx(6 / 36, rel=1e-6)
    assert float(jnp.sum(p)) == pytest.approx(1.0, rel=1e-6)


def test_fair_die_expectation_and_variance():
    faces, probs = jnp.arange(1.0, 7.0), jnp.full(6, 1 / 6)
    assert float(pr.expectation(faces, probs)) == pytest.approx(3.5, rel=1e-6)
    assert float(pr.variance(faces, probs)) == pytest.approx(35 / 12, rel=1e-6)


def test_bayes_seed_spam_example():
    # 30% spam; "free" in 80% of spam, 10% of ham: 0.24 / (0.24 + 0.07).
    assert float(pr.bayes(0.3, 0.8, 0.1)) == pytest.approx(0.774, abs=5e-4)
    assert float(pr.bayes(0.3, 0.8, 0.1)) == pytest.approx(0.24 / 0.31, rel=1e-6)


def test_dice_sum_pmf_matches_enumeration():
    counts = np.zeros(3 * 4 + 1)
    for faces in itertools.product(range(1, 5), repeat=3):
        counts[sum(faces)] += 1
    np.testing.assert_allclose(pr.dice_sum_pmf(3, 4), counts / counts.sum(), rtol=1e-5)


def test_expectation_variance_vs_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=10)
    p = rng.random(10)
    p /= p.sum()
    with jax.enable_x64(True):
        mu = pr.expectation(jnp.asarray(x), jnp.asarray(p))
        var = pr.variance(jnp.asarray(x), jnp.asarray(p))
        np.testing.assert_allclose(mu, np.average(x, weights=p), rtol=1e-12)
        np.testing.assert_allclose(var, np.cov(x, aweights=p, bias=True), rtol=1e-12)


# ----------------------------------------------------------------------- distributions

X_CONT = jnp.linspace(-3.0, 6.0, 41)
KS = jnp.arange(-1, 15)


def test_normal_vs_jax_scipy():
    np.testing.assert_allclose(pr.normal.logpdf(X_CONT, 1.0, 2.0),
                               jst.norm.logpdf(X_CONT, 1.0, 2.0), atol=1e-5)
    np.testing.assert_allclose(pr.normal.pdf(X_CONT, 1.0, 2.0),
                               jst.norm.pdf(X_CONT, 1.0, 2.0), rtol=1e-5)
    np.testing.assert_allclose(pr.normal.cdf(X_CONT, 1.0, 2.0),
                               jst.norm.cdf(X_CONT, 1.0, 2.0), rtol=1e-5, atol=1e-7)


def test_exponential_vs_jax_scipy():
    rate = 1.5
    np.testing.assert_allclose(pr.exponential.logpdf(X_CONT, rate),
                               jst.expon.logpdf(X_CONT, scale=1 / rate), atol=1e-5)
    np.testing.assert_allclose(pr.exponential.cdf(X_CONT, rate),
                               jst.expon.cdf(X_CONT, scale=1 / rate), atol=1e-6)


def test_uniform_vs_jax_scipy():
    np.testing.assert_allclose(pr.uniform.pdf(X_CONT, -1.0, 2.5),
                               jst.uniform.pdf(X_CONT, -1.0, 3.5), rtol=1e-6)
    np.testing.assert_allclose(pr.uniform.cdf(X_CONT, -1.0, 2.5),
                               jst.uniform.cdf(X_CONT, -1.0, 3.5), atol=1e-6)


def test_discrete_vs_jax_scipy():
    np.testing.assert_allclose(pr.poisson.logpmf(KS, 3.2), jst.poisson.logpmf(KS, 3.2),
                               atol=1e-5)
    np.testing.assert_allclose(pr.poisson.cdf(KS, 3.2), jst.poisson.cdf(KS, 3.2), atol=1e-5)
    np.testing.assert_allclose(pr.binomial.pmf(KS, 10, 0.3), jst.binom.pmf(KS, 10, 0.3),
                               atol=1e-6)
    np.testing.assert_allclose(pr.bernoulli.pmf(KS, 0.3), jst.bernoulli.pmf(KS, 0.3),
                               atol=1e-7)
    np.testing.assert_allclose(pr.bernoulli.cdf(KS, 0.3), jst.bernoulli.cdf(KS, 0.3),
                               atol=1e-7)


def test_cdfs_vs_scipy_float64():
    with jax.enable_x64(True):
        ks = jnp.arange(-1.0, 15.0)
        np.testing.assert_allclose(pr.binomial.cdf(ks, 12, 0.35),
                                   st.binom.cdf(np.arange(-1, 15), 12, 0.35), atol=1e-12)
        np.testing.assert_allclose(pr.poisson.cdf(ks, 4.5),
                                   st.poisson.cdf(np.arange(-1, 15), 4.5), atol=1e-12)


def test_categorical_pmf_and_moments():
    probs = jnp.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(pr.categorical.pmf(jnp.arange(-1, 5), probs),
                               [0.0, 0.1, 0.2, 0.3, 0.4, 0.0], atol=1e-7)
    ref = st.rv_discrete(values=(np.arange(4), np.asarray(probs, np.float64)))
    assert float(pr.categorical.mean(probs)) == pytest.approx(ref.mean(), rel=1e-6)
    assert float(pr.categorical.var(probs)) == pytest.approx(ref.var(), rel=1e-5)
    assert pr.categorical.cdf is None


MOMENT_CASES = [
    ("normal", (1.0, 2.0), st.norm(1.0, 2.0)),
    ("exponential", (1.5,), st.expon(scale=1 / 1.5)),
    ("uniform", (-1.0, 3.0), st.uniform(-1.0, 4.0)),
    ("bernoulli", (0.3,), st.bernoulli(0.3)),
    ("binomial", (10, 0.3), st.binom(10, 0.3)),
    ("poisson", (3.5,), st.poisson(3.5)),
    ("categorical", (jnp.array([0.1, 0.2, 0.3, 0.4]),),
     st.rv_discrete(values=(np.arange(4), [0.1, 0.2, 0.3, 0.4]))),
]


@pytest.mark.parametrize("name,params,ref", MOMENT_CASES, ids=[c[0] for c in MOMENT_CASES])
def test_moments_theory_and_samples(name, params, ref):
    d = pr.DISTRIBUTIONS[name]
    mean, var = float(d.mean(*params)), float(d.var(*params))
    assert mean == pytest.approx(ref.mean(), rel=1e-5)
    assert var == pytest.approx(ref.var(), rel=1e-5)
    n = 20_000
    x = np.asarray(d.sample(KEY, *params, shape=(n,)), np.float64)
    assert x.shape == (n,)
    # sample mean within 5 SE; sample variance within 5 SE (SE² of s² ≈ (μ4 − σ⁴)/n)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / n)
    mu4 = float(ref.expect(lambda t: (t - ref.mean()) ** 4))
    assert abs(x.var(ddof=1) - var) < 5 * np.sqrt((mu4 - var**2) / n)


def test_samples_match_cdf_ks():
    x = pr.normal.sample(KEY, 0.5, 1.5, shape=(4000,))
    assert st.kstest(np.asarray(x), st.norm(0.5, 1.5).cdf).pvalue > 1e-3


@pytest.mark.parametrize("call", [
    lambda: pr.normal.pdf(0.0, 0.0, 0.0),
    lambda: pr.normal.sample(KEY, 0.0, -1.0),
    lambda: pr.bernoulli.pmf(1, 1.2),
    lambda: pr.binomial.sample(KEY, 10, -0.1),
    lambda: pr.binomial.pmf(1, 2.5, 0.5),
    lambda: pr.exponential.pdf(1.0, -2.0),
    lambda: pr.poisson.pmf(1, -0.5),
    lambda: pr.uniform.pdf(0.0, 1.0, 1.0),
    lambda: pr.categorical.pmf(0, jnp.array([0.5, 0.6])),
    lambda: pr.bayes(1.5, 0.5, 0.5),
    lambda: pr.normal.var(0.0, -1.0),
    lambda: pr.poisson.mean(-1.0),
    lambda: pr.uniform.mean(2.0, 1.0),
    lambda: pr.dice_sum_pmf(0),
])
def test_invalid_parameters_refused(call):
    with pytest.raises(UserError, match="not allowed|must|needs"):
        call()


def test_message_names_parameter():
    with pytest.raises(UserError, match=r"sigma = -1.0 is not allowed; expected a number > 0"):
        pr.normal.logpdf(0.0, 0.0, -1.0)


def test_jit_and_vmap_over_parameters():
    f = jax.jit(jax.vmap(pr.normal.logpdf, in_axes=(None, 0, 0)))
    mus, sigmas = jnp.array([0.0, 1.0]), jnp.array([1.0, 2.0])
    np.testing.assert_allclose(f(0.5, mus, sigmas), jst.norm.logpdf(0.5, mus, sigmas),
                               atol=1e-6)


def test_float64_on_request():
    with jax.enable_x64(True):
        x = jnp.linspace(-2.0, 2.0, 9)
        assert pr.normal.logpdf(x).dtype == jnp.float64
        np.testing.assert_allclose(pr.normal.logpdf(x, 0.3, 1.2), st.norm.logpdf(
            np.linspace(-2, 2, 9), 0.3, 1.2), rtol=1e-12)
        assert pr.normal.sample(KEY, shape=(3,), dtype=jnp.float64).dtype == jnp.float64


def test_normal_logpdf_manual_gradient():
    entry = registry._REGISTRY["probability.normal_logpdf"]  # registered at import
    args = entry.sample(KEY, jnp.float32)
    auto = jax.grad(lambda x: jnp.sum(pr.normal.logpdf(x, *args[1:])))(args[0])
    np.testing.assert_allclose(entry.manual(*args), auto, rtol=1e-5)


# ------------------------------------------------------------------------- Monte Carlo

def test_monte_carlo_expectation_of_square_normal():
    res = pr.monte_carlo_expectation(KEY, jnp.square,
                                     lambda k, n: pr.normal.sample(k, shape=(n,)), 20_000)
    assert abs(float(res.estimate) - 1.0) < 5 * float(res.stderr)
    assert float(res.stderr) == pytest.approx(np.sqrt(2 / 20_000), rel=0.1)


def test_monte_carlo_pi_within_standard_errors():
    res = pr.monte_carlo_pi(KEY, 200_000, batch_size=5_000)
    assert abs(float(res.estimate) - np.pi) < 5 * float(res.stderr)
    assert float(res.stderr) == pytest.approx(np.sqrt(np.pi * (4 - np.pi) / 200_000), rel=0.05)


def test_pi_batches_sharded_over_devices_same_as_one_device():
    assert jax.device_count() == 8
    hits = pr.pi_hits_per_batch(KEY, 16, 256)
    assert len(hits.sharding.device_set) == 8
    one = jax.vmap(lambda b: pr._hits(jax.random.fold_in(KEY, b), 256, jnp.float32))(
        jax.device_put(jnp.arange(16), jax.devices()[0]))
    np.testing.assert_array_equal(hits, one)
    assert hits.dtype == jnp.int32 and bool(jnp.all((hits >= 0) & (hits <= 256)))


def test_monte_carlo_pi_counts_exactly_n_points():
    # n not a multiple of the batch: the partial batch counts only its first points.
    a = pr.monte_carlo_pi(KEY, 1000, batch_size=300)
    hits = np.asarray(pr.pi_hits_per_batch(KEY, 3, 300)).sum()
    xy = jax.random.uniform(jax.random.fold_in(KEY, 3), (300, 2))
    hits += int(jnp.sum(jnp.sum(xy[:100] ** 2, axis=1) <= 1.0))
    assert float(a.estimate) == pytest.approx(4 * hits / 1000, rel=1e-6)


# ------------------------------------------------------------------ information measures

def test_information_measures_are_explogs():
    for name in ("entropy", "cross_entropy", "kl_divergence", "mutual_information"):
        assert getattr(pr, name) is getattr(explog, name)


def test_information_measures_vs_scipy_and_sklearn():
    p = jnp.array([0.5, 0.25, 0.125, 0.125])
    q = jnp.array([0.25, 0.25, 0.25, 0.25])
    assert float(pr.entropy(p)) == pytest.approx(1.75, rel=1e-6)  # bits
    assert float(pr.kl_divergence(p, q)) == pytest.approx(st.entropy(p, q), rel=1e-5)
    assert float(pr.cross_entropy(p, q)) == pytest.approx(
        st.entropy(p) + st.entropy(p, q), rel=1e-5)
    counts = np.array([[10.0, 2.0, 3.0], [1.0, 8.0, 6.0]])
    mi = pr.mutual_information(jnp.asarray(counts / counts.sum(), jnp.float32), base=None)
    assert float(mi) == pytest.approx(mutual_info_score(None, None, contingency=counts),
                                      rel=1e-5)


def test_categorical_pmf_of_a_batch_of_distributions():
    probs = jnp.array([[0.5, 0.5, 0.0], [0.1, 0.6, 0.3]])
    k = jnp.array([0, 2])
    np.testing.assert_allclose(pr.categorical.pmf(k, probs), [0.5, 0.3], rtol=1e-6)
    ref = [st.multinomial(1, np.asarray(p)).pmf(np.eye(3)[i]) for p, i in
           zip(probs, k, strict=True)]
    np.testing.assert_allclose(pr.categorical.pmf(k, probs), ref, rtol=1e-6)


def test_count_samplers_refuse_overflowing_counts():
    with pytest.raises(UserError, match="too large"):
        pr.poisson.sample(jax.random.key(0), 1e10)
    with pytest.raises(UserError, match="too large"):
        pr.binomial.sample(jax.random.key(0), 10**10, 0.5)
    big = pr.binomial.sample(jax.random.key(0), 10**10, 0.5, dtype=jnp.float32)
    assert abs(float(big) - 5e9) < 1e6   # float counts: no overflow
