"""Exact linear algebra over the rationals, as a textbook does it by hand.

Entries are :class:`fractions.Fraction` (integers are fractions with denominator 1), so
row reduction never rounds: a singular matrix has determinant exactly 0, and 4/3 stays
4/3. Every row operation is recorded with the reason it was done, as an
:class:`mlmath_jax.algebra.Step`:

* swap Rᵢ and Rⱼ when the pivot position holds 0 (the first row below with a non-zero
  entry in that column moves up; exact arithmetic needs no partial pivoting);
* Rᵢ ← Rᵢ / p to make the pivot 1;
* Rⱼ ← Rⱼ − m·Rᵢ to clear the pivot's column, above and below (Gauss–Jordan).

From the reduced row echelon form R of A: rank = number of pivots; the null space has one
basis vector per free column (free variable 1, the others 0, pivots read off R), the
construction ``sympy.Matrix.nullspace`` uses; A⁻¹ is the right half of rref([A | I]).
det A = (−1)^swaps · Π pivots (before scaling). The characteristic polynomial
det(λI − A) comes from the Faddeev–LeVerrier recursion, exact in fractions, and its
rational roots from the rational root theorem.

A matrix here is a list of rows, each a list of Fractions (or ints); results are lists of
lists of Fractions. These are host-side calculator functions (pure Python), not jittable.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

from mlmath_jax.algebra import RowReduction, SingularMatrixError, Step
from mlmath_jax.errors import UserError

Matrix = list[list[Fraction]]


def to_matrix(rows) -> Matrix:
    """A list of rows of ints or Fractions → a list of lists of Fractions (a copy).

    Raises:
      TypeError: an entry is not an int or a Fraction (floats are not exact).
      ValueError: not a non-empty list of equal-length non-empty rows.

    Example:
      >>> print(format_matrix(to_matrix([[1, Fraction(1, 2)], [3, 4]])))
      [ 1  1/2 ]
      [ 3    4 ]
    """
    if not isinstance(rows, list | tuple) or not rows or not all(
            isinstance(r, list | tuple) and r for r in rows):
        raise UserError("a matrix is a non-empty list of non-empty rows")
    if len({len(r) for r in rows}) != 1:
        raise UserError("the rows of a matrix must have equal lengths")
    out = []
    for r in rows:
        row = []
        for x in r:
            if isinstance(x, bool) or not isinstance(x, int | Fraction):
                raise TypeError(f"exact entries are ints or Fractions, got {type(x).__name__}")
            row.append(Fraction(x))
        out.append(row)
    return out


def format_fraction(x) -> str:
    """A Fraction as a textbook writes it: ``4/3``, ``-1/2``, ``2``.

    Example:
      >>> print(format_fraction(Fraction(8, 6)), format_fraction(Fraction(-4, 2)))
      4/3 -2
    """
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def format_matrix(M, indent: str = "") -> str:
    """Rows of fractions in right-aligned columns.

    Example:
      >>> print(format_matrix([[Fraction(4, 3), 0], [1, Fraction(-1, 2)]]))
      [ 4/3     0 ]
      [   1  -1/2 ]
    """
    cells = [[format_fraction(x) for x in row] for row in M]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]"
                     for row in cells)


def _copy(M: Matrix) -> Matrix:
    return [list(r) for r in M]


def _times(m: Fraction) -> str:
    """m as a factor or divisor: in parentheses unless a non-negative integer
    ("R2 / (−2)", "(1/2)·R1"), so a step never reads "R2 / -2"."""
    return format_fraction(m) if m.denominator == 1 and m >= 0 else f"({format_fraction(m)})"


def row_reduce(A) -> RowReduction:
    """Reduced row echelon form of A (any shape) by exact Gauss–Jordan elimination.

    Column by column: find a row at or below the current one with a non-zero entry
    (swapping it up if needed), divide it by the pivot, subtract multiples of it from
    every other row. Each operation is a :class:`~mlmath_jax.algebra.Step` whose
    ``reason`` says why it was done.

    Args:
      A: list of rows of ints or Fractions (an augmented [A | b] works too).

    Returns:
      :class:`~mlmath_jax.algebra.RowReduction` (matrix, pivots, steps), exact.

    Example:
      >>> r = row_reduce([[0, 2], [3, 4]])
      >>> print(r.steps[0].operation, "-", r.steps[0].reason)
      swap R1 and R2 - the pivot in column 1 is 0
      >>> print(format_matrix(r.matrix), r.pivots)
      [ 1  0 ]
      [ 0  1 ] (0, 1)
    """
    M = to_matrix(A)
    rows, cols = len(M), len(M[0])
    steps: list[Step] = []
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        p = next((i for i in range(r, rows) if M[i][c] != 0), None)
        if p is None:
            continue                                   # no pivot: column c is free
        if p != r:
            M[r], M[p] = M[p], M[r]
            steps.append(Step(f"swap R{r + 1} and R{p + 1}",
                              f"the pivot in column {c + 1} is 0", _copy(M)))
        pivot = M[r][c]
        if pivot != 1:
            M[r] = [x / pivot for x in M[r]]
            steps.append(Step(f"R{r + 1} ← R{r + 1} / {_times(pivot)}",
                              f"make the pivot in column {c + 1} equal to 1", _copy(M)))
        for i in range(rows):
            m = M[i][c]
            if i != r and m != 0:
                M[i] = [x - m * y for x, y in zip(M[i], M[r], strict=True)]
                sign, mag = ("−", m) if m > 0 else ("+", -m)
                where = "below" if i > r else "above"
                factor = "" if mag == 1 else _times(mag) + "·"
                steps.append(Step(f"R{i + 1} ← R{i + 1} {sign} {factor}R{r + 1}",
                                  f"clear column {c + 1} {where} the pivot", _copy(M)))
        pivots.append(c)
        r += 1
    return RowReduction(M, tuple(pivots), steps)


def _check_square(M: Matrix) -> None:
    if len(M) != len(M[0]):
        raise UserError(f"expected a square matrix, got {len(M)}×{len(M[0])}")


def det(A) -> Fraction:
    """det A exactly: (−1)^swaps · Π pivots of forward elimination (0 when singular).

    Example:
      >>> print(det([[2, 0, 1], [1, 3, 2], [1, 1, 1]]), det([[1, Fraction(1, 2)], [3, 4]]))
      0 5/2
    """
    M = to_matrix(A)
    _check_square(M)
    n, sign, prod = len(M), 1, Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if M[i][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            M[c], M[p], sign = M[p], M[c], -sign
        prod *= M[c][c]
        for i in range(c + 1, n):
            m = M[i][c] / M[c][c]
            if m:
                M[i] = [x - m * y for x, y in zip(M[i], M[c], strict=True)]
    return sign * prod


def rank(A) -> int:
    """The number of pivots of rref(A).

    Example:
      >>> rank([[1, 2], [2, 4]])
      1
    """
    return len(row_reduce(A).pivots)


def nullspace(A) -> Matrix:
    """A basis of {x : A x = 0}, one vector per free column of rref(A).

    The vector for free column f has xf = 1, the other free variables 0 and each pivot
    variable −R[row, f]; the empty list when the columns are independent.

    Example:
      >>> [[format_fraction(x) for x in v] for v in nullspace([[1, 2, 3], [2, 4, 6]])]
      [['-2', '1', '0'], ['-3', '0', '1']]
    """
    red = row_reduce(A)
    cols = len(red.matrix[0])
    basis = []
    for f in (c for c in range(cols) if c not in red.pivots):
        v = [Fraction(0)] * cols
        v[f] = Fraction(1)
        for row, pc in enumerate(red.pivots):
            v[pc] = -red.matrix[row][f]
        basis.append(v)
    return basis


def inv(A) -> Matrix:
    """A⁻¹ exactly, as the right half of rref([A | I]).

    Raises:
      SingularMatrixError: rank A < n (then det A = 0 exactly).

    Example:
      >>> print(format_matrix(inv([[2, 1], [1, 1]])))
      [  1  -1 ]
      [ -1   2 ]
    """
    M = to_matrix(A)
    _check_square(M)
    n = len(M)
    aug = [row + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(M)]
    red = row_reduce(aug)
    if red.pivots[:n] != tuple(range(n)):
        raise SingularMatrixError(f"the matrix is singular (rank {sum(p < n for p in red.pivots)}"
                                  f" < {n}, determinant exactly 0), so it has no inverse")
    return [row[n:] for row in red.matrix]


class Solution(NamedTuple):
    """All solutions of A x = b: x = particular + Σ tₖ·nullspace[k].

    Attributes:
      particular: one solution (free variables 0), a list of columns' values: each entry
        is a row of x (b may have several columns).
      nullspace: basis of the null space of A (empty when the solution is unique).
    """

    particular: Matrix
    nullspace: Matrix


def solve(A, b) -> Solution:
    """Every solution of A x = b exactly, from rref([A | b]).

    Args:
      A: (m, n) list of rows.
      b: (m, k) list of rows (one column per right-hand side).

    Returns:
      :class:`Solution`; unique when ``nullspace`` is empty.

    Raises:
      UserError: the system is inconsistent (a row of the reduced [A | b] reads 0 = c, c ≠ 0).

    Example:
      >>> s = solve([[2, 1], [1, 3]], [[3], [5]])
      >>> [format_fraction(r[0]) for r in s.particular], s.nullspace
      (['4/5', '7/5'], [])
    """
    M, B = to_matrix(A), to_matrix(b)
    if len(B) != len(M):
        raise UserError(f"A has {len(M)} rows but b has {len(B)}")
    n, k = len(M[0]), len(B[0])
    red = row_reduce([ra + rb for ra, rb in zip(M, B, strict=True)])
    if any(p >= n for p in red.pivots):
        row = next(i for i, p in enumerate(red.pivots) if p >= n)
        raise UserError(f"the system has no solution: row {row + 1} of the reduced [A | b] "
                        f"reads 0 = {format_fraction(red.matrix[row][red.pivots[row]])}")
    x = [[Fraction(0)] * k for _ in range(n)]
    for row, pc in enumerate(red.pivots):
        x[pc] = red.matrix[row][n:]
    return Solution(x, nullspace(M))


def charpoly(A) -> list[Fraction]:
    """Coefficients of det(λI − A), highest degree first (leading 1), exactly.

    Faddeev–LeVerrier: M₀ = 0, cₙ = 1; Mₖ = A·Mₖ₋₁ + cₙ₋ₖ₊₁·I, cₙ₋ₖ = −tr(A·Mₖ)/k.

    Example:
      >>> [format_fraction(c) for c in charpoly([[2, 1], [1, 2]])]
      ['1', '-4', '3']
    """
    M = to_matrix(A)
    _check_square(M)
    n = len(M)
    coeffs = [Fraction(1)]
    Mk = [[Fraction(0)] * n for _ in range(n)]
    for k in range(1, n + 1):
        AM = _matmul(M, Mk)
        Mk = [[AM[i][j] + (coeffs[-1] if i == j else 0) for j in range(n)] for i in range(n)]
        AMk = _matmul(M, Mk)
        coeffs.append(-sum(AMk[i][i] for i in range(n)) / k)
    return coeffs


def _matmul(A: Matrix, B: Matrix) -> Matrix:
    cols = list(zip(*B, strict=True))
    return [[sum((a * b for a, b in zip(row, col, strict=True)), Fraction(0)) for col in cols]
            for row in A]


def format_poly(coeffs, var: str = "λ") -> str:
    """A polynomial, highest degree first, as ``λ^2 - 4λ + 3``.

    Example:
      >>> print(format_poly([1, Fraction(-5, 2), 0, 1]))
      λ^3 - 5/2λ^2 + 1
    """
    n = len(coeffs) - 1
    parts = []
    for i, c in enumerate(coeffs):
        c, d = Fraction(c), n - i
        if c == 0:
            continue
        mag = abs(c)
        power = "" if d == 0 else var if d == 1 else f"{var}^{d}"
        num = format_fraction(mag) if (mag != 1 or d == 0) else ""
        term = num + power
        parts.append(("- " if c < 0 else "+ ") + term if parts else ("-" if c < 0 else "") + term)
    return " ".join(parts) if parts else "0"


_MAX_ROOT_SEARCH = 10 ** 12      # rational-root candidates are divisors; keep them findable


def _divisors(m: int) -> list[int]:
    m = abs(m)
    small = [d for d in range(1, math.isqrt(m) + 1) if m % d == 0]
    return sorted(set(small + [m // d for d in small]))


def _poly_at(coeffs, x):
    acc = Fraction(0)
    for c in coeffs:
        acc = acc * x + c
    return acc


def _deflate(coeffs, r):
    out, acc = [], Fraction(0)
    for c in coeffs[:-1]:
        acc = acc * r + c
        out.append(acc)
    return out


def rational_roots(coeffs) -> tuple[list[Fraction], list[Fraction]]:
    """The rational roots of a polynomial (with multiplicity) and what remains.

    Rational root theorem: with integer coefficients aₙλⁿ + … + a₀, a root p/q in lowest
    terms has p | a₀ and q | aₙ. Roots at 0 are taken first; each root found is divided
    out (synthetic division). Candidates are searched only while |a₀| and |aₙ| are at most
    10¹²; beyond that the remaining factor may still hold rational roots.

    Returns:
      (roots, remaining coefficients), the remaining factor having no rational root.

    Example:
      >>> roots, rest = rational_roots([1, -4, 3])
      >>> [format_fraction(r) for r in roots], rest
      (['1', '3'], [Fraction(1, 1)])
    """
    c = [Fraction(x) for x in coeffs]
    while c and c[0] == 0:
        c.pop(0)
    if not c:
        raise UserError("the zero polynomial has every number as a root")
    roots: list[Fraction] = []
    while len(c) > 1 and c[-1] == 0:
        roots.append(Fraction(0))
        c.pop()
    while len(c) > 1:
        scale = math.lcm(*(x.denominator for x in c))
        ints = [int(x * scale) for x in c]
        g = math.gcd(*ints)
        ints = [x // g for x in ints]
        a0, an = ints[-1], ints[0]
        if max(abs(a0), abs(an)) > _MAX_ROOT_SEARCH:
            break
        found = None
        for q in _divisors(an):
            for p in _divisors(a0):
                for cand in (Fraction(p, q), Fraction(-p, q)):
                    if _poly_at(c, cand) == 0:
                        found = cand
                        break
                if found is not None:
                    break
            if found is not None:
                break
        if found is None:
            break
        roots.append(found)
        c = _deflate(c, found)
    return sorted(roots), [x / c[0] for x in c]
