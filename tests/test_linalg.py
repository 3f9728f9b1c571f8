"""linalg: the seed's numbers, vectors, transformations and eigenvectors — each against a
reference (numpy, jnp.linalg). PCA, PageRank and spectral clustering are tested in
test_pca.py, test_pagerank.py and test_spectral.py.

Tolerances: float32 results to ~1e-5 relative; float64 (inside ``jax.enable_x64``) to
1e-9 or tighter where the algorithm converges that far.
"""

import math

import hypothesis.extra.numpy as hnp
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlmath_jax import algebra, linalg
from mlmath_jax.errors import UserError

# ------------------------------------------------------------------ the seed's numbers


def test_seed_vector_length_and_direction():
    v = jnp.array([3.0, 4.0])
    assert float(linalg.norm(v)) == pytest.approx(5.0, rel=1e-6)
    deg = float(linalg.angle(v, jnp.array([1.0, 0.0]), degrees=True))
    assert deg == pytest.approx(math.degrees(math.atan2(4, 3)), abs=1e-4)
    assert round(deg, 1) == 53.1


def test_seed_dot_and_neuron():
    assert float(linalg.dot(jnp.array([1, 2, 3]), jnp.array([4, 5, 6]))) == 32.0
    weights, inputs = jnp.array([0.5, 0.3, 0.2]), jnp.array([5.9, 160.0, 25.0])
    assert float(linalg.dot(weights, inputs)) == pytest.approx(55.95, rel=1e-6)


def test_seed_matmul():
    C = linalg.matmul(jnp.array([[1.0, 2.0], [3.0, 4.0]]), jnp.array([[5.0, 6.0], [7.0, 8.0]]))
    np.testing.assert_array_equal(np.asarray(C), [[19.0, 22.0], [43.0, 50.0]])


# ------------------------------------------------------------------------------ vectors


