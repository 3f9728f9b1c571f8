"""Linear algebra: vectors, matrices, transformations, eigenvectors and their uses.

Sections, in the seed's order:

* **Vectors** — :func:`dot` (a·b = Σ aᵢbᵢ), :func:`norm` (‖a‖ = √(a·a)), :func:`angle`
  (cos θ = a·b / (‖a‖‖b‖)), :func:`cosine_similarity`, :func:`projection`.
* **Matrices** — :func:`matmul` written out as the row-times-column rule
  (AB)ᵢⱼ = Σₖ AᵢₖBₖⱼ.
* **Transformations** — 2-D :func:`scale`, :func:`rotate`, :func:`shear`, :func:`reflect`;
  3-D :func:`rotate_x`, :func:`rotate_y`, :func:`rotate_z`; :func:`compose` and
  :func:`apply`. det M is the factor by which M scales areas (volumes in 3-D).
* **Eigenvectors** — :func:`power_iteration` (Av = λv by repeated multiplication and the
  Rayleigh quotient), :func:`top_eigenpairs` (deflation), :func:`eigh_descending`.
* **Applications** — :func:`pca` / :func:`pca_transform` / :func:`pca_reconstruct`,
  :func:`pagerank` (dense) and :func:`pagerank_edges` (edge list, ``segment_sum``),
  :func:`spectral_clustering` (normalized Laplacian + k-means).

Every function here is a pure function of arrays and works under ``jax.jit``; shapes and
the options named ``k``, ``method``, ``affinity``, ``num_nodes`` are static.
"""

from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from mlmath_jax import registry, trig
from mlmath_jax._util import as_float as _float
from mlmath_jax.errors import UserError

# ================================================================================ vectors

def dot(a: jax.Array, b: jax.Array) -> jax.Array:
    """Dot product a·b = Σᵢ aᵢbᵢ (over the last axis; leading axes broadcast).

    Example:
      >>> dot(jnp.array([1., 2., 3.]), jnp.array([4., 5., 6.]))   # 4 + 10 + 18 = 32
    """
    a, b = _float(a), _float(b)
    return jnp.sum(a * b, axis=-1)


def dot_grad(a: jax.Array, b: jax.Array) -> jax.Array:
    """∂(a·b)/∂a = b."""
    return jnp.broadcast_to(_float(b), jnp.shape(a))


def norm(a: jax.Array) -> jax.Array:
    """Euclidean length ‖a‖ = √(Σᵢ aᵢ²), over the last axis.

    Computed as m·√(Σ (aᵢ/m)²) with m = max |aᵢ|, so huge or tiny entries neither
    overflow nor underflow; the gradient at a = 0 is taken as 0.

    Example:
      >>> norm(jnp.array([3., 4.]))   # 5
    """
    a = _float(a)
    m = jnp.max(jnp.abs(a), axis=-1, keepdims=True)
    safe = jnp.where(m > 0, m, jnp.ones_like(m))
    return safe[..., 0] * jnp.sqrt(jnp.sum((a / safe) ** 2, axis=-1))


def norm_grad(a: jax.Array) -> jax.Array:
    """∇‖a‖ = a / ‖a‖ (the unit vector along a; 0 at a = 0)."""
    a = _float(a)
    n = norm(a)[..., None]
    return jnp.where(n > 0, a / jnp.where(n > 0, n, jnp.ones_like(n)), jnp.zeros_like(a))


def cosine_similarity(a: jax.Array, b: jax.Array, eps: float = 1e-12) -> jax.Array:
    """cos θ = a·b / (‖a‖·‖b‖), in [−1, 1]; ``eps`` guards a zero vector."""
    a, b = _float(a), _float(b)
    c = dot(a, b) / jnp.maximum(norm(a) * norm(b), eps)
    return jnp.clip(c, -1.0, 1.0)


def angle(a: jax.Array, b: jax.Array, degrees: bool = False) -> jax.Array:
    """The angle θ between a and b, with cos θ = a·b / (‖a‖‖b‖).

    Evaluated as θ = 2·atan2(‖â − b̂‖, ‖â + b̂‖) with â = a/‖a‖ (Kahan), which stays
    accurate for nearly parallel vectors where arccos of a rounded cosine does not.

    Args:
      a, b: vectors (last axis).
      degrees: return degrees instead of radians.

    Raises:
      UserError: a or b is the zero vector (no direction, so no angle), when the values
        are concrete; under ``jit`` the result is NaN.

    Example:
      >>> angle(jnp.array([3., 4.]), jnp.array([1., 0.]), degrees=True)   # 53.13°
    """
    a, b = _float(a), _float(b)
    zero = jnp.any(norm(a) == 0) | jnp.any(norm(b) == 0)
    if not isinstance(zero, jax.core.Tracer) and bool(zero):
        raise UserError("the angle with a zero vector is undefined (it has no direction)")
    ua = a / norm(a)[..., None]
    ub = b / norm(b)[..., None]
    theta = 2.0 * jnp.arctan2(norm(ua - ub), norm(ua + ub))
    return jnp.degrees(theta) if degrees else theta


