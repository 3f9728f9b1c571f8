"""models.pagerank against networkx and a scipy.sparse power iteration (float64 to 1e-9,
float32 to ~1e-6: the iteration stops at n·tol)."""

import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np
import pytest

from mlmath_jax.errors import UserError
from mlmath_jax.models.pagerank import PageRankResult, pagerank, pagerank_edges

# ----------------------------------------------------------------------------- PageRank

LANGVILLE_MEYER_EDGES = [(1, 2), (1, 3), (3, 1), (3, 2), (3, 5), (4, 5), (4, 6), (5, 4),
                         (5, 6), (6, 4)]                         # node 2 is dangling
# The values networkx's own test asserts for this graph at α = 0.9.
LANGVILLE_MEYER_RANKS = [0.03721197, 0.05395735, 0.04150565, 0.37508082, 0.20599833,
                         0.28624589]


def _adjacency(edges, n, offset=0):
    A = np.zeros((n, n))
    for i, j in edges:
        A[i - offset, j - offset] = 1.0
    return A


def test_pagerank_langville_meyer_example():
    A = _adjacency(LANGVILLE_MEYER_EDGES, 6, offset=1)
    G = nx.DiGraph(LANGVILLE_MEYER_EDGES)
    ref = nx.pagerank(G, alpha=0.9, tol=1e-8)
    with jax.enable_x64(True):
        r = pagerank(jnp.asarray(A), damping=0.9, tol=1e-8).ranks
        np.testing.assert_allclose(r, LANGVILLE_MEYER_RANKS, atol=1e-7)
        np.testing.assert_allclose(r, [ref[i] for i in range(1, 7)], atol=1e-9)
        src, dst = np.array(LANGVILLE_MEYER_EDGES).T - 1
        r_edges = pagerank_edges(jnp.asarray(src), jnp.asarray(dst), 6, damping=0.9,
                                 tol=1e-8)
        np.testing.assert_allclose(r_edges.ranks, r, atol=1e-12)
        assert int(r_edges.iterations) >= 1 and float(r_edges.residual) < 6 * 1e-8
    r32 = pagerank(jnp.asarray(A, jnp.float32), damping=0.9, tol=1e-8, max_iter=200)
    assert r32.ranks.dtype == jnp.float32
    np.testing.assert_allclose(r32.ranks, LANGVILLE_MEYER_RANKS, atol=1e-6)


def test_pagerank_random_graph_dense_sparse_and_networkx():
    G = nx.gnp_random_graph(40, 0.08, seed=3, directed=True)
    G.add_nodes_from(range(40))
    ref = nx.pagerank(G, tol=1e-10, max_iter=500)
    A = nx.to_numpy_array(G, nodelist=range(40))
    assert np.any(A.sum(axis=1) == 0)                               # has dangling nodes
    src, dst = (np.array(list(G.edges())).T if G.number_of_edges() else ([], []))
    with jax.enable_x64(True):
        dense = pagerank(jnp.asarray(A), tol=1e-10, max_iter=500)
        sparse = pagerank_edges(jnp.asarray(src), jnp.asarray(dst), 40, tol=1e-10,
                                max_iter=500).ranks
        assert bool(dense.converged)
        np.testing.assert_allclose(dense.ranks, [ref[i] for i in range(40)], atol=1e-9)
        np.testing.assert_allclose(sparse, dense.ranks, atol=1e-12)
        assert float(jnp.sum(dense.ranks)) == pytest.approx(1.0, abs=1e-12)


def test_pagerank_defaults_float32_and_edge_cases():
    A = _adjacency(LANGVILLE_MEYER_EDGES, 6, offset=1)
    ref = nx.pagerank(nx.DiGraph(LANGVILLE_MEYER_EDGES))          # α = 0.85, tol = 1e-6
    np.testing.assert_allclose(pagerank(A).ranks, [ref[i] for i in range(1, 7)], atol=2e-6)
    # No links at all: every node dangling, the ranks are uniform.
    np.testing.assert_allclose(pagerank(np.zeros((4, 4))).ranks, 0.25, atol=1e-7)
    # One iteration cannot converge on this graph.
    info = pagerank(A, max_iter=1)
    assert isinstance(info, PageRankResult)
    assert not bool(info.converged) and int(info.iterations) == 1
    # The residual is the L1 change of that one step, from the uniform start.
    r0 = np.full(6, 1 / 6)
    assert float(info.residual) == pytest.approx(float(np.abs(info.ranks - r0).sum()),
                                                 rel=1e-5)
    with pytest.raises(UserError, match="damping"):
        pagerank(A, damping=1.5)
    with pytest.raises(UserError, match="square"):
        pagerank(np.ones((2, 3)))
    with pytest.raises(UserError, match=r"node ids must lie in \[0, 3\); found 0..3"):
        pagerank_edges(jnp.array([0, 1]), jnp.array([1, 3]), 3)
    # Under jit (traced edges) the edge-list form still agrees with the dense one.
    src, dst = (np.array(LANGVILLE_MEYER_EDGES).T - 1)
    jitted = jax.jit(lambda s, d: pagerank_edges(s, d, 6))(jnp.asarray(src),
                                                           jnp.asarray(dst))
    np.testing.assert_allclose(jitted.ranks, pagerank(A).ranks, atol=1e-6)


def test_pagerank_edges_a_million_edges_against_scipy_sparse():
    import scipy.sparse as sp

    n, m, alpha = 100_000, 1_000_000, 0.85
    rng = np.random.default_rng(0)
    src = rng.integers(0, n, size=m)
    dst = rng.integers(0, n, size=m) ** 2 % n            # uneven in-degrees
    # Reference: the same power iteration on scipy.sparse (duplicate edges add up).
    P = sp.csr_matrix((np.ones(m), (src, dst)), shape=(n, n))
    out = np.asarray(P.sum(axis=1)).ravel()
    P = sp.diags(np.where(out > 0, 1.0 / np.where(out > 0, out, 1.0), 0.0)) @ P
    r = np.full(n, 1.0 / n)
    for _ in range(100):
        new = (1 - alpha) / n + alpha * (P.T @ r + r[out == 0].sum() / n)
        done = np.abs(new - r).sum() < n * 1e-12
        r = new
        if done:
            break
    with jax.enable_x64(True):
        info = pagerank_edges(jnp.asarray(src), jnp.asarray(dst), n, alpha, tol=1e-12)
        assert bool(info.converged)
        np.testing.assert_allclose(info.ranks, r, rtol=1e-9, atol=1e-15)
        assert float(jnp.sum(info.ranks)) == pytest.approx(1.0, abs=1e-10)
