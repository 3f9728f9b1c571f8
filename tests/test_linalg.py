"""linalg: the seed's numbers, transformations, eigenvectors, PCA, PageRank, spectral
clustering — each against a reference (numpy, jnp.linalg, scikit-learn, networkx).

Tolerances: float32 results to ~1e-5 relative; float64 (inside ``jax.enable_x64``) to
1e-9 or tighter where the algorithm converges that far.
"""

import math

import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score

from mlmath_jax import algebra, linalg
from mlmath_jax.errors import UserError
from mlmath_jax.models import kmeans

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
    lam, v = linalg.power_iteration(A)
    assert float(lam) == pytest.approx(3.0, rel=1e-5)
    np.testing.assert_allclose(A @ v, lam * v, atol=1e-4)
    lams, _ = linalg.top_eigenpairs(A, 2)
    np.testing.assert_allclose(lams, [3.0, 1.0], rtol=1e-4)
    np.testing.assert_allclose(jnp.linalg.eigh(A)[0], [1.0, 3.0], rtol=1e-6)


def test_power_iteration_and_deflation_against_eigh_float64():
    with jax.enable_x64(True):
        A = _symmetric_with_spectrum(jax.random.key(5), [6.0, -4.0, 2.5, 1.0, 0.3])
        lams, V = linalg.top_eigenpairs(A, 5, num_iters=5000, tol=1e-12)
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
    info = linalg.power_iteration_info(R, num_iters=50)
    assert not bool(info.converged)
    assert int(info.iterations) == 50
    ok = linalg.power_iteration_info(jnp.array([[2.0, 1.0], [1.0, 2.0]]))
    assert bool(ok.converged) and int(ok.iterations) < 100


def test_power_iteration_is_jittable_and_vmappable():
    As = jnp.stack([jnp.array([[2.0, 1.0], [1.0, 2.0]]), jnp.array([[4.0, 0.0], [0.0, -1.0]])])
    lams, _ = jax.vmap(jax.jit(lambda A: linalg.power_iteration(A)))(As)
    np.testing.assert_allclose(lams, [3.0, 4.0], rtol=1e-5)


# ---------------------------------------------------------------------------------- PCA


@pytest.fixture(scope="module")
def pca_data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(60, 6)) @ rng.normal(size=(6, 6)) + rng.normal(size=6)


@pytest.mark.parametrize("method", ["svd", "covariance"])
def test_pca_matches_sklearn_up_to_sign(pca_data, method):
    with jax.enable_x64(True):
        r = linalg.pca(jnp.asarray(pca_data), 3, method=method)
        sk = PCA(n_components=3).fit(pca_data)
        signs = np.sign(np.sum(np.asarray(r.components) * sk.components_, axis=1))
        np.testing.assert_allclose(np.asarray(r.components) * signs[:, None],
                                   sk.components_, atol=1e-8)
        np.testing.assert_allclose(r.explained_variance, sk.explained_variance_, rtol=1e-9)
        np.testing.assert_allclose(r.explained_variance_ratio, sk.explained_variance_ratio_,
                                   rtol=1e-9)
        np.testing.assert_allclose(np.abs(linalg.pca_transform(r, jnp.asarray(pca_data))),
                                   np.abs(sk.transform(pca_data)), atol=1e-8)


def test_pca_error_never_rises_with_k_and_full_k_is_exact(pca_data):
    with jax.enable_x64(True):
        X = jnp.asarray(pca_data)
        full = linalg.pca(X, 6)
        errors = []
        for k in range(1, 7):                   # the top k of one fit: the same as pca(X, k)
            r = linalg.PCAResult(full.components[:k], full.explained_variance[:k],
                                 full.explained_variance_ratio[:k], full.mean)
            X_hat = linalg.pca_reconstruct(r, linalg.pca_transform(r, X))
            errors.append(float(jnp.mean((X - X_hat) ** 2)))
        np.testing.assert_allclose(linalg.pca(X, 3).components, full.components[:3],
                                   atol=1e-10)
        assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:], strict=False))
        assert errors[-1] < 1e-20
        assert float(jnp.sum(linalg.pca(X, 6).explained_variance_ratio)) == pytest.approx(1.0)


