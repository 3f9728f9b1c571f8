"""Spectral clustering vs plain k-means on two moons and concentric circles.

k-means draws straight boundaries between centroids, so it cuts both moons and both
rings in half. Spectral clustering first builds a similarity graph (RBF or k-nearest
neighbours), takes the eigenvectors of the k smallest eigenvalues of the normalized
Laplacian L = I − D^(−1/2) W D^(−1/2) — nearly indicator vectors of the graph's
connected pieces — and runs k-means on those. Each panel reports the adjusted Rand
index (ARI) against the true labels: 1 is perfect, 0 is chance.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from sklearn.metrics import adjusted_rand_score

from mlmath_jax import data, plotting
from mlmath_jax.models import kmeans
from mlmath_jax.models.spectral import (
    knn_affinity,
    normalized_laplacian,
    rbf_affinity,
    spectral_clustering,
)
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "spectral clustering vs k-means on two moons and concentric circles (ARI)"

LESSON = Lesson(
    title="Spectral clustering",
    chapter="linear algebra",
    concept="""k-means puts each point with its nearest centre, so the boundary between two
clusters is a straight line; it cannot follow two interlocking moons or a ring inside a
ring. Spectral clustering instead links each point to its close neighbours, making a
graph, and looks for a way to cut the graph that breaks few links.

