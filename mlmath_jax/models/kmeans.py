"""k-means clustering (Lloyd's algorithm) in JAX.

Minimise the inertia J = Σᵢ ‖xᵢ − μ_{c(i)}‖² by alternating two steps, each of which
can only lower J:

* assign: c(i) = argminⱼ ‖xᵢ − μⱼ‖²;
* update: μⱼ = mean of the points assigned to j (an empty cluster keeps its centre).

Stops when the centres move less than ``tol`` (relative to the data's mean variance, as
scikit-learn) or after ``max_iter`` rounds. Initialisation: k-means++ (each new centre
drawn with probability ∝ squared distance to the nearest chosen one) or k random
points. ``n_init`` restarts run in parallel (``vmap``) and the lowest inertia wins.

Example::

    from mlmath_jax.models import kmeans
    r = kmeans.kmeans(jax.random.key(0), X, 3)
    r.labels, r.centroids, r.inertia
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from mlmath_jax import linalg
from mlmath_jax.errors import UserError

INITS = ("k-means++", "random")


class KMeansResult(NamedTuple):
    """A k-means fit.

    Attributes:
      centroids: (k, d) cluster centres μⱼ.
      labels: (n,) index of each point's nearest centre.
      inertia: J = Σᵢ ‖xᵢ − μ_{c(i)}‖².
      iterations: Lloyd rounds done.
      converged: whether the centres moved less than the tolerance before the cap.
    """

    centroids: jax.Array
    labels: jax.Array
    inertia: jax.Array
    iterations: jax.Array
    converged: jax.Array


def sq_distances(X: jax.Array, centroids: jax.Array) -> jax.Array:
    """(n, k) squared distances ‖xᵢ − μⱼ‖² (:func:`linalg.pairwise_sq_distances`).

    Example:
      >>> sq_distances(jnp.array([[0., 0.], [2., 0.]]), jnp.array([[1., 0.]])).tolist()
      [[1.0], [1.0]]
    """
    return linalg.pairwise_sq_distances(X, centroids)


def assign(X: jax.Array, centroids: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Nearest centre of each point: (labels (n,), squared distance to it (n,)).

    Example:
      >>> labels, d2 = assign(jnp.array([[0.], [1.], [9.]]), jnp.array([[0.], [10.]]))
      >>> labels.tolist(), d2.tolist()
      ([0, 0, 1], [0.0, 1.0, 1.0])
    """
    d = sq_distances(X, centroids)
    labels = jnp.argmin(d, axis=1)
    return labels, jnp.take_along_axis(d, labels[:, None], axis=1)[:, 0]


def update(X: jax.Array, labels: jax.Array, centroids: jax.Array) -> jax.Array:
    """μⱼ = mean of the points labelled j; a cluster with no points keeps μⱼ.

    Example:
      >>> X = jnp.array([[0.], [2.], [9.]])
      >>> update(X, jnp.array([0, 0, 0]), jnp.array([[1.], [5.]])).tolist()
      [[3.6666667461395264], [5.0]]
    """
    k = centroids.shape[0]
    one_hot = (labels[:, None] == jnp.arange(k)[None, :]).astype(X.dtype)   # (n, k)
    counts = jnp.sum(one_hot, axis=0)
    sums = one_hot.T @ X
    safe = jnp.where(counts > 0, counts, jnp.ones_like(counts))
    return jnp.where((counts > 0)[:, None], sums / safe[:, None], centroids)


def init_random(key: jax.Array, X: jax.Array, k: int) -> jax.Array:
    """k distinct data points chosen uniformly.

    Example:
      >>> X = jnp.array([[0.], [1.], [2.], [3.]])
      >>> C = init_random(jax.random.key(0), X, 2)
      >>> C.shape, len(set(C[:, 0].tolist()))
      ((2, 1), 2)
    """
    return X[jax.random.choice(key, X.shape[0], (k,), replace=False)]


