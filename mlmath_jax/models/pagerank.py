"""PageRank: the stationary distribution of a random surfer, by power iteration.

A random surfer follows an out-link with probability α (the damping) and jumps to a
uniformly random page otherwise; a page with no out-links (dangling) sends its surfer
anywhere uniformly. The ranks are the dominant eigenvector (λ = 1) of the Google matrix::

    rₜ₊₁ = (1 − α)/n · 1 + α·(Pᵀ rₜ + (Σ_{i dangling} rₜ,ᵢ)/n · 1),   Pᵢⱼ = Aᵢⱼ / Σⱼ Aᵢⱼ

:func:`pagerank` takes a dense adjacency matrix; :func:`pagerank_edges` an edge list
(``jax.ops.segment_sum``, O(edges) per iteration). Both stop when Σ|rₜ₊₁ − rₜ| < n·tol,
networkx's rule and defaults.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from mlmath_jax._util import as_float as _float
from mlmath_jax.errors import UserError


class PageRankResult(NamedTuple):
    """PageRank scores with convergence information.

    Attributes:
      ranks: (n,) scores summing to 1.
      iterations: power-iteration steps done.
      residual: Σ|rₜ₊₁ − rₜ| of the last step (inf when no step was done).
      converged: whether residual < n·tol was reached within max_iter.
    """

    ranks: jax.Array
    iterations: jax.Array
    residual: jax.Array
    converged: jax.Array


def _pagerank_loop(propagate, out_weight, n, dtype, damping, tol, max_iter):
    """r ← (1 − α)/n + α·(Pᵀr + (Σ_dangling rᵢ)/n), until Σ|Δr| < n·tol (networkx's rule)."""
    dangling = out_weight == 0
    r0 = jnp.full((n,), 1.0 / n, dtype)

    def step(r):
        lost = jnp.sum(jnp.where(dangling, r, jnp.zeros_like(r)))
        return (1.0 - damping) / n + damping * (propagate(r) + lost / n)

    def cond(state):
        i, _, err = state
        return (i < max_iter) & (err >= n * tol)

    def body(state):
        i, r, _ = state
        r_new = step(r)
        return i + 1, r_new, jnp.sum(jnp.abs(r_new - r))

    i, r, err = lax.while_loop(cond, body, (jnp.asarray(0), r0, jnp.asarray(jnp.inf, dtype)))
    return PageRankResult(r, i, err, err < n * tol)


def _check_damping(damping) -> None:
    if isinstance(damping, int | float) and not 0.0 <= damping <= 1.0:
        raise UserError(f"damping = {damping} is not allowed; expected a number in [0, 1]")


@jax.jit
def _pagerank_dense(A, damping, tol, max_iter):
    out = jnp.sum(A, axis=1)
    safe = jnp.where(out > 0, out, jnp.ones_like(out))
    P = A / safe[:, None]                        # row-stochastic on non-dangling rows
    return _pagerank_loop(lambda r: P.T @ r, out, A.shape[0], A.dtype, damping, tol, max_iter)


def pagerank(adjacency: jax.Array, damping: float = 0.85, tol: float = 1e-6,
             max_iter: int = 100) -> PageRankResult:
    """PageRank of a directed graph given as a dense adjacency matrix.

        rₜ₊₁ = (1 − α)/n · 1 + α·(Pᵀ rₜ + (Σ_{i dangling} rₜ,ᵢ)/n · 1),
        Pᵢⱼ = Aᵢⱼ / Σⱼ Aᵢⱼ,

    from r₀ = 1/n, stopping when Σ|rₜ₊₁ − rₜ| < n·tol (the same rule and defaults as
    networkx).

    Args:
      adjacency: (n, n), adjacency[i, j] = 1 (or a positive weight) for a link i → j.
      damping: α in [0, 1] (a Python number outside it raises; an array is not
        inspected).
      tol: tolerance per node.
      max_iter: iteration cap.

    Returns:
      :class:`PageRankResult` (ranks, iterations, residual, converged).

    Raises:
      UserError: the matrix is not square, or a Python ``damping`` is outside [0, 1].

    Example:
      >>> r = pagerank(jnp.array([[0, 1], [1, 0]]))
      >>> r.ranks.tolist(), bool(r.converged)
      ([0.5, 0.5], True)
      >>> jnp.round(pagerank(jnp.array([[0, 1, 1], [0, 0, 1], [1, 0, 0]])).ranks, 4).tolist()
      [0.3878, 0.2148, 0.3974]
    """
    A = _float(adjacency)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise UserError(f"pagerank needs a square adjacency matrix, got shape {A.shape}")
    _check_damping(damping)
    return _pagerank_dense(A, jnp.asarray(damping, A.dtype), jnp.asarray(tol, A.dtype),
                           jnp.asarray(max_iter))


def pagerank_edges(src: jax.Array, dst: jax.Array, num_nodes: int, damping: float = 0.85,
                   tol: float = 1e-6, max_iter: int = 100,
                   weights: jax.Array | None = None) -> PageRankResult:
    """PageRank from an edge list, O(edges) per iteration (no n×n matrix).

    The same iteration as :func:`pagerank`; Pᵀr is a ``jax.ops.segment_sum`` of
    wₑ·rᵢ / out_weight(i) over the edges e = i → j, grouped by j. Handles graphs of
    millions of edges on one device. Repeated edges add up (as weights).

    Args:
      src, dst: (E,) integer node ids in [0, num_nodes): edge src[e] → dst[e].
      num_nodes: n (static).
      damping, tol, max_iter: as in :func:`pagerank`.
      weights: optional (E,) positive edge weights.

    Returns:
      :class:`PageRankResult` with (num_nodes,) ranks.

    Raises:
      UserError: src and dst differ in shape or are not integers, num_nodes < 1, or
        (for concrete ids) an id lies outside [0, num_nodes) — ``segment_sum`` would
        drop such an edge silently. Under ``jit`` the ids are not inspected.

    Example:
      >>> r = pagerank_edges(jnp.array([0, 0, 1, 2]), jnp.array([1, 2, 2, 0]), 3)
      >>> jnp.round(r.ranks, 4).tolist()
      [0.3878, 0.2148, 0.3974]
    """
    src, dst = jnp.asarray(src), jnp.asarray(dst)
    if src.shape != dst.shape or src.ndim != 1:
        raise UserError(f"src and dst must be 1-D of the same length, got {src.shape} "
                        f"and {dst.shape}")
    if num_nodes < 1:
        raise UserError(f"num_nodes = {num_nodes}; expected at least 1")
    if not jnp.issubdtype(src.dtype, jnp.integer) or not jnp.issubdtype(dst.dtype, jnp.integer):
        raise UserError(f"src and dst must hold integer node ids, got {src.dtype} and "
                        f"{dst.dtype}")
    if src.size and not isinstance(src, jax.core.Tracer) and not isinstance(dst, jax.core.Tracer):
        lo = int(jnp.minimum(jnp.min(src), jnp.min(dst)))
        hi = int(jnp.maximum(jnp.max(src), jnp.max(dst)))
        if lo < 0 or hi >= num_nodes:          # segment_sum would drop them silently
            raise UserError(f"node ids must lie in [0, {num_nodes}); found {lo}..{hi}")
    _check_damping(damping)
    dtype = jnp.result_type(float) if weights is None else _float(weights).dtype
    w = jnp.ones(src.shape, dtype) if weights is None else _float(weights)
    return _pagerank_sparse(src, dst, w, jnp.asarray(damping, dtype),
                            jnp.asarray(tol, dtype), jnp.asarray(max_iter),
                            num_nodes=num_nodes)


@functools.partial(jax.jit, static_argnames="num_nodes")
def _pagerank_sparse(src, dst, w, damping, tol, max_iter, *, num_nodes):
    out = jax.ops.segment_sum(w, src, num_segments=num_nodes)
    safe = jnp.where(out > 0, out, jnp.ones_like(out))
    edge_p = w / safe[src]                       # P[src, dst] for each edge

    def propagate(r):                            # (Pᵀr)ⱼ = Σ_{edges i→j} P[i, j]·rᵢ
        return jax.ops.segment_sum(edge_p * r[src], dst, num_segments=num_nodes)

    return _pagerank_loop(propagate, out, num_nodes, w.dtype, damping, tol, max_iter)