def projection(a: jax.Array, onto: jax.Array) -> jax.Array:
    """Projection of a onto the line of b: proj_b(a) = (a·b / b·b)·b.

    Example:
      >>> projection(jnp.array([2., 3.]), jnp.array([1., 0.]))   # [2, 0]
    """
    a, b = _float(a), _float(onto)
    return (dot(a, b) / dot(b, b))[..., None] * b


# =============================================================================== matrices

def matmul(A: jax.Array, B: jax.Array) -> jax.Array:
    """Matrix product by the row-times-column rule: (AB)ᵢⱼ = Σₖ Aᵢₖ·Bₖⱼ.

    Written out as the sum over k of the broadcast products Aᵢₖ·Bₖⱼ (no ``@``), to show
    the rule; ``A @ B`` computes the same with a tuned kernel. A vector B (shape (k,))
    is treated as a column and gives a vector.

    Raises:
      UserError: the inner dimensions differ (A is m×k, B must be k×n).

    Example:
      >>> matmul(jnp.array([[1., 2.], [3., 4.]]), jnp.array([[5., 6.], [7., 8.]]))
      ... # [[19, 22], [43, 50]]
    """
    A, B = _float(A), _float(B)
    vector = B.ndim == 1
    if vector:
        B = B[:, None]
    if A.ndim != 2 or B.ndim != 2:
        raise UserError(f"matmul needs matrices, got shapes {A.shape} and {B.shape}")
    if A.shape[1] != B.shape[0]:
        raise UserError(f"cannot multiply a {A.shape[0]}×{A.shape[1]} matrix by a "
                        f"{B.shape[0]}×{B.shape[1]} one: the columns of the first must "
                        f"equal the rows of the second")
    # products[i, k, j] = A[i, k] * B[k, j]; summing over k is "row i times column j".
    C = jnp.sum(A[:, :, None] * B[None, :, :], axis=1)
    return C[:, 0] if vector else C


# ======================================================================= transformations

def scale(sx, sy=None) -> jax.Array:
    """2-D scaling [[sx, 0], [0, sy]] (uniform when sy is omitted); det = sx·sy."""
    sx = _float(sx)
    sy = sx if sy is None else jnp.asarray(sy, sx.dtype)
    z = jnp.zeros_like(sx)
    return jnp.stack([jnp.stack([sx, z]), jnp.stack([z, sy])])


def rotate(theta) -> jax.Array:
    """2-D rotation by θ radians counter-clockwise: [[cos θ, −sin θ], [sin θ, cos θ]].

    Keeps lengths and angles; det = cos²θ + sin²θ = 1. The same matrix as
    :func:`mlmath_jax.trig.rotation_matrix` (one definition, built from the unit circle).
    """
    return trig.rotation_matrix(_float(theta))


def shear(kx=0.0, ky=0.0) -> jax.Array:
    """2-D shear [[1, kx], [ky, 1]]: x ← x + kx·y, y ← y + ky·x.

    det = 1 − kx·ky, so a shear along one axis (kx or ky zero) keeps areas.
    """
    kx = _float(kx)
    ky = jnp.asarray(ky, kx.dtype)
    one = jnp.ones_like(kx)
    return jnp.stack([jnp.stack([one, kx]), jnp.stack([ky, one])])


def reflect(axis="x") -> jax.Array:
    """2-D reflection across a line through the origin; det = −1 (orientation flips).

    Args:
      axis: "x" (y ← −y), "y" (x ← −x), "y=x" (swap), or a number φ: the line at angle
        φ radians, [[cos 2φ, sin 2φ], [sin 2φ, −cos 2φ]].
    """
    named = {"x": [[1.0, 0.0], [0.0, -1.0]], "y": [[-1.0, 0.0], [0.0, 1.0]],
             "y=x": [[0.0, 1.0], [1.0, 0.0]]}        # exact, without cos/sin rounding
    if isinstance(axis, str):
        if axis not in named:
            raise UserError(f"reflect axis {axis!r} is not allowed; expected 'x', 'y', "
                            f"'y=x' or an angle in radians")
        return jnp.asarray(named[axis], jnp.result_type(float))
    t = 2.0 * _float(axis)
    c, s = jnp.cos(t), jnp.sin(t)
    return jnp.stack([jnp.stack([c, s]), jnp.stack([s, -c])])


