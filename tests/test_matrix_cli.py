"""`mlmath matrix`: results against NumPy and sympy, exact fractions, step-by-step row
reduction with reasons, one-line errors."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmath_jax.cli import main
from mlmath_jax.cli.matrix import parse_matrix


def run(capsys, *argv):
    code = main(["matrix", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _last_matrix(out):
    rows = []
    for line in reversed(out.strip().splitlines()):
        if not line.strip().startswith("["):
            break
        rows.append([float(Fraction(x)) for x in line.strip().strip("[]").split()])
    return np.array(rows[::-1])


def test_seed_product(capsys):
    code, out, _ = run(capsys, "multiply", "[[1,2],[3,4]]", "[[5,6],[7,8]]")
    assert code == 0
    np.testing.assert_array_equal(_last_matrix(out), [[19, 22], [43, 50]])


def test_add_transpose_det_inverse_solve_against_numpy(capsys):
    A = np.array([[2.0, -1.0, 0.5], [1.0, 3.0, 2.0], [0.0, 1.0, 4.0]])
    lit = str(A.tolist())
    code, out, _ = run(capsys, "add", lit, "1 1 1; 2 2 2; 3 3 3")
    assert code == 0
    np.testing.assert_allclose(_last_matrix(out), A + [[1, 1, 1], [2, 2, 2], [3, 3, 3]])
    np.testing.assert_allclose(_last_matrix(run(capsys, "transpose", lit)[1]), A.T)
    code, out, _ = run(capsys, "det", lit)
    assert code == 0
    det = float(out.strip().splitlines()[-1].split("=")[1])
    assert det == pytest.approx(np.linalg.det(A), rel=1e-5)
    np.testing.assert_allclose(_last_matrix(run(capsys, "inverse", lit)[1]), np.linalg.inv(A),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_last_matrix(run(capsys, "solve", lit, "[1, 2, 3]")[1])[:, 0],
                               np.linalg.solve(A, [1, 2, 3]), rtol=1e-5)


def test_row_reduction_is_shown_step_by_step(capsys):
    code, out, _ = run(capsys, "rref", "--float", "[[1,2,3],[4,5,6]]")
    assert code == 0
    assert "step 1: swap R1 and R2   (partial pivoting" in out
    assert "rank 2: pivots in column(s) 1, 2" in out
    np.testing.assert_allclose(_last_matrix(out), [[1, 0, -1], [0, 1, 2]], atol=1e-12)


@pytest.mark.parametrize("argv, message", [
    (["inverse", "[[1,2],[2,4]]"], "singular"),
    (["add", "[[1,2]]", "[[1],[2]]"], "shapes must be equal"),
    (["multiply", "[[1,2]]", "[[1,2]]"], "cannot multiply a 1×2 matrix by a 1×2"),
    (["det", "[[1,2],[3,]]"], "not a matrix literal"),
    (["det", "[[1,2],[3]]"], "rows have different lengths"),
    (["det", "[[1,'a']]"], "not a number"),
    (["det", '[[1,"a"]]'], "not a number"),
    (["det", "[[1/0]]"], "divides by zero"),
    (["det", "[[1e999]]"], "not a finite number"),
    (["det", "[[[1]]]"], "nested more than two deep"),
    (["det", "[" * 3000], "nested more than two deep"),
    (["det", "[[" + "9" * 5000 + "]]"], "longer than"),
    (["solve", "[[1,2],[2,4]]", "[3,7]"], "no solution"),
    (["eig", "[[1,2,3]]"], "square"),
    (["rank", "[[1]]", "--power"], "--power goes with eig only"),
    (["det", "__import__('os').system('true')"], "not a matrix literal"),
    (["det", "[[1,2,3],[4,5,6]]"], "square"),
    (["transpose", "[[1]]", "[[2]]"], "takes 1 matrix"),
])
def test_mistakes_give_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_parse_matrix_forms():
    assert parse_matrix("1 2; 3 4") == [[1, 2], [3, 4]]
    assert parse_matrix("[1, 2.5]") == [[1, 2.5]]
    assert parse_matrix(" [[1e3]] ") == [[1000.0]]
    assert parse_matrix("[[1, 1/2], [-3, 4 / -6]]") == [[1, Fraction(1, 2)],
                                                        [-3, Fraction(-2, 3)]]
    assert all(isinstance(x, Fraction) for x in parse_matrix("1/2 3; -4 5")[0])


def test_issue_transcripts_are_exact(capsys):
    code, out, _ = run(capsys, "det", "[[2,0,1],[1,3,2],[1,1,1]]")
    assert code == 0 and out.strip().splitlines()[-1] == "det A = 0"
    code, out, _ = run(capsys, "rref", "[[1, 1/2], [3, 4]]")
    assert code == 0 and "swap" not in out and "R2 ← R2 − 3·R1" in out
    code, out, _ = run(capsys, "inverse", "[[3, 0], [0, 3/4]]")
    assert "1/3" in out and "4/3" in out
    code, out, _ = run(capsys, "rref", "[[0, 1], [1, 0]]")
    assert "swap R1 and R2   (the pivot in column 1 is 0)" in out
    code, out, _ = run(capsys, "solve", "[[1, 2], [3, 4]]", "[5, 6]")   # b is a column
    assert code == 0 and "b (2×1) =\n  [ 5 ]\n  [ 6 ]\n" in out


sympy = pytest.importorskip("sympy")


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # run() drains capsys
@given(st.integers(2, 3).flatmap(lambda n: st.lists(
    st.lists(st.integers(-2, 2), min_size=n, max_size=n), min_size=n, max_size=n)),
    st.booleans())
def test_eig_says_when_a_matrix_is_not_diagonalizable(capsys, M, triangular):
    if triangular:           # upper triangular with a repeated diagonal: often defective
        M = [[M[0][0] if i == j else (v if j > i else 0) for j, v in enumerate(r)]
             for i, r in enumerate(M)]
    code, out, _ = run(capsys, "eig", str(M))
    S = sympy.Matrix(M)
    assert code == 0
    if all(ev.is_rational for ev in S.eigenvals()):      # all shown exactly
        assert ("not diagonalizable" in out) == (not S.is_diagonalizable()), out


small = st.integers(-5, 5)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # run() drains capsys
@given(st.integers(2, 3).flatmap(lambda n: st.lists(st.lists(small, min_size=n, max_size=n),
                                                    min_size=n, max_size=n)))
def test_eig_values_and_vectors_against_numpy(capsys, M):
    A = np.array(M, float)
    code, out, _ = run(capsys, "eig", str(M))
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("characteristic polynomial: det(λI − A) = λ^") for line in lines)
    vals, vecs = [], []
    for line in lines:
        if line.startswith("λ"):
            text = line.split()[2].rstrip(":")
            vals.append(complex(text.replace("i", "j")) if "i" in text else
                        float(Fraction(text)))
        elif line.strip().startswith("v"):
            body = line.split("[", 1)[1].rstrip("]")
            vecs.append((vals[-1], [complex(x.replace("i", "j")) if "i" in x else
                                    float(Fraction(x)) for x in body.split(", ")]))
    want = np.linalg.eigvals(A)
    # floats are printed to 6 significant digits: half a unit in the 6th digit is the
    # tolerance (exact fractions meet it with room to spare)
    for lam in vals:                               # every printed value is an eigenvalue
        assert np.min(np.abs(want - lam)) <= 5e-6 * max(1.0, abs(lam))
    for lam, v in vecs:                            # and every printed vector its vector
        v = np.array(v)
        np.testing.assert_allclose(A @ v, lam * v, atol=5e-5 * max(1.0, np.abs(A).max()))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # run() drains capsys
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(
    st.lists(st.lists(small, min_size=n, max_size=n), min_size=n, max_size=n),
    st.lists(small, min_size=n, max_size=n))))
def test_solve_det_rank_against_numpy(capsys, Ab):
    M, b = Ab
    A = np.array(M, float)
    code, out, _ = run(capsys, "rank", str(M))
    assert f"rank A = {np.linalg.matrix_rank(A)}" in out
    code, out, _ = run(capsys, "det", str(M))
    assert float(Fraction(out.strip().splitlines()[-1].split("= ")[1])) == pytest.approx(
        np.linalg.det(A), abs=1e-9)
    code, out, err = run(capsys, "solve", str(M), str(b))
    if np.linalg.matrix_rank(A) == len(M):
        assert code == 0
        np.testing.assert_allclose(_last_matrix(out)[:, 0], np.linalg.solve(A, b), atol=1e-9)


def test_power_iteration_finds_the_dominant_eigenvalue(capsys):
    code, out, _ = run(capsys, "eig", "--power", "[[2,1],[1,2]]")
    assert code == 0 and "converged" in out
    lam = float(out.split("λ ≈ ")[-1].splitlines()[0])
    assert lam == pytest.approx(np.max(np.linalg.eigvalsh([[2, 1], [1, 2]])), rel=1e-9)
    code, out, _ = run(capsys, "eig", "--power", "[[0,1],[1,0]]")   # λ = ±1: no dominant one
    assert code == 1 and "did not converge" in out