def test_matmul_matches_at_operator_and_vector_case():
    k1, k2, k3 = jax.random.split(jax.random.key(1), 3)
    A = jax.random.normal(k1, (4, 3))
    B = jax.random.normal(k2, (3, 5))
    x = jax.random.normal(k3, (3,))
    np.testing.assert_allclose(linalg.matmul(A, B), A @ B, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(linalg.matmul(A, x), A @ x, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jax.jit(linalg.matmul)(A, B), A @ B, rtol=1e-5, atol=1e-6)
    with pytest.raises(UserError, match="cannot multiply a 4×3 matrix by a 4×3"):
        linalg.matmul(A, A)


def test_norm_dot_cosine_against_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    np.testing.assert_allclose(linalg.norm(jnp.asarray(a, jnp.float32)),
                               np.linalg.norm(a, axis=1), rtol=1e-5)
    np.testing.assert_allclose(linalg.dot(jnp.asarray(a, jnp.float32),
                                          jnp.asarray(b, jnp.float32)),
                               np.sum(a * b, axis=1), rtol=1e-4, atol=1e-5)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(linalg.cosine_similarity(jnp.asarray(a, jnp.float32),
                                                        jnp.asarray(b, jnp.float32)),
                               cos, atol=1e-5)
    np.testing.assert_allclose(linalg.angle(jnp.asarray(a, jnp.float32),
                                            jnp.asarray(b, jnp.float32)),
                               np.arccos(cos), atol=1e-5)


def test_norm_does_not_overflow_and_angle_of_near_parallel_vectors():
    assert float(linalg.norm(jnp.array([3e30, 4e30]))) == pytest.approx(5e30, rel=1e-6)
    assert float(linalg.norm(jnp.zeros(3))) == 0.0
    with jax.enable_x64(True):
        a = jnp.array([1.0, 0.0])
        b = jnp.array([1.0, 1e-9])
        # arccos(cos θ) loses θ ≈ 1e-9 entirely (cos θ rounds to 1); atan2 keeps it.
        assert float(linalg.angle(a, b)) == pytest.approx(1e-9, rel=1e-6)
    assert float(linalg.angle(jnp.array([1.0, 0.0]), jnp.array([0.0, 2.0]),
                              degrees=True)) == pytest.approx(90.0, abs=1e-5)


def test_projection_leaves_an_orthogonal_remainder():
    a, b = jnp.array([2.0, 3.0, -1.0]), jnp.array([1.0, 1.0, 0.5])
    p = linalg.projection(a, b)
    assert abs(float(linalg.dot(a - p, b))) < 1e-5
    np.testing.assert_allclose(linalg.cosine_similarity(p, b), 1.0, atol=1e-6)
    np.testing.assert_allclose(linalg.projection(jnp.array([2.0, 3.0]), jnp.array([1.0, 0.0])),
                               [2.0, 0.0])


def test_manual_derivatives_match_jax_grad():
    # The same triples linalg registers (registry.entries("linalg.*") lists them).
    key = jax.random.key(3)
    for fn, manual, sample, wrt in (
            (linalg.dot, linalg.dot_grad, linalg._sample_pair, 0),
            (linalg.norm, linalg.norm_grad, linalg._sample_vec, 0),
            (linalg.rayleigh_quotient, linalg.rayleigh_quotient_grad,
             linalg._sample_rayleigh, 1)):
        args = sample(key, jnp.float32)
        auto = jax.grad(lambda *a, f=fn: jnp.sum(f(*a)), argnums=wrt)(*args)
        np.testing.assert_allclose(manual(*args), auto, rtol=1e-4, atol=1e-5,
                                   err_msg=fn.__name__)
    assert float(jnp.sum(linalg.norm_grad(jnp.zeros(3)) ** 2)) == 0.0


# ---------------------------------------------------------------------- transformations


@pytest.mark.parametrize("theta", [0.3, 2.0, -1.1])
def test_rotations_keep_length_and_have_det_one(theta):
    pts = jax.random.normal(jax.random.key(0), (7, 3))
    for R in (linalg.rotate_x(theta), linalg.rotate_y(theta), linalg.rotate_z(theta)):
        np.testing.assert_allclose(linalg.norm(linalg.apply(R, pts)), linalg.norm(pts),
                                   rtol=1e-5)
        assert float(jnp.linalg.det(R)) == pytest.approx(1.0, abs=1e-5)
        np.testing.assert_allclose(R.T @ R, jnp.eye(3), atol=1e-6)
    R2 = linalg.rotate(theta)
    np.testing.assert_allclose(linalg.norm(linalg.apply(R2, pts[:, :2])),
                               linalg.norm(pts[:, :2]), rtol=1e-5)
    assert float(algebra.det(R2)) == pytest.approx(1.0, abs=1e-6)


def test_axis_rotations_turn_the_right_way():
    q = math.pi / 2
    np.testing.assert_allclose(linalg.rotate_z(q) @ jnp.array([1.0, 0, 0]), [0, 1, 0],
                               atol=1e-6)
    np.testing.assert_allclose(linalg.rotate_x(q) @ jnp.array([0, 1.0, 0]), [0, 0, 1],
                               atol=1e-6)
    np.testing.assert_allclose(linalg.rotate_y(q) @ jnp.array([0, 0, 1.0]), [1, 0, 0],
                               atol=1e-6)
    np.testing.assert_allclose(linalg.rotate(q) @ jnp.array([1.0, 0]), [0, 1], atol=1e-6)


def test_determinants_are_area_factors():
    assert float(jnp.linalg.det(linalg.shear(1.5))) == pytest.approx(1.0)
    assert float(jnp.linalg.det(linalg.shear(0.0, -0.7))) == pytest.approx(1.0)
    assert float(jnp.linalg.det(linalg.scale(2.0, 3.0))) == pytest.approx(6.0)
    for axis in ("x", "y", "y=x", 0.4):
        F = linalg.reflect(axis)
        assert float(jnp.linalg.det(F)) == pytest.approx(-1.0, abs=1e-6)
        np.testing.assert_allclose(F @ F, jnp.eye(2), atol=1e-6)    # reflecting twice = id
    # The unit square's image under M has area |det M| (shoelace formula).
    M = linalg.compose(linalg.scale(2.0, 0.5), linalg.shear(0.8), linalg.rotate(0.6))
    sq = linalg.apply(M, jnp.array([[0.0, 0], [1, 0], [1, 1], [0, 1]]))
    x, y = np.asarray(sq).T
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    assert area == pytest.approx(abs(float(jnp.linalg.det(M))), rel=1e-5)
    with pytest.raises(UserError, match="reflect axis"):
        linalg.reflect("z")


def test_composition_order_matters_and_applies_right_to_left():
    R, S = linalg.rotate(math.pi / 2), linalg.shear(1.0)
    assert not np.allclose(linalg.compose(R, S), linalg.compose(S, R))
    p = jnp.array([[1.0, 2.0]])
    np.testing.assert_allclose(linalg.apply(linalg.compose(R, S), p),
                               linalg.apply(R, linalg.apply(S, p)), atol=1e-6)


# ------------------------------------------------------------------------- eigenvectors


def _symmetric_with_spectrum(key, eigenvalues):
    n = len(eigenvalues)
    Q, _ = jnp.linalg.qr(jax.random.normal(key, (n, n), jnp.float64))
    return Q @ jnp.diag(jnp.asarray(eigenvalues, jnp.float64)) @ Q.T


def test_seed_eigenvalues_one_and_three():
    A = jnp.array([[2.0, 1.0], [1.0, 2.0]])
    lam, v, *_ = linalg.power_iteration(jax.random.key(0), A)
    assert float(lam) == pytest.approx(3.0, rel=1e-5)
    np.testing.assert_allclose(A @ v, lam * v, atol=1e-4)
    lams, _ = linalg.top_eigenpairs(jax.random.key(1), A, 2)
    np.testing.assert_allclose(lams, [3.0, 1.0], rtol=1e-4)
    np.testing.assert_allclose(jnp.linalg.eigh(A)[0], [1.0, 3.0], rtol=1e-6)


def test_power_iteration_and_deflation_against_eigh_float64():
    with jax.enable_x64(True):
        A = _symmetric_with_spectrum(jax.random.key(5), [6.0, -4.0, 2.5, 1.0, 0.3])
        lams, V = linalg.top_eigenpairs(jax.random.key(2), A, 5, num_iters=5000, tol=1e-12)
        w, U = jnp.linalg.eigh(A)
        order = jnp.argsort(-jnp.abs(w))
        np.testing.assert_allclose(lams, w[order], atol=1e-9)
        # Eigenvectors up to sign.
        dots = jnp.abs(jnp.sum(V * U[:, order], axis=0))
        np.testing.assert_allclose(dots, 1.0, atol=1e-9)
        np.testing.assert_allclose(A @ V, V * lams[None, :], atol=1e-9)      # Av = λv
        assert float(jnp.sum(lams)) == pytest.approx(float(jnp.trace(A)), abs=1e-9)
        assert float(jnp.prod(lams)) == pytest.approx(float(algebra.det(A)), rel=1e-9)


def test_power_iteration_reports_non_convergence():
    R = linalg.rotate(math.pi / 2)                # |λ₁| = |λ₂| = 1: no dominant direction
    info = linalg.power_iteration(jax.random.key(0), R, num_iters=50)
    assert not bool(info.converged)
    assert int(info.iterations) == 50
    assert float(info.residual) > 0.1
    ok = linalg.power_iteration(jax.random.key(0), jnp.array([[2.0, 1.0], [1.0, 2.0]]))
    assert bool(ok.converged) and int(ok.iterations) < 100
    assert float(ok.residual) <= 1e-5 * 3.0


def test_power_iteration_is_jittable_and_vmappable():
    As = jnp.stack([jnp.array([[2.0, 1.0], [1.0, 2.0]]), jnp.array([[4.0, 0.0], [0.0, -1.0]])])
    keys = jax.random.split(jax.random.key(0), 2)
    r = jax.vmap(jax.jit(lambda k, A: linalg.power_iteration(k, A)))(keys, As)
    np.testing.assert_allclose(r.eigenvalue, [3.0, 4.0], rtol=1e-5)
    assert isinstance(r, linalg.PowerIterationResult) and bool(jnp.all(r.converged))


def test_power_iteration_key_draws_the_start_and_v0_overrides_it():
    A = jnp.array([[2.0, 1.0], [1.0, 2.0]])
    a = linalg.power_iteration(jax.random.key(3), A, num_iters=1)
    b = linalg.power_iteration(jax.random.key(3), A, num_iters=1)
    c = linalg.power_iteration(jax.random.key(4), A, num_iters=1)
    np.testing.assert_array_equal(a.eigenvector, b.eigenvector)
    assert not np.allclose(a.eigenvector, c.eigenvector)
    v0 = jnp.array([1.0, 0.0])
    d = linalg.power_iteration(jax.random.key(3), A, num_iters=1, v0=v0)
    e = linalg.power_iteration(jax.random.key(4), A, num_iters=1, v0=v0)
    np.testing.assert_array_equal(d.eigenvector, e.eigenvector)
    np.testing.assert_allclose(d.eigenvector, A @ v0 / np.linalg.norm(A @ v0), rtol=1e-6)
    with pytest.raises(TypeError):
        linalg.power_iteration(A)                 # the key is required, no hidden default
    with pytest.raises(UserError, match="square"):
        linalg.power_iteration(jax.random.key(0), jnp.ones((2, 3)))


@settings(max_examples=15, deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 5), elements=st.floats(-10, 10)),
       hnp.arrays(np.float64, 5, elements=st.floats(-10, 10)))