def init_plusplus(key: jax.Array, X: jax.Array, k: int) -> jax.Array:
    """k-means++ (Arthur & Vassilvitskii, 2007): the first centre uniformly, each next
    one with probability ∝ D(x)², the squared distance to the nearest centre so far.

    Example:
      >>> X = jnp.array([[0.], [0.], [10.], [10.]])
      >>> sorted(init_plusplus(jax.random.key(0), X, 2)[:, 0].tolist())   # never 0 twice
      [0.0, 10.0]
    """
    n = X.shape[0]
    keys = jax.random.split(key, k)
    first = X[jax.random.randint(keys[0], (), 0, n)]
    C = jnp.zeros((k, X.shape[1]), X.dtype).at[0].set(first)
    d2 = jnp.sum((X - first[None, :]) ** 2, axis=1)

    def body(j, state):
        C, d2 = state
        total = jnp.sum(d2)
        # All points coincide with chosen centres: fall back to a uniform draw.
        p = jnp.where(total > 0, d2 / jnp.where(total > 0, total, 1.0),
                      jnp.full_like(d2, 1.0 / n))
        c = X[jax.random.choice(keys[j], n, p=p)]
        return C.at[j].set(c), jnp.minimum(d2, jnp.sum((X - c[None, :]) ** 2, axis=1))

    C, _ = lax.fori_loop(1, k, body, (C, d2))
    return C


def lloyd(X: jax.Array, centroids: jax.Array, max_iter: int = 100,
          tol: float = 1e-4) -> KMeansResult:
    """Lloyd's iterations from the given centres (``lax.while_loop``).

    Example:
      >>> X = jnp.array([[0.], [1.], [9.], [10.]])
      >>> lloyd(X, jnp.array([[0.], [1.]])).centroids.tolist()
      [[0.5], [9.5]]
    """
    threshold = tol * jnp.mean(jnp.var(X, axis=0))

    def cond(state):
        i, _, shift = state
        return (i < max_iter) & (shift > threshold)

    def body(state):
        i, C, _ = state
        labels, _ = assign(X, C)
        C_new = update(X, labels, C)
        return i + 1, C_new, jnp.sum((C_new - C) ** 2)

    init = (jnp.asarray(0), centroids, jnp.asarray(jnp.inf, X.dtype))
    i, C, shift = lax.while_loop(cond, body, init)
    labels, d = assign(X, C)
    return KMeansResult(C, labels, jnp.sum(d), i, shift <= threshold)


@functools.partial(jax.jit, static_argnames=("k", "init", "n_init"))
def _kmeans(X, key, max_iter, tol, *, k, init, n_init):
    init_fn = init_plusplus if init == "k-means++" else init_random

    def one(key):
        return lloyd(X, init_fn(key, X, k), max_iter, tol)

    runs = jax.vmap(one)(jax.random.split(key, n_init))
    best = jnp.argmin(runs.inertia)
    return jax.tree.map(lambda a: a[best], runs)


def kmeans(key: jax.Array, X: jax.Array, k: int, *, init: str = "k-means++",
           n_init: int = 1, max_iter: int = 100, tol: float = 1e-4) -> KMeansResult:
    """Cluster the rows of X into k groups, minimising J = Σᵢ ‖xᵢ − μ_{c(i)}‖².

    Args:
      key: PRNG key for the initialisation (split into one per start).
      X: (n, d) points.
      k: number of clusters, 1 ≤ k ≤ n (static).
      init: "k-means++" or "random".
      n_init: independent starts; the one with the lowest inertia is returned.
      max_iter: cap on Lloyd rounds.
      tol: stop when Σ‖Δμ‖² ≤ tol × (mean per-feature variance of X).

    Returns:
      :class:`KMeansResult`.

    Raises:
      UserError: X is not a matrix, or k, init or n_init is not allowed.

    Example:
      >>> X = jnp.array([[0., 0.], [0., 1.], [10., 0.], [10., 1.]])
      >>> r = kmeans(jax.random.key(0), X, 2, n_init=3)
      >>> sorted(r.centroids.tolist()), float(r.inertia)
      ([[0.0, 0.5], [10.0, 0.5]], 1.0)
    """
    X = jnp.asarray(X)
    if not jnp.issubdtype(X.dtype, jnp.floating):
        X = X.astype(jnp.result_type(float))
    if X.ndim != 2:
        raise UserError(f"kmeans needs an (n, d) matrix, got shape {X.shape}")
    if not 1 <= k <= X.shape[0]:
        raise UserError(f"k = {k} clusters for {X.shape[0]} points; expected 1..{X.shape[0]}")
    if init not in INITS:
        raise UserError(f"init {init!r} is not allowed; expected one of {', '.join(INITS)}")
    if n_init < 1:
        raise UserError(f"n_init = {n_init}; expected at least 1")
    return _kmeans(X, key, jnp.asarray(max_iter), jnp.asarray(tol, X.dtype), k=k, init=init,
                   n_init=n_init)
