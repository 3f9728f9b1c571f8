"""Probability: distributions as plain functions in the shape of ``jax.scipy.stats``,
dice, expectation and variance, Monte Carlo, Bayes' rule.

Each distribution is a module of functions, the point first, then the parameters:

=====================  ==========================  ==========================================
module                 parameters                  functions
=====================  ==========================  ==========================================
``normal``             ``loc`` μ, ``scale`` σ > 0  pdf, logpdf, cdf, sample, mean, var
``uniform``            ``low`` a < ``high`` b      pdf, logpdf, cdf, sample, mean, var
``exponential``        ``rate`` λ > 0              pdf, logpdf, cdf, sample, mean, var
``bernoulli``          ``p`` ∈ [0, 1]              pmf, logpmf, cdf, sample, mean, var
``binomial``           ``n`` ≥ 0 whole, ``p``      pmf, logpmf, cdf, sample, mean, var
``poisson``            ``rate`` λ ≥ 0              pmf, logpmf, cdf, sample, mean, var
``categorical``        ``probs`` (..., K)          pmf, logpmf, sample, mean, var (no cdf)
=====================  ==========================  ==========================================

``normal`` takes ``loc, scale`` as ``jax.scipy.stats.norm``; ``exponential`` its rate
(scipy's ``scale`` = 1/rate); ``uniform`` its ends (scipy's ``loc = low``,
``scale = high − low``); ``poisson`` its rate (scipy's ``mu``). Every ``sample`` is
``sample(key, <params>, shape=(), dtype=...)`` with ``key`` first and ``shape``/``dtype``
static; its shape is ``shape`` broadcast with the parameters'.

Validation (docs/CONVENTIONS.md §4): parameters are array values and are never inspected
on the host: outside the domain (scale ≤ 0, p outside [0, 1], a negative rate, …) the
result is NaN, the same eagerly and under ``jit``, and integer samples (which cannot hold
NaN) are −1. Static arguments (``shape``, ``dtype``, ``n_dice``, …) raise ValueError or
TypeError at call time. Poisson and binomial integer samples refuse a concrete parameter
whose samples would overflow the dtype (ValueError) and saturate at its maximum under
``jit``.

The A/B-test functions live in :mod:`mlmath_jax.abtest` and the Markov chains in
:mod:`mlmath_jax.markov`; both are re-exported here (``probability.ab_test``,
``probability.stationary_distribution``, …). The information measures (entropy,
cross-entropy, KL, mutual information) are :mod:`mlmath_jax.explog`'s, re-exported too.

Example:
  >>> import jax
  >>> from mlmath_jax import probability as pr
  >>> x = pr.normal.sample(jax.random.key(0), 0.0, 2.0, shape=(1000,))
  >>> print(x.shape, round(float(pr.normal.var(0.0, 2.0)), 1))
  (1000,) 4.0
"""

from __future__ import annotations

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
from mlmath_jax.explog import cross_entropy, entropy, kl_divergence, mutual_information
from mlmath_jax.markov import (
    NGramModel,
    ngram_model,
    sample_chain,
    stationary_distribution,
    transition_matrix,
)
from mlmath_jax.probability import (
    bernoulli,
    binomial,
    categorical,
    exponential,
    normal,
    poisson,
    uniform,
)
from mlmath_jax.probability._core import (
    MonteCarloResult,
    bayes,
    dice_sum_pmf,
    expectation,
    monte_carlo_expectation,
    monte_carlo_pi,
    pi_hits_per_batch,
    variance,
)

DISTRIBUTIONS = {"bernoulli": bernoulli, "binomial": binomial, "categorical": categorical,
                 "exponential": exponential, "normal": normal, "poisson": poisson,
                 "uniform": uniform}
"""The distribution modules by name."""

__all__ = [
    "bernoulli", "binomial", "categorical", "exponential", "normal", "poisson", "uniform",
    "DISTRIBUTIONS", "dice_sum_pmf", "expectation", "variance", "MonteCarloResult",
    "monte_carlo_expectation", "bayes", "monte_carlo_pi", "pi_hits_per_batch", "entropy",
    "cross_entropy", "kl_divergence", "mutual_information", "ab_test", "ABTestResult",
    "TestResult", "two_proportion_ztest", "welch_ttest", "sample_size_two_proportions",
    "power_two_proportions", "recommendation", "normal_ppf", "student_t_cdf",
    "student_t_ppf", "stationary_distribution", "transition_matrix", "ngram_model",
    "NGramModel", "sample_chain",
]
