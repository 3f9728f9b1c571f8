"""Multinomial naive Bayes with Laplace smoothing, in log space.

A document is a bag of token counts x (V,). Naive Bayes assumes tokens independent given
the class c:

    log P(c | x) = log P(c) + Σ_v x_v log θ_{c,v} − log Z(x),
    θ_{c,v} = (N_{c,v} + α) / (Σ_u N_{c,u} + α V)            (Laplace / additive smoothing)

with N_{c,v} the count of token v in class c's training documents and log Z the
log-sum-exp over classes. Fitting is one matmul (one-hot labels ᵀ · counts); prediction
is another. Everything is jittable; ``num_classes`` is static. ``counts`` may be a dense
array or a sparse ``jax.experimental.sparse.BCOO`` (``text.sparse_count_matrix``): the
same functions then touch only the nonzero counts.

Example:
  >>> params = fit(X_train, y_train, num_classes=2)
  >>> predict(params, X_test)
  >>> top_tokens(params, vocab.tokens, positive=1, k=10)    # tokens raising P(spam)
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import sparse

from mlmath_jax._util import as_float
from mlmath_jax.explog import log_softmax
from mlmath_jax.metrics import binary_metrics, confusion_matrix  # noqa: F401


def _as_counts(counts, dtype=None):
    """A float array (or BCOO) of counts; sparse input stays sparse."""
    if isinstance(counts, sparse.BCOO):
        return counts if dtype is None else counts.astype(dtype)
    return as_float(counts, dtype)


class NBParams(NamedTuple):
    """log P(c) (C,) and log θ_{c,v} = log P(token v | c) (C, V)."""

    log_prior: jax.Array
    log_likelihood: jax.Array


@functools.partial(jax.jit, static_argnames=("num_classes",))
def fit(counts: jax.Array, labels: jax.Array, num_classes: int, alpha=1.0) -> NBParams:
    """Fit class priors and smoothed token log-probabilities.

    Args:
      counts: (n, V) token counts per document (float; dense or BCOO).
      labels: (n,) integer classes in [0, num_classes).
      num_classes: C (static).
      alpha: additive smoothing α > 0 (1 = Laplace).

    Returns:
      NBParams(log_prior (C,), log_likelihood (C, V)); each row of exp(log_likelihood)
      sums to 1. The prior is the class frequency, as in scikit-learn's MultinomialNB.
    """
    counts = _as_counts(counts)
    Y = jax.nn.one_hot(labels, num_classes, dtype=counts.dtype)       # (n, C)
    class_docs = jnp.sum(Y, axis=0)                                    # (C,)
    N = (counts.T @ Y).T if isinstance(counts, sparse.BCOO) else Y.T @ counts
    token_counts = N + jnp.asarray(alpha, counts.dtype)                # (C, V)
    log_likelihood = jnp.log(token_counts) - jnp.log(jnp.sum(token_counts, axis=1,
                                                             keepdims=True))
    log_prior = jnp.log(class_docs) - jnp.log(jnp.sum(class_docs))
    return NBParams(log_prior, log_likelihood)


@jax.jit
def joint_log_likelihood(params: NBParams, counts: jax.Array) -> jax.Array:
    """log P(c) + Σ_v x_v log θ_{c,v} for each document and class: (n, C)."""
    counts = _as_counts(counts, params.log_likelihood.dtype)
    return counts @ params.log_likelihood.T + params.log_prior[None, :]


@jax.jit
def predict_log_proba(params: NBParams, counts: jax.Array) -> jax.Array:
    """log P(c | x), normalized with log-softmax (log-sum-exp): (n, C)."""
    return log_softmax(joint_log_likelihood(params, counts), axis=-1)


@jax.jit
def predict(params: NBParams, counts: jax.Array) -> jax.Array:
    """The most probable class of each document: (n,) int."""
    return jnp.argmax(joint_log_likelihood(params, counts), axis=-1)


def top_tokens(params: NBParams, tokens, positive: int = 1, negative: int | None = None,
               k: int = 15) -> list[tuple[str, float]]:
    """Tokens whose occurrence most raises P(positive class): the largest log-likelihood
    ratios log θ_{pos,v} − log θ_{neg,v} (each occurrence multiplies the odds by e^ratio).

    With ``negative`` None (two classes), the other class is used.
    """
    ll = np.asarray(params.log_likelihood, np.float64)
    if negative is None:
        negative = 1 - positive
    ratio = ll[positive] - ll[negative]
    order = np.argsort(-ratio, kind="stable")[:k]
    return [(tokens[i], float(ratio[i])) for i in order]

