"""Linear algebra: vectors, matrices, transformations and eigenvectors.

Sections:

* **Vectors** — :func:`dot` (a·b = Σ aᵢbᵢ), :func:`norm` (‖a‖ = √(a·a)), :func:`angle`
  (cos θ = a·b / (‖a‖‖b‖)), :func:`cosine_similarity`, :func:`projection`,
  :func:`pairwise_sq_distances`.
* **Matrices** — :func:`matmul` written out as the row-times-column rule
  (AB)ᵢⱼ = Σₖ AᵢₖBₖⱼ.
* **Transformations** — 2-D :func:`scale`, :func:`rotate`, :func:`shear`, :func:`reflect`;
  3-D :func:`rotate_x`, :func:`rotate_y`, :func:`rotate_z`; :func:`compose` and
  :func:`apply`. det M is the factor by which M scales areas (volumes in 3-D).
* **Eigenvectors** — :func:`rayleigh_quotient`, :func:`power_iteration` (Av = λv by
  repeated multiplication), :func:`top_eigenpairs` (deflation), :func:`eigh_descending`.

The applications built on these (PCA, PageRank, spectral clustering, k-means) live in
:mod:`mlmath_jax.models`. Every function here is a pure function of arrays and works under
``jax.jit``; shapes and the options named ``k`` and ``num_iters`` are static. Array values
are never inspected on the host: a value outside a function's domain gives NaN, the same
eagerly and under ``jit`` (docs/CONVENTIONS.md §4).
"""

