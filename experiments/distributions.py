"""Distribution Sampler and Visualizer: samples of each distribution against its pdf/pmf,
and the central limit theorem with sums of uniforms.

For every distribution in :mod:`mlmath_jax.probability`, draw N samples, compare the
sample mean and variance with the theory (in standard errors), and draw the histogram over
the theoretical density. Then standardize sums of k Uniform(0, 1) draws,
(S_k − k/2)/√(k/12), and watch their distribution approach N(0, 1) as k grows (the
Kolmogorov distance to Φ shrinks).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import plotting
from mlmath_jax import probability as pr
from mlmath_jax.runner.schema import Float, Int, List

DESCRIPTION = "sample every distribution, histograms vs pdf/pmf, CLT with sums of uniforms"

SCHEMA = {
    "sample": {"n": Int(20_000, min=100, max=10_000_000, help="draws per distribution")},
    "params": {
        "normal_mu": Float(0.0), "normal_sigma": Float(1.0, gt=0.0),
        "exponential_rate": Float(1.5, gt=0.0),
        "uniform_low": Float(-1.0), "uniform_high": Float(2.0),
        "bernoulli_p": Float(0.3, min=0.0, max=1.0),
        "binomial_n": Int(20, min=1, max=10_000), "binomial_p": Float(0.35, min=0.0, max=1.0),
        "poisson_rate": Float(4.0, min=0.0, max=1e5),
        "categorical_probs": List([0.1, 0.2, 0.4, 0.3], item=Float(0.0, min=0.0), min_len=1),
    },
    "clt": {
        "terms": List([1, 2, 5, 30], item=Int(1, min=1, max=1000), min_len=1,
                      help="numbers k of uniforms summed"),
        "n": Int(20_000, min=100, max=10_000_000, help="sums per k"),
    },
}


def check(cfg):
    from mlmath_jax.errors import ConfigError

    p = cfg.params
    if not p.uniform_low < p.uniform_high:
        raise ConfigError("params.uniform_low must be < params.uniform_high")
    if abs(sum(p.categorical_probs) - 1.0) > 1e-6:
        raise ConfigError(f"params.categorical_probs must sum to 1, got "
                          f"{sum(p.categorical_probs):.6g}")


def _cases(p):
    """(name, distribution module, parameters, support for the plot) per distribution."""
    probs = jnp.asarray(p.categorical_probs)
    sd = p.normal_sigma
    return [
        ("normal", pr.normal, (p.normal_mu, sd), (p.normal_mu - 4 * sd, p.normal_mu + 4 * sd)),
        ("exponential", pr.exponential, (p.exponential_rate,), (0.0, 6 / p.exponential_rate)),
        ("uniform", pr.uniform, (p.uniform_low, p.uniform_high),
         (p.uniform_low - 0.5, p.uniform_high + 0.5)),
        ("bernoulli", pr.bernoulli, (p.bernoulli_p,), (0, 1)),
        ("binomial", pr.binomial, (p.binomial_n, p.binomial_p), (0, p.binomial_n)),
        ("poisson", pr.poisson, (p.poisson_rate,),
         (0, int(p.poisson_rate + 6 * np.sqrt(p.poisson_rate) + 3))),
        ("categorical", pr.categorical, (probs,), (0, len(p.categorical_probs) - 1)),
    ]


def draw_with_theory(d, params, key, n, dtype, support):
    """n samples, the theoretical mean and variance, and the pdf/pmf on ``support``, in one
    jit-compiled call (parameters are constants of the trace, so they are still checked)."""
    discrete = hasattr(d, "pmf")
    kw = {} if discrete else {"dtype": dtype}
    density = d.pmf if discrete else d.pdf

    @jax.jit
    def go(key, support):
        return (d.sample(key, *params, shape=(n,), **kw), d.mean(*params), d.var(*params),
                density(support, *params))

    return go(key, jnp.asarray(support))


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def standardized_uniform_sums(key, n, k_terms, dtype):
    """Z = (S_k − k/2)/√(k/12) for n sums of k Uniform(0, 1) draws, and the Kolmogorov
    distance sup |F̂_n(z) − Φ(z)| of their empirical cdf to the standard normal's."""
    u = pr.uniform.sample(key, shape=(n, k_terms), dtype=dtype)
    z = (jnp.sum(u, axis=1) - k_terms / 2) / np.sqrt(k_terms / 12)
    zs = jnp.sort(z)
    cdf = pr.normal.cdf(zs)
    hi = jnp.arange(1, n + 1, dtype=zs.dtype) / n
    lo = jnp.arange(0, n, dtype=zs.dtype) / n
    return z, jnp.maximum(jnp.max(jnp.abs(hi - cdf)), jnp.max(jnp.abs(cdf - lo)))