The eigenvectors of the graph's normalized Laplacian for its smallest eigenvalues are
nearly constant on each well-connected piece, so k-means on those eigenvectors finds the
pieces. A graph with k loosely joined pieces has k eigenvalues near 0 followed by a jump
(the eigengap). The adjusted Rand index compares a clustering with the true labels: 1 is
perfect, 0 is chance.""",
    equations=(r"L = I - D^{-1/2} W D^{-1/2}, \quad D_{ii} = \sum_j W_{ij}",
               r"W_{ij} = e^{-\gamma \lVert x_i - x_j \rVert^2}",
               r"L u_k = \lambda_k u_k, \quad 0 = \lambda_1 \le \lambda_2 \le \dots"),
    try_next=(
        TryNext(("spectral.gamma=0.5",),
                "a very wide RBF kernel: every point is linked to almost every other, and "
                "spectral clustering loses the shapes"),
        TryNext(("data.moons_noise=0.2", "data.circles_noise=0.15"),
                "noisier data: the pieces touch, and both methods score lower"),
    ),
    main_figure="kmeans_vs_spectral.png",
    headline="two_moons_ari_spectral",
)

SCHEMA = {
    "data": {
        "n": Int(400, min=10, max=5000, help="points per data set"),
        "moons_noise": Float(0.06, min=0.0),
        "circles_noise": Float(0.04, min=0.0),
        "circles_factor": Float(0.45, gt=0.0, lt=1.0, help="inner / outer radius"),
    },
    "spectral": {
        "affinity": Str("rbf", choices=("rbf", "knn")),
        "gamma": Float(20.0, gt=0.0, help="RBF: W = exp(−γ‖xᵢ − xⱼ‖²)"),
        "n_neighbors": Int(10, min=1, help="knn: neighbours per point"),
        "n_init": Int(10, min=1, help="k-means restarts"),
    },
}


def run(cfg, key, ctx):
    d, s = cfg.data, cfg.spectral
    sets = {
        "two moons": data.make_moons(key, d.n, d.moons_noise),
        "circles": data.make_circles(key, d.n, d.circles_noise, d.circles_factor),
    }
    metrics, panels = {}, []
    for i, (name, (X_np, y)) in enumerate(sets.items()):
        X = jnp.asarray(X_np, ctx.dtype)
        k_key, s_key = jax.random.split(jax.random.fold_in(key, i))
        plain = np.asarray(kmeans.kmeans(k_key, X, 2, n_init=s.n_init).labels)
        W = (rbf_affinity(X, s.gamma) if s.affinity == "rbf"
             else knn_affinity(X, s.n_neighbors))
        eigvals = np.asarray(jnp.linalg.eigvalsh(normalized_laplacian(W)))[:8]
        spectral = np.asarray(spectral_clustering(
            s_key, X, 2, s.affinity, gamma=s.gamma, n_neighbors=s.n_neighbors,
            n_init=s.n_init))
        ari_plain = float(adjusted_rand_score(y, plain))
        ari_spec = float(adjusted_rand_score(y, spectral))
        slug = name.replace(" ", "_")
        metrics[f"{slug}_ari_kmeans"] = ari_plain
        metrics[f"{slug}_ari_spectral"] = ari_spec
        metrics[f"{slug}_laplacian_eigenvalues"] = eigvals.tolist()
        ctx.log(i, ari_kmeans=ari_plain, ari_spectral=ari_spec)
        ctx.print(f"{name}: ARI k-means {ari_plain:.3f}, spectral {ari_spec:.3f}")
        panels.append((name, X_np, plain, spectral, ari_plain, ari_spec, eigvals))
    _figures(ctx, panels, s.affinity)
    for name, *_, a_plain, a_spec, eigvals in panels:
        _observe(ctx, name, a_plain, a_spec, eigvals)
    return metrics


def _gap(eigvals):
    """(i, ratio): the largest ratio λᵢ₊₁/λᵢ among λ₂…λ₈ (1-based i)."""
    lam = np.maximum(np.asarray(eigvals[1:], float), 1e-12)
    ratios = lam[1:] / lam[:-1]
    j = int(np.argmax(ratios))
    return j + 2, float(ratios[j])


def _sub(i: int) -> str:
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _observe(ctx, name, a_plain, a_spec, eigvals):
    ctx.observe(f"{name}: spectral clustering scores ARI {fmt(a_spec)} against k-means' "
                f"{fmt(a_plain)}.", a_spec > a_plain,
                f"{name}: spectral clustering scores ARI {fmt(a_spec)}, no better than "
                f"k-means' {fmt(a_plain)}.")
    i, r = _gap(eigvals)
    r2 = float(max(eigvals[2], 1e-12) / max(eigvals[1], 1e-12))
    ctx.observe(f"{name}: the largest jump in the Laplacian spectrum comes after λ₂ "
                f"(λ₃/λ₂ = {fmt(r2)}): two eigenvalues near 0, two clusters.", i == 2,
                f"{name}: λ₃/λ₂ = {fmt(r2)}, but the largest jump is after λ{_sub(i)} "
                f"(λ{_sub(i + 1)}/λ{_sub(i)} = {fmt(r)}), so the spectrum alone does not "
                "single out two "
                "clusters.")


def _figures(ctx, panels, affinity):
    fig, axes = plotting.subplots(len(panels), 2, size=(4.2, 3.8))
    for row, (name, X, plain, spectral, a_plain, a_spec, _) in zip(axes, panels, strict=True):
        for ax, labels, title in ((row[0], plain, f"k-means: ARI {a_plain:.2f}"),
                                  (row[1], spectral,
                                   f"spectral ({affinity}): ARI {a_spec:.2f}")):
            ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", s=8)
            ax.set_title(f"{name} — {title}", fontsize=9)
            ax.set_aspect("equal")
            ax.set_xlabel("x₁", fontsize=8)
            ax.set_ylabel("x₂", fontsize=8)
            ax.tick_params(labelsize=7)
    ctx.save_figure(fig, "kmeans_vs_spectral", caption="Each data set coloured by the "
                    "clusters found: k-means on the points (left) and spectral clustering "
                    "(right), with the adjusted Rand index of each.")

    fig, ax = plotting.subplots(size=(6, 4), layout="constrained")
    floor = 1e-5
    for (name, *_, eigvals), color in zip(panels, ("tab:blue", "tab:orange"), strict=False):
        lam = np.asarray(eigvals, float)
        idx = np.arange(1, len(lam) + 1)
        ax.plot(idx, np.maximum(lam, floor), "o-", color=color, label=name)
        i, r = _gap(lam)
        ax.annotate("", xy=(i + 1, max(lam[i], floor)), xytext=(i + 1, max(lam[i - 1], floor)),
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5})
        ax.annotate(f"×{r:.3g}", (i + 1, np.sqrt(max(lam[i], floor) * max(lam[i - 1], floor))),
                    textcoords="offset points", xytext=(6, 0), color=color, fontsize=8,
                    va="center")
    ax.axhline(floor, color="0.5", lw=0.6, ls=":")
    ax.set_yscale("log")
    ax.set_xlabel("index i (eigenvalues in increasing order)")
    ax.set_ylabel(f"eigenvalue λᵢ of L (log scale; below {floor:g} drawn at {floor:g})")
    ax.set_title("smallest eigenvalues of the normalized Laplacian; arrows: the largest "
                 "jump λᵢ₊₁/λᵢ after λ₂", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, which="both", alpha=0.3)
    ctx.save_figure(fig, "laplacian_spectrum", caption="The eight smallest eigenvalues of "
                    "each data set's normalized Laplacian on a log axis; the arrow marks "
                    "the largest ratio between consecutive eigenvalues from λ₂ on.")
