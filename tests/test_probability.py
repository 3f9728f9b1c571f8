"""The seed's probability numbers, Monte Carlo (π on 8 devices), Bayes, and the
information measures shared with explog. The distributions are checked in
tests/test_distributions.py.
"""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given
from hypothesis import strategies as hst
from sklearn.metrics import mutual_info_score

from mlmath_jax import explog
from mlmath_jax import probability as pr
from tests.helpers import tol

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
    one = jax.vmap(lambda b: pr._core._hits(jax.random.fold_in(KEY, b), 256, jnp.float32))(
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




# ------------------------------------------------------------- validation (CONVENTIONS §4)

@pytest.mark.parametrize("call", [
    lambda: pr.dice_sum_pmf(0), lambda: pr.dice_sum_pmf(2, 0), lambda: pr.dice_sum_pmf(2.5),
    lambda: pr.monte_carlo_pi(KEY, 0), lambda: pr.monte_carlo_pi(KEY, 10, batch_size=0),
    lambda: pr.pi_hits_per_batch(KEY, 0, 10),
    lambda: pr.monte_carlo_expectation(KEY, jnp.square, lambda k, n: jnp.zeros(n), 1),
])
def test_static_arguments_raise_value_error(call):
    with pytest.raises(ValueError, match="not allowed"):
        call()


def test_static_arguments_raise_under_jit_too():
    with pytest.raises(ValueError, match="n_dice"):
        jax.jit(lambda x: pr.dice_sum_pmf(0) + x)(1.0)


@given(hst.floats(-2.0, 3.0, allow_subnormal=False), hst.floats(0.0, 1.0, allow_subnormal=False),
       hst.floats(0.0, 1.0, allow_subnormal=False))
def test_bayes_nan_outside_domain_same_eagerly_and_under_jit(prior, a, b):
    # The domain is the float32 value's: a prior of -1e-221 is -0.0 there, inside [0, 1].
    prior, a, b = (float(np.float32(v)) for v in (prior, a, b))
    eager = float(pr.bayes(prior, a, b))
    jitted = float(jax.jit(pr.bayes)(prior, a, b))
    if 0 <= prior <= 1 and a * prior + b * (1 - prior) > 1e-30:
        ref = a * prior / (a * prior + b * (1 - prior))
        assert eager == pytest.approx(ref, rel=1e-5, abs=1e-6)
    elif not 0 <= prior <= 1:
        assert np.isnan(eager)
    np.testing.assert_allclose(eager, jitted, **tol(np.float32))   # NaN where eager is


def test_expectation_nan_for_probabilities_outside_unit_interval():
    bad = jnp.array([1.5, -0.5])
    assert np.isnan(float(pr.expectation(jnp.array([1.0, 2.0]), bad)))
    assert np.isnan(float(jax.jit(pr.expectation)(jnp.array([1.0, 2.0]), bad)))