def run(cfg, key, ctx):
    n, dtype = cfg.sample.n, ctx.dtype
    cases = _cases(cfg.params)
    keys = jax.random.split(key, len(cases) + 1)
    fig, axes = plotting.subplots(2, 4, size=(3.6, 2.9))
    axes = axes.ravel()
    metrics, worst = {}, 0.0
    for step, ((name, d, params, (lo, hi)), k, ax) in enumerate(zip(cases, keys, axes,
                                                                     strict=False)):
        discrete = hasattr(d, "pmf")
        support = (np.arange(int(lo), int(hi) + 1) if discrete
                   else np.linspace(lo, hi, 300).astype(np.dtype(dtype)))
        x, mean, var, density = draw_with_theory(d, params, k, n, dtype, support)
        x, mean, var, density = np.asarray(x, np.float64), float(mean), float(var), np.asarray(
            density)
        # z-scores of the sample mean and variance (normal approximation, 4th moment
        # estimated from the sample)
        z_mean = (x.mean() - mean) / np.sqrt(var / n) if var > 0 else 0.0
        m4 = np.mean((x - x.mean()) ** 4)
        z_var = (x.var(ddof=1) - var) / np.sqrt(max(m4 - var**2, 1e-300) / n) if var > 0 else 0.0
        worst = max(worst, abs(z_mean), abs(z_var))
        metrics[f"{name}_mean"] = float(x.mean())
        metrics[f"{name}_mean_theory"] = mean
        metrics[f"{name}_var"] = float(x.var(ddof=1))
        metrics[f"{name}_var_theory"] = var
        ctx.log(step, distribution=name, sample_mean=float(x.mean()), mean=mean,
                sample_var=float(x.var(ddof=1)), var=var, z_mean=float(z_mean),
                z_var=float(z_var))
        if discrete:
            freq = np.bincount(x.astype(np.int64) - int(lo),
                               minlength=len(support))[: len(support)] / n
            ax.vlines(support, 0, freq, lw=6, alpha=0.6, label="samples")
            ax.plot(support, density, "ko", ms=3, label="pmf")
        else:
            ax.hist(x, bins=50, range=(lo, hi), density=True, alpha=0.6,
                    histtype="stepfilled", label="samples")
            ax.plot(support, density, "k", lw=1.2, label="pdf")
        ax.set_title(f"{name}: mean {x.mean():.3g} (theory {mean:.3g})", fontsize=8)
        ax.legend(fontsize=7)
    axes[-1].axis("off")
    ctx.save_figure(fig, "distributions")

    # Central limit theorem: standardized sums of k uniforms → N(0, 1).
    terms = cfg.clt.terms
    fig, axes = plotting.subplots(1, len(terms), size=(3.2, 2.8), squeeze=False)
    grid = np.linspace(-4, 4, 300)
    for j, (k_terms, ax) in enumerate(zip(terms, axes[0], strict=True)):
        z, ks_dist = standardized_uniform_sums(jax.random.fold_in(keys[-1], j), cfg.clt.n,
                                               k_terms, dtype)
        z, ks_dist = np.asarray(z, np.float64), float(ks_dist)
        metrics[f"clt_ks_distance_k{k_terms}"] = ks_dist
        ctx.log(len(cases) + j, clt_terms=k_terms, ks_distance=ks_dist)
        ax.hist(z, bins=50, range=(-4, 4), density=True, alpha=0.6, histtype="stepfilled")
        ax.plot(grid, np.asarray(pr.normal.pdf(jnp.asarray(grid, dtype))), "k", lw=1.2)
        ax.set_title(f"sum of {k_terms} uniform(s)\nKS distance to N(0,1) {ks_dist:.3f}",
                     fontsize=8)
    ctx.save_figure(fig, "central_limit_theorem")
    metrics["max_abs_z"] = float(worst)
    ctx.print(f"largest |z| of a sample mean or variance against theory: {worst:.2f}")
    return metrics