from __future__ import annotations

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

    Args:
      a, b: arrays whose last axes have the same length.

    Returns:
      a·b, the shape of the broadcast leading axes.

    Example:
      >>> float(dot(jnp.array([1., 2., 3.]), jnp.array([4., 5., 6.])))
      32.0
    """
    a, b = _float(a), _float(b)
    return jnp.sum(a * b, axis=-1)


def dot_grad(a: jax.Array, b: jax.Array) -> jax.Array:
    """∂(a·b)/∂a = b (broadcast to the shape of a).

    Example:
      >>> dot_grad(jnp.array([1., 2.]), jnp.array([4., 5.])).tolist()
      [4.0, 5.0]
    """
    return jnp.broadcast_to(_float(b), jnp.shape(a))


def norm(a: jax.Array) -> jax.Array:
    """Euclidean length ‖a‖ = √(Σᵢ aᵢ²), over the last axis.

    Computed as m·√(Σ (aᵢ/m)²) with m = max |aᵢ|, so huge or tiny entries neither
    overflow nor underflow; the gradient at a = 0 is taken as 0.

    Args:
      a: array; the norm is over its last axis.

    Returns:
      ‖a‖, shape a.shape[:-1].

    Example:
      >>> float(norm(jnp.array([3., 4.])))
      5.0
      >>> float(norm(jnp.array([3e30, 4e30])))   # no overflow in float32
      5e+30
    """
    a = _float(a)
    m = jnp.max(jnp.abs(a), axis=-1, keepdims=True)
    safe = jnp.where(m > 0, m, jnp.ones_like(m))
    return safe[..., 0] * jnp.sqrt(jnp.sum((a / safe) ** 2, axis=-1))


def norm_grad(a: jax.Array) -> jax.Array:
    """∇‖a‖ = a / ‖a‖ (the unit vector along a; 0 at a = 0).

    Example:
      >>> norm_grad(jnp.array([3., 4.])).tolist()
      [0.6000000238418579, 0.800000011920929]
    """
    a = _float(a)
    n = norm(a)[..., None]
    return jnp.where(n > 0, a / jnp.where(n > 0, n, jnp.ones_like(n)), jnp.zeros_like(a))


def cosine_similarity(a: jax.Array, b: jax.Array, eps: float = 1e-12) -> jax.Array:
    """cos θ = a·b / (‖a‖·‖b‖), clipped to [−1, 1].

    Args:
      a, b: vectors (last axis).
      eps: floor on ‖a‖·‖b‖, so a zero vector gives 0 instead of NaN.

    Returns:
      cos θ, shape of the leading axes.

    Example:
      >>> round(float(cosine_similarity(jnp.array([1., 0.]), jnp.array([1., 1.]))), 6)
      0.707107
    """
    a, b = _float(a), _float(b)
    c = dot(a, b) / jnp.maximum(norm(a) * norm(b), eps)
    return jnp.clip(c, -1.0, 1.0)


def angle(a: jax.Array, b: jax.Array, degrees: bool = False) -> jax.Array:
    """The angle θ between a and b, with cos θ = a·b / (‖a‖‖b‖).

    Evaluated as θ = 2·atan2(‖â − b̂‖, ‖â + b̂‖) with â = a/‖a‖ (Kahan), which stays
    accurate for nearly parallel vectors where arccos of a rounded cosine does not.

    Defined for nonzero a and b. The zero vector has no direction, so the angle with it
    is NaN — the same eagerly and under ``jit`` (the values are not inspected on the
    host; docs/CONVENTIONS.md §4).

    Args:
      a, b: vectors (last axis).
      degrees: return degrees instead of radians.

    Returns:
      θ in [0, π] (or [0°, 180°]); NaN where a or b is the zero vector.

    Example:
      >>> round(float(angle(jnp.array([3., 4.]), jnp.array([1., 0.]), degrees=True)), 4)
      53.1301
      >>> float(angle(jnp.array([0., 0.]), jnp.array([1., 0.])))
      nan
    """
    a, b = _float(a), _float(b)
    na, nb = norm(a)[..., None], norm(b)[..., None]
    nan = jnp.array(jnp.nan, a.dtype)
    # a/0 would be NaN or inf already; dividing by NaN makes it NaN in every component.
    ua = a / jnp.where(na > 0, na, nan)
    ub = b / jnp.where(nb > 0, nb, nan)
    theta = 2.0 * jnp.arctan2(norm(ua - ub), norm(ua + ub))
    return jnp.degrees(theta) if degrees else theta


def projection(a: jax.Array, onto: jax.Array) -> jax.Array:
    """Projection of a onto the line of b: proj_b(a) = (a·b / b·b)·b.

    Args:
      a: vector to project.
      onto: b, a nonzero vector giving the line (b = 0 gives NaN).

    Returns:
      proj_b(a), the shape of a.

    Example:
      >>> projection(jnp.array([2., 3.]), jnp.array([1., 0.])).tolist()
      [2.0, 0.0]
    """
    a, b = _float(a), _float(onto)
    return (dot(a, b) / dot(b, b))[..., None] * b


def pairwise_sq_distances(X: jax.Array, Y: jax.Array | None = None) -> jax.Array:
    """Dᵢⱼ = ‖xᵢ − yⱼ‖² = ‖xᵢ‖² − 2xᵢ·yⱼ + ‖yⱼ‖², clipped at 0 against rounding.

    Args:
      X: (n, d) points as rows.
      Y: (m, d) points (default X).

    Returns:
      (n, m) squared distances.

    Example:
      >>> pairwise_sq_distances(jnp.array([[0., 0.], [3., 4.]])).tolist()
      [[0.0, 25.0], [25.0, 0.0]]
    """
    X = _float(X)
    Y = X if Y is None else jnp.asarray(Y, X.dtype)
    sx, sy = jnp.sum(X * X, axis=1), jnp.sum(Y * Y, axis=1)
    return jnp.maximum(sx[:, None] + sy[None, :] - 2.0 * (X @ Y.T), 0.0)


# =============================================================================== matrices

def matmul(A: jax.Array, B: jax.Array) -> jax.Array:
    """Matrix product by the row-times-column rule: (AB)ᵢⱼ = Σₖ Aᵢₖ·Bₖⱼ.

    Written out as the sum over k of the broadcast products Aᵢₖ·Bₖⱼ (no ``@``), to show
    the rule; ``A @ B`` computes the same with a tuned kernel. A vector B (shape (k,))
    is treated as a column and gives a vector.

    Args:
      A: (m, k) matrix.
      B: (k, n) matrix or (k,) vector.

    Returns:
      (m, n) product, or (m,) for a vector B.

    Raises:
      UserError: the inner dimensions differ (A is m×k, B must be k×n).

    Example:
      >>> matmul(jnp.array([[1., 2.], [3., 4.]]), jnp.array([[5., 6.], [7., 8.]])).tolist()
      [[19.0, 22.0], [43.0, 50.0]]
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
    """2-D scaling [[sx, 0], [0, sy]] (uniform when sy is omitted); det = sx·sy.

    Example:
      >>> scale(2.0, 3.0).tolist()
      [[2.0, 0.0], [0.0, 3.0]]
    """
    sx = _float(sx)
    sy = sx if sy is None else jnp.asarray(sy, sx.dtype)
    z = jnp.zeros_like(sx)
    return jnp.stack([jnp.stack([sx, z]), jnp.stack([z, sy])])


def rotate(theta) -> jax.Array:
    """2-D rotation by θ radians counter-clockwise: [[cos θ, −sin θ], [sin θ, cos θ]].

    Keeps lengths and angles; det = cos²θ + sin²θ = 1. The same matrix as
    :func:`mlmath_jax.trig.rotation_matrix` (one definition, built from the unit circle).

    Example:
      >>> jnp.round(rotate(jnp.pi / 2), 6).tolist()
      [[0.0, -1.0], [1.0, 0.0]]
    """
    return trig.rotation_matrix(_float(theta))


