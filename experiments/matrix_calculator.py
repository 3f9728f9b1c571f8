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
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, List

DESCRIPTION = "matrix calculator: A + B, A·B, Aᵀ, det, inverse and step-by-step row reduction"

_ROW = List([], item=Float(0.0), min_len=1, max_len=12, help="one row of numbers")

LESSON = Lesson(
    title="Matrix arithmetic",
    chapter="linear algebra",
    concept="""A matrix is a table of numbers that stands for a linear map. Matrices of the
same shape add entry by entry. The product A·B needs as many columns in A as rows in B:
entry (i, j) is row i of A times column j of B, added up.

The transpose swaps rows and columns. A square matrix has a determinant, the factor by
which it scales areas; when the determinant is not 0 the matrix has an inverse, which
undoes it. Gauss–Jordan elimination reduces a matrix to its reduced row echelon form,
one row operation at a time; the number of non-zero rows left is the rank.""",
    equations=(r"(AB)_{ij} = \sum_{k} A_{ik} B_{kj}",
               r"\det \begin{pmatrix} a & b \\ c & d \end{pmatrix} = ad - bc",
               r"A^{-1} = \frac{1}{ad - bc} \begin{pmatrix} d & -b \\ -c & a \end{pmatrix}"),
    try_next=(
        TryNext(("matrices.a=[[1.0, 2.0], [2.0, 4.0]]",),
                "a singular A (its rows are parallel): det A = 0, no inverse, rank 1"),
        TryNext(("matrices.a=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]",),
                "a 2×3 A: A·B and A + B do not apply to a 2×2 B, and A has no determinant"),
    ),
    main_figure="matrices.png",
    headline="det_a",
)

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
    _observe(ctx, A_np, B_np, metrics, notes)
    return metrics


def _mat(M) -> str:
    """A matrix written as the page writes numbers: ``[[19, 22], [43, 50]]``."""
    return "[" + ", ".join("[" + ", ".join(fmt(float(x)) for x in row) + "]" for row in M) + "]"


def _observe(ctx, A, B, m, notes):
    if "a_times_b" in m:
        gap = m["matmul_vs_at_max_abs_diff"]
        ctx.observe(f"A·B by the row-times-column rule is {_mat(m['a_times_b'])}, the same as "
                    f"numpy's A @ B (largest difference {fmt(gap)}).", gap <= 1e-9 * (
                        1 + float(np.max(np.abs(A))) * float(np.max(np.abs(B)))),
                    f"A·B by the row-times-column rule differs from numpy's by {fmt(gap)}.")
    if "det_a" in m:
        d, dn = m["det_a"] + 0.0, m["det_a_numpy"] + 0.0      # no "-0" on the page
        ctx.observe(f"det A = {fmt(d)}, as numpy.linalg.det gives ({fmt(dn)}).",
                    abs(d - dn) <= 1e-9 * (1 + abs(dn)),
                    f"det A = {fmt(d)} by elimination but {fmt(dn)} by numpy.")
    if "inverse_a" in m:
        res = m["inverse_residual"]
        ctx.observe(f"A⁻¹ = {_mat(m['inverse_a'])} undoes A: A⁻¹·A differs from the identity "
                    f"by at most {fmt(res)}.", res <= 1e-9,
                    f"A⁻¹·A differs from the identity by up to {fmt(res)}.")
    rank, ref = m["rank_a"], int(np.linalg.matrix_rank(A))
    ctx.observe(f"Row reduction took {m['row_operations']} row operations and left "
                f"{rank} non-zero row{'s' * (rank != 1)}: rank A = {rank}, as "
                f"numpy.linalg.matrix_rank says.", rank == ref,
                f"Row reduction leaves {rank} non-zero rows, but numpy's rank is {ref}.")
    for note in notes:
        ctx.observe(note + ".", True, "")


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
        ax.set_xticks(range(M.shape[1]))
        ax.set_yticks(range(M.shape[0]))
        ax.set_xlabel("column", fontsize=8)
        ax.set_ylabel("row", fontsize=8)
        ax.tick_params(labelsize=7)
    ctx.save_figure(fig, "matrices", caption="Each matrix as a heat map with its entries "
                    "(red positive, blue negative): the inputs, then every result that "
                    "applies to their shapes.")
