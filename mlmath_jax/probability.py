"""Probability: distributions, dice, expectation and variance, Monte Carlo, Bayes' rule.

Each distribution is a frozen namespace of pure functions of arrays::

    from mlmath_jax import probability as pr
    x = pr.normal.sample(key, 0.0, 2.0, shape=(1000,))
    pr.normal.logpdf(x, 0.0, 2.0), pr.normal.cdf(1.0, 0.0, 2.0), pr.normal.var(0.0, 2.0)

Continuous distributions carry ``pdf``/``logpdf``, discrete ones ``pmf``/``logpmf``; both
carry ``sample(key, *params, shape=(), dtype=float)``, ``cdf`` (not for the unordered
categorical), ``mean`` and ``var``. Parameters that are concrete (not traced under
``jit``) are checked and refused with :class:`~mlmath_jax.errors.UserError`
(σ ≤ 0, p outside [0, 1], a negative rate, …); traced parameters are not checked.

The A/B-test functions live in :mod:`mlmath_jax.abtest` and the Markov chains in
:mod:`mlmath_jax.markov`; both are re-exported here (``probability.ab_test``,
``probability.stationary_distribution``, …). The information measures (entropy,
cross-entropy, KL, mutual information) are :mod:`mlmath_jax.explog`'s, re-exported too.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy import special

from mlmath_jax._util import as_float as _float
from mlmath_jax.abtest import (
    ABTestResult,
    TestResult,
    ab_test,
    normal_ppf,
    power_two_proportions,
    recommendation,
    sample_size_two_proportions,
    student_t_cdf,
    student_t_ppf,
    two_proportion_ztest,
    welch_ttest,
)
from mlmath_jax.errors import UserError
from mlmath_jax.explog import cross_entropy, entropy, kl_divergence, mutual_information
from mlmath_jax.markov import (
    NGramModel,
    ngram_model,
    sample_chain,
    stationary_distribution,
    transition_matrix,
)

__all__ = [
    "Continuous", "Discrete", "bernoulli", "binomial", "categorical", "exponential",
    "normal", "poisson", "uniform", "dice_sum_pmf", "expectation", "variance",
    "MonteCarloResult", "monte_carlo_expectation", "bayes", "monte_carlo_pi",
    "pi_hits_per_batch", "entropy", "cross_entropy", "kl_divergence", "mutual_information",
    "ab_test", "ABTestResult", "TestResult", "two_proportion_ztest", "welch_ttest",
    "sample_size_two_proportions", "power_two_proportions", "recommendation", "normal_ppf",
    "student_t_cdf", "student_t_ppf", "stationary_distribution", "transition_matrix",
    "ngram_model", "NGramModel", "sample_chain",
]


# --------------------------------------------------------------------- parameter checks

def _check(name: str, value, ok: Callable[[np.ndarray], np.ndarray], allowed: str) -> None:
    """Raise UserError when a concrete ``value`` fails ``ok``; traced values pass."""
    if isinstance(value, jax.core.Tracer):
        return
    v = np.asarray(value)
    if not np.all(ok(v)):
        shown = v.tolist() if v.size <= 6 else f"an array with {int(np.sum(~ok(v)))} bad entries"
        raise UserError(f"{name} = {shown} is not allowed; expected {allowed}")


def _prob(name, p):
    _check(name, p, lambda v: (v >= 0) & (v <= 1), "a probability in [0, 1]")


def _positive(name, x):
    _check(name, x, lambda v: v > 0, "a number > 0")


def _checked(check: Callable, fn: Callable, doc: str) -> Callable:
    """``fn`` with its parameters validated by ``check`` first (same arguments)."""

    def wrapped(*args, **kwargs):
        check(*args, **kwargs)
        return fn(*args, **kwargs)

    wrapped.__doc__ = doc
    return wrapped


def _jit_draw(fn):
    """jit a sampler whose last two arguments (shape, dtype) are static."""
    return jax.jit(fn, static_argnames=("shape", "dtype"))


# ------------------------------------------------------------------------ namespaces

@dataclass(frozen=True)
class Continuous:
    """A continuous distribution as pure functions (first arguments: the point, then the
    distribution's parameters)."""

    name: str
    sample: Callable
    pdf: Callable
    logpdf: Callable
    cdf: Callable
    mean: Callable
    var: Callable


@dataclass(frozen=True)
class Discrete:
    """A discrete distribution as pure functions; ``cdf`` is None when the outcomes have
    no order (categorical)."""

    name: str
    sample: Callable
    pmf: Callable
    logpmf: Callable
    cdf: Callable | None
    mean: Callable
    var: Callable


# ---------------------------------------------------------------------------- normal

def _normal_check(sigma):
    _positive("sigma", sigma)


def _normal_sample(key, mu=0.0, sigma=1.0, shape=(), dtype=float):
    """x = μ + σ·z, z ~ N(0, 1)."""
    _normal_check(sigma)
    return _normal_draw(key, mu, sigma, tuple(shape), dtype)


@_jit_draw
def _normal_draw(key, mu, sigma, shape, dtype):
    z = jax.random.normal(key, shape, dtype)
    return jnp.asarray(mu, z.dtype) + jnp.asarray(sigma, z.dtype) * z


def _normal_logpdf(x, mu=0.0, sigma=1.0):
    """log N(x; μ, σ²) = −(x − μ)²/(2σ²) − log σ − ½ log 2π."""
    _normal_check(sigma)
    x = _float(x)
    mu, sigma = jnp.asarray(mu, x.dtype), jnp.asarray(sigma, x.dtype)
    z = (x - mu) / sigma
    return -0.5 * z * z - jnp.log(sigma) - 0.5 * math.log(2 * math.pi)


def _normal_logpdf_grad(x, mu=0.0, sigma=1.0):
    """∂/∂x log N(x; μ, σ²) = −(x − μ)/σ²."""
    x = _float(x)
    return -(x - jnp.asarray(mu, x.dtype)) / jnp.asarray(sigma, x.dtype) ** 2


def _normal_cdf(x, mu=0.0, sigma=1.0):
    """Φ((x − μ)/σ), Φ(z) = ½(1 + erf(z/√2))."""
    _normal_check(sigma)
    x = _float(x)
    return special.ndtr((x - jnp.asarray(mu, x.dtype)) / jnp.asarray(sigma, x.dtype))


normal = Continuous(
    name="normal",
    sample=_normal_sample,
    pdf=lambda x, mu=0.0, sigma=1.0: jnp.exp(_normal_logpdf(x, mu, sigma)),
    logpdf=_normal_logpdf,
    cdf=_normal_cdf,
    mean=_checked(lambda mu=0.0, sigma=1.0: _normal_check(sigma),
                  lambda mu=0.0, sigma=1.0: _float(mu), "E[X] = μ"),
    var=_checked(lambda mu=0.0, sigma=1.0: _normal_check(sigma),
                 lambda mu=0.0, sigma=1.0: _float(sigma) ** 2, "Var[X] = σ²"),
)
"""Normal N(μ, σ²): pdf = exp(−(x − μ)²/(2σ²)) / (σ√(2π)); mean μ; var σ²; σ > 0.

Example:
  >>> normal.pdf(0.0)          # 1/√(2π) ≈ 0.3989
  >>> normal.cdf(1.96)         # ≈ 0.975
"""


# ----------------------------------------------------------------------- exponential

def _rate_check(rate=1.0):
    _positive("rate", rate)


def _expon_sample(key, rate=1.0, shape=(), dtype=float):
    """x = E / λ with E ~ Exp(1)."""
    _rate_check(rate)
    return _expon_draw(key, rate, tuple(shape), dtype)


@_jit_draw
def _expon_draw(key, rate, shape, dtype):
    e = jax.random.exponential(key, shape, dtype)
    return e / jnp.asarray(rate, e.dtype)


def _expon_logpdf(x, rate=1.0):
    """log(λ e^(−λx)) = log λ − λx for x ≥ 0, −∞ below."""
    _rate_check(rate)
    x = _float(x)
    rate = jnp.asarray(rate, x.dtype)
    return jnp.where(x >= 0, jnp.log(rate) - rate * x, -jnp.inf)


def _expon_cdf(x, rate=1.0):
    """1 − e^(−λx) = −expm1(−λx) for x ≥ 0."""
    _rate_check(rate)
    x = _float(x)
    return jnp.where(x >= 0, -jnp.expm1(-jnp.asarray(rate, x.dtype) * x), 0.0)


exponential = Continuous(
    name="exponential",
    sample=_expon_sample,
    pdf=lambda x, rate=1.0: jnp.exp(_expon_logpdf(x, rate)),
    logpdf=_expon_logpdf,
    cdf=_expon_cdf,
    mean=_checked(_rate_check, lambda rate=1.0: 1.0 / _float(rate), "E[X] = 1/λ"),
    var=_checked(_rate_check, lambda rate=1.0: 1.0 / _float(rate) ** 2, "Var[X] = 1/λ²"),
)
"""Exponential with rate λ > 0: pdf = λe^(−λx) (x ≥ 0); mean 1/λ; var 1/λ²."""


# --------------------------------------------------------------------------- uniform

def _uniform_check(low=0.0, high=1.0):
    if isinstance(low, jax.core.Tracer) or isinstance(high, jax.core.Tracer):
        return
    if not np.all(np.asarray(low) < np.asarray(high)):
        raise UserError(f"uniform needs low < high, got low = {np.asarray(low).tolist()}, "
                        f"high = {np.asarray(high).tolist()}")


def _uniform_sample(key, low=0.0, high=1.0, shape=(), dtype=float):
    _uniform_check(low, high)
    return _uniform_draw(key, low, high, tuple(shape), dtype)


@_jit_draw
def _uniform_draw(key, low, high, shape, dtype):
    u = jax.random.uniform(key, shape, dtype)
    lo, hi = jnp.asarray(low, u.dtype), jnp.asarray(high, u.dtype)
    return lo + (hi - lo) * u


def _uniform_logpdf(x, low=0.0, high=1.0):
    """−log(b − a) on [a, b], −∞ outside."""
    _uniform_check(low, high)
    x = _float(x)
    lo, hi = jnp.asarray(low, x.dtype), jnp.asarray(high, x.dtype)
    return jnp.where((x >= lo) & (x <= hi), -jnp.log(hi - lo), -jnp.inf)


def _uniform_cdf(x, low=0.0, high=1.0):
    _uniform_check(low, high)
    x = _float(x)
    lo, hi = jnp.asarray(low, x.dtype), jnp.asarray(high, x.dtype)
    return jnp.clip((x - lo) / (hi - lo), 0.0, 1.0)


uniform = Continuous(
    name="uniform",
    sample=_uniform_sample,
    pdf=lambda x, low=0.0, high=1.0: jnp.exp(_uniform_logpdf(x, low, high)),
    logpdf=_uniform_logpdf,
    cdf=_uniform_cdf,
    mean=_checked(_uniform_check, lambda low=0.0, high=1.0: (_float(low) + _float(high)) / 2,
                  "E[X] = (a + b)/2"),
    var=_checked(_uniform_check,
                 lambda low=0.0, high=1.0: (_float(high) - _float(low)) ** 2 / 12,
                 "Var[X] = (b − a)²/12"),
)
"""Uniform on [a, b], a < b: pdf = 1/(b − a); mean (a + b)/2; var (b − a)²/12."""


# ------------------------------------------------------------------------- bernoulli

def _bern_check(p=0.5):
    _prob("p", p)


def _bern_sample(key, p=0.5, shape=(), dtype=jnp.int32):
    _prob("p", p)
    return _bern_draw(key, p, tuple(shape), dtype)


@_jit_draw
def _bern_draw(key, p, shape, dtype):
    return jax.random.bernoulli(key, p, shape).astype(dtype)


def _bern_logpmf(k, p=0.5):
    """k log p + (1 − k) log(1 − p) for k ∈ {0, 1}, −∞ elsewhere."""
    _prob("p", p)
    p = _float(p)
    k = jnp.asarray(k)
    lp = jnp.where(k == 1, jnp.log(p), jnp.log1p(-p))
    return jnp.where((k == 0) | (k == 1), lp, -jnp.inf)


def _bern_cdf(k, p=0.5):
    _prob("p", p)
    p = _float(p)
    k = jnp.asarray(k)
    return jnp.where(k < 0, 0.0, jnp.where(k < 1, 1.0 - p, 1.0)).astype(p.dtype)


bernoulli = Discrete(
    name="bernoulli",
    sample=_bern_sample,
    pmf=lambda k, p=0.5: jnp.exp(_bern_logpmf(k, p)),
    logpmf=_bern_logpmf,
    cdf=_bern_cdf,
    mean=_checked(_bern_check, lambda p=0.5: _float(p), "E[X] = p"),
    var=_checked(_bern_check, lambda p=0.5: _float(p) * (1 - _float(p)), "Var[X] = p(1 − p)"),
)
"""Bernoulli(p): P(1) = p, P(0) = 1 − p; mean p; var p(1 − p)."""


# -------------------------------------------------------------------------- binomial

def _binom_check(n=1, p=0.5):
    _check("n", n, lambda v: (v >= 0) & (v == np.floor(v)), "a whole number >= 0")
    _prob("p", p)


def _check_count_range(bound, dtype, what: str, hint: str) -> None:
    """Refuse (concrete values) counts that the integer ``dtype`` cannot hold, instead of
    returning wrapped-around samples."""
    if isinstance(bound, jax.core.Tracer) or not jnp.issubdtype(jnp.dtype(dtype), jnp.integer):
        return
    limit = jnp.iinfo(jnp.int32).max // 2   # jax.random's integer samplers count in int32
    if float(np.max(np.asarray(bound, np.float64))) > limit:
        raise UserError(f"{what} is too large: samples would overflow the integer type "
                        f"(at most {limit:,}); {hint}")


def _binom_sample(key, n=1, p=0.5, shape=(), dtype=jnp.int32):
    if isinstance(n, int):
        n = float(n)  # the sampler takes n as a float; a huge Python int would overflow int32
    _binom_check(n, p)
    _check_count_range(n, dtype, f"n = {n}", "pass dtype=jnp.float32 for float counts")
    return _binom_draw(key, n, p, tuple(shape), dtype)


@_jit_draw
def _binom_draw(key, n, p, shape, dtype):
    fdtype = jnp.result_type(float)
    return jax.random.binomial(key, jnp.asarray(n, fdtype), jnp.asarray(p, fdtype),
                               shape).astype(dtype)


def _binom_logpmf(k, n=1, p=0.5):
    """log C(n, k) + k log p + (n − k) log(1 − p), via log Γ."""
    _binom_check(n, p)
    p = _float(p)
    k = jnp.asarray(k, p.dtype)
    n = jnp.asarray(n, p.dtype)
    inside = (k >= 0) & (k <= n) & (k == jnp.floor(k))
    kk = jnp.clip(k, 0.0, n)
    log_choose = special.gammaln(n + 1) - special.gammaln(kk + 1) - special.gammaln(n - kk + 1)
    lp = log_choose + special.xlogy(kk, p) + special.xlog1py(n - kk, -p)
    return jnp.where(inside, lp, -jnp.inf)


def _binom_cdf(k, n=1, p=0.5):
    """P(X ≤ k) = I_{1−p}(n − k, k + 1) (regularized incomplete beta)."""
    _binom_check(n, p)
    p = _float(p)
    k = jnp.floor(jnp.asarray(k, p.dtype))
    n = jnp.asarray(n, p.dtype)
    kk = jnp.clip(k, 0.0, n - 1)
    mid = special.betainc(n - kk, kk + 1, 1 - p)
    return jnp.where(k < 0, 0.0, jnp.where(k >= n, 1.0, mid)).astype(p.dtype)


binomial = Discrete(
    name="binomial",
    sample=_binom_sample,
    pmf=lambda k, n=1, p=0.5: jnp.exp(_binom_logpmf(k, n, p)),
    logpmf=_binom_logpmf,
    cdf=_binom_cdf,
    mean=_checked(_binom_check, lambda n=1, p=0.5: _float(n) * _float(p), "E[X] = np"),
    var=_checked(_binom_check, lambda n=1, p=0.5: _float(n) * _float(p) * (1 - _float(p)),
                 "Var[X] = np(1 − p)"),
)
"""Binomial(n, p): P(k) = C(n, k) pᵏ (1 − p)ⁿ⁻ᵏ; mean np; var np(1 − p)."""


# --------------------------------------------------------------------------- poisson

def _poisson_check(rate=1.0):
    _check("rate", rate, lambda v: v >= 0, "a number >= 0")


def _poisson_sample(key, rate=1.0, shape=(), dtype=jnp.int32):
    _poisson_check(rate)
    _check_count_range(rate, jnp.int32, f"rate = {rate}",
                       "use the normal approximation N(λ, λ) for such rates")
    return _poisson_draw(key, rate, tuple(shape), dtype)


@_jit_draw
def _poisson_draw(key, rate, shape, dtype):
    return jax.random.poisson(key, rate, shape).astype(dtype)


def _poisson_logpmf(k, rate=1.0):
    """k log λ − λ − log k! for whole k ≥ 0."""
    _poisson_check(rate)
    rate = _float(rate)
    k = jnp.asarray(k, rate.dtype)
    inside = (k >= 0) & (k == jnp.floor(k))
    kk = jnp.maximum(k, 0.0)
    return jnp.where(inside, special.xlogy(kk, rate) - rate - special.gammaln(kk + 1),
                     -jnp.inf)


def _poisson_cdf(k, rate=1.0):
    """P(X ≤ k) = Q(⌊k⌋ + 1, λ) (regularized upper incomplete gamma)."""
    _poisson_check(rate)
    rate = _float(rate)
    k = jnp.floor(jnp.asarray(k, rate.dtype))
    return jnp.where(k < 0, 0.0, special.gammaincc(jnp.maximum(k, 0.0) + 1, rate))


poisson = Discrete(
    name="poisson",
    sample=_poisson_sample,
    pmf=lambda k, rate=1.0: jnp.exp(_poisson_logpmf(k, rate)),
    logpmf=_poisson_logpmf,
    cdf=_poisson_cdf,
    mean=_checked(_poisson_check, lambda rate=1.0: _float(rate), "E[X] = λ"),
    var=_checked(_poisson_check, lambda rate=1.0: _float(rate), "Var[X] = λ"),
)
"""Poisson(λ), λ ≥ 0: P(k) = λᵏ e^(−λ) / k!; mean λ; var λ."""


# ----------------------------------------------------------------------- categorical

def _cat_check(probs):
    _prob("probs", probs)
    if not isinstance(probs, jax.core.Tracer):
        total = float(np.sum(np.asarray(probs, np.float64), axis=-1).min())
        hi = float(np.sum(np.asarray(probs, np.float64), axis=-1).max())
        if abs(total - 1) > 1e-4 or abs(hi - 1) > 1e-4:
            raise UserError(f"probs must sum to 1 along the last axis, got sums in "
                            f"[{total:.6g}, {hi:.6g}]")


def _cat_sample(key, probs, shape=(), dtype=jnp.int32):
    """Draw category indices with ``jax.random.categorical`` on log-probabilities."""
    _cat_check(probs)
    return _cat_draw(key, probs, tuple(shape), dtype)


@_jit_draw
def _cat_draw(key, probs, shape, dtype):
    logits = jnp.log(_float(probs))
    return jax.random.categorical(key, logits, shape=shape or None).astype(dtype)


def _cat_logpmf(k, probs):
    _cat_check(probs)
    probs = _float(probs)
    k = jnp.asarray(k)
    K = probs.shape[-1]
    inside = (k >= 0) & (k < K)
    logp = jnp.log(probs)
    if probs.ndim == 1:
        picked = logp[jnp.clip(k, 0, K - 1)]
    else:  # a batch of distributions: index k of each row
        shape = jnp.broadcast_shapes(k.shape, probs.shape[:-1])
        idx = jnp.broadcast_to(jnp.clip(k, 0, K - 1), shape)[..., None]
        picked = jnp.take_along_axis(jnp.broadcast_to(logp, (*shape, K)), idx, axis=-1)[..., 0]
    return jnp.where(inside, picked, -jnp.inf)


def _cat_moments(probs):
    _cat_check(probs)
    probs = _float(probs)
    ks = jnp.arange(probs.shape[-1], dtype=probs.dtype)
    m = jnp.sum(probs * ks, axis=-1)
    return m, jnp.sum(probs * ks**2, axis=-1) - m**2


categorical = Discrete(
    name="categorical",
    sample=_cat_sample,
    pmf=lambda k, probs: jnp.exp(_cat_logpmf(k, probs)),
    logpmf=_cat_logpmf,
    cdf=None,
    mean=lambda probs: _cat_moments(probs)[0],
    var=lambda probs: _cat_moments(probs)[1],
)
"""Categorical(p₀, …, p_{K−1}) over indices 0…K−1: P(k) = p_k. ``mean``/``var`` are
those of the index (Σ k p_k and Σ k² p_k − mean²); there is no cdf (no order)."""

DISTRIBUTIONS = {d.name: d for d in (bernoulli, binomial, categorical, exponential, normal,
                                     poisson, uniform)}


# ------------------------------------------------------------ dice, expectation, Bayes

def dice_sum_pmf(n_dice: int, sides: int = 6) -> jax.Array:
    """P(sum of ``n_dice`` fair ``sides``-sided dice = s), by repeated convolution.

    The pmf of one die is uniform on 1…sides; the pmf of a sum of independent dice is the
    convolution of their pmfs:  p_{n}(s) = Σ_k p_{n−1}(s − k) p_1(k).

    Returns:
      (n_dice·sides + 1,) array indexed by the sum s (entries below n_dice are 0).

    Example:
      >>> p = dice_sum_pmf(2)
      >>> p[2], p[7]          # 1/36, 6/36
    """
    if not (isinstance(n_dice, int | np.integer) and n_dice >= 1):
        raise UserError(f"n_dice = {n_dice!r} is not allowed; expected a whole number >= 1")
    if not (isinstance(sides, int | np.integer) and sides >= 1):
        raise UserError(f"sides = {sides!r} is not allowed; expected a whole number >= 1")
    die = jnp.concatenate([jnp.zeros(1), jnp.full(sides, 1.0 / sides)])  # index = face
    p = jnp.ones(1)  # the sum of zero dice is 0
    for _ in range(int(n_dice)):  # n_dice is static: a handful of convolutions
        p = jnp.convolve(p, die)
    return p


def expectation(values: jax.Array, probs: jax.Array) -> jax.Array:
    """E[X] = Σᵢ xᵢ pᵢ.

    Example:
      >>> expectation(jnp.arange(1., 7.), jnp.full(6, 1 / 6))   # a fair die: 3.5
    """
    values, probs = _float(values), _float(probs)
    _prob("probs", probs)
    return jnp.sum(values * probs.astype(values.dtype), axis=-1)


def variance(values: jax.Array, probs: jax.Array) -> jax.Array:
    """Var[X] = E[(X − E[X])²] = Σᵢ pᵢ (xᵢ − μ)² (the centred form, no cancellation).

    Example:
      >>> variance(jnp.arange(1., 7.), jnp.full(6, 1 / 6))      # 35/12
    """
    values, probs = _float(values), _float(probs)
    mu = expectation(values, probs)
    return jnp.sum(probs.astype(values.dtype) * (values - mu[..., None]) ** 2, axis=-1)


class MonteCarloResult(NamedTuple):
    """A Monte Carlo estimate and its standard error s/√N."""

    estimate: jax.Array
    stderr: jax.Array


def monte_carlo_expectation(key: jax.Array, f: Callable, sample: Callable,
                            n: int) -> MonteCarloResult:
    """E[f(X)] ≈ (1/N) Σ f(xᵢ), xᵢ ~ X, with standard error s/√N.

    Args:
      key: PRNG key.
      f: vectorized function of a batch of samples (leading axis N).
      sample: ``sample(key, n)`` → n samples of X.
      n: number of samples (static).

    Example:
      >>> sample = lambda k, n: normal.sample(k, shape=(n,))
      >>> monte_carlo_expectation(key, jnp.square, sample, 10_000)   # ≈ 1 ± 0.014
    """
    fx = f(sample(key, n))
    n_f = jnp.asarray(n, fx.dtype)
    mean = jnp.mean(fx, axis=0)
    sd = jnp.sqrt(jnp.sum((fx - mean) ** 2, axis=0) / (n_f - 1))
    return MonteCarloResult(mean, sd / jnp.sqrt(n_f))


def bayes(prior, p_e_given_h, p_e_given_not_h) -> jax.Array:
    """Bayes' rule: P(H | E) = P(E | H) P(H) / [P(E | H) P(H) + P(E | ¬H)(1 − P(H))].

    Example (the seed's spam filter: 30% of mail is spam, "free" appears in 80% of spam and
    10% of ham):
      >>> bayes(0.3, 0.8, 0.1)          # 0.24 / 0.31 ≈ 0.774
    """
    for name, v in (("prior", prior), ("p_e_given_h", p_e_given_h),
                    ("p_e_given_not_h", p_e_given_not_h)):
        _prob(name, v)
    prior, a, b = _float(prior), _float(p_e_given_h), _float(p_e_given_not_h)
    num = a * prior
    return num / (num + b * (1 - prior))


# ----------------------------------------------------------------------- Monte Carlo π

def _hits(key, batch_size, dtype):
    """Points of one batch falling inside the quarter unit circle x² + y² ≤ 1."""
    xy = jax.random.uniform(key, (batch_size, 2), dtype)
    return jnp.sum(jnp.sum(xy * xy, axis=1) <= 1.0, dtype=jnp.int32)


def _data_mesh():
    devices = jax.devices()
    return jax.sharding.Mesh(np.array(devices), ("data",)) if len(devices) > 1 else None


def pi_hits_per_batch(key: jax.Array, num_batches: int, batch_size: int,
                      dtype=jnp.float32) -> jax.Array:
    """Hits inside the quarter circle for each of ``num_batches`` batches of points.

    Batch b uses ``fold_in(key, b)``, so the result does not depend on how many devices
    share the work. The batch index array is laid out over a ``data`` mesh axis spanning
    every device (when more than one is present and the count divides evenly), and the
    vmapped, jitted count runs where its batches live.

    Returns:
      (num_batches,) int32 counts.
    """
    idx = jnp.arange(num_batches)
    mesh = _data_mesh()
    if mesh is not None and num_batches % mesh.size == 0:
        spec = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
        idx = jax.device_put(idx, spec)
    return _hits_batched(key, idx, batch_size, jnp.dtype(dtype))


@functools.partial(jax.jit, static_argnums=(2, 3))
def _hits_batched(key, idx, batch_size, dtype):
    return jax.vmap(lambda b: _hits(jax.random.fold_in(key, b), batch_size, dtype))(idx)


def monte_carlo_pi(key: jax.Array, n: int, batch_size: int = 65_536,
                   dtype=jnp.float32) -> MonteCarloResult:
    """π ≈ 4·(points of the unit square inside the quarter circle)/N.

    Each point is a Bernoulli(π/4) trial, so the estimate's standard error is
    4·√(p̂(1 − p̂)/N) ≈ 1.64/√N. Points are drawn in vmapped, jitted batches, split over
    the devices present (see :func:`pi_hits_per_batch`); exactly ``n`` points count.

    Example:
      >>> monte_carlo_pi(jax.random.key(0), 1_000_000)   # estimate ≈ 3.14 ± 0.0016
    """
    if not (isinstance(n, int | np.integer) and n >= 1):
        raise UserError(f"n = {n!r} is not allowed; expected a whole number of points >= 1")
    batch_size = int(min(batch_size, n))
    num_batches = -(-int(n) // batch_size)
    mesh = _data_mesh()
    if mesh is not None:
        num_batches = -(-num_batches // mesh.size) * mesh.size
    counts = pi_hits_per_batch(key, num_batches, batch_size, dtype)
    # Exactly n points: the last batches may be partly or wholly past n.
    full = int(n) // batch_size
    counts = np.asarray(counts, np.int64)
    hits = int(counts[:full].sum())
    rest = int(n) - full * batch_size
    if rest:
        xy = jax.random.uniform(jax.random.fold_in(key, full), (batch_size, 2), dtype)
        hits += int(jnp.sum(jnp.sum(xy[:rest] ** 2, axis=1) <= 1.0))
    p = hits / n
    return MonteCarloResult(jnp.asarray(4.0 * p, dtype),
                            jnp.asarray(4.0 * math.sqrt(p * (1 - p) / n), dtype))


def _register():
    from mlmath_jax import registry

    registry.register(
        "probability.normal_logpdf",
        fn=lambda x, mu, sigma: _normal_logpdf(x, mu, sigma),
        manual=lambda x, mu, sigma: _normal_logpdf_grad(x, mu, sigma),
        sample=lambda key, dtype: (jax.random.normal(key, (7,), dtype) * 3,
                                   jnp.asarray(0.5, dtype), jnp.asarray(1.7, dtype)),
        doc="∂/∂x log N(x; μ, σ²) = −(x − μ)/σ²",
    )


_register()
