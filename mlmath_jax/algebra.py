"""Algebra: linear equations, linear systems by Gaussian elimination, determinants and
inverses, polynomials and their roots, and scalar root finding.

* :func:`solve_linear`: a·x + b = c  ⇒  x = (c − b) / a (the seed's 3x + 7 = 22 → 5).
* :func:`poly_eval`: Horner's rule p(x) = (…((a₀x + a₁)x + a₂)…)x + aₙ.
* :func:`poly_roots`: all n complex roots at once by the Aberth–Ehrlich iteration.
* :func:`newton` and :func:`bisect`: scalar roots on ``lax.while_loop``, reporting
  whether they converged.

Gaussian elimination with partial pivoting reduces [A | B] to an upper-triangular
system U x = c by row operations, choosing at column k the row with the largest |aᵢₖ|
(i ≥ k) as pivot — this bounds every multiplier by 1 and keeps rounding errors small —
then solves U x = c by back substitution. The determinant is the product of the pivots
times (−1)^(number of row swaps).

:func:`solve`, :func:`det` and :func:`inv` are jittable (``lax.fori_loop``). A singular
matrix (a pivot below n·ε·max|A|) raises :class:`SingularMatrixError` when the values are
concrete; under ``jit`` the result is NaN instead of garbage. :func:`row_reduce` returns
a :class:`RowReduction` with each step and its reason, for display. Exact arithmetic on
integers and fractions (determinant exactly 0 for a singular matrix, 4/3 kept as 4/3) is
:mod:`mlmath_jax.rational`.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from mlmath_jax._util import as_float as _as_float
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
      >>> x = solve(jnp.array([[2., 1.], [1., 3.]]), jnp.array([3., 5.]))
      >>> print([round(float(v), 5) for v in x])
      [0.8, 1.4]
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
    """det A = (−1)^swaps · Π pivots, from the same elimination as :func:`solve`.

    In floating point a singular matrix gives a determinant near, not exactly, 0 (a
    rounding residue such as 1e-16); :func:`mlmath_jax.rational.det` is exact.

    Args:
      A: (n, n) matrix.

    Returns:
      The determinant, a scalar of A's float dtype.

    Raises:
      UserError: A is not square.

    Example:
      >>> round(float(det(jnp.array([[1., 2.], [3., 4.]]))), 5)
      -2.0
    """
    A = _as_float(A)
    _check_square(A)
    U, _, sign, _ = _eliminate(A, jnp.zeros((A.shape[0], 0), A.dtype))
    return sign * jnp.prod(jnp.diagonal(U))


def inv(A: jax.Array) -> jax.Array:
    """A⁻¹ by solving A X = I with :func:`solve`.

    Args:
      A: (n, n) matrix.

    Returns:
      A⁻¹, same shape and dtype.

    Raises:
      SingularMatrixError: A is singular to working precision (concrete inputs; NaN
        under ``jit``).

    Example:
      >>> print(inv(jnp.array([[2., 0.], [0., 4.]])).tolist())
      [[0.5, 0.0], [0.0, 0.25]]
    """
    A = _as_float(A)
    _check_square(A)
    return solve(A, jnp.eye(A.shape[0], dtype=A.dtype))


class Step(NamedTuple):
    """One row operation of a row reduction, why it was done, and the matrix after it.

    Attributes:
      operation: the operation, rows numbered from 1 ("swap R1 and R2",
        "R2 ← R2 − 3·R1", "R1 ← R1 / 2").
      reason: why ("the pivot in column 1 is 0", "partial pivoting: …",
        "clear column 1 below the pivot").
      matrix: the whole matrix after the operation.
    """

    operation: str
    reason: str
    matrix: object


class RowReduction(NamedTuple):
    """The result of :func:`row_reduce` (and of :func:`mlmath_jax.rational.row_reduce`).

    Attributes:
      matrix: the reduced row echelon form.
      pivots: the pivot columns (0-based), in order; the rank is their number.
      steps: the :class:`Step` list, in the order done.
    """

    matrix: object
    pivots: tuple[int, ...]
    steps: list[Step]


def row_reduce(A, tol: float | None = None) -> RowReduction:
    """Reduced row echelon form of A (any shape; an augmented [A | b] works too).

    Gauss–Jordan elimination with partial pivoting, on the host in float64 so every
    intermediate matrix can be shown: at each column the row with the largest |entry|
    at or below the current row becomes the pivot row (this bounds every multiplier by 1),
    the pivot row is divided by the pivot, and multiples of it are subtracted from every
    other row. Entries at most ``tol`` (default max(m, n)·ε·max(1, max|A|)) count as 0.
    For exact arithmetic on integers and fractions see :mod:`mlmath_jax.rational`.

    Args:
      A: (m, n) array-like.
      tol: the magnitude below which an entry is treated as zero.

    Returns:
      :class:`RowReduction` (matrix float64 (m, n), pivots, steps).

    Raises:
      UserError: A is not two-dimensional.

    Example:
      >>> r = row_reduce([[1., 2.], [3., 4.]])
      >>> print(r.steps[0].operation, "-", r.steps[0].reason)
      swap R1 and R2 - partial pivoting: |3| is the largest entry of column 1 from R1 down
      >>> print(r.matrix.tolist(), r.pivots)
      [[1.0, 0.0], [0.0, 1.0]] (0, 1)
    """
    M = np.array(A, dtype=np.float64)
    if M.ndim != 2:
        raise UserError(f"expected a matrix, got shape {M.shape}")
    rows, cols = M.shape
    tol = tol if tol is not None else max(M.shape) * np.finfo(np.float64).eps * max(
        1.0, float(np.max(np.abs(M))) if M.size else 1.0)
    steps: list[Step] = []
    pivots: list[int] = []
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
            why = (f"partial pivoting: |{_num(M[r, c])}| is the largest entry of column "
                   f"{c + 1} from R{r + 1} down")
            steps.append(Step(f"swap R{r + 1} and R{p + 1}", why, M.copy()))
        pivot = M[r, c]
        if pivot != 1.0:
            M[r] = M[r] / pivot
            div = _num(pivot) if pivot > 0 else f"({_num(pivot)})"   # never "/ -2"
            steps.append(Step(f"R{r + 1} ← R{r + 1} / {div}",
                              f"make the pivot in column {c + 1} equal to 1", M.copy()))
        for i in range(rows):
            if i != r and abs(M[i, c]) > tol:
                f = M[i, c]
                M[i] = M[i] - f * M[r]
                M[i, c] = 0.0
                sign, mag = ("−", f) if f > 0 else ("+", -f)
                where = "below" if i > r else "above"
                steps.append(Step(f"R{i + 1} ← R{i + 1} {sign} {_num(mag)}·R{r + 1}",
                                  f"clear column {c + 1} {where} the pivot", M.copy()))
        pivots.append(c)
        r += 1
    M[np.abs(M) <= tol] = 0.0
    return RowReduction(M, tuple(pivots), steps)


def _num(x: float) -> str:
    return f"{x:.6g}"


# ----------------------------------------------------------------------- linear equations

def solve_linear(a, b, c) -> jax.Array:
    """Solve a·x + b = c for x by the inverse operations: subtract b, divide by a.

    x = (c − b) / a. Elementwise over arrays.

    Raises:
      UserError: a = 0 (concrete inputs): the equation is then b = c, true for every x
        or for none; under ``jit`` the result is NaN.

    Args:
      a, b, c: scalars or arrays that broadcast together.

    Returns:
      x, in the promoted float dtype.

    Example:
      >>> float(solve_linear(3.0, 7.0, 22.0))   # 3x + 7 = 22
      5.0
    """
    a, b, c = (jnp.asarray(v) for v in (a, b, c))
    dtype = jnp.result_type(a, b, c, float)
    a, b, c = a.astype(dtype), b.astype(dtype), c.astype(dtype)
    zero = a == 0
    if _is_concrete(zero) and bool(jnp.any(zero)):
        raise UserError("a = 0: a·x + b = c has no unique solution (every x solves it when "
                        "b = c, none otherwise); a must be non-zero")
    safe = jnp.where(zero, jnp.ones_like(a), a)
    return jnp.where(zero, jnp.full_like(safe, jnp.nan), (c - b) / safe)


# -------------------------------------------------------------------------- polynomials

def poly_eval(coeffs, x) -> jax.Array:
    """p(x) = a₀xⁿ + a₁xⁿ⁻¹ + … + aₙ by Horner's rule (highest degree first, as numpy).

    Horner: p = (…((a₀·x + a₁)·x + a₂)…)·x + aₙ, n multiplications and additions.
    Jittable (``lax.fori_loop``); ``x`` may be any shape, real or complex.

    Args:
      coeffs: (n + 1,) coefficients, highest degree first.
      x: points, any shape.

    Returns:
      p(x), x's shape, in the promoted dtype.

    Example:
      >>> float(poly_eval(jnp.array([1., -3., 2.]), 3.0))   # 9 − 9 + 2
      2.0
    """
    coeffs = jnp.asarray(coeffs)
    x = jnp.asarray(x)
    if coeffs.ndim != 1 or coeffs.shape[0] == 0:
        raise UserError(f"coeffs must be a non-empty 1-D array, got shape {coeffs.shape}")
    with jax.numpy_dtype_promotion("standard"):          # real coefficients, complex x
        dtype = jnp.promote_types(coeffs.dtype, x.dtype)
    if not jnp.issubdtype(dtype, jnp.inexact):
        dtype = jnp.result_type(float)
    coeffs, x = coeffs.astype(dtype), x.astype(dtype)
    acc = jnp.broadcast_to(coeffs[0], x.shape)
    return lax.fori_loop(1, coeffs.shape[0], lambda i, p: p * x + coeffs[i], acc)


def _complex_dtype(dtype):
    return jnp.complex128 if jnp.dtype(dtype).itemsize >= 8 else jnp.complex64


@partial(jax.jit, static_argnums=(1, 2))
def _aberth(a: jax.Array, max_iter: int, tol: float) -> tuple[jax.Array, jax.Array]:
    """Aberth–Ehrlich on a monic polynomial a (a[0] = 1, degree n ≥ 1)."""
    n = a.shape[0] - 1
    da = a[:-1] * jnp.arange(n, 0, -1).astype(a.dtype)             # p'(x) coefficients
    # Start on a circle whose radius is a root bound (Fujiwara, halved), rotated off the
    # real axis so conjugate pairs separate.
    k = jnp.arange(1, n + 1)
    r = jnp.max(jnp.abs(a[1:]) ** (1.0 / k.astype(a.real.dtype)))
    r = jnp.where(r > 0, r, jnp.ones_like(r))
    theta = 2 * jnp.pi * jnp.arange(n).astype(a.real.dtype) / n + 0.4
    z0 = lax.complex(r * jnp.cos(theta), r * jnp.sin(theta)).astype(a.dtype)
    eye = jnp.eye(n, dtype=bool)

    def body(state):
        z, _, it = state
        p = poly_eval(a, z)
        dp = poly_eval(da, z)
        w = p / jnp.where(dp == 0, jnp.ones_like(dp), dp)       # Newton correction
        diff = z[:, None] - z[None, :]
        s = jnp.sum(jnp.where(eye, 0, 1 / jnp.where(eye, 1, diff)), axis=1)
        step = w / (1 - w * s)                                  # Aberth's correction
        step = jnp.where(jnp.isfinite(step), step, jnp.zeros_like(step))
        z = z - step
        err = jnp.max(jnp.abs(step) / jnp.maximum(1.0, jnp.abs(z)))
        return z, err, it + 1

    def cond(state):
        _, err, it = state
        return (err > tol) & (it < max_iter)

    z, err, _ = lax.while_loop(cond, body, (z0, jnp.asarray(jnp.inf, a.real.dtype), 0))
    return z, err <= tol


def poly_roots(coeffs, max_iter: int = 500, tol: float | None = None) -> jax.Array:
    """All complex roots of a₀xⁿ + … + aₙ (coefficients highest degree first, as
    ``numpy.roots``), by the Aberth–Ehrlich simultaneous iteration.

    Each root zₖ moves by  wₖ / (1 − wₖ Σⱼ≠ₖ 1/(zₖ − zⱼ))  with wₖ = p(zₖ)/p'(zₖ) the
    Newton step: Newton's method on p(z)/Πⱼ≠ₖ(z − zⱼ), cubically convergent for simple
    roots. Leading zero coefficients are dropped and trailing zeros give roots at 0 (as
    numpy does) when the coefficients are concrete.

    Args:
      coeffs: real or complex coefficients, highest degree first.
      max_iter: iteration cap.
      tol: relative step size at which to stop (default: 100·ε of the dtype).

    Returns:
      The n roots as a complex array, sorted by (real part, imaginary part).

    Example:
      >>> r = poly_roots(jnp.array([1., 0., -1.]))   # x² − 1
      >>> print([round(float(z.real), 5) for z in r], [round(abs(float(z.imag)), 5) for z in r])
      [-1.0, 1.0] [0.0, 0.0]
    """
    c = jnp.asarray(coeffs)
    if c.ndim != 1:
        raise UserError(f"coeffs must be a 1-D array, got shape {c.shape}")
    if not jnp.issubdtype(c.dtype, jnp.inexact):
        c = c.astype(jnp.result_type(float))
    cdtype = c.dtype if jnp.issubdtype(c.dtype, jnp.complexfloating) else _complex_dtype(
        c.dtype)
    c = c.astype(cdtype)
    zeros_at_origin = 0
    if _is_concrete(c):
        nz = np.flatnonzero(np.asarray(c) != 0)
        if nz.size == 0:
            raise UserError("the zero polynomial has every number as a root")
        zeros_at_origin = c.shape[0] - 1 - int(nz[-1])
        c = c[int(nz[0]):int(nz[-1]) + 1]
    n = c.shape[0] - 1
    if n == 0:
        roots = jnp.zeros((0,), cdtype)
    else:
        a = c / c[0]
        tol = float(100 * jnp.finfo(cdtype).eps) if tol is None else tol
        roots, _ = _aberth(a, max_iter, tol)
    roots = jnp.concatenate([roots, jnp.zeros((zeros_at_origin,), cdtype)])
    return jnp.sort(roots)


# ---------------------------------------------------------------------- scalar root finding

class RootResult(NamedTuple):
    """Outcome of :func:`newton` or :func:`bisect`.

    Attributes:
      root: the last iterate (NaN when the method broke down).
      value: f(root).
      iterations: iterations done.
      converged: whether the tolerance was met within the iteration cap.
    """

    root: jax.Array
    value: jax.Array
    iterations: jax.Array
    converged: jax.Array


def _default_tol(dtype) -> float:
    return float(16 * jnp.finfo(dtype).eps)


def newton(f, x0, tol: float | None = None, max_iter: int = 50, fprime=None) -> RootResult:
    """Newton's method xₖ₊₁ = xₖ − f(xₖ)/f'(xₖ) on ``lax.while_loop``.

    f' comes from ``jax.grad`` unless ``fprime`` is given. Stops when
    |xₖ₊₁ − xₖ| ≤ tol·(1 + |xₖ₊₁|) or f(xₖ) = 0; a zero or non-finite derivative, or the
    iteration cap, ends the loop with ``converged = False``.

    Args:
      f: scalar function of a scalar.
      x0: starting point.
      tol: relative step tolerance (default 16·ε of the dtype).
      max_iter: iteration cap.
      fprime: optional derivative.

    Returns:
      :class:`RootResult`.

    Example:
      >>> r = newton(lambda x: x**2 - 2, 1.0)
      >>> round(float(r.root), 5), bool(r.converged)
      (1.41421, True)
    """
    x0 = jnp.asarray(x0)
    if not jnp.issubdtype(x0.dtype, jnp.floating):
        x0 = x0.astype(jnp.result_type(float))
    tol = _default_tol(x0.dtype) if tol is None else tol
    fprime = jax.grad(f) if fprime is None else fprime

    def cond(s):
        _, _, it, done, broken = s
        return (~done) & (~broken) & (it < max_iter)

    def body(s):
        x, _, it, _, _ = s
        fx, dfx = f(x), fprime(x)
        x_new = x - fx / dfx
        broken = ~jnp.isfinite(x_new)
        done = (fx == 0) | (jnp.abs(x_new - x) <= tol * (1 + jnp.abs(x_new)))
        x_new = jnp.where(fx == 0, x, x_new)
        return x_new, fx, it + 1, done & ~broken, broken

    init = (x0, jnp.asarray(jnp.inf, x0.dtype), 0, jnp.asarray(False), jnp.asarray(False))
    x, _, it, done, broken = lax.while_loop(cond, body, init)
    x = jnp.where(broken, jnp.full_like(x, jnp.nan), x)
    return RootResult(x, f(x), it, done & ~broken)


def bisect(f, lo, hi, tol: float | None = None, max_iter: int = 200) -> RootResult:
    """Bisection on [lo, hi] where f(lo) and f(hi) differ in sign, on ``lax.while_loop``.

    Halves the bracket, keeping the half whose ends differ in sign, until its width is
    ≤ tol·(1 + |mid|); the error halves each step, so ~log₂((hi − lo)/tol) steps.

    Raises:
      UserError: f(lo) and f(hi) have the same sign (concrete inputs; under ``jit`` the
        result is NaN with ``converged = False``).

    Args:
      f: scalar function of a scalar.
      lo, hi: the bracket's ends.
      tol: relative width tolerance (default 16·ε of the dtype).
      max_iter: iteration cap.

    Returns:
      :class:`RootResult`.

    Example:
      >>> r = bisect(lambda x: x**3 - 2, 0.0, 2.0)
      >>> round(float(r.root), 4), bool(r.converged)
      (1.2599, True)
    """
    lo, hi = jnp.asarray(lo), jnp.asarray(hi)
    dtype = jnp.result_type(lo, hi, float)
    lo, hi = lo.astype(dtype), hi.astype(dtype)
    tol = _default_tol(dtype) if tol is None else tol
    flo, fhi = f(lo), f(hi)
    bracketed = jnp.sign(flo) * jnp.sign(fhi) <= 0
    if _is_concrete(bracketed) and not bool(bracketed):
        raise UserError(f"bisect needs a sign change: f({float(lo):g}) = {float(flo):g} "
                        f"and f({float(hi):g}) = {float(fhi):g} have the same sign")

    def cond(s):
        a, b, _, it = s
        mid = (a + b) / 2
        return (jnp.abs(b - a) > tol * (1 + jnp.abs(mid))) & (it < max_iter)

    def body(s):
        a, b, fa, it = s
        m = (a + b) / 2
        fm = f(m)
        left = jnp.sign(fa) * jnp.sign(fm) <= 0           # root in [a, m]
        return (jnp.where(left, a, m), jnp.where(left, m, b), jnp.where(left, fa, fm),
                it + 1)

    a, b, _, it = lax.while_loop(cond, body, (lo, hi, flo, 0))
    root = (a + b) / 2
    converged = bracketed & (jnp.abs(b - a) <= tol * (1 + jnp.abs(root)))
    root = jnp.where(bracketed, root, jnp.full_like(root, jnp.nan))
    return RootResult(root, f(root), it, converged)
