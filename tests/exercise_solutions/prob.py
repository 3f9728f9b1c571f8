"""probability."""

import jax
import jax.numpy as jnp
from jax.scipy.special import xlogy


def bayes_posterior(prior, likelihood):
    p = prior * likelihood
    return p / p.sum(-1, keepdims=True)


def dice_expectation(n_dice, sides):
    return n_dice * jnp.arange(1, sides + 1).mean()


def dice_sum_pmf(n_dice, sides):
    p = jnp.ones(1)
    for _ in range(n_dice):
        p = jnp.convolve(p, jnp.ones(sides) / sides)
    return p


def gaussian_logpdf(x, mu, sigma):
    return -((x - mu) ** 2) / (2 * sigma**2) - jnp.log(sigma) - 0.5 * jnp.log(2 * jnp.pi)


def mvn_logpdf(x, mean, cov):
    L = jnp.linalg.cholesky(cov)
    z = jax.scipy.linalg.solve_triangular(L, x - mean, lower=True)
    return -0.5 * z @ z - jnp.log(jnp.diag(L)).sum() - 0.5 * x.shape[0] * jnp.log(2 * jnp.pi)


def gaussian_mle(x):
    mu = x.mean()
    return mu, ((x - mu) ** 2).mean()


def entropy(p):
    return -xlogy(p, p).sum(-1)


def kl_divergence(p, q):
    return (xlogy(p, p) - xlogy(p, q)).sum(-1)


CORRECT = dict(bayes_posterior=bayes_posterior, dice_expectation=dice_expectation,
               dice_sum_pmf=dice_sum_pmf, gaussian_logpdf=gaussian_logpdf,
               mvn_logpdf=mvn_logpdf, gaussian_mle=gaussian_mle, entropy=entropy,
               kl_divergence=kl_divergence)

WRONG = [
    ("bayes_posterior", lambda p, l: p * l, "mistake:unnormalized"),
    ("bayes_posterior", lambda p, l: l / l.sum(-1, keepdims=True), "values"),
    ("bayes_posterior", lambda p, l: p * l / l.sum(-1, keepdims=True), "factor"),
    ("dice_expectation", lambda n, s: n * (s - 1) / 2, "mistake:zero_based"),
    ("dice_expectation", lambda n, s: (s + 1) / 2, "values"),
    ("dice_expectation", lambda n, s: n * s / 2, "values"),
    ("dice_sum_pmf", lambda n, s: dice_sum_pmf(n, s) * s**n, "mistake:counts"),
    ("dice_sum_pmf", lambda n, s: jnp.ones(n * s) / (n * s), "shape"),
    ("dice_sum_pmf", lambda n, s: jnp.ones(n * (s - 1) + 1) / (n * (s - 1) + 1), "values"),
    ("gaussian_logpdf", lambda x, m, s: jnp.log(jnp.exp(-((x - m) ** 2) / (2 * s**2))
                                                / (s * jnp.sqrt(2 * jnp.pi))), "not_finite"),
    ("gaussian_logpdf", lambda x, m, s: gaussian_logpdf(x, m, jnp.sqrt(s)), "mistake:variance"),
    ("gaussian_logpdf", lambda x, m, s: -((x - m) ** 2) / (2 * s**2) - jnp.log(s), "offset"),
    ("mvn_logpdf", lambda x, m, c: mvn_logpdf(x, m, c) + jnp.log(
        jnp.diag(jnp.linalg.cholesky(c))).sum(), "mistake:no_logdet"),
    ("mvn_logpdf", lambda x, m, c: -0.5 * (x - m) @ c @ (x - m), "values"),
    ("mvn_logpdf", lambda x, m, c: mvn_logpdf(x, m, c) - 0.5 * jnp.log(2 * jnp.pi), "offset"),
    ("gaussian_mle", lambda x: (x.mean(), x.var(ddof=1)), "mistake:unbiased"),
    ("gaussian_mle", lambda x: (x.mean(), x.std()), "mistake:std"),
    ("gaussian_mle", lambda x: (x.mean(),), "structure"),
    ("entropy", lambda p: -(p * jnp.log(p)).sum(-1), "not_finite"),
    ("entropy", lambda p: (p * jnp.log(jnp.where(p > 0, p, 1.0))).sum(-1), "sign"),
    ("entropy", lambda p: -(p * jnp.log2(jnp.where(p > 0, p, 1.0))).sum(-1), "factor"),
    ("kl_divergence", lambda p, q: kl_divergence(q, p), "mistake:swapped"),
    ("kl_divergence", lambda p, q: (q * jnp.log(p / q)).sum(-1), "values"),
    ("kl_divergence", lambda p, q: kl_divergence(p, q) if float(p.sum()) > 0 else 0.0, "jit"),
]
