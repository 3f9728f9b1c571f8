"""Algebra: linear systems by Gaussian elimination, determinants and inverses.

Gaussian elimination with partial pivoting reduces [A | B] to an upper-triangular
system U x = c by row operations, choosing at column k the row with the largest |aᵢₖ|
(i ≥ k) as pivot — this bounds every multiplier by 1 and keeps rounding errors small —
then solves U x = c by back substitution. The determinant is the product of the pivots
times (−1)^(number of row swaps).

:func:`solve`, :func:`det` and :func:`inv` are jittable (``lax.fori_loop``). A singular
matrix (a pivot below n·ε·max|A|) raises :class:`SingularMatrixError` when the values are
concrete; under ``jit`` the result is NaN instead of garbage. :func:`row_reduce` returns
each step for display.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from mlmath_jax.errors import UserError


class SingularMatrixError(UserError):
    """The matrix has no inverse (to working precision)."""


def _eliminate(A: jax.Array, B: jax.Array):
    """Forward elimination with partial pivoting on [A | B].

    Returns (U, C, sign, singular): U upper triangular, C the transformed right-hand
    sides, sign = (−1)^swaps, and whether some pivot was negligible.
    """
    n = A.shape[0]
    rows = jnp.arange(n)
    eps = jnp.finfo(A.dtype).eps
    tol = max(n, 1) * eps * jnp.max(jnp.abs(A))

    def step(k, carry):
        A, B, sign, min_pivot = carry
        col = jnp.where(rows >= k, jnp.abs(A[:, k]), -jnp.ones_like(A[:, k]))
        p = jnp.argmax(col)
        perm = rows.at[k].set(p).at[p].set(k)          # swap rows k and p
        A, B = A[perm], B[perm]
        sign = jnp.where(p != k, -sign, sign)
        pivot = A[k, k]
        min_pivot = jnp.minimum(min_pivot, jnp.abs(pivot))
        safe = jnp.where(pivot == 0, jnp.ones_like(pivot), pivot)
        factors = jnp.where(rows > k, A[:, k] / safe, jnp.zeros_like(A[:, k]))
        A = A - factors[:, None] * A[k][None, :]        # Rᵢ ← Rᵢ − mᵢₖ·Rₖ for i > k
        B = B - factors[:, None] * B[k][None, :]
        return A, B, sign, min_pivot

    init = (A, B, jnp.ones((), A.dtype), jnp.asarray(jnp.inf, A.dtype))
    U, C, sign, min_pivot = lax.fori_loop(0, n, step, init)
    return U, C, sign, min_pivot <= tol


def _back_substitute(U: jax.Array, C: jax.Array) -> jax.Array:
    """Solve U X = C for upper-triangular U, from the last row up."""
    n = U.shape[0]

    def step(i, X):
        k = n - 1 - i
        x_k = (C[k] - U[k] @ X) / U[k, k]               # rows > k of X are already known
        return X.at[k].set(x_k)

    return lax.fori_loop(0, n, step, jnp.zeros_like(C))


def _is_concrete(x) -> bool:
    return not isinstance(x, jax.core.Tracer)


def _as_float(A) -> jax.Array:
    A = jnp.asarray(A)
    return A if jnp.issubdtype(A.dtype, jnp.floating) else A.astype(jnp.result_type(float))


def _check_square(A) -> None:
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise UserError(f"expected a square matrix, got shape {tuple(A.shape)}")


def solve(A: jax.Array, b: jax.Array) -> jax.Array:
    """Solve A x = b by Gaussian elimination with partial pivoting.

    Args:
      A: (n, n) matrix.
      b: (n,) vector or (n, m) matrix of right-hand sides.

    Returns:
      x with b's shape.

    Raises:
      SingularMatrixError: A is singular to working precision (concrete inputs only;
        under ``jit`` the result is NaN).

    Example:
      >>> solve(jnp.array([[2., 1.], [1., 3.]]), jnp.array([3., 5.]))  # → [0.8, 1.4]
    """
    A = _as_float(A)
    b = jnp.asarray(b, A.dtype)
    _check_square(A)
    if b.shape[0] != A.shape[0]:
        raise UserError(f"A is {A.shape[0]}×{A.shape[1]} but b has {b.shape[0]} rows")
    B = b[:, None] if b.ndim == 1 else b
    U, C, _, singular = _eliminate(A, B)
    if _is_concrete(singular) and bool(singular):
        raise SingularMatrixError("the matrix is singular: some pivot is zero to working "
                                  "precision, so the system has no unique solution")
    X = _back_substitute(U, C)
    X = jnp.where(singular, jnp.full_like(X, jnp.nan), X)
    return X[:, 0] if b.ndim == 1 else X


def det(A: jax.Array) -> jax.Array:
    """det A = (−1)^swaps · Π pivots, from the same elimination (0 for a singular A)."""
    A = _as_float(A)
    _check_square(A)
    U, _, sign, _ = _eliminate(A, jnp.zeros((A.shape[0], 0), A.dtype))
    return sign * jnp.prod(jnp.diagonal(U))


def inv(A: jax.Array) -> jax.Array:
    """A⁻¹ by solving A X = I (raises SingularMatrixError for a singular A)."""
    A = _as_float(A)
    _check_square(A)
    return solve(A, jnp.eye(A.shape[0], dtype=A.dtype))


class Step(NamedTuple):
    """One row operation of :func:`row_reduce` and the matrix after it."""

    operation: str
    matrix: np.ndarray


def row_reduce(A, tol: float | None = None) -> tuple[np.ndarray, list[Step]]:
    """Reduced row echelon form of A (any shape; an augmented [A | b] works too).

    Gauss–Jordan elimination with partial pivoting, on the host in float64 so every
    intermediate matrix can be shown. Rows are numbered from 1 in the step texts
    ("R2 ← R2 − 3·R1").

    Returns:
      (R, steps): the reduced matrix and the list of :class:`Step`.
    """
    M = np.array(A, dtype=np.float64)
    if M.ndim != 2:
        raise UserError(f"expected a matrix, got shape {M.shape}")
    rows, cols = M.shape
    tol = tol if tol is not None else max(M.shape) * np.finfo(np.float64).eps * max(
        1.0, float(np.max(np.abs(M))) if M.size else 1.0)
    steps: list[Step] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        p = r + int(np.argmax(np.abs(M[r:, c])))
        if abs(M[p, c]) <= tol:
            M[r:, c] = 0.0
            continue
        if p != r:
            M[[r, p]] = M[[p, r]]
            steps.append(Step(f"R{r + 1} ↔ R{p + 1}", M.copy()))
        pivot = M[r, c]
        if pivot != 1.0:
            M[r] = M[r] / pivot
            steps.append(Step(f"R{r + 1} ← R{r + 1} / {_num(pivot)}", M.copy()))
        for i in range(rows):
            if i != r and abs(M[i, c]) > tol:
                f = M[i, c]
                M[i] = M[i] - f * M[r]
                M[i, c] = 0.0
                sign, mag = ("−", f) if f > 0 else ("+", -f)
                steps.append(Step(f"R{i + 1} ← R{i + 1} {sign} {_num(mag)}·R{r + 1}", M.copy()))
        r += 1
    M[np.abs(M) <= tol] = 0.0
    return M, steps


def _num(x: float) -> str:
    return f"{x:.6g}"
