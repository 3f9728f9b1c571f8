"""PageRank: the dominant eigenvector of the web's random-surfer matrix.

A surfer follows a random out-link with probability α (the damping) and jumps to a random
page otherwise; a page without out-links sends the surfer anywhere. The ranks are the
stationary distribution, found by power iteration. First the six-page example of
Langville & Meyer (page 2 is dangling) — dense and edge-list forms side by side — then a
random sparse graph with heavy-tailed in-degrees, ranked from its edge list with
``segment_sum``.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import plotting
from mlmath_jax.models.pagerank import pagerank, pagerank_edges
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int

DESCRIPTION = "PageRank: a six-page example (dense and sparse) and a large random graph"

# Langville & Meyer's example, pages numbered 1..6; page 2 has no out-links.
SMALL_EDGES = [(1, 2), (1, 3), (3, 1), (3, 2), (3, 5), (4, 5), (4, 6), (5, 4), (5, 6), (6, 4)]

LESSON = Lesson(
    title="PageRank",
    chapter="linear algebra",
    concept="""Picture a surfer who, on every page, follows one of its links at random with
probability α and otherwise jumps to any page at all. In the long run the share of time
spent on each page settles down: that share is the page's PageRank. A page ranks high
when many pages, themselves ranked high, link to it.

The ranks form the eigenvector of eigenvalue 1 of the surfer's transition matrix, found
by power iteration: start uniform and apply the matrix until nothing changes. A page with
no out-links sends the surfer anywhere. On a large sparse graph the matrix is never
built; each step adds up the rank flowing along every edge (a segment sum).""",
    equations=(r"r = \alpha P^{\top} r + \frac{1 - \alpha}{n} \mathbf{1}, \quad "
               r"\sum_i r_i = 1",
               r"P_{ij} = \frac{1}{\operatorname{outdeg}(i)} \text{ for each link } "
               r"i \to j"),
    try_next=(
        TryNext(("pagerank.damping=0.5",),
                "a surfer who jumps half the time: the six ranks move closer to 1/6 and "
                "power iteration needs fewer steps"),
        TryNext(("graph.exponent=0.0",),
                "link targets drawn uniformly: the in-degrees even out and so do the ranks"),
        TryNext(("pagerank.max_iter=5",),
                "five steps are too few: power iteration stops before the ranks settle, "
                "and the page says it did not converge"),
    ),
    main_figure="small_graph.png",
    headline="graph_iterations",
)

SCHEMA = {
    "pagerank": {
        "damping": Float(0.85, min=0.0, max=1.0, help="α: probability of following a link"),
        "tol": Float(1e-6, gt=0.0, help="stop when Σ|Δr| < n·tol"),
        "max_iter": Int(100, min=1),
    },
    "graph": {
        "nodes": Int(100_000, min=2, max=10_000_000, help="random graph: nodes"),
        "edges": Int(1_000_000, min=1, max=20_000_000, help="random graph: edges"),
        "exponent": Float(1.0, min=0.0, max=3.0,
                          help="link targets drawn ∝ (rank of node)^−exponent"),
        "tol": Float(1e-10, gt=0.0, help="per-node tolerance for the large graph "
                     "(n·tol bounds Σ|Δr|, so a large n needs a small tol)"),
    },
}


def random_graph(seed: int, n: int, m: int, exponent: float):
    """m edges: sources uniform, targets drawn with probability ∝ (i + 1)^−exponent
    (a heavy-tailed in-degree, as on the web), node ids shuffled."""
    rng = np.random.default_rng(seed)
    p = (np.arange(n) + 1.0) ** -exponent
    perm = rng.permutation(n)
    src = rng.integers(0, n, size=m)
    dst = perm[rng.choice(n, size=m, p=p / p.sum())]
    return src.astype(np.int32), dst.astype(np.int32)


def run(cfg, key, ctx):
    pr = cfg.pagerank
    dt = ctx.dtype
    # 1. The small example, dense and from its edge list.
    n_small = 6
    A = np.zeros((n_small, n_small))
    for i, j in SMALL_EDGES:
        A[i - 1, j - 1] = 1.0
    dense = pagerank(jnp.asarray(A, dt), pr.damping, pr.tol, pr.max_iter)
    src_s, dst_s = (np.array(SMALL_EDGES).T - 1).astype(np.int32)
    sparse = pagerank_edges(jnp.asarray(src_s), jnp.asarray(dst_s), n_small,
                            pr.damping, pr.tol, pr.max_iter,
                            weights=jnp.ones(len(SMALL_EDGES), dt)).ranks
    metrics = {
        "small_ranks": np.asarray(dense.ranks).tolist(),
        "small_iterations": int(dense.iterations),
        "small_converged": bool(dense.converged),
        "small_dense_vs_sparse_max_abs_diff": float(jnp.max(jnp.abs(dense.ranks - sparse))),
    }
    try:                                       # networkx is a test-only dependency
        import networkx as nx

        ref = nx.pagerank(nx.DiGraph(SMALL_EDGES), alpha=pr.damping, tol=pr.tol,
                          max_iter=max(pr.max_iter, 100))
        metrics["small_networkx_max_abs_diff"] = float(np.max(np.abs(
            np.asarray(dense.ranks) - np.array([ref[i] for i in range(1, 7)]))))
    except ImportError:
        pass
    _figure_small(ctx, np.asarray(dense.ranks), pr.damping)

    # 2. A random sparse graph from its edge list.
    g = cfg.graph
    src, dst = random_graph(cfg.seed, g.nodes, g.edges, g.exponent)
    src_j, dst_j = jax.device_put(src), jax.device_put(dst)
    w = jnp.ones(g.edges, dt)
    info = pagerank_edges(src_j, dst_j, g.nodes, pr.damping, g.tol, pr.max_iter, weights=w)
    jax.block_until_ready(info)                          # includes compilation
    t0 = time.perf_counter()
    info = jax.block_until_ready(pagerank_edges(
        src_j, dst_j, g.nodes, pr.damping, g.tol, pr.max_iter, weights=w))
    seconds = time.perf_counter() - t0
    ctx.print(f"{g.edges:,} edges, {g.nodes:,} nodes: {int(info.iterations)} iterations "
              f"in {seconds:.3f} s after compilation")
    ranks = np.asarray(info.ranks)
    indeg = np.bincount(dst, minlength=g.nodes)
    top = np.argsort(-ranks)[:10]
    for i, node in enumerate(top):
        ctx.log(i, node=int(node), rank=float(ranks[node]), in_degree=int(indeg[node]))
    metrics.update({
        "graph_nodes": g.nodes,
        "graph_edges": g.edges,
        "dangling_nodes": int(np.sum(np.bincount(src, minlength=g.nodes) == 0)),
        "graph_iterations": int(info.iterations),
        "graph_converged": bool(info.converged),
        "graph_rank_sum": float(np.sum(ranks)),
        "top_nodes": top.tolist(),
        "rank_indegree_spearman": _spearman(ranks, indeg),
    })
    _figure_large(ctx, ranks, indeg)
    _observe(ctx, metrics, pr, g)
    return metrics


def _observe(ctx, m, pr, g):
    tol = 1e-5 if np.dtype(ctx.dtype) == np.float32 else 1e-10
    ranks = m["small_ranks"]
    best = int(np.argmax(ranks))
    ctx.observe(f"In the six-page web, page {best + 1} ranks highest ({fmt(ranks[best])}) "
                f"after {m['small_iterations']} power-iteration steps; the dense matrix and "
                f"the edge list agree to {fmt(m['small_dense_vs_sparse_max_abs_diff'])}.",
                m["small_converged"] and m["small_dense_vs_sparse_max_abs_diff"] <= tol,
                f"The six-page ranks from the dense matrix and the edge list differ by "
                f"{fmt(m['small_dense_vs_sparse_max_abs_diff'])}"
                f"{'' if m['small_converged'] else ' (power iteration did not converge)'}.")
    if "small_networkx_max_abs_diff" in m:
        d = m["small_networkx_max_abs_diff"]
        ctx.observe(f"networkx.pagerank gives the same six ranks to {fmt(d)}.",
                    d <= 10 * pr.tol + tol,
                    f"networkx.pagerank's ranks differ by up to {fmt(d)}.")
    ctx.observe(f"The random graph of {g.nodes:,} pages and {g.edges:,} links "
                f"({m['dangling_nodes']:,} pages without out-links) converged in "
                f"{m['graph_iterations']} steps, with ranks summing to "
                f"{fmt(m['graph_rank_sum'])}.",
                m["graph_converged"] and abs(m["graph_rank_sum"] - 1) <= 1e-3,
                f"On the random graph power iteration "
                f"{'converged' if m['graph_converged'] else 'did not converge'} in "
                f"{m['graph_iterations']} steps; the ranks sum to {fmt(m['graph_rank_sum'])}.")
    rho = m["rank_indegree_spearman"]
    ctx.observe(f"Pages with more incoming links rank higher: the rank correlation of "
                f"PageRank with in-degree is {fmt(rho)}.", rho > 0.5,
                f"PageRank follows in-degree only loosely here (rank correlation "
                f"{fmt(rho)}).")


def _spearman(a, b) -> float:
    ra = np.argsort(np.argsort(a)).astype(float)
    rb = np.argsort(np.argsort(b)).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def _figure_small(ctx, ranks, damping):
    n = len(ranks)
    ang = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    fig, ax = plotting.subplots(size=(5.5, 5.5))
    for i, j in SMALL_EDGES:
        a, b = pos[i - 1], pos[j - 1]
        ax.annotate("", xy=a + 0.85 * (b - a), xytext=a + 0.15 * (b - a),
                    arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 1.2,
                                "connectionstyle": "arc3,rad=0.12"})
    ax.scatter(pos[:, 0], pos[:, 1], s=6000 * ranks + 150, c=ranks, cmap="viridis",
               zorder=3, edgecolors="k")
    for k in range(n):
        ax.text(*(pos[k] * 1.45), f"page {k + 1}\n{ranks[k]:.3f}", ha="center", va="center",
                fontsize=9)
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.75, 1.75)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"PageRank (α = {damping:g}); page 2 is dangling\nnode size ∝ rank",
                 fontsize=10)
    ctx.save_figure(fig, "small_graph", caption="The six-page web: arrows are links, and "
                    "each page is drawn with its PageRank.")


def _figure_large(ctx, ranks, indeg):
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(4.8, 4))
    ax1.loglog(np.arange(1, len(ranks) + 1), np.sort(ranks)[::-1])
    ax1.axhline(1.0 / len(ranks), color="k", ls="--", lw=0.8, label="uniform 1/n")
    ax1.set_xlabel("node, by rank")
    ax1.set_ylabel("PageRank")
    ax1.set_title(f"{len(ranks):,} nodes, {int(indeg.sum()):,} edges", fontsize=10)
    ax1.legend(fontsize=8)
    ax1.grid(True, alpha=0.3)
    step = max(1, len(ranks) // 20000)
    ax2.scatter(indeg[::step] + 1, ranks[::step], s=3, alpha=0.4)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("in-degree + 1")
    ax2.set_ylabel("PageRank")
    ax2.set_title("PageRank against in-degree", fontsize=10)
    ax2.grid(True, alpha=0.3)
    ctx.save_figure(fig, "large_graph", caption="The random graph: left, every page's rank "
                    "from highest to lowest on log-log axes; right, rank against the number "
                    "of incoming links.")
