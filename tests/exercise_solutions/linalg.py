"""linear algebra."""

import jax
import jax.numpy as jnp


def matmul(A, B):
    return (A[:, :, None] * B[None, :, :]).sum(axis=1)


def _power(A, num_iters, normalize=True):
    v = jnp.ones(A.shape[0], A.dtype)

    def body(_, v):
        w = A @ v
        return w / jnp.linalg.norm(w) if normalize else w

    v = jax.lax.fori_loop(0, num_iters, body, v)
    return v @ A @ v / (v @ v)


def power_iteration(A, num_iters):
    return _power(A, num_iters)


def pca_variances(X, k):
    Xc = X - X.mean(0)
    return jnp.linalg.eigh(Xc.T @ Xc / (X.shape[0] - 1))[0][::-1][:k]


def _pagerank(M, damping, num_iters, teleport=True):
    n = M.shape[0]
    r = jnp.full(n, 1.0 / n, M.dtype)
    extra = (1 - damping) / n if teleport else 0.0
    return jax.lax.fori_loop(0, num_iters, lambda _, r: damping * M @ r + extra, r)


def pagerank(M, damping, num_iters):
    return _pagerank(M, damping, num_iters)


def gram_schmidt(A, normalize=True):
    cols = []
    for k in range(A.shape[1]):
        u = A[:, k]
        for q in cols:
            u = u - (q @ A[:, k]) / (q @ q) * q
        cols.append(u / jnp.linalg.norm(u) if normalize else u)
    return jnp.stack(cols, axis=1)


def det3(A):
    return (A[0, 0] * (A[1, 1] * A[2, 2] - A[1, 2] * A[2, 1])
            - A[0, 1] * (A[1, 0] * A[2, 2] - A[1, 2] * A[2, 0])
            + A[0, 2] * (A[1, 0] * A[2, 1] - A[1, 1] * A[2, 0]))


def project(v, u):
    return (v @ u) / (u @ u) * u


def least_squares(X, y):
    return jnp.linalg.solve(X.T @ X, X.T @ y)


CORRECT = dict(matmul=matmul, power_iteration=power_iteration, pca_variances=pca_variances,
               pagerank=pagerank, gram_schmidt=gram_schmidt, det3=det3, project=project,
               least_squares=least_squares)

WRONG = [
    ("matmul", lambda A, B: matmul(A, B).T, "transposed"),
    ("matmul", lambda A, B: -matmul(A, B), "sign"),
    ("matmul", lambda A, B: jnp.einsum("ij,jk->ik", A, B) * 2, "factor"),
    ("power_iteration", lambda A, k: _power(A, k, normalize=False), "not_finite"),
    ("power_iteration", lambda A, k: jnp.linalg.norm(_power(A, k)) * 0 + A.trace(), "values"),
    ("power_iteration", lambda A, k: _power(A, int(jnp.asarray(k))), "jit"),
    ("pca_variances", lambda X, k: jnp.linalg.eigh(jnp.cov(X.T))[0][:k], "mistake:ascending"),
    ("pca_variances", lambda X, k: jnp.linalg.eigh(X.T @ X / (X.shape[0] - 1))[0][::-1][:k],
     "mistake:uncentered"),
    ("pca_variances", lambda X, k: jnp.linalg.eigh(jnp.cov(X.T, bias=True))[0][::-1][:k],
     "factor"),
    ("pagerank", lambda M, d, k: _pagerank(M.T, d, k), "values"),
    ("pagerank", lambda M, d, k: _pagerank(M, d, k, teleport=False), "mistake:no_teleport"),
    ("pagerank", lambda M, d, k: _pagerank(M, d, k) * M.shape[0], "factor"),
    ("gram_schmidt", lambda A: gram_schmidt(A, normalize=False), "mistake:unnormalized"),
    ("gram_schmidt", lambda A: gram_schmidt(A.T).T, "values"),
    ("gram_schmidt", lambda A: -gram_schmidt(A), "sign"),
    ("det3", lambda A: -det3(A), "sign"),
    ("det3", lambda A: det3(A.T) * 0 + A[0, 0] * A[1, 1] * A[2, 2], "values"),
    ("det3", lambda A: det3(A) if float(A[0, 0]) != 0 else 0.0, "jit"),
    ("project", lambda v, u: (u @ v) / (v @ v) * v, "mistake:swapped"),
    ("project", lambda v, u: (v @ u) / jnp.linalg.norm(u) * u, "mistake:norm_not_squared"),
    ("project", lambda v, u: v - project(v, u), "values"),
    ("least_squares", lambda X, y: jnp.linalg.solve(X.T @ X, X.T @ y)[:, None], "shape"),
    ("least_squares", lambda X, y: X.T @ y, "values"),
    ("least_squares", lambda X, y: -least_squares(X, y), "sign"),
]
