"""Sinusoidal positional encoding: the heat map of PE[pos, 2i] = sin(pos/10000^(2i/d)),
PE[pos, 2i+1] = cos(pos/10000^(2i/d)), a few of its columns, and the similarity of
positions (PE·PEᵀ), which depends only on their distance."""

from __future__ import annotations

import numpy as np

from mlmath_jax import plotting, trig
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int

DESCRIPTION = "Transformer positional encoding: heat map, columns and position similarity"

LESSON = Lesson(
    title="Sinusoidal positional encoding",
    chapter="trigonometry",
    concept="""A Transformer reads all the words of a sentence at once, so it must be told
where each word stands. The original Transformer adds to each position a vector of sines
and cosines of different frequencies: the first pairs of dimensions oscillate quickly,
the last ones slowly, like the hands of a clock.

Each row is a point on a product of circles, so every row has the same length, and the
dot product of two rows is a sum of cos(k·ωᵢ) that depends only on their distance k, not
on where they are.""",
    equations=(r"PE_{p, 2i} = \sin\left(\frac{p}{10000^{2i/d}}\right) \quad "
               r"PE_{p, 2i+1} = \cos\left(\frac{p}{10000^{2i/d}}\right)",
               r"PE_p \cdot PE_{p+k} = \sum_{i} \cos(k \, \omega_i), \quad "
               r"\omega_i = 10000^{-2i/d}"),
    try_next=(
        TryNext(("encoding.d_model=8",),
                "only four sine–cosine pairs: a narrow heat map, and every row has squared "
                "length 4"),
        TryNext(("encoding.base=100.0",),
                "a smaller base: even the last columns turn through several periods"),
    ),
    main_figure="positional_encoding.png",
    headline="similarity_spread_at_fixed_distance",
)

SCHEMA = {
    "encoding": {
        "positions": Int(100, min=1, max=100_000, help="number of positions"),
        "d_model": Int(64, min=2, max=8192, help="encoding width"),
        "base": Float(10000.0, gt=1.0, help="wavelength scale"),
    },
}


def run(cfg, key, ctx):
    del key
    e = cfg.encoding
    pe = trig.positional_encoding(e.positions, e.d_model, base=e.base, dtype=ctx.dtype)
    sim = pe @ pe.T
    P = np.asarray(pe, float)
    S = np.asarray(sim, float)
    # shift invariance: ⟨PE[p], PE[p+k]⟩ = Σᵢ cos(k·ωᵢ) is the same for every p
    ks = range(1, min(e.positions, 16))
    spread = max((float(np.ptp(np.diagonal(S, k))) for k in ks), default=0.0)
    for k in ks:
        ctx.log(k, similarity_at_distance=float(np.mean(np.diagonal(S, k))))
    _draw(ctx, P, S)
    d = e.d_model
    norm2 = float(np.mean(np.sum(P ** 2, axis=1)))
    norm_spread = float(np.ptp(np.sum(P ** 2, axis=1)))
    tol = 1e-4 * d if np.dtype(ctx.dtype) == np.float32 else 1e-9 * d
    ctx.observe(f"Every row has the same squared length, {fmt(norm2)} (d/2 = {fmt(d / 2)}, "
                f"spread {fmt(norm_spread)}): each sine–cosine pair adds sin² + cos² = 1.",
                norm_spread <= tol and abs(norm2 - d / 2) <= tol,
                f"The squared row lengths average {fmt(norm2)} and vary by {fmt(norm_spread)}.")
    if e.positions > 1:
        ctx.observe(f"The similarity PE[p]·PE[p + k] depends only on the distance k: for "
                    f"each k from 1 to {len(ks)} it varies by at most {fmt(spread)} over p "
                    f"(the rows have squared length {fmt(norm2)}).", spread <= tol,
                    f"The similarity at a fixed distance varies by up to {fmt(spread)} "
                    "over the positions.")
    return {"row0_is_0_1_0_1": bool(np.allclose(P[0], np.tile([0.0, 1.0], e.d_model)[
        :e.d_model])), "max_abs": float(np.abs(P).max()),
        "norm_squared": float(np.mean(np.sum(P ** 2, axis=1))),
        "similarity_spread_at_fixed_distance": spread}


def _draw(ctx, P, S):
    fig, (ax1, ax2, ax3) = plotting.subplots(1, 3, size=(4.6, 4.0), layout="constrained")
    im = ax1.imshow(P, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    ax1.set_xlabel("dimension i")
    ax1.set_ylabel("position")
    ax1.set_title("PE[pos, i]", fontsize=10)
    fig.colorbar(im, ax=ax1, fraction=0.046)
    for i in sorted({0, 2, 4, min(10, P.shape[1] - 1), P.shape[1] // 2}):
        ax2.plot(P[:, i], lw=1, label=f"i = {i}")
    ax2.set_xlabel("position")
    ax2.set_ylabel("PE[pos, i]")
    ax2.set_title("columns: slower waves for larger i", fontsize=10)
    ax2.legend(fontsize=7)
    ax2.grid(True, alpha=0.3)
    im3 = ax3.imshow(S, cmap="viridis", interpolation="nearest")
    ax3.set_title("PE·PEᵀ: depends on |p − q| only", fontsize=10)
    ax3.set_xlabel("position q")
    ax3.set_ylabel("position p")
    fig.colorbar(im3, ax=ax3, fraction=0.046)
    ctx.save_figure(fig, "positional_encoding", caption="Left: the encoding, one row per "
                    "position. Middle: a few of its columns. Right: the dot products of "
                    "every pair of positions.")
