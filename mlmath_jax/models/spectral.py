"""Spectral clustering: k-means on the eigenvectors of the normalized graph Laplacian.

1. Affinity W: :func:`rbf_affinity` exp(−γ‖xᵢ − xⱼ‖²) or the symmetric k-nearest-neighbour
   graph :func:`knn_affinity`.
2. :func:`normalized_laplacian` L_sym = I − D^(−1/2) W D^(−1/2); the eigenvectors of its k
   smallest eigenvalues, as columns of U, are nearly indicator vectors of the clusters
   (:func:`spectral_embedding`, rows scaled to unit length — Ng, Jordan & Weiss).
3. k-means on the rows of U (:mod:`mlmath_jax.models.kmeans`).

Unlike k-means on the raw points, this follows connectivity, so it separates non-convex
shapes such as two moons or concentric circles.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from mlmath_jax import linalg
from mlmath_jax._util import as_float as _float
from mlmath_jax.errors import UserError
from mlmath_jax.models import kmeans

AFFINITIES = ("rbf", "knn")


def rbf_affinity(X: jax.Array, gamma: float = 1.0) -> jax.Array:
    """Wᵢⱼ = exp(−γ‖xᵢ − xⱼ‖²), with Wᵢᵢ = 0.

    Args:
      X: (n, d) points.
      gamma: γ, the inverse squared width (larger: more local).

    Returns:
      (n, n) symmetric affinities.

    Example:
      >>> jnp.round(rbf_affinity(jnp.array([[0.], [1.]])), 4).tolist()
      [[0.0, 0.3679], [0.3679, 0.0]]
    """
    D = linalg.pairwise_sq_distances(X)
    W = jnp.exp(-gamma * D)
    return W * (1.0 - jnp.eye(D.shape[0], dtype=D.dtype))


def knn_affinity(X: jax.Array, n_neighbors: int = 10) -> jax.Array:
    """Wᵢⱼ = 1 when j is among the ``n_neighbors`` nearest of i (or i of j), else 0.

    The k-NN relation is not symmetric; W = max(K, Kᵀ) makes it an undirected graph.

    Args:
      X: (n, d) points.
      n_neighbors: neighbours per point, 1 ≤ n_neighbors < n (static).

    Returns:
      (n, n) symmetric 0/1 affinities.

    Raises:
      UserError: n_neighbors is out of range.

    Example:
      >>> knn_affinity(jnp.array([[0.], [1.], [5.]]), 1).tolist()
      [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    D = linalg.pairwise_sq_distances(X)
    n = D.shape[0]
    if not 1 <= n_neighbors < n:
        raise UserError(f"n_neighbors = {n_neighbors} is not allowed for {n} points; "
                        f"expected 1..{n - 1}")
    D = D + jnp.diag(jnp.full((n,), jnp.inf, D.dtype))          # not one's own neighbour
    _, idx = lax.top_k(-D, n_neighbors)
    K = jnp.zeros_like(D).at[jnp.arange(n)[:, None], idx].set(1.0)
    return jnp.maximum(K, K.T)


def normalized_laplacian(W: jax.Array) -> jax.Array:
    """L_sym = I − D^(−1/2) W D^(−1/2), D = diag(Σⱼ Wᵢⱼ); eigenvalues in [0, 2].

    The multiplicity of the eigenvalue 0 is the number of connected components. An
    isolated node (degree 0) gets the row and column of the identity.

    Example:
      >>> normalized_laplacian(jnp.array([[0., 1.], [1., 0.]])).tolist()
      [[1.0, -1.0], [-1.0, 1.0]]
    """
    W = _float(W)
    d = jnp.sum(W, axis=1)
    inv_sqrt = jnp.where(d > 0, 1.0 / jnp.sqrt(jnp.where(d > 0, d, jnp.ones_like(d))),
                         jnp.zeros_like(d))
    return jnp.eye(W.shape[0], dtype=W.dtype) - inv_sqrt[:, None] * W * inv_sqrt[None, :]


class SpectralEmbedding(NamedTuple):
    """The k smallest eigenpairs of L_sym.

    Attributes:
      eigenvalues: (k,) ascending.
      embedding: (n, k) eigenvectors as columns, each row scaled to unit length.
    """

    eigenvalues: jax.Array
    embedding: jax.Array


def spectral_embedding(W: jax.Array, k: int) -> SpectralEmbedding:
    """The k smallest eigenpairs of L_sym; rows of U, scaled to unit length, embed nodes.

    Args:
      W: (n, n) symmetric affinities.
      k: embedding dimension (static).

    Returns:
      :class:`SpectralEmbedding` (eigenvalues, embedding).

    Example:
      >>> W = jnp.array([[0., 1., 0., 0.], [1., 0., 0., 0.],
      ...                [0., 0., 0., 1.], [0., 0., 1., 0.]])   # two components
      >>> jnp.round(spectral_embedding(W, 2).eigenvalues, 4).tolist()
      [0.0, 0.0]
    """
    w, V = jnp.linalg.eigh(normalized_laplacian(W))
    U = V[:, :k]
    rn = linalg.norm(U)[:, None]
    return SpectralEmbedding(w[:k], U / jnp.where(rn > 0, rn, jnp.ones_like(rn)))


def spectral_clustering(key: jax.Array, X: jax.Array, k: int, affinity: str = "rbf", *,
                        gamma: float = 1.0, n_neighbors: int = 10,
                        n_init: int = 10) -> jax.Array:
    """Cluster points by the eigenvectors of the normalized graph Laplacian.

    W (RBF or k-NN) → L_sym = I − D^(−1/2) W D^(−1/2) → the eigenvectors of its k smallest
    eigenvalues, rows normalized → k-means on those rows.

    Args:
      key: PRNG key for the k-means initialisations.
      X: (n, d) points.
      k: number of clusters (static).
      affinity: "rbf" or "knn".
      gamma: RBF width (larger: more local).
      n_neighbors: neighbours for "knn".
      n_init: k-means restarts (the lowest inertia wins).

    Returns:
      (n,) integer labels in [0, k).

    Raises:
      UserError: the affinity is unknown or k is outside 1..n.

    Example:
      >>> X = jnp.array([[0., 0.], [0., 1.], [10., 0.], [10., 1.]])
      >>> labels = spectral_clustering(jax.random.key(0), X, 2, gamma=0.5)
      >>> bool(labels[0] == labels[1]), bool(labels[2] == labels[3]), bool(labels[0] != labels[2])
      (True, True, True)
    """
    X = _float(X)
    if affinity == "rbf":
        W = rbf_affinity(X, gamma)
    elif affinity == "knn":
        W = knn_affinity(X, n_neighbors)
    else:
        raise UserError(f"affinity {affinity!r} is not allowed; expected 'rbf' or 'knn'")
    if not 1 <= k <= X.shape[0]:
        raise UserError(f"k = {k} clusters for {X.shape[0]} points; expected 1..{X.shape[0]}")
    U = spectral_embedding(W, k).embedding
    return kmeans.kmeans(key, U, k, n_init=n_init).labels
