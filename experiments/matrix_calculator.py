"""Matrix Calculator with Visualizations: the matrices named in a config, every operation.

A + B, A·B (the row-times-column rule, :func:`mlmath_jax.linalg.matmul`), Aᵀ, det A,
A⁻¹ and the reduced row echelon form of A by Gauss–Jordan elimination
(:mod:`mlmath_jax.algebra`), each row operation written to ``row_reduction.txt``. The
figure draws the matrices as annotated heat maps. Operations that do not apply (A + B
for different shapes, the inverse of a singular matrix, …) are skipped with a note; the
command-line twin is ``mlmath matrix``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import algebra, linalg, plotting
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner.schema import Float, List

DESCRIPTION = "matrix calculator: A + B, A·B, Aᵀ, det, inverse and step-by-step row reduction"

_ROW = List([], item=Float(0.0), min_len=1, max_len=12, help="one row of numbers")

SCHEMA = {
    "matrices": {
        "a": List([[1.0, 2.0], [3.0, 4.0]], item=_ROW, min_len=1, max_len=12,
                  help="A, a list of rows"),
        "b": List([[5.0, 6.0], [7.0, 8.0]], item=_ROW, min_len=1, max_len=12,
                  help="B, a list of rows"),
    },
}


def check(cfg):
    for name in ("a", "b"):
        rows = cfg.matrices[name]
        if len({len(r) for r in rows}) != 1:
            raise ConfigError(f"matrices.{name}: every row needs the same number of entries "
                              f"(got {', '.join(str(len(r)) for r in rows)})")


def run(cfg, key, ctx):
    A_np = np.array(cfg.matrices.a, np.float64)
    B_np = np.array(cfg.matrices.b, np.float64)
    panels = [("A", A_np), ("B", B_np)]
    metrics, notes = {}, []
    with jax.enable_x64(True):
        A, B = jnp.asarray(A_np), jnp.asarray(B_np)
        if A.shape == B.shape:
            metrics["a_plus_b"] = np.asarray(A + B).tolist()
            panels.append(("A + B", np.asarray(A + B)))
        else:
            notes.append(f"A + B skipped: shapes {A.shape} and {B.shape} differ")
        if A.shape[1] == B.shape[0]:
            AB = np.asarray(linalg.matmul(A, B))
            metrics["a_times_b"] = AB.tolist()
            metrics["matmul_vs_at_max_abs_diff"] = float(np.max(np.abs(AB - A_np @ B_np)))
            panels.append(("A·B", AB))
        else:
            notes.append(f"A·B skipped: A has {A.shape[1]} columns, B has {B.shape[0]} rows")
        metrics["a_transpose"] = np.asarray(A.T).tolist()
        if A.shape[0] == A.shape[1]:
            metrics["det_a"] = float(algebra.det(A))
            metrics["det_a_numpy"] = float(np.linalg.det(A_np))
            try:
                Ainv = np.asarray(algebra.inv(A))
                metrics["inverse_a"] = Ainv.tolist()
                metrics["inverse_residual"] = float(np.max(np.abs(Ainv @ A_np
                                                                  - np.eye(len(A_np)))))
                panels.append(("A⁻¹", Ainv))
            except algebra.SingularMatrixError:
                notes.append("A⁻¹ skipped: A is singular")
        else:
            notes.append("det A and A⁻¹ skipped: A is not square")
    R, _, steps = algebra.row_reduce(A_np)
    metrics["rref_a"] = R.tolist()
    metrics["rank_a"] = int(np.sum(np.any(R != 0, axis=1)))
    metrics["row_operations"] = len(steps)
    panels.append(("rref(A)", R))
    with open(ctx.path("row_reduction.txt"), "w", encoding="utf-8") as f:
        f.write(f"A =\n{A_np}\n")
        for i, step in enumerate(steps, 1):
            f.write(f"\nstep {i}: {step.operation}\n{step.matrix}\n")
            ctx.log(i, operation=step.operation)
    for note in notes:
        ctx.print(note)
    metrics["skipped"] = notes
    _figure(ctx, panels)
    return metrics


def _figure(ctx, panels):
    fig, axes = plotting.subplots(1, len(panels), size=(2.8, 2.8))
    for ax, (title, M) in zip(np.atleast_1d(axes), panels, strict=True):
        M = np.atleast_2d(M)
        lim = max(float(np.max(np.abs(M))), 1e-12)
        ax.imshow(M, cmap="coolwarm", vmin=-lim, vmax=lim)
        if M.size <= 64:
            for (i, j), v in np.ndenumerate(M):
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    ctx.save_figure(fig, "matrices")
