"""algebra: linear equations, elimination, det/inv, row reduction, polynomials, roots.

Oracles: numpy.linalg (solve, det, inv, matrix_rank), numpy.polyval, numpy.roots.
Tolerances: float64 runs (inside ``jax.enable_x64``) to 1e-10 relative; float32 to 1e-5.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from mlmath_jax import algebra
from mlmath_jax.algebra import SingularMatrixError
from mlmath_jax.errors import UserError

# ------------------------------------------------------------------- linear equations

def test_seed_linear_equation_3x_plus_7_is_22():
    # Algebra, worked example: 3x + 7 = 22  →  3x = 15  →  x = 5.
    assert float(algebra.solve_linear(3.0, 7.0, 22.0)) == 5.0


def test_solve_linear_elementwise_and_zero_slope():
    a = jnp.array([2.0, -4.0, 0.5])
    b = jnp.array([1.0, 2.0, -3.0])
    c = jnp.array([5.0, 10.0, 0.0])
    x = algebra.solve_linear(a, b, c)
    np.testing.assert_allclose(np.asarray(a * x + b), np.asarray(c), rtol=1e-6)
    with pytest.raises(UserError, match="a = 0"):
        algebra.solve_linear(0.0, 1.0, 2.0)
    assert np.isnan(float(jax.jit(algebra.solve_linear)(0.0, 1.0, 2.0)))


# ----------------------------------------------------------------- elimination (lead's)

def _well_conditioned(key, n, dtype):
    return jax.random.normal(key, (n, n), dtype) + n * jnp.eye(n, dtype=dtype)


def test_solve_matches_numpy_float64():
    with jax.enable_x64(True):
        A = _well_conditioned(jax.random.key(0), 5, jnp.float64)
        b = jax.random.normal(jax.random.key(1), (5,), jnp.float64)
        B = jax.random.normal(jax.random.key(2), (5, 3), jnp.float64)
        np.testing.assert_allclose(np.asarray(algebra.solve(A, b)),
                                   np.linalg.solve(np.asarray(A), np.asarray(b)), rtol=1e-10)
        np.testing.assert_allclose(np.asarray(algebra.solve(A, B)),
                                   np.linalg.solve(np.asarray(A), np.asarray(B)), rtol=1e-10)


def test_solve_needs_pivoting_and_jits():
    A = jnp.array([[0.0, 1.0], [1.0, 1.0]])               # zero in the (0, 0) position
    b = jnp.array([2.0, 3.0])
    expected = np.linalg.solve(np.asarray(A), np.asarray(b))
    np.testing.assert_allclose(np.asarray(algebra.solve(A, b)), expected, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.jit(algebra.solve)(A, b)), expected, rtol=1e-6)


def test_singular_matrix_is_reported_not_answered():
    S = jnp.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(SingularMatrixError):
        algebra.solve(S, jnp.array([1.0, 2.0]))
    with pytest.raises(SingularMatrixError):
        algebra.inv(S)
    assert np.all(np.isnan(np.asarray(jax.jit(algebra.solve)(S, jnp.array([1.0, 2.0])))))
    with pytest.raises(UserError, match="square"):
        algebra.solve(jnp.ones((2, 3)), jnp.ones(2))


def test_det_and_inv_match_numpy():
    with jax.enable_x64(True):
        A = _well_conditioned(jax.random.key(3), 4, jnp.float64)
        P = jnp.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 3.0]])   # one swap
        for M in (A, P):
            assert float(algebra.det(M)) == pytest.approx(np.linalg.det(np.asarray(M)),
                                                          rel=1e-10)
            np.testing.assert_allclose(np.asarray(algebra.inv(M)),
                                       np.linalg.inv(np.asarray(M)), rtol=1e-10, atol=1e-12)
        assert float(algebra.det(jnp.array([[1.0, 2.0], [2.0, 4.0]]))) == 0.0


def test_row_reduce_solves_augmented_system_and_records_steps():
    A = np.array([[2.0, 1.0, -1.0], [-3.0, -1.0, 2.0], [-2.0, 1.0, 2.0]])
    b = np.array([8.0, -11.0, -3.0])
    R, pivots, steps = algebra.row_reduce(np.column_stack([A, b]))
    assert pivots == (0, 1, 2)
    np.testing.assert_allclose(R[:, :3], np.eye(3), atol=1e-12)
    np.testing.assert_allclose(R[:, 3], np.linalg.solve(A, b), rtol=1e-12)
    assert steps and all(isinstance(s.operation, str) and s.matrix.shape == (3, 4)
                         for s in steps)
    np.testing.assert_allclose(steps[-1].matrix, R, atol=1e-12)
    swaps = [s for s in steps if s.operation.startswith("swap")]
    assert swaps and all(s.reason.startswith("partial pivoting") for s in swaps)
    # a negative pivot is written in parentheses: "R1 ← R1 / (-3)", never "R1 / -3"
    divides = [s.operation for s in steps if " / " in s.operation]
    assert divides and not any(" / -" in op for op in divides), divides
    assert any(" / (-" in op for op in divides), divides


def test_row_reduce_rank_deficient():
    M = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    R, pivots, _ = algebra.row_reduce(M)
    assert len(pivots) == np.linalg.matrix_rank(M)
    nonzero_rows = int(np.sum(np.any(np.abs(R) > 1e-12, axis=1)))
    assert nonzero_rows == np.linalg.matrix_rank(M)


# ------------------------------------------------------------------------ polynomials

def test_poly_eval_matches_numpy_and_jits():
    c = jnp.array([2.0, -3.0, 0.5, 7.0])
    x = jnp.linspace(-2.0, 2.0, 9)
    np.testing.assert_allclose(np.asarray(algebra.poly_eval(c, x)),
                               np.polyval(np.asarray(c), np.asarray(x)), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(algebra.poly_eval)(c, x)),
                               np.polyval(np.asarray(c), np.asarray(x)), rtol=1e-5)
    z = jnp.array([1.0 + 2.0j, -0.5j], jnp.complex64)
    np.testing.assert_allclose(np.asarray(algebra.poly_eval(c, z)),
                               np.polyval(np.asarray(c), np.asarray(z)), rtol=1e-5)


def _assert_same_multiset(ours, theirs, tol):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    cost = np.abs(ours[:, None] - theirs[None, :])
    rows, cols = linear_sum_assignment(cost)
    assert cost[rows, cols].max() <= tol, (ours, theirs)


@pytest.mark.parametrize("coeffs", [
    [1.0, 0.0, -1.0],                        # ±1
    [1.0, -3.0, 0.0, 1.0],                   # x³ − 3x + 1: three real roots
    [1.0, 0.0, 1.0],                         # ±i
    [1.0, 0.0, 0.0, 0.0, 1.0],               # fourth roots of −1
    [2.0, -3.0, 1.0, 5.0, -7.0, 2.0],        # mixed real and complex
    [1.0, -6.0, 11.0, -6.0],                 # 1, 2, 3
    [0.0, 0.0, 1.0, 2.0, 5.0, 0.0, 0.0],     # leading zeros dropped, roots at 0 kept
    [3.0, 1.5],                              # degree 1
])
def test_poly_roots_match_numpy_roots(coeffs):
    with jax.enable_x64(True):
        ours = algebra.poly_roots(jnp.asarray(coeffs, jnp.float64))
        _assert_same_multiset(ours, np.roots(coeffs), 1e-9)


def test_poly_roots_random_polynomials_float32_and_jit():
    rng = np.random.default_rng(0)
    f = jax.jit(algebra.poly_roots)
    for degree in (3, 6, 9):
        c = rng.normal(size=degree + 1)
        ours = f(jnp.asarray(c, jnp.float32))
        assert ours.dtype == jnp.complex64
        _assert_same_multiset(ours, np.roots(c), 2e-3)


def test_poly_roots_double_root_and_constant():
    with jax.enable_x64(True):
        # a double root is only found to about √ε (the problem is ill-conditioned)
        _assert_same_multiset(algebra.poly_roots(jnp.array([1.0, -2.0, 1.0])),
                              np.roots([1.0, -2.0, 1.0]), 1e-6)
    assert algebra.poly_roots(jnp.array([4.0])).shape == (0,)
    with pytest.raises(UserError, match="zero polynomial"):
        algebra.poly_roots(jnp.zeros(3))


# ------------------------------------------------------------------- newton and bisect

def test_newton_converges_quadratically_and_jits():
    with jax.enable_x64(True):
        r = algebra.newton(lambda x: x ** 2 - 2.0, jnp.asarray(1.0, jnp.float64))
        assert bool(r.converged) and float(r.root) == pytest.approx(np.sqrt(2.0), rel=1e-15)
        assert int(r.iterations) <= 7
    r32 = jax.jit(lambda x0: algebra.newton(jnp.cos, x0))(jnp.asarray(1.0))
    assert bool(r32.converged) and float(r32.root) == pytest.approx(np.pi / 2, rel=1e-6)


def test_newton_reports_non_convergence():
    # x² + 1 has no real root: the iterates wander (or hit f' = 0) and never settle
    r = algebra.newton(lambda x: x ** 2 + 1.0, jnp.asarray(0.5), max_iter=30)
    assert not bool(r.converged)
    slow = algebra.newton(lambda x: x ** 2 - 2.0, jnp.asarray(1000.0), max_iter=3)
    assert not bool(slow.converged) and int(slow.iterations) == 3


def test_bisect_brackets_and_reports():
    with jax.enable_x64(True):
        r = algebra.bisect(lambda x: x ** 3 - 2.0, jnp.asarray(0.0, jnp.float64),
                           jnp.asarray(2.0, jnp.float64))
        assert bool(r.converged) and float(r.root) == pytest.approx(2 ** (1 / 3), rel=1e-13)
        assert 40 <= int(r.iterations) <= 60                 # about log₂(2/ε) halvings
    with pytest.raises(UserError, match="sign change"):
        algebra.bisect(lambda x: x ** 2 + 1.0, -1.0, 1.0)
    r = jax.jit(lambda lo, hi: algebra.bisect(lambda x: x ** 2 + 1.0, lo, hi))(-1.0, 1.0)
    assert not bool(r.converged) and np.isnan(float(r.root))
    capped = algebra.bisect(lambda x: x - 0.3, 0.0, 1.0, max_iter=5)
    assert not bool(capped.converged) and int(capped.iterations) == 5
