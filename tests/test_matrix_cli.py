"""`mlmath matrix`: results against NumPy, step-by-step row reduction, one-line errors."""

import numpy as np
import pytest

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
        rows.append([float(x) for x in line.strip().strip("[]").split()])
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
    code, out, _ = run(capsys, "rref", "[[1,2,3],[4,5,6]]")
    assert code == 0
    assert "step 1: R1 ↔ R2" in out
    assert "(rank 2)" in out
    np.testing.assert_allclose(_last_matrix(out), [[1, 0, -1], [0, 1, 2]], atol=1e-12)


@pytest.mark.parametrize("argv, message", [
    (["inverse", "[[1,2],[2,4]]"], "singular"),
    (["add", "[[1,2]]", "[[1],[2]]"], "shapes must be equal"),
    (["multiply", "[[1,2]]", "[[1,2]]"], "cannot multiply a 1×2 matrix by a 1×2"),
    (["det", "[[1,2],[3,]]"], "not a matrix literal"),
    (["det", "[[1,2],[3]]"], "rows have different lengths"),
    (["det", "[[1,'a']]"], "not a matrix literal"),
    (["det", '[[1,"a"]]'], "every entry must be a number"),
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
    np.testing.assert_array_equal(parse_matrix("1 2; 3 4"), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(parse_matrix("[1, 2.5]"), [[1, 2.5]])
    np.testing.assert_array_equal(parse_matrix(" [[1e3]] "), [[1000.0]])
