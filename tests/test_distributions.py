"""The distribution modules of mlmath_jax.probability against scipy.stats and
jax.scipy.stats (distrax style): logpdf/logpmf, cdf, mean and var over hypothesis-generated
parameters; gradients of the log-probabilities at the boundaries; samples by moments and a
KS or chi-square test at a fixed key; the NaN contract eagerly and under jit.

Tolerances: float64 against scipy rtol 1e-10 / atol 1e-12 (tests.helpers.tol) for the
closed forms; 1e-9 for the special functions (log Γ, incomplete beta and gamma), whose
jax implementations are series/continued fractions. float32 against jax.scipy.stats at
tol(float32), log-probabilities with atol 1e-5 (a log of order 10 carries ~1e-6 rounding).
Samples: moments within 5 standard errors, goodness-of-fit p-value > 1e-3 (n = 20,000,
key 0).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given
from hypothesis import strategies as hst
from jax.scipy import stats as jst

from mlmath_jax import probability as pr
from mlmath_jax import registry
from mlmath_jax.probability import (
    bernoulli,
    binomial,
    categorical,
    exponential,
    normal,
    poisson,
    uniform,
)
from tests.helpers import tol

KEY = jax.random.key(0)
F64 = tol(np.float64)
SPECIAL = {"rtol": 1e-9, "atol": 1e-12}

# XLA on CPU flushes subnormals to zero (x = −5e−324 would become 0, inside the support),
# so the generated floats are normal numbers.
finite = hst.floats(-30.0, 30.0, allow_subnormal=False)
positive = hst.floats(0.05, 20.0)
prob = hst.one_of(hst.sampled_from([0.0, 1.0]), hst.floats(0.0, 1.0, allow_subnormal=False))


def all_of(d, density, cdf=True):
    """One jitted function returning logpdf/logpmf, pdf/pmf, cdf, mean and var of a module
    (compiled once per dtype, so generated examples pay neither dispatch nor tracing)."""
    log, dens = getattr(d, "log" + density), getattr(d, density)

    def f(x, *params):
        out = [log(x, *params), dens(x, *params)] + ([d.cdf(x, *params)] if cdf else [])
        return (*out, d.mean(*params), d.var(*params))

    return jax.jit(f)


ALL = {d: all_of(d, "pdf") for d in (normal, exponential, uniform)}
ALL |= {d: all_of(d, "pmf") for d in (bernoulli, binomial, poisson)}
ALL[categorical] = all_of(categorical, "pmf", cdf=False)


def check_all(d, point, params, ref, **kw):
    """Our functions against a frozen scipy distribution, in float64."""
    with jax.enable_x64(True):
        ours = ALL[d](point, *params)
    refs = [ref.logpmf(point) if hasattr(ref, "logpmf") else ref.logpdf(point),
            ref.pmf(point) if hasattr(ref, "pmf") else ref.pdf(point)]
    refs += [ref.cdf(point)] if len(ours) == 5 else []
    for o, r in zip(ours, [*refs, ref.mean(), ref.var()], strict=True):
        close(o, r, **kw)


def close(ours, ref, **kw):
    np.testing.assert_allclose(np.asarray(ours, np.float64), ref, **(kw or F64))


# ------------------------------------------------------------- equivalence with scipy

@given(finite, finite, positive)
def test_normal_vs_scipy(x, loc, scale):
    check_all(normal, x, (loc, scale), st.norm(loc, scale), rtol=1e-9, atol=1e-15)


@given(hst.floats(-5.0, 40.0, allow_subnormal=False), positive)
def test_exponential_vs_scipy(x, rate):
    check_all(exponential, x, (rate,), st.expon(scale=1 / rate))


@given(finite, finite, positive)
def test_uniform_vs_scipy(x, low, width):
    high = low + width
    check_all(uniform, x, (low, high), st.uniform(low, high - low))


@given(hst.integers(-1, 2), prob)
def test_bernoulli_vs_scipy(k, p):
    check_all(bernoulli, k, (p,), st.bernoulli(p))


@given(hst.integers(0, 60), hst.integers(-2, 62), prob)
def test_binomial_vs_scipy(n, k, p):
    check_all(binomial, k, (n, p), st.binom(n, p), **SPECIAL)


@given(hst.integers(-2, 60),
       hst.one_of(hst.just(0.0), hst.floats(0.0, 40.0, allow_subnormal=False)))
def test_poisson_vs_scipy(k, rate):
    check_all(poisson, k, (rate,), st.poisson(rate), **SPECIAL)


weights = hst.lists(hst.one_of(hst.just(0.0), hst.floats(0.01, 1.0)), min_size=1,
                    max_size=6).filter(lambda w: sum(w) > 0)


@given(weights, hst.integers(-1, 6))
def test_categorical_vs_scipy(w, k):
    probs = np.asarray(w) / np.sum(w)
    ref = st.rv_discrete(values=(np.arange(len(probs)), probs))
    check_all(categorical, k, (probs,), ref, rtol=1e-10, atol=1e-10)


def test_float32_matches_jax_scipy_stats():
    x, ks = jnp.linspace(-3.0, 6.0, 41), jnp.arange(-1, 15)
    t = tol(np.float32)
    np.testing.assert_allclose(normal.logpdf(x, 1.0, 2.0), jst.norm.logpdf(x, 1.0, 2.0),
                               atol=1e-5)
    np.testing.assert_allclose(normal.cdf(x, 1.0, 2.0), jst.norm.cdf(x, 1.0, 2.0), **t)
    np.testing.assert_allclose(exponential.logpdf(x, 1.5),
                               jst.expon.logpdf(x, scale=1 / 1.5), atol=1e-5)
    np.testing.assert_allclose(uniform.pdf(x, -1.0, 2.5), jst.uniform.pdf(x, -1.0, 3.5), **t)
    np.testing.assert_allclose(poisson.logpmf(ks, 3.2), jst.poisson.logpmf(ks, 3.2), atol=1e-5)
    np.testing.assert_allclose(binomial.pmf(ks, 10, 0.3), jst.binom.pmf(ks, 10, 0.3), **t)
    np.testing.assert_allclose(bernoulli.pmf(ks, 0.3), jst.bernoulli.pmf(ks, 0.3), **t)
    assert normal.logpdf(x).dtype == jnp.float32


def test_float64_on_request():
    with jax.enable_x64(True):
        assert normal.logpdf(jnp.zeros(3)).dtype == jnp.float64
        assert normal.sample(KEY, shape=(3,), dtype=jnp.float64).dtype == jnp.float64
        assert normal.sample(KEY, shape=(3,)).dtype == jnp.float64   # float → x64's float


def test_categorical_batch_of_distributions():
    probs = jnp.array([[0.5, 0.5, 0.0], [0.1, 0.6, 0.3]])
    k = jnp.array([0, 2])
    ref = [st.multinomial(1, np.asarray(p)).pmf(np.eye(3)[i])
           for p, i in zip(probs, k, strict=True)]
    np.testing.assert_allclose(categorical.pmf(k, probs), ref, **tol(np.float32))
    np.testing.assert_allclose(categorical.mean(probs), [0.5, 1.2], **tol(np.float32))


def test_modules_are_plain_functions_with_equations():
    assert "−(x − μ)²/(2σ²)" in normal.logpdf.__doc__
    for d in pr.DISTRIBUTIONS.values():
        for name in d.__all__:
            fn = getattr(d, name)
            assert callable(fn) and fn.__doc__ and "Example:" in fn.__doc__, (d, name)
    assert not hasattr(categorical, "cdf")


# --------------------------------------------------- gradients at the boundaries (#14)

GRAD = {"bernoulli": jax.jit(jax.grad(bernoulli.logpmf, 1)),
        "bernoulli_ref": jax.jit(jax.grad(jst.bernoulli.logpmf, 1)),
        "binomial": jax.jit(jax.grad(binomial.logpmf, 2)),
        "poisson": jax.jit(jax.grad(poisson.logpmf, 1)),
        "categorical": jax.jit(jax.grad(categorical.logpmf, 1)),
        "normal": jax.jit(jax.grad(normal.logpdf, (0, 1, 2))),
        "normal_ref": jax.jit(jax.grad(jst.norm.logpdf, (0, 1, 2)))}

@given(hst.sampled_from([0.0, 1.0]), prob)
def test_bernoulli_logpmf_gradient(k, p):
    with jax.enable_x64(True):
        g = float(GRAD['bernoulli'](k, p))
        g_ref = float(GRAD['bernoulli_ref'](k, p))
    present = (k == 1 and p > 0) or (k == 0 and p < 1)   # P(k) > 0: finite derivative
    if present:
        expected = k / p if k == 1 else -1 / (1 - p)
        assert g == pytest.approx(expected, rel=1e-5)
    if 0 < p < 1:
        assert g == pytest.approx(g_ref, rel=1e-9)


def test_issue_14_boundary_gradients():
    assert float(jax.grad(bernoulli.logpmf, 1)(1.0, 1.0)) == 1.0
    assert float(jax.grad(binomial.logpmf, 2)(7.0, 7.0, 1.0)) == pytest.approx(7.0)
    assert float(jax.grad(binomial.logpmf, 2)(0.0, 7.0, 0.0)) == pytest.approx(-7.0)
    assert float(jax.grad(poisson.logpmf, 1)(0.0, 0.0)) == -1.0
    g = jax.grad(categorical.logpmf, 1)(1, jnp.array([0.0, 0.25, 0.75]))
    np.testing.assert_allclose(g, [0.0, 4.0, 0.0], **tol(np.float32))


@given(hst.integers(0, 30), prob, hst.sampled_from(["low", "high", "any"]))
def test_binomial_logpmf_gradient(n, p, where):
    k = {"low": 0, "high": n, "any": n // 2}[where]
    with jax.enable_x64(True):
        g = float(GRAD['binomial'](float(k), float(n), p))
        value = float(ALL[binomial](k, n, p)[0])
    if np.isfinite(value):   # k has positive probability: the derivative is finite
        expected = (k / p if k else 0.0) - ((n - k) / (1 - p) if n - k else 0.0)
        assert g == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert value == pytest.approx(st.binom.logpmf(k, n, p), rel=1e-9, abs=1e-12)


@given(hst.integers(0, 30), hst.one_of(hst.just(0.0), hst.floats(0.0, 30.0, allow_subnormal=False)))
def test_poisson_logpmf_gradient(k, rate):
    with jax.enable_x64(True):
        g = float(GRAD['poisson'](float(k), rate))
    if k == 0 or rate > 0:
        assert g == pytest.approx((k / rate if k else 0.0) - 1.0, rel=1e-9, abs=1e-12)


@given(weights, hst.data())
def test_categorical_logpmf_gradient(w, data):
    probs = np.asarray(w) / np.sum(w)
    k = data.draw(hst.sampled_from([i for i, q in enumerate(probs) if q > 0]))
    with jax.enable_x64(True):
        g = np.asarray(GRAD['categorical'](k, jnp.asarray(probs)))
    expected = np.zeros_like(probs)
    expected[k] = 1 / probs[k]
    np.testing.assert_allclose(g, expected, **F64)


@given(finite, finite, positive)
def test_normal_gradients_vs_jax_scipy(x, loc, scale):
    with jax.enable_x64(True):
        for ours, ref in zip(GRAD["normal"](x, loc, scale), GRAD["normal_ref"](x, loc, scale),
                             strict=True):
            close(ours, ref)


def test_normal_logpdf_manual_gradient_registered():
    entry = registry._REGISTRY["probability.normal_logpdf"]
    args = entry.sample(KEY, jnp.float32)
    auto = jax.grad(lambda x: jnp.sum(normal.logpdf(x, *args[1:])))(args[0])
    np.testing.assert_allclose(entry.manual(*args), auto, **tol(np.float32))


# ------------------------------------------------------------------------------ samples

SAMPLE_CASES = [
    ("normal", (1.0, 2.0), st.norm(1.0, 2.0)),
    ("exponential", (1.5,), st.expon(scale=1 / 1.5)),
    ("uniform", (-1.0, 3.0), st.uniform(-1.0, 4.0)),
    ("bernoulli", (0.3,), st.bernoulli(0.3)),
    ("binomial", (10, 0.3), st.binom(10, 0.3)),
    ("poisson", (3.5,), st.poisson(3.5)),
    ("categorical", (jnp.array([0.1, 0.2, 0.3, 0.4]),),
     st.rv_discrete(values=(np.arange(4), [0.1, 0.2, 0.3, 0.4]))),
]


@pytest.mark.parametrize("name,params,ref", SAMPLE_CASES, ids=[c[0] for c in SAMPLE_CASES])
def test_samples_moments_and_goodness_of_fit(name, params, ref):
    d = pr.DISTRIBUTIONS[name]
    n = 20_000
    x = np.asarray(d.sample(KEY, *params, shape=(n,)), np.float64)
    assert x.shape == (n,)
    mean, var = ref.mean(), ref.var()
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / n)
    mu4 = float(ref.expect(lambda t: (t - mean) ** 4))
    assert abs(x.var(ddof=1) - var) < 5 * np.sqrt((mu4 - var**2) / n)
    if hasattr(d, "pdf"):
        assert st.kstest(x, ref.cdf).pvalue > 1e-3
    else:   # chi-square over the outcomes with expected count >= 5 (the rest pooled)
        ks = np.arange(int(ref.ppf(1e-9)), int(ref.ppf(1 - 1e-9)) + 1)
        expected = n * ref.pmf(ks)
        keep = expected >= 5
        observed = np.array([np.sum(x == k) for k in ks])
        obs = np.append(observed[keep], n - observed[keep].sum())
        exp = np.append(expected[keep], n - expected[keep].sum())
        if exp[-1] < 5:
            obs, exp = obs[:-1], exp[:-1]
        exp = exp * obs.sum() / exp.sum()
        assert st.chisquare(obs, exp).pvalue > 1e-3


def test_sample_shape_broadcasts_with_parameters():
    x = normal.sample(KEY, jnp.array([0.0, 10.0]), 1.0, shape=(5, 2))
    assert x.shape == (5, 2)
    assert bernoulli.sample(KEY, jnp.full(3, 0.5)).shape == (3,)
    assert categorical.sample(KEY, jnp.full((4, 3), 1 / 3)).shape == (4,)


# ------------------------------------------------------- the NaN contract, both paths

INVALID = [
    (normal, "logpdf", (0.0, 0.0, -1.0)), (normal, "cdf", (0.0, 0.0, 0.0)),
    (normal, "mean", (0.0, -1.0)), (normal, "var", (0.0, jnp.nan)),
    (normal, "sample", (KEY, 0.0, -1.0)),
    (exponential, "logpdf", (1.0, -2.0)), (exponential, "cdf", (1.0, 0.0)),
    (exponential, "mean", (-1.0,)), (exponential, "var", (-1.0,)),
    (exponential, "sample", (KEY, -2.0)),
    (uniform, "logpdf", (0.5, 1.0, 1.0)), (uniform, "cdf", (0.5, 2.0, 1.0)),
    (uniform, "mean", (2.0, 1.0)), (uniform, "var", (2.0, 1.0)),
    (uniform, "sample", (KEY, 2.0, 1.0)),
    (bernoulli, "logpmf", (1, 1.2)), (bernoulli, "cdf", (0, -0.1)),
    (bernoulli, "mean", (1.5,)), (bernoulli, "var", (-0.5,)),
    (bernoulli, "sample", (KEY, 1.5)),
    (binomial, "logpmf", (1, 2.5, 0.5)), (binomial, "cdf", (1, 3, 1.5)),
    (binomial, "mean", (-1, 0.5)), (binomial, "var", (3, -0.5)),
    (binomial, "sample", (KEY, 10, -0.1)),
    (poisson, "logpmf", (1, -0.5)), (poisson, "cdf", (1, -0.5)),
    (poisson, "mean", (-1.0,)), (poisson, "var", (-1.0,)),
    (poisson, "sample", (KEY, -1.0)),
    (categorical, "logpmf", (0, jnp.array([0.5, 0.6]))),
    (categorical, "mean", (jnp.array([1.5, -0.5]),)),
    (categorical, "var", (jnp.array([0.2, 0.2]),)),
    (categorical, "sample", (KEY, jnp.array([0.5, 0.6]))),
]


@pytest.mark.parametrize("d,fn,args", INVALID,
                         ids=[f"{d.__name__.rsplit('.', 1)[1]}.{f}" for d, f, _ in INVALID])
def test_outside_domain_is_nan_eagerly_and_under_jit(d, fn, args):
    f = getattr(d, fn)
    eager, jitted = f(*args), jax.jit(f)(*args)
    if jnp.issubdtype(eager.dtype, jnp.integer):   # integer samples hold -1, not NaN
        assert int(eager) == -1
    else:
        assert np.isnan(float(eager))
    np.testing.assert_array_equal(eager, jitted)


@pytest.mark.parametrize("d,params", [(normal, (0.0, 1.0)), (bernoulli, (0.5,)),
                                      (poisson, (2.0,)), (binomial, (5, 0.5)),
                                      (categorical, (jnp.array([0.5, 0.5]),))])
@pytest.mark.parametrize("bad,error", [({"shape": (-1,)}, ValueError),
                                       ({"shape": "abc"}, TypeError),
                                       ({"shape": (3,), "dtype": jnp.bool_}, TypeError)])
def test_static_arguments_raise_eagerly_and_under_jit(d, params, bad, error):
    with pytest.raises(error):
        d.sample(KEY, *params, **bad)
    with pytest.raises(error):
        jax.jit(lambda key: d.sample(key, *params, **bad))(KEY)


def test_count_overflow_refused_when_concrete_saturated_under_jit():
    top = int(jnp.iinfo(jnp.int32).max)
    with pytest.raises(ValueError, match="too large"):
        poisson.sample(KEY, 1e10)
    with pytest.raises(ValueError, match="too large"):
        binomial.sample(KEY, 10**10, 0.5)
    with pytest.raises(ValueError, match="too large"):
        binomial.sample(KEY, 200, 0.5, dtype=jnp.int8)
    assert int(jax.jit(poisson.sample)(KEY, 1e10)) == top
    assert int(jax.jit(binomial.sample)(KEY, 1e10, 0.5)) == top
    assert np.isnan(float(jax.jit(lambda k, r: poisson.sample(k, r, dtype=jnp.float32))(
        KEY, 1e10)))
    big = binomial.sample(KEY, 10**10, 0.5, dtype=jnp.float32)   # float counts: no limit
    assert abs(float(big) - 5e9) < 1e6
    ok = jax.jit(poisson.sample)(KEY, 3.0)   # in range: a real draw under jit
    assert 0 <= int(ok) < 100
