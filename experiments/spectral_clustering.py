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
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "spectral clustering separates two moons and circles where k-means fails (ARI)"

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
    return metrics


def _figures(ctx, panels, affinity):
    fig, axes = plotting.subplots(len(panels), 2, size=(4.2, 3.8))
    for row, (name, X, plain, spectral, a_plain, a_spec, _) in zip(axes, panels, strict=True):
        for ax, labels, title in ((row[0], plain, f"k-means: ARI {a_plain:.2f}"),
                                  (row[1], spectral,
                                   f"spectral ({affinity}): ARI {a_spec:.2f}")):
            ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", s=8)
            ax.set_title(f"{name} — {title}", fontsize=9)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
    ctx.save_figure(fig, "kmeans_vs_spectral")

    fig, ax = plotting.subplots(size=(5, 3.5))
    for name, *_, eigvals in panels:
        ax.plot(np.arange(1, len(eigvals) + 1), eigvals, "o-", label=name)
    ax.set_xlabel("index")
    ax.set_ylabel("eigenvalue of L_sym")
    ax.set_title("smallest Laplacian eigenvalues: a gap after the 2nd = two clusters",
                 fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    ctx.save_figure(fig, "laplacian_spectrum")