def shear(kx=0.0, ky=0.0) -> jax.Array:
    """2-D shear [[1, kx], [ky, 1]]: x ← x + kx·y, y ← y + ky·x.

    det = 1 − kx·ky, so a shear along one axis (kx or ky zero) keeps areas.

    Example:
      >>> shear(0.5).tolist()
      [[1.0, 0.5], [0.0, 1.0]]
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

    Returns:
      (2, 2) reflection matrix.

    Raises:
      UserError: ``axis`` is a string other than "x", "y" or "y=x".

    Example:
      >>> reflect("y=x").tolist()
      [[0.0, 1.0], [1.0, 0.0]]
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
    """3-D rotation by θ about the x axis (y → z); det = 1.

    Example:
      >>> jnp.round(rotate_x(jnp.pi / 2) @ jnp.array([0., 1., 0.]), 6).tolist()
      [0.0, 0.0, 1.0]
    """
    return _axis_rotation(theta, 1, 2)


def rotate_y(theta) -> jax.Array:
    """3-D rotation by θ about the y axis (z → x); det = 1.

    Example:
      >>> jnp.round(rotate_y(jnp.pi / 2) @ jnp.array([0., 0., 1.]), 6).tolist()
      [1.0, 0.0, 0.0]
    """
    return _axis_rotation(theta, 2, 0)


def rotate_z(theta) -> jax.Array:
    """3-D rotation by θ about the z axis (x → y); det = 1.

    Example:
      >>> jnp.round(rotate_z(jnp.pi / 2) @ jnp.array([1., 0., 0.]), 6).tolist()
      [0.0, 1.0, 0.0]
    """
    return _axis_rotation(theta, 0, 1)


def compose(*matrices: jax.Array) -> jax.Array:
    """The product M₁·M₂·…·Mₙ: the transformation that applies Mₙ first and M₁ last.

    The same order as function composition, compose(g, f)(x) = g(f(x)). Matrix
    multiplication is not commutative, so compose(A, B) ≠ compose(B, A) in general.

    Raises:
      UserError: no matrix is given.

    Example:
      >>> compose(scale(2.0), shear(1.0)).tolist()     # shear first, then scale
      [[2.0, 2.0], [0.0, 2.0]]
    """
    if not matrices:
        raise UserError("compose needs at least one matrix")
    out = _float(matrices[0])
    for M in matrices[1:]:
        out = matmul(out, M)
    return out


def apply(M: jax.Array, points: jax.Array) -> jax.Array:
    """Transform points (rows of an (n, d) array) by M: each row p ↦ M·p.

    Example:
      >>> apply(scale(2.0, 3.0), jnp.array([[1., 1.], [1., 0.]])).tolist()
      [[2.0, 3.0], [2.0, 0.0]]
    """
    return matmul(_float(points), jnp.asarray(M).T.astype(_float(points).dtype))


# ============================================================================ eigenvectors

def rayleigh_quotient(A: jax.Array, v: jax.Array) -> jax.Array:
    """R(v) = vᵀAv / vᵀv; equals λ when Av = λv.

    Example:
      >>> float(rayleigh_quotient(jnp.array([[2., 1.], [1., 2.]]), jnp.array([1., 1.])))
      3.0
    """
    A, v = _float(A), _float(v)
    return dot(v, A @ v) / dot(v, v)


def rayleigh_quotient_grad(A: jax.Array, v: jax.Array) -> jax.Array:
    """∇ᵥR = ((A + Aᵀ)v − 2R(v)·v) / vᵀv (zero exactly at eigenvectors of symmetric A).

    Example:
      >>> rayleigh_quotient_grad(jnp.array([[2., 1.], [1., 2.]]), jnp.array([1., 1.])).tolist()
      [0.0, 0.0]
    """
    A, v = _float(A), _float(v)
    return ((A + A.T) @ v - 2.0 * rayleigh_quotient(A, v) * v) / dot(v, v)


class PowerIterationResult(NamedTuple):
    """What :func:`power_iteration` found.

    Attributes:
      eigenvalue: the Rayleigh quotient λ = vᵀAv at the last iterate.
      eigenvector: unit vector v.
      iterations: matrix-vector products done.
      residual: ‖Av − λv‖ at the end.
      converged: whether ‖Av − λv‖ ≤ tol·max(|λ|, max|Aᵢⱼ|) was reached within the cap
        (False, e.g., when |λ₁| = |λ₂| as for a rotation).
    """

    eigenvalue: jax.Array
    eigenvector: jax.Array
    iterations: jax.Array
    residual: jax.Array
    converged: jax.Array


class Eigenpairs(NamedTuple):
    """Eigenvalues and their eigenvectors.

    Attributes:
      eigenvalues: (k,) eigenvalues.
      eigenvectors: (n, k) eigenvectors as columns, column i belonging to eigenvalue i.
    """

    eigenvalues: jax.Array
    eigenvectors: jax.Array


def _default_tol(dtype) -> float:
    return 1e-5 if dtype == jnp.float32 else 1e-10


def power_iteration(key: jax.Array, A: jax.Array, *, num_iters: int = 1000,
                    tol: float | None = None,
                    v0: jax.Array | None = None) -> PowerIterationResult:
    """Dominant eigenpair (λ, v) of A by repeated multiplication.

    vₜ₊₁ = A vₜ / ‖A vₜ‖ turns any start vector toward the eigenvector of the eigenvalue
    of largest magnitude (the other components shrink by |λ₂/λ₁| each step). The estimate
    is the Rayleigh quotient λ = vᵀAv (v a unit vector). Iteration stops when the
    residual ‖Av − λv‖ ≤ tol·max(|λ|, max|Aᵢⱼ|) or after ``num_iters`` products.

    Args:
      key: PRNG key for the random start vector v₀ ~ N(0, I).
      A: (n, n) matrix; symmetric matrices converge fastest and most surely.
      num_iters: the iteration cap.
      tol: residual tolerance (default 1e-5 in float32, 1e-10 in float64).
      v0: start vector; when given it overrides the one drawn from ``key``.

    Returns:
      :class:`PowerIterationResult` (eigenvalue, eigenvector, iterations, residual,
      converged). A run that hit the cap says so in ``converged``.

    Raises:
      UserError: A is not a square matrix.

    Example:
      >>> r = power_iteration(jax.random.key(0), jnp.array([[2., 1.], [1., 2.]]))
      >>> round(float(r.eigenvalue), 4), bool(r.converged)
      (3.0, True)
      >>> jnp.round(jnp.abs(r.eigenvector), 4).tolist()
      [0.7071, 0.7071]
    """
    A = _float(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise UserError(f"power iteration needs a square matrix, got shape {A.shape}")
    dtype = A.dtype
    tol = _default_tol(dtype) if tol is None else tol
    if v0 is not None:
        v = jnp.asarray(v0, dtype)
    else:
        v = jax.random.normal(key, (A.shape[0],), dtype)
    return _power_iteration(A, v / norm(v), jnp.asarray(num_iters), jnp.asarray(tol, dtype))


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
    return PowerIterationResult(lam, v, i, res, converged)


def top_eigenpairs(key: jax.Array, A: jax.Array, k: int, *, num_iters: int = 1000,
                   tol: float | None = None) -> Eigenpairs:
    """The k eigenpairs of largest |λ| of a symmetric A, by power iteration and deflation.

    After finding (λ₁, v₁), Hotelling's deflation A ← A − λ₁v₁v₁ᵀ moves λ₁ to 0 and keeps
    every other eigenpair, so the next power iteration finds (λ₂, v₂), and so on.

    Args:
      key: PRNG key; split into one start vector per eigenpair.
      A: (n, n) symmetric matrix.
      k: number of eigenpairs, 1 ≤ k ≤ n (static).
      num_iters: iteration cap of each power iteration.
      tol: residual tolerance (default 1e-5 in float32, 1e-10 in float64).

    Returns:
      :class:`Eigenpairs` (eigenvalues (k,), eigenvectors (n, k) as columns), in the
      order found.

    Raises:
      UserError: k is outside 1..n.

    Example:
      >>> w, V = top_eigenpairs(jax.random.key(0), jnp.diag(jnp.array([1., -5., 3.])), 2)
      >>> jnp.round(w, 4).tolist()
      [-5.0, 3.0]
    """
    A = _float(A)
    n = A.shape[0]
    if not 1 <= k <= n:
        raise UserError(f"k = {k} eigenpairs requested from a {n}×{n} matrix; "
                        f"allowed 1..{n}")
    tol = _default_tol(A.dtype) if tol is None else tol
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
    return Eigenpairs(lams, vs.T)


def eigh_descending(A: jax.Array) -> Eigenpairs:
    """Eigenvalues (largest first) and eigenvectors (columns) of a symmetric A.

    ``jnp.linalg.eigh`` sorted the other way round, as PCA wants them.

    Example:
      >>> w, V = eigh_descending(jnp.array([[2., 1.], [1., 2.]]))
      >>> jnp.round(w, 4).tolist()
      [3.0, 1.0]
    """
    w, V = jnp.linalg.eigh(_float(A))
    return Eigenpairs(w[::-1], V[:, ::-1])


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