def test_pca_float32_and_errors(pca_data):
    r = linalg.pca(jnp.asarray(pca_data, jnp.float32), 2)
    sk = PCA(n_components=2).fit(pca_data)
    np.testing.assert_allclose(np.abs(r.components), np.abs(sk.components_), atol=1e-4)
    with pytest.raises(UserError, match="k = 7"):
        linalg.pca(jnp.asarray(pca_data), 7)
    with pytest.raises(UserError, match="method"):
        linalg.pca(jnp.asarray(pca_data), 2, method="qr")


# ----------------------------------------------------------------------------- PageRank

LANGVILLE_MEYER_EDGES = [(1, 2), (1, 3), (3, 1), (3, 2), (3, 5), (4, 5), (4, 6), (5, 4),
                         (5, 6), (6, 4)]                         # node 2 is dangling
# The values networkx's own test asserts for this graph at α = 0.9.
LANGVILLE_MEYER_RANKS = [0.03721197, 0.05395735, 0.04150565, 0.37508082, 0.20599833,
                         0.28624589]


def _adjacency(edges, n, offset=0):
    A = np.zeros((n, n))
    for i, j in edges:
        A[i - offset, j - offset] = 1.0
    return A


def test_pagerank_langville_meyer_example():
    A = _adjacency(LANGVILLE_MEYER_EDGES, 6, offset=1)
    G = nx.DiGraph(LANGVILLE_MEYER_EDGES)
    ref = nx.pagerank(G, alpha=0.9, tol=1e-8)
    with jax.enable_x64(True):
        r = linalg.pagerank(jnp.asarray(A), damping=0.9, tol=1e-8)
        np.testing.assert_allclose(r, LANGVILLE_MEYER_RANKS, atol=1e-7)
        np.testing.assert_allclose(r, [ref[i] for i in range(1, 7)], atol=1e-9)
        src, dst = np.array(LANGVILLE_MEYER_EDGES).T - 1
        r_edges = linalg.pagerank_edges(jnp.asarray(src), jnp.asarray(dst), 6, damping=0.9,
                                        tol=1e-8)
        np.testing.assert_allclose(r_edges, r, atol=1e-12)
    r32 = linalg.pagerank(jnp.asarray(A, jnp.float32), damping=0.9, tol=1e-8, max_iter=200)
    np.testing.assert_allclose(r32, LANGVILLE_MEYER_RANKS, atol=1e-6)


def test_pagerank_random_graph_dense_sparse_and_networkx():
    G = nx.gnp_random_graph(40, 0.08, seed=3, directed=True)
    G.add_nodes_from(range(40))
    ref = nx.pagerank(G, tol=1e-10, max_iter=500)
    A = nx.to_numpy_array(G, nodelist=range(40))
    assert np.any(A.sum(axis=1) == 0)                               # has dangling nodes
    src, dst = (np.array(list(G.edges())).T if G.number_of_edges() else ([], []))
    with jax.enable_x64(True):
        dense = linalg.pagerank_info(jnp.asarray(A), tol=1e-10, max_iter=500)
        sparse = linalg.pagerank_edges(jnp.asarray(src), jnp.asarray(dst), 40, tol=1e-10,
                                       max_iter=500)
        assert bool(dense.converged)
        np.testing.assert_allclose(dense.ranks, [ref[i] for i in range(40)], atol=1e-9)
        np.testing.assert_allclose(sparse, dense.ranks, atol=1e-12)
        assert float(jnp.sum(dense.ranks)) == pytest.approx(1.0, abs=1e-12)


def test_pagerank_defaults_float32_and_edge_cases():
    A = _adjacency(LANGVILLE_MEYER_EDGES, 6, offset=1)
    ref = nx.pagerank(nx.DiGraph(LANGVILLE_MEYER_EDGES))          # α = 0.85, tol = 1e-6
    np.testing.assert_allclose(linalg.pagerank(A), [ref[i] for i in range(1, 7)], atol=2e-6)
    # No links at all: every node dangling, the ranks are uniform.
    np.testing.assert_allclose(linalg.pagerank(np.zeros((4, 4))), 0.25, atol=1e-7)
    # One iteration cannot converge on this graph.
    info = linalg.pagerank_info(A, max_iter=1)
    assert not bool(info.converged) and int(info.iterations) == 1
    with pytest.raises(UserError, match="damping"):
        linalg.pagerank(A, damping=1.5)
    with pytest.raises(UserError, match="square"):
        linalg.pagerank(np.ones((2, 3)))
    with pytest.raises(UserError, match=r"node ids must lie in \[0, 3\); found 0..3"):
        linalg.pagerank_edges(jnp.array([0, 1]), jnp.array([1, 3]), 3)
    # Under jit (traced edges) the edge-list form still agrees with the dense one.
    src, dst = (np.array(LANGVILLE_MEYER_EDGES).T - 1)
    jitted = jax.jit(lambda s, d: linalg.pagerank_edges(s, d, 6))(jnp.asarray(src),
                                                                 jnp.asarray(dst))
    np.testing.assert_allclose(jitted, linalg.pagerank(A), atol=1e-6)