def _axis_rotation(theta, i: int, j: int) -> jax.Array:
    t = _float(theta)
    c, s = jnp.cos(t), jnp.sin(t)
    R = jnp.eye(3, dtype=t.dtype)
    return R.at[i, i].set(c).at[j, j].set(c).at[i, j].set(-s).at[j, i].set(s)


def rotate_x(theta) -> jax.Array:
    """3-D rotation by θ about the x axis (y → z); det = 1."""
    return _axis_rotation(theta, 1, 2)


def rotate_y(theta) -> jax.Array:
    """3-D rotation by θ about the y axis (z → x); det = 1."""
    return _axis_rotation(theta, 2, 0)


def rotate_z(theta) -> jax.Array:
    """3-D rotation by θ about the z axis (x → y); det = 1."""
    return _axis_rotation(theta, 0, 1)


def compose(*matrices: jax.Array) -> jax.Array:
    """The product M₁·M₂·…·Mₙ: the transformation that applies Mₙ first and M₁ last.

    The same order as function composition, compose(g, f)(x) = g(f(x)). Matrix
    multiplication is not commutative, so compose(A, B) ≠ compose(B, A) in general.
    """
    if not matrices:
        raise UserError("compose needs at least one matrix")
    out = _float(matrices[0])
    for M in matrices[1:]:
        out = matmul(out, M)
    return out


def apply(M: jax.Array, points: jax.Array) -> jax.Array:
    """Transform points (rows of an (n, d) array) by M: each row p ↦ M·p."""
    return matmul(_float(points), jnp.asarray(M).T.astype(_float(points).dtype))


# ============================================================================ eigenvectors

def rayleigh_quotient(A: jax.Array, v: jax.Array) -> jax.Array:
    """R(v) = vᵀAv / vᵀv; equals λ when Av = λv."""
    A, v = _float(A), _float(v)
    return dot(v, A @ v) / dot(v, v)


def rayleigh_quotient_grad(A: jax.Array, v: jax.Array) -> jax.Array:
    """∇ᵥR = ((A + Aᵀ)v − 2R(v)·v) / vᵀv (zero exactly at eigenvectors of symmetric A)."""
    A, v = _float(A), _float(v)
    return ((A + A.T) @ v - 2.0 * rayleigh_quotient(A, v) * v) / dot(v, v)


class PowerIterationResult(NamedTuple):
    """What :func:`power_iteration_info` found.

    Attributes:
      eigenvalue: the Rayleigh quotient λ = vᵀAv at the last iterate.
      eigenvector: unit vector v.
      iterations: matrix-vector products done.
      converged: whether ‖Av − λv‖ ≤ tol·max(|λ|, ‖A‖_max) was reached within the cap.
      residual: ‖Av − λv‖ at the end.
    """

    eigenvalue: jax.Array
    eigenvector: jax.Array
    iterations: jax.Array
    converged: jax.Array
    residual: jax.Array


def _start_vector(n: int, dtype, key, v0):
    if v0 is not None:
        v = jnp.asarray(v0, dtype)
    else:
        key = jax.random.key(0) if key is None else key
        v = jax.random.normal(key, (n,), dtype)
    return v / norm(v)


