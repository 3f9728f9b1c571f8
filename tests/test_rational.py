"""mlmath_jax.rational: exact row reduction, det, inverse, rank, null space, solve and
the characteristic polynomial against sympy, on hypothesis-generated integer and
fraction matrices."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax import rational
from mlmath_jax.algebra import SingularMatrixError
from mlmath_jax.errors import UserError

sympy = pytest.importorskip("sympy")

entries = st.one_of(st.integers(-6, 6),
                    st.fractions(min_value=-5, max_value=5, max_denominator=6))


def matrices(min_rows=1, max_rows=4, square=False):
    @st.composite
    def build(draw):
        m = draw(st.integers(min_rows, max_rows))
        n = m if square else draw(st.integers(1, max_rows))
        # low-rank matrices are common: sometimes a row is a combination of others
        rows = [[Fraction(draw(entries)) for _ in range(n)] for _ in range(m)]
        if m > 1 and draw(st.booleans()):
            a, b = draw(st.integers(0, m - 1)), draw(st.integers(0, m - 1))
            k = Fraction(draw(entries))
            rows[a] = [k * x for x in rows[b]]
        return rows
    return build()


def _sym(M):
    return sympy.Matrix([[sympy.Rational(x.numerator, x.denominator) for x in r] for r in M])


def _frac(x):
    x = sympy.sympify(x)
    assert x.is_Rational, x
    return Fraction(int(x.p), int(x.q))


SETTINGS = settings(max_examples=30, deadline=None)   # kept small for the 2-core suite


@SETTINGS
@given(matrices())
def test_rref_pivots_rank_and_nullspace_match_sympy(M):
    red = rational.row_reduce(M)
    R, pivots = _sym(M).rref()
    assert red.pivots == tuple(pivots)
    assert [[_frac(x) for x in row] for row in R.tolist()] == red.matrix
    assert rational.rank(M) == _sym(M).rank()
    want = [[_frac(x) for x in v] for v in _sym(M).nullspace()]
    assert rational.nullspace(M) == want
    # the last step's matrix is the result, and every step says why
    if red.steps:
        assert red.steps[-1].matrix == red.matrix
    assert all(s.reason for s in red.steps)


@SETTINGS
@given(matrices(square=True))
def test_det_inverse_and_charpoly_match_sympy(M):
    S = _sym(M)
    d = rational.det(M)
    assert d == _frac(S.det())
    lam = sympy.Symbol("lam")
    assert rational.charpoly(M) == [_frac(c) for c in S.charpoly(lam).all_coeffs()]
    if d == 0:
        with pytest.raises(SingularMatrixError):
            rational.inv(M)
    else:
        assert rational.inv(M) == [[_frac(x) for x in row] for row in S.inv().tolist()]


@SETTINGS
@given(matrices(max_rows=3, square=True))
def test_rational_eigenvalues_are_sympys_rational_ones(M):
    roots, rest = rational.rational_roots(rational.charpoly(M))
    want = sorted(_frac(v) for v, mult in _sym(M).eigenvals().items() if v.is_rational
                  for _ in range(mult))
    assert roots == want
    assert len(roots) + len(rest) - 1 == len(M)
    for lam in set(roots):                         # A v = λ v exactly
        shifted = [[M[i][j] - (lam if i == j else 0) for j in range(len(M))]
                   for i in range(len(M))]
        for v in rational.nullspace(shifted):
            Av = [sum(a * x for a, x in zip(row, v, strict=True)) for row in M]
            assert Av == [lam * x for x in v]


@SETTINGS
@given(matrices(), st.data())
def test_solve_gives_every_solution_or_refuses(M, data):
    b = [[Fraction(data.draw(entries))] for _ in M]
    S, B = _sym(M), _sym(b)
    try:
        sol = rational.solve(M, b)
    except UserError:
        assert S.rank() < S.row_join(B).rank()     # inconsistent, as sympy sees it
        return
    x = _sym(sol.particular)
    assert S * x == B
    assert len(sol.nullspace) == len(M[0]) - S.rank()
    for v in sol.nullspace:
        assert S * _sym([[c] for c in v]) == sympy.zeros(len(M), 1)


def test_singular_determinant_is_exactly_zero_and_formats():
    assert rational.det([[2, 0, 1], [1, 3, 2], [1, 1, 1]]) == 0
    assert rational.format_fraction(Fraction(4, 3)) == "4/3"
    with pytest.raises(TypeError):
        rational.to_matrix([[1.5]])


_OP = __import__("re").compile(
    r"swap R(\d+) and R(\d+)|R(\d+) ← R\3 / (\S+)|R(\d+) ← R\5 ([−+]) (?:(\S+)·)?R(\d+)")


def _factor(text):
    """A factor as the steps print it: an integer, or anything else in parentheses."""
    if text.startswith("("):
        assert text.endswith(")"), text
        return Fraction(text[1:-1])
    assert not text.startswith("-"), f"a negative factor without parentheses: {text}"
    return Fraction(text)


@settings(max_examples=20, deadline=None)
@given(matrices())
def test_each_step_read_as_written_gives_the_next_matrix(M):
    """A learner who does what each line says gets the matrix printed under it; the
    factors are unambiguous ("R2 / (-2)", "(1/2)·R1", never "R2 / -2")."""
    prev = [row[:] for row in M]
    for s in rational.row_reduce(M).steps:
        m = _OP.fullmatch(s.operation)
        assert m, s.operation
        if m[1]:
            i, j = int(m[1]) - 1, int(m[2]) - 1
            prev[i], prev[j] = prev[j], prev[i]
        elif m[3]:
            i = int(m[3]) - 1
            prev[i] = [x / _factor(m[4]) for x in prev[i]]
        else:
            i, j = int(m[5]) - 1, int(m[8]) - 1
            k = _factor(m[7]) if m[7] else Fraction(1)
            k = -k if m[6] == "−" else k
            prev[i] = [x + k * y for x, y in zip(prev[i], prev[j], strict=True)]
        assert prev == s.matrix, s.operation