def test_angle_against_numpy_arccos(a, b):
    b = b[: a.shape[0]]
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    assume(na > 1e-3 and nb > 1e-3)
    with jax.enable_x64(True):
        got = float(linalg.angle(jnp.asarray(a), jnp.asarray(b)))
    ref = np.arccos(np.clip(a @ b / (na * nb), -1.0, 1.0))
    # arccos of a rounded cosine loses ~√ε near 0 and π; Kahan's form does not.
    assert got == pytest.approx(ref, abs=1e-7)


def test_angle_with_a_zero_vector_is_nan_eagerly_and_under_jit():
    z, e = jnp.zeros(2), jnp.array([1.0, 0.0])
    for f in (linalg.angle, jax.jit(linalg.angle)):
        assert bool(jnp.isnan(f(z, e))) and bool(jnp.isnan(f(e, z)))
        assert float(f(e, jnp.array([0.0, 2.0]))) == pytest.approx(math.pi / 2)
    # Batched: only the rows with a zero vector are NaN.
    out = jax.jit(linalg.angle)(jnp.array([[0.0, 0.0], [1.0, 1.0]]), jnp.array([[1.0, 0.0]]))
    assert bool(jnp.isnan(out[0])) and float(out[1]) == pytest.approx(math.pi / 4, rel=1e-6)


def test_concept_modules_import_no_application_and_no_cycle():
    """linalg, trig, calculus and surfaces import neither nn, models, the runner nor an
    experiment, at the top or inside a function (no lazy import dodging a cycle)."""
    import ast
    from pathlib import Path

    pkg = Path(linalg.__file__).parent
    banned = ("mlmath_jax.nn", "mlmath_jax.models", "mlmath_jax.runner", "mlmath_jax.cli",
              "experiments")
    for name in ("linalg", "trig", "calculus", "surfaces"):
        tree = ast.parse((pkg / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mods = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                continue
            for m in mods:
                assert not m.startswith(banned), f"{name} imports {m}"