def power_iteration_info(A: jax.Array, *, num_iters: int = 1000, tol: float | None = None,
                         key: jax.Array | None = None,
                         v0: jax.Array | None = None) -> PowerIterationResult:
    """Power iteration with convergence information (see :func:`power_iteration`)."""
    A = _float(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise UserError(f"power iteration needs a square matrix, got shape {A.shape}")
    dtype = A.dtype
    tol = (1e-5 if dtype == jnp.float32 else 1e-10) if tol is None else tol
    v = _start_vector(A.shape[0], dtype, key, v0)
    return _power_iteration(A, v, jnp.asarray(num_iters), jnp.asarray(tol, dtype))


@jax.jit
def _power_iteration(A, v, num_iters, tol) -> PowerIterationResult:
    scale_ = jnp.maximum(jnp.max(jnp.abs(A)), jnp.finfo(A.dtype).tiny)

    def residual(v):
        Av = A @ v
        lam = dot(v, Av)                       # Rayleigh quotient (v is a unit vector)
        return Av, lam, norm(Av - lam * v)

    def cond(state):
        i, _, lam, res = state
        return (i < num_iters) & (res > tol * jnp.maximum(jnp.abs(lam), scale_))

    def body(state):
        i, v, _, _ = state
        Av = A @ v
        n = norm(Av)
        v = jnp.where(n > 0, Av / jnp.where(n > 0, n, jnp.ones_like(n)), v)
        _, lam, res = residual(v)
        return i + 1, v, lam, res

    _, lam0, res0 = residual(v)
    i, v, lam, res = lax.while_loop(cond, body, (jnp.zeros_like(num_iters), v, lam0, res0))
    converged = res <= tol * jnp.maximum(jnp.abs(lam), scale_)
    return PowerIterationResult(lam, v, i, converged, res)


class NotConvergedWarning(RuntimeWarning):
    """An iterative method stopped at its iteration cap without meeting its tolerance."""


def power_iteration(A: jax.Array, *, num_iters: int = 1000, tol: float | None = None,
                    key: jax.Array | None = None,
                    v0: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
    """Dominant eigenpair (λ, v) of A by repeated multiplication.

    vₜ₊₁ = A vₜ / ‖A vₜ‖ turns any start vector toward the eigenvector of the eigenvalue
    of largest magnitude (the other components shrink by |λ₂/λ₁| each step). The estimate
    is the Rayleigh quotient λ = vᵀAv (v a unit vector). Iteration stops when the
    residual ‖Av − λv‖ ≤ tol·max(|λ|, max|Aᵢⱼ|) or after ``num_iters`` products.

    Args:
      A: (n, n) matrix; symmetric matrices converge fastest and most surely.
      num_iters: the iteration cap.
      tol: residual tolerance (default 1e-5 in float32, 1e-10 in float64).
      key: PRNG key for the random start vector (default: a fixed key, so results are
        reproducible).
      v0: start vector instead of a random one.

    Returns:
      (λ, v). When the iteration did not converge (e.g. |λ₁| = |λ₂|, as for a rotation)
      and the values are concrete, a ``NotConvergedWarning`` says so;
      :func:`power_iteration_info` returns the flag, the residual and the iteration count.

    Example:
      >>> power_iteration(jnp.array([[2., 1.], [1., 2.]]))   # (3, ±[0.707, 0.707])
    """
    r = power_iteration_info(A, num_iters=num_iters, tol=tol, key=key, v0=v0)
    if not isinstance(r.converged, jax.core.Tracer) and not bool(r.converged):
        warnings.warn(f"power iteration did not converge in {int(r.iterations)} iterations "
                      f"(residual {float(r.residual):.3g}); the dominant eigenvalue may not "
                      f"be unique in magnitude", NotConvergedWarning, stacklevel=2)
    return r.eigenvalue, r.eigenvector


def top_eigenpairs(A: jax.Array, k: int, *, num_iters: int = 1000, tol: float | None = None,
                   key: jax.Array | None = None) -> tuple[jax.Array, jax.Array]:
    """The k eigenpairs of largest |λ| of a symmetric A, by power iteration and deflation.

    After finding (λ₁, v₁), Hotelling's deflation A ← A − λ₁v₁v₁ᵀ moves λ₁ to 0 and keeps
    every other eigenpair, so the next power iteration finds (λ₂, v₂), and so on.

    Returns:
      (eigenvalues (k,), eigenvectors (n, k) as columns), in the order found.
    """
    A = _float(A)
    n = A.shape[0]
    if not 1 <= k <= n:
        raise UserError(f"k = {k} eigenpairs requested from a {n}×{n} matrix; "
                        f"allowed 1..{n}")
    key = jax.random.key(0) if key is None else key
    tol = (1e-5 if A.dtype == jnp.float32 else 1e-10) if tol is None else tol
    return _deflate(A, jax.random.split(key, k), jnp.asarray(num_iters),
                    jnp.asarray(tol, A.dtype))


@jax.jit
def _deflate(A, keys, num_iters, tol):
    def step(B, key_i):
        v0 = jax.random.normal(key_i, (B.shape[0],), B.dtype)
        r = _power_iteration(B, v0 / norm(v0), num_iters, tol)
        lam, v = r.eigenvalue, r.eigenvector
        return B - lam * jnp.outer(v, v), (lam, v)

    _, (lams, vs) = lax.scan(step, A, keys)
    return lams, vs.T


def eigh_descending(A: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues (largest first) and eigenvectors (columns) of a symmetric A."""
    w, V = jnp.linalg.eigh(_float(A))
    return w[::-1], V[:, ::-1]


# ==================================================================================== PCA

class PCAResult(NamedTuple):
    """A fitted PCA.

    Attributes:
      components: (k, d) principal axes as rows, unit length, by decreasing variance.
      explained_variance: (k,) variance along each axis (eigenvalues of the covariance
        with the n − 1 denominator, as scikit-learn).
      explained_variance_ratio: (k,) each variance over the total variance.
      mean: (d,) the mean that was subtracted.
    """

    components: jax.Array
    explained_variance: jax.Array
    explained_variance_ratio: jax.Array
    mean: jax.Array


def _sign_flip(components: jax.Array) -> jax.Array:
    """Make the largest-|·| entry of each component positive (scikit-learn's convention)."""
    idx = jnp.argmax(jnp.abs(components), axis=1)
    signs = jnp.sign(jnp.take_along_axis(components, idx[:, None], axis=1))
    return components * jnp.where(signs == 0, jnp.ones_like(signs), signs)


def pca(X: jax.Array, k: int, method: str = "auto") -> PCAResult:
    """Principal component analysis of the rows of X.

    Centre the data, X̃ = X − μ. The covariance is C = X̃ᵀX̃ / (n − 1); its eigenvectors
    are the principal axes and its eigenvalues the variances along them. The SVD
    X̃ = UΣVᵀ gives the same axes (rows of Vᵀ) with variances σᵢ² / (n − 1), without
    forming C (better conditioned: C squares the condition number).

    Args:
      X: (n, d) data, one example per row.
      k: number of components, 1 ≤ k ≤ min(n, d) (static).
      method: "svd", "covariance" (eigenvectors of C), or "auto" (the default):
        covariance when n ≥ 10·d and d ≤ 1000 — then the d×d eigenproblem is far cheaper
        than the n×d SVD and C is well enough conditioned — else svd (scikit-learn's
        rule for its ``svd_solver="auto"``).

    Returns:
      :class:`PCAResult`; signs follow scikit-learn (largest entry of each axis positive).

    Example:
      >>> r = pca(X, 2); Z = pca_transform(r, X); X_hat = pca_reconstruct(r, Z)
    """
    X = _float(X)
    if X.ndim != 2:
        raise UserError(f"pca needs an (n, d) matrix, got shape {X.shape}")
    n, d = X.shape
    if not 1 <= k <= min(n, d):
        raise UserError(f"pca: k = {k} is not allowed for {n} examples of dimension {d}; "
                        f"expected 1..{min(n, d)}")
    if method not in ("auto", "svd", "covariance"):
        raise UserError(f"pca method {method!r} is not allowed; expected 'auto', 'svd' or "
                        f"'covariance'")
    if method == "auto":
        method = "covariance" if n >= 10 * d and d <= 1000 else "svd"
    return _pca(X, k=k, method=method)


@functools.partial(jax.jit, static_argnames=("k", "method"))
def _pca(X, *, k, method):
    n = X.shape[0]
    mean = jnp.mean(X, axis=0)
    Xc = X - mean[None, :]
    total = jnp.sum(Xc * Xc) / (n - 1)           # trace of C = total variance
    if method == "svd":
        _, s, Vt = jnp.linalg.svd(Xc, full_matrices=False)
        variances, components = s[:k] ** 2 / (n - 1), Vt[:k]
    else:
        C = (Xc.T @ Xc) / (n - 1)
        w, V = eigh_descending(C)
        variances, components = jnp.maximum(w[:k], 0.0), V[:, :k].T
    components = _sign_flip(components)
    return PCAResult(components, variances, variances / total, mean)


def pca_transform(result: PCAResult, X: jax.Array) -> jax.Array:
    """Coordinates along the principal axes: Z = (X − μ)·Wᵀ, shape (n, k)."""
    X = jnp.asarray(X, result.components.dtype)
    return (X - result.mean[None, :]) @ result.components.T


def pca_reconstruct(result: PCAResult, Z: jax.Array) -> jax.Array:
    """Back to data space: X̂ = Z·W + μ (exact when k = rank of the centred data)."""
    return jnp.asarray(Z, result.components.dtype) @ result.components + result.mean[None, :]


# =============================================================================== PageRank

class PageRankResult(NamedTuple):
    """PageRank scores with convergence information.

    Attributes:
      ranks: (n,) scores summing to 1.
      iterations: power-iteration steps done.
      converged: whether Σ|rₜ₊₁ − rₜ| < n·tol was reached within max_iter.
    """

    ranks: jax.Array
    iterations: jax.Array
    converged: jax.Array


def _pagerank_loop(propagate, out_weight, n, dtype, damping, tol, max_iter):
    """r ← (1 − α)/n + α·(Pᵀr + (Σ_dangling rᵢ)/n), until Σ|Δr| < n·tol (networkx's rule)."""
    dangling = out_weight == 0
    r0 = jnp.full((n,), 1.0 / n, dtype)

    def step(r):
        lost = jnp.sum(jnp.where(dangling, r, jnp.zeros_like(r)))
        return (1.0 - damping) / n + damping * (propagate(r) + lost / n)

    def cond(state):
        i, _, err = state
        return (i < max_iter) & (err >= n * tol)

    def body(state):
        i, r, _ = state
        r_new = step(r)
        return i + 1, r_new, jnp.sum(jnp.abs(r_new - r))

    i, r, err = lax.while_loop(cond, body, (jnp.asarray(0), r0, jnp.asarray(jnp.inf, dtype)))
    return PageRankResult(r, i, err < n * tol)


@jax.jit
def _pagerank_dense(A, damping, tol, max_iter):
    out = jnp.sum(A, axis=1)
    safe = jnp.where(out > 0, out, jnp.ones_like(out))
    P = A / safe[:, None]                        # row-stochastic on non-dangling rows
    return _pagerank_loop(lambda r: P.T @ r, out, A.shape[0], A.dtype, damping, tol, max_iter)


def pagerank_info(adjacency: jax.Array, damping: float = 0.85, tol: float = 1e-6,
                  max_iter: int = 100) -> PageRankResult:
    """:func:`pagerank` with the iteration count and a ``converged`` flag."""
    A = _float(adjacency)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise UserError(f"pagerank needs a square adjacency matrix, got shape {A.shape}")
    _check_damping(damping)
    return _pagerank_dense(A, jnp.asarray(damping, A.dtype), jnp.asarray(tol, A.dtype),
                           jnp.asarray(max_iter))


def pagerank(adjacency: jax.Array, damping: float = 0.85, tol: float = 1e-6,
             max_iter: int = 100) -> jax.Array:
    """PageRank of a directed graph given as a dense adjacency matrix.

    A random surfer follows an out-link with probability α (``damping``) and jumps to a
    uniformly random page otherwise; a page with no out-links (dangling) sends its
    surfer anywhere uniformly. The ranks are the stationary distribution, the dominant
    eigenvector (λ = 1) of the Google matrix, found by power iteration:

        rₜ₊₁ = (1 − α)/n · 1 + α·(Pᵀ rₜ + (Σ_{i dangling} rₜ,ᵢ)/n · 1),
        Pᵢⱼ = Aᵢⱼ / Σⱼ Aᵢⱼ,

    stopping when Σ|rₜ₊₁ − rₜ| < n·tol (the same rule and defaults as networkx).

    Args:
      adjacency: (n, n), adjacency[i, j] = 1 (or a positive weight) for a link i → j.
      damping: α in [0, 1].
      tol: tolerance per node.
      max_iter: iteration cap (see :func:`pagerank_info` for the ``converged`` flag).

    Returns:
      (n,) ranks summing to 1.

    Example:
      >>> pagerank(jnp.array([[0, 1, 1], [0, 0, 1], [1, 0, 0]]))
    """
    return pagerank_info(adjacency, damping, tol, max_iter).ranks


def _check_damping(damping) -> None:
    if isinstance(damping, int | float) and not 0.0 <= damping <= 1.0:
        raise UserError(f"damping = {damping} is not allowed; expected a number in [0, 1]")


def pagerank_edges_info(src: jax.Array, dst: jax.Array, num_nodes: int,
                        damping: float = 0.85, tol: float = 1e-6, max_iter: int = 100,
                        weights: jax.Array | None = None) -> PageRankResult:
    """:func:`pagerank_edges` with the iteration count and a ``converged`` flag."""
    src, dst = jnp.asarray(src), jnp.asarray(dst)
    if src.shape != dst.shape or src.ndim != 1:
        raise UserError(f"src and dst must be 1-D of the same length, got {src.shape} "
                        f"and {dst.shape}")
    if num_nodes < 1:
        raise UserError(f"num_nodes = {num_nodes}; expected at least 1")
    if not jnp.issubdtype(src.dtype, jnp.integer) or not jnp.issubdtype(dst.dtype, jnp.integer):
        raise UserError(f"src and dst must hold integer node ids, got {src.dtype} and "
                        f"{dst.dtype}")
    if src.size and not isinstance(src, jax.core.Tracer) and not isinstance(dst, jax.core.Tracer):
        lo = int(jnp.minimum(jnp.min(src), jnp.min(dst)))
        hi = int(jnp.maximum(jnp.max(src), jnp.max(dst)))
        if lo < 0 or hi >= num_nodes:          # segment_sum would drop them silently
            raise UserError(f"node ids must lie in [0, {num_nodes}); found {lo}..{hi}")
    _check_damping(damping)
    dtype = jnp.result_type(float) if weights is None else _float(weights).dtype
    w = jnp.ones(src.shape, dtype) if weights is None else _float(weights)
    return _pagerank_sparse(src, dst, w, jnp.asarray(damping, dtype),
                            jnp.asarray(tol, dtype), jnp.asarray(max_iter),
                            num_nodes=num_nodes)


@functools.partial(jax.jit, static_argnames="num_nodes")
def _pagerank_sparse(src, dst, w, damping, tol, max_iter, *, num_nodes):
    out = jax.ops.segment_sum(w, src, num_segments=num_nodes)
    safe = jnp.where(out > 0, out, jnp.ones_like(out))
    edge_p = w / safe[src]                       # P[src, dst] for each edge

    def propagate(r):                            # (Pᵀr)ⱼ = Σ_{edges i→j} P[i, j]·rᵢ
        return jax.ops.segment_sum(edge_p * r[src], dst, num_segments=num_nodes)

    return _pagerank_loop(propagate, out, num_nodes, w.dtype, damping, tol, max_iter)


def pagerank_edges(src: jax.Array, dst: jax.Array, num_nodes: int, damping: float = 0.85,
                   tol: float = 1e-6, max_iter: int = 100,
                   weights: jax.Array | None = None) -> jax.Array:
    """PageRank from an edge list, O(edges) per iteration (no n×n matrix).

    The same iteration as :func:`pagerank`; Pᵀr is a ``jax.ops.segment_sum`` of
    rᵢ / out_degree(i) over the edges i → j, grouped by j. Handles graphs of millions
    of edges on one device. Repeated edges add up (as weights).

    Args:
      src, dst: (E,) integer node ids in [0, num_nodes): edge src[e] → dst[e].
      num_nodes: n (static).
      damping, tol, max_iter: as in :func:`pagerank`.
      weights: optional (E,) positive edge weights.

    Returns:
      (num_nodes,) ranks summing to 1.
    """
    return pagerank_edges_info(src, dst, num_nodes, damping, tol, max_iter, weights).ranks


# ==================================================================== spectral clustering

def pairwise_sq_distances(X: jax.Array, Y: jax.Array | None = None) -> jax.Array:
    """Dᵢⱼ = ‖xᵢ − yⱼ‖² = ‖xᵢ‖² − 2xᵢ·yⱼ + ‖yⱼ‖² (Y defaults to X; clipped at 0 against
    rounding). Shape (n, m)."""
    X = _float(X)
    Y = X if Y is None else jnp.asarray(Y, X.dtype)
    sx, sy = jnp.sum(X * X, axis=1), jnp.sum(Y * Y, axis=1)
    return jnp.maximum(sx[:, None] + sy[None, :] - 2.0 * (X @ Y.T), 0.0)


def rbf_affinity(X: jax.Array, gamma: float = 1.0) -> jax.Array:
    """Wᵢⱼ = exp(−γ‖xᵢ − xⱼ‖²), with Wᵢᵢ = 0."""
    D = pairwise_sq_distances(X)
    W = jnp.exp(-gamma * D)
    return W * (1.0 - jnp.eye(D.shape[0], dtype=D.dtype))


def knn_affinity(X: jax.Array, n_neighbors: int = 10) -> jax.Array:
    """Wᵢⱼ = 1 when j is among the ``n_neighbors`` nearest of i (or i of j), else 0.

    The k-NN relation is not symmetric; W = max(K, Kᵀ) makes it an undirected graph.
    """
    D = pairwise_sq_distances(X)
    n = D.shape[0]
    if not 1 <= n_neighbors < n:
        raise UserError(f"n_neighbors = {n_neighbors} is not allowed for {n} points; "
                        f"expected 1..{n - 1}")
    D = D + jnp.diag(jnp.full((n,), jnp.inf, D.dtype))          # not one's own neighbour
    _, idx = lax.top_k(-D, n_neighbors)
    K = jnp.zeros_like(D).at[jnp.arange(n)[:, None], idx].set(1.0)
    return jnp.maximum(K, K.T)


def normalized_laplacian(W: jax.Array) -> jax.Array:
    """L_sym = I − D^(−1/2) W D^(−1/2), D = diag(Σⱼ Wᵢⱼ); eigenvalues in [0, 2].

    The multiplicity of the eigenvalue 0 is the number of connected components.
    """
    W = _float(W)
    d = jnp.sum(W, axis=1)
    inv_sqrt = jnp.where(d > 0, 1.0 / jnp.sqrt(jnp.where(d > 0, d, jnp.ones_like(d))),
                         jnp.zeros_like(d))
    return jnp.eye(W.shape[0], dtype=W.dtype) - inv_sqrt[:, None] * W * inv_sqrt[None, :]


def spectral_embedding(W: jax.Array, k: int) -> tuple[jax.Array, jax.Array]:
    """The k smallest eigenpairs of L_sym; rows of U, scaled to unit length, embed nodes.

    Returns:
      (eigenvalues (k,) ascending, embedding (n, k) with unit rows — Ng, Jordan & Weiss).
    """
    w, V = jnp.linalg.eigh(normalized_laplacian(W))
    U = V[:, :k]
    rn = norm(U)[:, None]
    return w[:k], U / jnp.where(rn > 0, rn, jnp.ones_like(rn))


def spectral_clustering(X: jax.Array, k: int, affinity: str = "rbf", *, key: jax.Array,
                        gamma: float = 1.0, n_neighbors: int = 10,
                        n_init: int = 10) -> jax.Array:
    """Cluster points by the eigenvectors of the normalized graph Laplacian.

    1. Affinity W: RBF exp(−γ‖xᵢ − xⱼ‖²) or the symmetric k-nearest-neighbour graph.
    2. L_sym = I − D^(−1/2) W D^(−1/2); take the eigenvectors of its k smallest
       eigenvalues as columns of U (nearly indicator vectors of the clusters).
    3. Normalize U's rows and run k-means on them (:mod:`mlmath_jax.models.kmeans`).

    Unlike k-means on the raw points, this follows connectivity, so it separates
    non-convex shapes such as two moons or concentric circles.

    Args:
      X: (n, d) points.
      k: number of clusters (static).
      affinity: "rbf" or "knn".
      key: PRNG key for the k-means initialisations.
      gamma: RBF width (larger: more local).
      n_neighbors: neighbours for "knn".
      n_init: k-means restarts (the lowest inertia wins).

    Returns:
      (n,) integer labels in [0, k).
    """
    from mlmath_jax.models import kmeans

    X = _float(X)
    if affinity == "rbf":
        W = rbf_affinity(X, gamma)
    elif affinity == "knn":
        W = knn_affinity(X, n_neighbors)
    else:
        raise UserError(f"affinity {affinity!r} is not allowed; expected 'rbf' or 'knn'")
    if not 1 <= k <= X.shape[0]:
        raise UserError(f"k = {k} clusters for {X.shape[0]} points; expected 1..{X.shape[0]}")
    _, U = spectral_embedding(W, k)
    return kmeans.kmeans(U, k, key=key, n_init=n_init).labels


# ============================================================ registered manual derivatives

def _sample_pair(key, dtype):
    k1, k2 = jax.random.split(key)
    return jax.random.normal(k1, (5,), dtype), jax.random.normal(k2, (5,), dtype)


def _sample_vec(key, dtype):
    return (jax.random.normal(key, (6,), dtype) + 0.5,)


def _sample_rayleigh(key, dtype):
    k1, k2 = jax.random.split(key)
    return jax.random.normal(k1, (4, 4), dtype), jax.random.normal(k2, (4,), dtype)


registry.register("linalg.dot", dot, dot_grad, _sample_pair, doc="∂(a·b)/∂a = b")
registry.register("linalg.norm", norm, norm_grad, _sample_vec, doc="∇‖a‖ = a/‖a‖")
registry.register("linalg.rayleigh_quotient", rayleigh_quotient, rayleigh_quotient_grad,
                  _sample_rayleigh, wrt=1,
                  doc="∇ᵥ vᵀAv/vᵀv = ((A + Aᵀ)v − 2R·v)/vᵀv")