# ------------------------------------------------------------------- spectral clustering


def test_normalized_laplacian_counts_components():
    blocks = np.zeros((6, 6))
    blocks[:3, :3] = 1.0
    blocks[3:, 3:] = 1.0
    np.fill_diagonal(blocks, 0.0)
    with jax.enable_x64(True):
        w = jnp.linalg.eigvalsh(linalg.normalized_laplacian(jnp.asarray(blocks)))
        assert int(jnp.sum(jnp.abs(w) < 1e-10)) == 2
        assert float(w.min()) > -1e-10 and float(w.max()) < 2.0 + 1e-10


@pytest.mark.parametrize("affinity", ["rbf", "knn"])
def test_spectral_clustering_separates_moons_and_circles(affinity):
    key = jax.random.key(0)
    for X, y in (make_moons(200, noise=0.05, random_state=0),
                 make_circles(200, noise=0.03, factor=0.4, random_state=0)):
        labels = linalg.spectral_clustering(jnp.asarray(X, jnp.float32), 2, affinity,
                                            key=key, gamma=20.0, n_neighbors=10)
        assert adjusted_rand_score(y, np.asarray(labels)) > 0.95
        plain = kmeans.kmeans(jnp.asarray(X, jnp.float32), 2, key=key, n_init=5).labels
        assert adjusted_rand_score(y, np.asarray(plain)) < 0.5       # k-means alone fails
    with pytest.raises(UserError, match="affinity"):
        linalg.spectral_clustering(jnp.zeros((5, 2)), 2, "cosine", key=key)


def test_pagerank_edges_a_million_edges_against_scipy_sparse():
    import scipy.sparse as sp

    n, m, alpha = 100_000, 1_000_000, 0.85
    rng = np.random.default_rng(0)
    src = rng.integers(0, n, size=m)
    dst = rng.integers(0, n, size=m) ** 2 % n            # uneven in-degrees
    # Reference: the same power iteration on scipy.sparse (duplicate edges add up).
    P = sp.csr_matrix((np.ones(m), (src, dst)), shape=(n, n))
    out = np.asarray(P.sum(axis=1)).ravel()
    P = sp.diags(np.where(out > 0, 1.0 / np.where(out > 0, out, 1.0), 0.0)) @ P
    r = np.full(n, 1.0 / n)
    for _ in range(100):
        new = (1 - alpha) / n + alpha * (P.T @ r + r[out == 0].sum() / n)
        done = np.abs(new - r).sum() < n * 1e-12
        r = new
        if done:
            break
    with jax.enable_x64(True):
        info = linalg.pagerank_edges_info(jnp.asarray(src), jnp.asarray(dst), n, alpha,
                                          tol=1e-12)
        assert bool(info.converged)
        np.testing.assert_allclose(info.ranks, r, rtol=1e-9, atol=1e-15)
        assert float(jnp.sum(info.ranks)) == pytest.approx(1.0, abs=1e-10)


def test_angle_with_a_zero_vector_is_refused():
    from mlmath_jax.errors import UserError

    with pytest.raises(UserError, match="zero vector"):
        linalg.angle(jnp.zeros(2), jnp.array([1.0, 0.0]))
    assert jnp.isnan(jax.jit(linalg.angle)(jnp.zeros(2), jnp.array([1.0, 0.0])))


def test_power_iteration_warns_when_it_does_not_converge():
    rotation = jnp.array([[0.0, -1.0], [1.0, 0.0]])  # |λ₁| = |λ₂| = 1: no dominant one
    with pytest.warns(linalg.NotConvergedWarning, match="did not converge"):
        linalg.power_iteration(rotation, num_iters=50)
