"""The exercises, by chapter. Each reference is a reference library (jax.nn, jax.scipy,
jnp.linalg, jnp.fft, numpy, jax.grad/jacfwd/vjp, optax) applied to the grader's inputs;
no answer is stored."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
import optax

from mlmath_jax.exercises._core import Exercise

f32 = np.float32


def _n(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(f32)


def _u(rng, lo, hi, *shape):
    return rng.uniform(lo, hi, size=shape).astype(f32)


def _x(rng):
    """Elementwise inputs: several shapes, both signs."""
    return [(_n(rng, 7, scale=3),), (_n(rng, 7, scale=3),), (_n(rng, 3, 4, scale=3),)]


def _rows(rng):
    return [(_n(rng, 3, 5, scale=2),), (_n(rng, 3, 5, scale=2),), (_n(rng, 6),)]


def _spd(rng, n):
    a = rng.normal(size=(n, n))
    return (a @ a.T + n * np.eye(n)).astype(f32)


def _vec(fn):
    """An elementwise derivative from jax.grad of a scalar function."""
    def ref(x):
        x = jnp.asarray(x)
        return jnp.vectorize(jax.grad(fn))(x)
    return ref


EXERCISES: list[Exercise] = []


def _add(**kw) -> None:
    EXERCISES.append(Exercise(**kw))


# ---------------------------------------------------------------- algebra & functions
ALG = "algebra & functions"


def _systems(rng):
    out = []
    for n in (3, 3, 5):
        a = _n(rng, n, n) + n * np.eye(n, dtype=f32) * rng.choice([-1, 1])
        out.append((a, _n(rng, n)))
    return out


_add(name="solve_linear_system", chapter=ALG, title="solve A x = b by Gaussian elimination",
    signature="A, b",
    task="Solve the square system A x = b by Gaussian elimination with partial pivoting:\n"
         "for each column k, swap up the row with the largest |A[i, k]| (i ≥ k), subtract\n"
         "multiples of it to zero the entries below, then back-substitute\n"
         "x_i = (b_i − Σ_{j>i} A_ij x_j) / A_ii. Return x, shape (n,).",
    hints=("jnp.linalg.solve is the answer to check against, not the exercise.",
           "Arrays are immutable: A = A.at[i].set(row).",
           "Without pivoting a zero on the diagonal divides by zero."),
    reference=lambda a, b: np.linalg.solve(a.astype(np.float64), b),
    cases=_systems,
    extreme=(("A = [[0, 1], [1, 0]] (a zero pivot)",
              (np.array([[0, 1], [1, 0]], f32), np.array([2, 3], f32)),
              "divides by a zero pivot: swap in the row with the largest entry first"),),
    mistakes=(("transposed", lambda a, b: np.linalg.solve(a.T.astype(np.float64), b),
               "solves Aᵀ x = b: eliminate along rows of A, not columns"),),
    rtol=1e-3, atol=1e-4, vmap=(0, 0))

_add(name="compose", chapter=ALG, title="function composition (f ∘ g)",
    signature="f, g",
    task="Return the function h = f ∘ g, h(x) = f(g(x)).",
    hints=("Return a function (a lambda or a nested def).", "g is applied first."),
    reference=lambda x: jnp.sin(x) ** 3 + 1.0,
    cases=_x,
    adapt=lambda fn: (lambda x: fn(lambda u: u ** 3 + 1.0, jnp.sin)(x)),
    mistakes=(("order", lambda x: jnp.sin(x ** 3 + 1.0),
               "applied in the wrong order: (f ∘ g)(x) = f(g(x)), g first"),),
    elementwise=True, vmap=(0,))

_add(name="inverse_affine", chapter=ALG, title="the inverse of f(x) = a x + b",
    signature="y, a, b",
    task="For f(x) = a·x + b with a ≠ 0, return f⁻¹(y) = (y − b) / a, so that\n"
         "f(f⁻¹(y)) = y.",
    hints=("Undo the operations in reverse order: first subtract b, then divide by a.",),
    reference=lambda y, a, b: (y - b) / a,
    cases=lambda rng: [(_n(rng, 6), f32(rng.uniform(1, 3)), f32(rng.normal()))
                       for _ in range(3)],
    mistakes=(("divide_first", lambda y, a, b: y / a - b,
               "divided before subtracting: undo the last operation (+ b) first"),
              ("swapped_ops", lambda y, a, b: a * y + b,
               "that is f itself, not its inverse")),
    elementwise=True, vmap=(0, None, None))


def _quad(rng):
    out = []
    for _ in range(3):
        r = np.sort(rng.normal(size=2) * 3)
        a = rng.uniform(0.5, 2)
        out.append((f32(a), f32(-a * r.sum()), f32(a * r.prod())))
    return out


def _roots(a, b, c):
    return np.sort(np.roots([float(a), float(b), float(c)]).real)


_add(name="quadratic_roots", chapter=ALG, title="the real roots of a x² + b x + c, stably",
    signature="a, b, c",
    task="Return the two real roots of a x² + b x + c (b² > 4ac), smaller first, shape (2,).\n"
         "Stable form: q = −(b + sign(b)·√(b² − 4ac)) / 2, roots q / a and c / q\n"
         "(the textbook (−b ± √(b² − 4ac)) / 2a cancels digits when b² ≫ 4ac).",
    hints=("jnp.sort the pair.", "The product of the roots is c / a."),
    reference=_roots, cases=_quad,
    extreme=(("a = 1, b = 1e4, c = 1", (f32(1), f32(1e4), f32(1)),
              "loses the small root to cancellation: use q = −(b + sign(b)√Δ)/2 and c/q"),),
    mistakes=(("unsorted", lambda a, b, c: _roots(a, b, c)[::-1],
               "the roots are in the wrong order: smaller first"),),
    rtol=1e-3, atol=1e-6)

_add(name="horner", chapter=ALG, title="evaluate a polynomial by Horner's rule",
    signature="coeffs, x",
    task="Evaluate p(x) = c₀ xⁿ + c₁ xⁿ⁻¹ + … + cₙ (coefficients highest power first, as\n"
         "numpy.polyval) by Horner's rule p = (…((c₀ x + c₁) x + c₂) …) x + cₙ.",
    hints=("Start from 0 and loop over the coefficients: p = p * x + c.",),
    reference=lambda c, x: np.polyval(c.astype(np.float64), x.astype(np.float64)),
    cases=lambda rng: [(_n(rng, 4), _n(rng, 6)), (_n(rng, 4), _n(rng, 6)),
                       (_n(rng, 6), _n(rng, 2, 3))],
    mistakes=(("reversed", lambda c, x: np.polyval(c[::-1].astype(np.float64), x),
               "the coefficients are read lowest power first: coeffs[0] multiplies xⁿ"),),
    vmap=(0, 0))

# ---------------------------------------------------------------- exponents & logs
EXP = "exponents & logs"
BIG = np.array([[1e4, 0.0, -3.0], [-1e4, -1e4 + 1, 2.0]], f32)

_add(name="logsumexp", chapter=EXP, title="a stable log-sum-exp over the last axis",
    signature="x",
    task="Return log Σ_j exp(x_j) over the last axis (shape x.shape[:-1]), computed as\n"
         "m + log Σ_j exp(x_j − m) with m = max_j x_j, so nothing overflows.",
    hints=("keepdims=True keeps m broadcastable; remove the axis at the end.",
           "Add m back after the log."),
    reference=lambda x: jsp.special.logsumexp(x, axis=-1), cases=_rows,
    extreme=(("x = 1e4", (BIG,), "overflows to inf at x = 1e4: subtract the maximum first"),),
    mistakes=(("no_max_back", lambda x: jsp.special.logsumexp(x, axis=-1) - x.max(-1),
               "forgot to add the maximum back: log Σ exp(x − m) + m"),),
    vmap=(0,))

_add(name="softmax", chapter=EXP, title="a stable softmax over the last axis",
    signature="x",
    task="Return softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m) over the last axis, with\n"
         "m = max_j x_j (same shape as x).",
    hints=("Normalize along axis=-1 with keepdims=True.",),
    reference=lambda x: jax.nn.softmax(x, axis=-1), cases=_rows,
    extreme=(("x = 1e4", (BIG,), "overflows to inf at x = 1e4: subtract the maximum first"),),
    mistakes=(("axis0", lambda x: jax.nn.softmax(x, axis=0),
               "normalized along axis 0: each row (last axis) must sum to 1"),
              ("unnormalized", lambda x: jnp.exp(x - x.max(-1, keepdims=True)),
               "not normalized: divide by the sum so each row sums to 1")),
    vmap=(0,))

_add(name="log_softmax", chapter=EXP, title="log-softmax without log(0)",
    signature="x",
    task="Return log softmax(x) = x − logsumexp(x) over the last axis, never log of an\n"
         "underflowed 0.",
    hints=("x − m − log Σ exp(x − m) with m the maximum.",),
    reference=lambda x: jax.nn.log_softmax(x, axis=-1), cases=_rows,
    extreme=(("x = [1e4, 0, -3]", (BIG,),
              "log of softmax underflows to log 0 = -inf: write it as x − logsumexp(x)"),),
    vmap=(0,))

XS = np.array([-1e4, -50.0, -1.0, 0.0, 1.0, 50.0, 1e4], f32)

_add(name="sigmoid", chapter=EXP, title="the logistic function, stable for any x",
    signature="x",
    task="Return σ(x) = 1 / (1 + e⁻ˣ) elementwise, finite for every finite x\n"
         "(for x < 0 use the equal form eˣ / (1 + eˣ)).",
    hints=("jnp.where picks a branch per element; a Python `if` cannot look at a traced "
           "array.",),
    reference=jax.nn.sigmoid, cases=_x,
    extreme=(("x = ±1e4", (XS,), "overflows at x = ±1e4: exp(x) / (1 + exp(x)) is inf/inf; "
              "use 1 / (1 + exp(−x))"),),
    mistakes=(("mirror", lambda x: jax.nn.sigmoid(-x), "that is σ(−x): the exponent is −x"),),
    elementwise=True, vmap=(0,))

_add(name="sigmoid_grad", chapter=EXP, title="the derivative of the logistic function",
    signature="x",
    task="Return σ′(x) = σ(x)(1 − σ(x)) elementwise (σ(x) = 1 / (1 + e⁻ˣ)).",
    hints=("Derive d/dx (1 + e⁻ˣ)⁻¹ with the chain rule, then write it in σ.",),
    reference=_vec(jax.nn.sigmoid), cases=_x,
    extreme=(("x = ±1e4", (XS,), "overflows at x = ±1e4: e⁻ˣ/(1 + e⁻ˣ)² is inf/inf; "
              "write it as σ(x)(1 − σ(x))"),),
    mistakes=(("sigma_only", lambda x: jax.nn.sigmoid(x), "that is σ(x), not σ′(x)"),),
    elementwise=True, vmap=(0,))

_add(name="softplus", chapter=EXP, title="softplus log(1 + eˣ), stable",
    signature="x",
    task="Return softplus(x) = log(1 + eˣ) elementwise, as max(x, 0) + log1p(e^(−|x|)).",
    hints=("log1p(u) is accurate for small u.",),
    reference=jax.nn.softplus, cases=_x,
    extreme=(("x = ±1e4", (XS,), "overflows to inf at x = 1e4: use max(x, 0) + "
              "log1p(exp(−|x|))"),),
    mistakes=(("relu", jax.nn.relu, "that is max(x, 0): add log1p(exp(−|x|))"),),
    elementwise=True, vmap=(0,))

_add(name="log_base", chapter=EXP, title="a logarithm in any base",
    signature="x, base",
    task="Return log_base(x) = ln x / ln base (change of base).",
    hints=("jnp.log is the natural logarithm.",),
    reference=lambda x, b: np.log(x.astype(np.float64)) / np.log(np.float64(b)),
    cases=lambda rng: [(_u(rng, 0.1, 100, 6), f32(b)) for b in (2.0, 10.0, 3.0)],
    mistakes=(("reciprocal", lambda x, b: np.log(np.float64(b)) / np.log(x),
               "upside down: log_b x = ln x / ln b"),),
    vmap=(0, None))

# ---------------------------------------------------------------- trigonometry
TRIG = "trigonometry"
J2 = np.array([[0.0, -1.0], [1.0, 0.0]])

_add(name="rotation_matrix", chapter=TRIG, title="the 2-D rotation by θ",
    signature="theta",
    task="Return the 2×2 matrix R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]] that rotates\n"
         "vectors counter-clockwise by θ radians (R @ v).",
    hints=("jnp.array([[c, -s], [s, c]]) with c = jnp.cos(theta).",),
    reference=lambda t: jsp.linalg.expm(jnp.float32(t) * jnp.asarray(J2, jnp.float32)),
    cases=lambda rng: [(f32(rng.uniform(-3, 3)),) for _ in range(3)],
    mistakes=(("degrees", lambda t: jsp.linalg.expm(np.deg2rad(t) * J2),
               "treats θ as degrees: θ is in radians"),),
    vmap=(0,))


def _dft_ref(x):
    return np.fft.fft(x.astype(np.complex128)).astype(np.complex64)


_add(name="dft", chapter=TRIG, title="the discrete Fourier transform",
    signature="x",
    task="Return X_k = Σ_n x_n e^(−2πi k n / N), k = 0 … N−1, for a 1-D x of length N\n"
         "(complex64, unnormalized, as jnp.fft.fft).",
    hints=("Build the N×N matrix W[k, n] = exp(-2j·π·k·n/N) and return W @ x.",),
    reference=_dft_ref,
    cases=lambda rng: [(_n(rng, 8),), (_n(rng, 8),), (_n(rng, 5),)],
    mistakes=(("normalized", lambda x: _dft_ref(x) / len(x),
               "divided by N: the forward DFT is unnormalized (1/N belongs to the inverse)"),),
    rtol=1e-3, atol=1e-4, dtype="complex64", vmap=(0,))


def _angle(u, v):
    u, v = u.astype(np.float64), v.astype(np.float64)
    c = (u * v).sum(-1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
    return np.arccos(np.clip(c, -1, 1))


_add(name="angle_between", chapter=TRIG, title="the angle between two vectors",
    signature="u, v",
    task="Return θ = arccos(u·v / (‖u‖ ‖v‖)) in radians, in [0, π]; clip the cosine to\n"
         "[−1, 1] first, since rounding can put it just outside.",
    hints=("jnp.clip(c, -1.0, 1.0) before jnp.arccos.",),
    reference=_angle,
    cases=lambda rng: [(_n(rng, 3), _n(rng, 3)), (_n(rng, 3), _n(rng, 3)),
                       (_n(rng, 5), _n(rng, 5))],
    extreme=(("u = v = [0.407, 0.814, 1.221]", (np.array([0.407, 0.814, 1.221], f32),) * 2,
              "nan for parallel vectors: clip the cosine to [−1, 1] before arccos"),),
    mistakes=(("cosine", lambda u, v: np.cos(_angle(u, v)),
               "that is cos θ: apply arccos"),),
    rtol=1e-3, atol=1e-3, vmap=(0, 0))

_add(name="wrap_angle", chapter=TRIG, title="wrap an angle into (−π, π]",
    signature="theta",
    task="Return the angle equal to θ modulo 2π that lies in (−π, π] (atan2(sin θ, cos θ)\n"
         "up to rounding).",
    hints=("jnp.arctan2(jnp.sin(t), jnp.cos(t)), or a shifted jnp.mod.",),
    reference=lambda t: np.angle(np.exp(1j * t.astype(np.float64))),
    cases=lambda rng: [(_u(rng, -20, 20, 8),), (_u(rng, -20, 20, 8),), (_u(rng, -20, 20, 3),)],
    mistakes=(("mod_2pi", lambda t: np.mod(t.astype(np.float64), 2 * np.pi),
               "in [0, 2π): shift by π, take the remainder, and shift back"),),
    rtol=1e-3, atol=1e-4, elementwise=True, vmap=(0,))

# ---------------------------------------------------------------- linear algebra
LIN = "linear algebra"

_add(name="matmul", chapter=LIN, title="matrix multiplication from its definition",
    signature="A, B",
    task="Return C = A B, C_ik = Σ_j A_ij B_jk, for A of shape (m, n) and B of shape (n, p)\n"
         "(without @ or jnp.matmul: use broadcasting and a sum, or jnp.einsum).",
    hints=("(A[:, :, None] * B[None, :, :]).sum(axis=1).",),
    reference=lambda a, b: a.astype(np.float64) @ b,
    cases=lambda rng: [(_n(rng, 3, 4), _n(rng, 4, 5)), (_n(rng, 3, 4), _n(rng, 4, 5)),
                       (_n(rng, 2, 2), _n(rng, 2, 2))],
    vmap=(0, 0))


def _power(a, k):
    return np.abs(np.linalg.eigvalsh(a.astype(np.float64))).max()


_add(name="power_iteration", chapter=LIN, title="the dominant eigenvalue by power iteration",
    signature="A, num_iters",
    task="For a symmetric positive definite A, start from v = (1, …, 1), repeat num_iters\n"
         "times v ← A v / ‖A v‖, and return the Rayleigh quotient λ = vᵀ A v / vᵀ v.",
    hints=("jax.lax.fori_loop(0, num_iters, body, v) compiles the loop once.",
           "Normalize every iteration, or the entries overflow."),
    reference=_power,
    cases=lambda rng: [(_spd(rng, 4), 200), (_spd(rng, 4), 200), (_spd(rng, 6), 300)],
    extreme=(("A = 1e3·I + a perturbation, 300 iterations",
              (_spd(np.random.default_rng(0), 4) * 300, 300),
              "overflows to inf: normalize v every iteration"),),
    static=(1,), rtol=1e-3, atol=1e-3)


def _pca(x, k):
    return np.linalg.eigvalsh(np.cov(x.astype(np.float64).T))[::-1][:k]


_add(name="pca_variances", chapter=LIN, title="PCA: the variances along the principal axes",
    signature="X, k",
    task="For data X (n samples × d features) return the k largest eigenvalues, largest\n"
         "first, of the sample covariance C = (X − x̄)ᵀ(X − x̄) / (n − 1).",
    hints=("jnp.linalg.eigh returns eigenvalues in ascending order.", "Center first."),
    reference=_pca,
    cases=lambda rng: [(_n(rng, 20, 3) * np.array([3, 1, 0.3], f32) + 2, 2),
                       (_n(rng, 20, 3) * np.array([3, 1, 0.3], f32) + 2, 2),
                       (_n(rng, 30, 4) + 1, 3)],
    mistakes=(("ascending", lambda x, k: np.linalg.eigvalsh(np.cov(x.T.astype(float)))[:k],
               "the smallest eigenvalues: eigh sorts ascending, take the last k reversed"),
              ("uncentered", lambda x, k: np.linalg.eigvalsh(
                  x.T.astype(float) @ x / (len(x) - 1))[::-1][:k],
               "the data was not centered: subtract the mean of each feature")),
    static=(1,), rtol=1e-3, atol=1e-4)


def _stochastic(rng, n):
    a = rng.uniform(size=(n, n)) * (rng.uniform(size=(n, n)) < 0.6) + 1e-3
    return (a / a.sum(0, keepdims=True)).astype(f32)


def _pagerank(m, d, iters):
    n = len(m)
    g = d * m.astype(np.float64) + (1 - d) / n
    w, v = np.linalg.eig(g)
    r = np.abs(v[:, np.argmax(w.real)].real)
    return r / r.sum()


_add(name="pagerank", chapter=LIN, title="PageRank by iteration",
    signature="M, damping, num_iters",
    task="M is column-stochastic (M[i, j] = probability of moving from page j to page i).\n"
         "Start from r = 1/n and repeat num_iters times r ← d M r + (1 − d)/n; return r.",
    hints=("The ranks sum to 1 at every step.",),
    reference=_pagerank,
    cases=lambda rng: [(_stochastic(rng, 5), 0.85, 100), (_stochastic(rng, 5), 0.85, 100),
                       (_stochastic(rng, 7), 0.6, 100)],
    mistakes=(("rows", lambda m, d, k: _pagerank(m.T / m.T.sum(0, keepdims=True), d, k),
               "iterated with Mᵀ: column j of M holds page j's outgoing probabilities"),
              ("no_teleport", lambda m, d, k: np.linalg.matrix_power(
                  d * m.astype(np.float64), k) @ np.full(len(m), 1 / len(m)),
               "without the teleport term (1 − d)/n")),
    static=(2,), rtol=1e-3, atol=1e-4, vmap=(0, None, None))


def _qr(a):
    q, r = np.linalg.qr(a.astype(np.float64))
    return q * np.sign(np.diag(r))


_add(name="gram_schmidt", chapter=LIN, title="orthonormalize columns (Gram-Schmidt)",
    signature="A",
    task="Return Q with orthonormal columns spanning A's columns (A full column rank):\n"
         "q_k = u_k / ‖u_k‖ with u_k = a_k − Σ_{j<k} (q_j · a_k) q_j. Same shape as A.",
    hints=("Work column by column: A[:, k].",),
    reference=_qr,
    cases=lambda rng: [(_n(rng, 4, 3),), (_n(rng, 4, 3),), (_n(rng, 5, 5),)],
    mistakes=(("unnormalized", lambda a: _qr(a) * np.abs(np.diag(
        np.linalg.qr(a.astype(float))[1])),
               "the columns are orthogonal but not unit length: divide by ‖u_k‖"),),
    rtol=1e-3, atol=1e-4, vmap=(0,))

_add(name="det3", chapter=LIN, title="a 3×3 determinant by cofactors",
    signature="A",
    task="Return det A for a 3×3 A by expansion along the first row:\n"
         "a₀₀(a₁₁a₂₂ − a₁₂a₂₁) − a₀₁(a₁₀a₂₂ − a₁₂a₂₀) + a₀₂(a₁₀a₂₁ − a₁₁a₂₀).",
    hints=("The signs alternate + − +.",),
    reference=lambda a: np.linalg.det(a.astype(np.float64)),
    cases=lambda rng: [(_n(rng, 3, 3),) for _ in range(4)],
    rtol=1e-3, atol=1e-4, vmap=(0,))

_add(name="project", chapter=LIN, title="the projection of v onto u",
    signature="v, u",
    task="Return proj_u v = (v·u / u·u) u, the component of v along u.",
    hints=("Divide by u·u = ‖u‖², not ‖u‖.",),
    reference=lambda v, u: (v.astype(np.float64) @ u) / (u @ u.astype(np.float64)) * u,
    cases=lambda rng: [(_n(rng, 3), _n(rng, 3)), (_n(rng, 3), _n(rng, 3)),
                       (_n(rng, 5), _n(rng, 5))],
    mistakes=(("swapped", lambda v, u: (u.astype(float) @ v) / (v @ v.astype(float)) * v,
               "projected u onto v: the direction is u"),
              ("norm_not_squared", lambda v, u: (v.astype(float) @ u) / np.linalg.norm(u) * u,
               "divided by ‖u‖: divide by u·u = ‖u‖²")),
    rtol=1e-3, atol=1e-4, vmap=(0, 0))

_add(name="least_squares", chapter=LIN, title="least squares by the normal equations",
    signature="X, y",
    task="Return w minimizing ‖X w − y‖², from the normal equations XᵀX w = Xᵀy\n"
         "(X of shape (n, d), full column rank; use jnp.linalg.solve).",
    hints=("Solve, do not invert.",),
    reference=lambda x, y: np.linalg.lstsq(x.astype(np.float64), y, rcond=None)[0],
    cases=lambda rng: [(_n(rng, 12, 3), _n(rng, 12)), (_n(rng, 12, 3), _n(rng, 12)),
                       (_n(rng, 20, 4), _n(rng, 20))],
    rtol=1e-3, atol=1e-4, vmap=(0, 0))

# ---------------------------------------------------------------- calculus
CALC = "calculus"
FUNCS = (jnp.sin, jnp.exp, lambda x: x ** 3 - 2 * x)


def _fd_cases(rng):
    return [(i, _n(rng, 5), f32(1e-2)) for i in range(3)]


def _adapt_fd(fn):
    return lambda i, x, h: fn(FUNCS[i], x, h)


_add(name="central_difference", chapter=CALC, title="the central difference",
    signature="f, x, h",
    task="Return the central-difference estimate of f′(x):\n"
         "(f(x + h) − f(x − h)) / (2h), elementwise for an array x.",
    hints=("Its error shrinks like h², the forward difference's like h.",),
    reference=lambda i, x, h: (FUNCS[i](x + h) - FUNCS[i](x - h)) / (2 * h),
    cases=_fd_cases, adapt=_adapt_fd,
    mistakes=(("forward", lambda i, x, h: (FUNCS[i](x + h) - FUNCS[i](x)) / h,
               "a forward difference (f(x + h) − f(x)) / h: step both ways, divide by 2h"),),
    static=(0,), rtol=1e-3, atol=1e-3)


def _chain(x):
    return jnp.exp(jnp.sin(3 * x))


_add(name="chain_rule", chapter=CALC, title="the chain rule on exp(sin(3x))",
    signature="x",
    task="Return d/dx exp(sin(3x)) elementwise, derived by hand with the chain rule\n"
         "(outer′(inner) · inner′).",
    hints=("Three layers: exp, sin, and 3x.",),
    reference=_vec(_chain), cases=_x,
    mistakes=(("no_inner", lambda x: jnp.cos(3 * x) * _chain(x),
               "forgot the innermost derivative d(3x)/dx = 3"),),
    elementwise=True, vmap=(0,))

_add(name="softmax_jacobian", chapter=CALC, title="the Jacobian of softmax",
    signature="x",
    task="For a 1-D x with s = softmax(x) return J[i, j] = ∂s_i/∂x_j = s_i (δ_ij − s_j),\n"
         "i.e. diag(s) − s sᵀ.",
    hints=("jnp.outer(s, s).",),
    reference=lambda x: jax.jacfwd(jax.nn.softmax)(x),
    cases=lambda rng: [(_n(rng, 5),), (_n(rng, 5),), (_n(rng, 3),)],
    mistakes=(("diagonal_only", lambda x: jnp.diag(jax.nn.softmax(x) * (
        1 - jax.nn.softmax(x))), "only the diagonal: ∂s_i/∂x_j = −s_i s_j for i ≠ j"),),
    vmap=(0,))


def _smx_vjp(x, v):
    return jax.vjp(lambda u: jax.nn.softmax(u, axis=-1), x)[1](v)[0]


_add(name="softmax_grad", chapter=CALC, title="backpropagate through softmax",
    signature="x, v",
    task="Given the upstream gradient v = ∂L/∂s for s = softmax(x) (last axis), return\n"
         "∂L/∂x = Jᵀ v = s ⊙ (v − Σ_j v_j s_j), without forming J.",
    hints=("The sum is along axis=-1 with keepdims=True.",),
    reference=_smx_vjp,
    cases=lambda rng: [(_n(rng, 3, 5), _n(rng, 3, 5)), (_n(rng, 3, 5), _n(rng, 3, 5)),
                       (_n(rng, 4), _n(rng, 4))],
    extreme=(("x = 1e4", (BIG, np.ones_like(BIG)), "overflows to inf at x = 1e4: subtract "
              "the maximum first"),),
    mistakes=(("no_correction", lambda x, v: jax.nn.softmax(x) * v,
               "forgot to subtract Σ_j v_j s_j: the outputs are coupled through the sum"),),
    vmap=(0, 0))


def _simpson(i, a, b, n):
    x = np.linspace(float(a), float(b), n + 1)
    y = np.asarray(FUNCS[i](x))
    w = np.ones(n + 1)
    w[1:-1:2], w[2:-1:2] = 4, 2
    return np.float64((b - a) / n / 3 * (w * y).sum())


_add(name="simpson", chapter=CALC, title="Simpson's rule",
    signature="f, a, b, n",
    task="Integrate f over [a, b] with composite Simpson's rule on n (even) intervals:\n"
         "h/3 · (f(x₀) + 4f(x₁) + 2f(x₂) + 4f(x₃) + … + 4f(x_{n−1}) + f(x_n)), h = (b − a)/n.",
    hints=("jnp.linspace(a, b, n + 1); weights 1, 4, 2, 4, …, 4, 1.",),
    reference=_simpson,
    cases=lambda rng: [(i, f32(rng.uniform(-1, 0)), f32(rng.uniform(1, 2)), n)
                       for i, n in ((0, 10), (1, 20), (2, 8))],
    adapt=lambda fn: (lambda i, a, b, n: fn(FUNCS[i], a, b, n)),
    mistakes=(("trapezoid", lambda i, a, b, n: np.trapezoid(
        FUNCS[i](np.linspace(float(a), float(b), n + 1)), dx=(b - a) / n),
               "the trapezoid rule: Simpson weighs the points 1, 4, 2, 4, …, 1 times h/3"),),
    static=(0, 3), rtol=1e-4, atol=1e-5)

_add(name="tanh_grad", chapter=CALC, title="the derivative of tanh",
    signature="x",
    task="Return d/dx tanh x = 1 − tanh² x elementwise.",
    hints=("Write tanh = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) and differentiate the quotient.",),
    reference=_vec(jnp.tanh), cases=_x,
    extreme=(("x = ±1e4", (XS,), "overflows at x = ±1e4: use 1 − tanh(x)², not cosh"),),
    mistakes=(("plus", lambda x: 1 + jnp.tanh(x) ** 2, "1 + tanh²: the sign is minus"),),
    elementwise=True, vmap=(0,))

_add(name="quadratic_form_grad", chapter=CALC, title="the gradient of xᵀ A x",
    signature="A, x",
    task="Return ∇_x (xᵀ A x) = (A + Aᵀ) x for a square A (not necessarily symmetric).",
    hints=("x appears twice; differentiate each.",),
    reference=lambda a, x: jax.grad(lambda u: u @ a @ u)(x),
    cases=lambda rng: [(_n(rng, 4, 4), _n(rng, 4)), (_n(rng, 4, 4), _n(rng, 4)),
                       (_n(rng, 3, 3), _n(rng, 3))],
    mistakes=(("symmetric_only", lambda a, x: 2 * a @ x,
               "2 A x holds only when A is symmetric: (A + Aᵀ) x"),
              ("half", lambda a, x: a @ x, "A x: x appears twice, (A + Aᵀ) x")),
    vmap=(0, 0))

# ---------------------------------------------------------------- probability
PROB = "probability"


def _bayes(prior, lik):
    p = prior.astype(np.float64) * lik
    return p / p.sum(-1, keepdims=True)


def _dist(rng, n):
    p = rng.uniform(0.1, 1, size=n)
    return (p / p.sum()).astype(f32)


_add(name="bayes_posterior", chapter=PROB, title="Bayes' rule over hypotheses",
    signature="prior, likelihood",
    task="Given a prior p(h) and the likelihood p(e | h) of the evidence for each\n"
         "hypothesis h, return the posterior p(h | e) = p(e | h) p(h) / Σ_h' p(e | h') p(h').",
    hints=("The denominator p(e) makes the posterior sum to 1.",),
    reference=_bayes,
    cases=lambda rng: [(_dist(rng, 4), _u(rng, 0.05, 0.9, 4)) for _ in range(2)]
    + [(_dist(rng, 6), _u(rng, 0.05, 0.9, 6))],
    mistakes=(("unnormalized", lambda p, l: p * l,
               "not normalized: divide by p(e) = Σ p(e | h) p(h)"),),
    vmap=(0, 0))


def _dice_pmf(n, s):
    p = np.ones(1)
    for _ in range(n):
        p = np.convolve(p, np.ones(s) / s)
    return p


_add(name="dice_expectation", chapter=PROB, title="the expected sum of n dice",
    signature="n_dice, sides",
    task="Return E[S] for S the sum of n_dice fair dice numbered 1 … sides, as a float32\n"
         "scalar (by linearity: n_dice · E[one die], E[one die] = Σ_k k / sides).",
    hints=("Linearity of expectation needs no independence.",),
    reference=lambda n, s: np.float64((np.arange(n, n * s + 1) * _dice_pmf(n, s)).sum()),
    cases=lambda rng: [(2, 6), (3, 4), (1, 20)],
    adapt=lambda fn: (lambda n, s: jnp.asarray(fn(n, s), jnp.float32)),
    mistakes=(("zero_based", lambda n, s: np.float64(n * (s - 1) / 2),
               "numbered 0 … sides − 1: faces run from 1 to sides"),),
    static=(0, 1), dtype=None)

_add(name="dice_sum_pmf", chapter=PROB, title="the distribution of the sum of n dice",
    signature="n_dice, sides",
    task="Return P(S = s) for s = n_dice … n_dice·sides (length n_dice·(sides − 1) + 1),\n"
         "S the sum of n_dice fair dice: the n-fold convolution of the uniform pmf.",
    hints=("jnp.convolve(p, jnp.ones(sides) / sides) adds one die.",),
    reference=lambda n, s: _dice_pmf(n, s).astype(f32),
    cases=lambda rng: [(2, 6), (3, 4), (1, 5)],
    mistakes=(("counts", lambda n, s: _dice_pmf(n, s) * s ** n,
               "counts of outcomes, not probabilities: divide by sidesⁿ"),),
    static=(0, 1))

_add(name="gaussian_logpdf", chapter=PROB, title="the log-density of a normal",
    signature="x, mu, sigma",
    task="Return log N(x; μ, σ²) = −(x − μ)²/(2σ²) − log σ − ½ log 2π, elementwise\n"
         "(σ the standard deviation), computed as a log, never log(pdf).",
    hints=("log of a product is a sum of logs.",),
    reference=lambda x, m, s: jsp.stats.norm.logpdf(x, m, s),
    cases=lambda rng: [(_n(rng, 6, scale=3), f32(rng.normal()), f32(rng.uniform(0.5, 2)))
                       for _ in range(3)],
    extreme=(("x = 1e3, μ = 0, σ = 1", (np.array([1e3, -60.0], f32), f32(0), f32(1)),
              "log of the density underflows to log 0 = -inf: write the log directly"),),
    mistakes=(("variance", lambda x, m, s: jsp.stats.norm.logpdf(x, m, jnp.sqrt(s)),
               "σ used as the variance: σ is the standard deviation"),),
    elementwise=True, vmap=(0, None, None))

_add(name="mvn_logpdf", chapter=PROB, title="the log-density of a multivariate normal",
    signature="x, mean, cov",
    task="Return log N(x; μ, Σ) = −½ (x − μ)ᵀ Σ⁻¹ (x − μ) − ½ log det Σ − (d/2) log 2π\n"
         "for x of shape (d,) (use a Cholesky factor or jnp.linalg.solve and slogdet).",
    hints=("jnp.linalg.slogdet returns (sign, log|det|).",),
    reference=lambda x, m, c: jsp.stats.multivariate_normal.logpdf(x, m, c),
    cases=lambda rng: [(_n(rng, 3), _n(rng, 3), _spd(rng, 3) / 3) for _ in range(2)]
    + [(_n(rng, 4), _n(rng, 4), _spd(rng, 4) / 4)],
    mistakes=(("no_logdet", lambda x, m, c: jsp.stats.multivariate_normal.logpdf(x, m, c)
               + 0.5 * np.linalg.slogdet(c.astype(float))[1],
               "the −½ log det Σ term is missing"),),
    rtol=1e-3, atol=1e-4, vmap=(0, None, None))

_add(name="gaussian_mle", chapter=PROB, title="maximum-likelihood mean and variance",
    signature="x",
    task="For samples x (shape (n,)) return the maximum-likelihood estimates of a normal's\n"
         "parameters as a pair (μ̂, σ̂²) = (mean x, mean (x − μ̂)²) (divide by n).",
    hints=("Set the derivatives of the log-likelihood to zero.",),
    reference=lambda x: (np.mean(x.astype(np.float64)), np.var(x.astype(np.float64))),
    cases=lambda rng: [(_n(rng, 10) * 2 + 1,), (_n(rng, 10) * 2 + 1,), (_n(rng, 25),)],
    mistakes=(("unbiased", lambda x: (np.mean(x), np.var(x.astype(float), ddof=1)),
               "divided by n − 1: that is the unbiased estimate; the MLE divides by n"),
              ("std", lambda x: (np.mean(x), np.std(x.astype(float))),
               "the standard deviation: the MLE of σ² is the variance")),
    vmap=(0,))

_add(name="entropy", chapter=PROB, title="Shannon entropy, zero-safe",
    signature="p",
    task="Return H(p) = −Σ_i p_i log p_i (nats) over the last axis, with 0 · log 0 = 0.",
    hints=("jax.scipy.special.xlogy(p, p) is 0 at p = 0.",),
    reference=lambda p: jsp.special.entr(p).sum(-1),
    cases=lambda rng: [(_dist(rng, 4),), (_dist(rng, 4),), (_dist(rng, 6),)],
    extreme=(("p = [0.5, 0.5, 0]", (np.array([0.5, 0.5, 0.0], f32),),
              "0 · log 0 gives nan: use xlogy so a zero probability adds 0"),),
    vmap=(0,))

_add(name="kl_divergence", chapter=PROB, title="the KL divergence of two distributions",
    signature="p, q",
    task="Return KL(p ‖ q) = Σ_i p_i log(p_i / q_i) over the last axis (0 log 0 = 0).",
    hints=("It is not symmetric.",),
    reference=lambda p, q: jsp.special.rel_entr(p, q).sum(-1),
    cases=lambda rng: [(_dist(rng, 4), _dist(rng, 4)) for _ in range(2)]
    + [(_dist(rng, 6), _dist(rng, 6))],
    mistakes=(("swapped", lambda p, q: jsp.special.rel_entr(q, p).sum(-1),
               "that is KL(q ‖ p): the weights are p"),),
    vmap=(0, 0))

# ---------------------------------------------------------------- optimization
OPT = "optimization"
_OPT_TASK = ("\nReturn a pair (init, update) in optax's shape: init(params) → state,\n"
             "update(grads, state) → (updates, new_state), where updates are added to the\n"
             "parameters (so they carry the minus sign). params and grads are pytrees: use\n"
             "jax.tree.map.")


def _pair_np(step_fn, init_fn):
    return init_fn, step_fn


def _adam_variant(mode):
    def factory(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
        def init(p):
            z = jax.tree.map(jnp.zeros_like, p)
            return (z, z, 0)

        def update(g, s):
            m, v, t = s
            t = t + 1
            m = jax.tree.map(lambda a, b: b1 * a + (1 - b1) * b, m, g)
            v = jax.tree.map(lambda a, b: b2 * a + (1 - b2) * b * b, v, g)
            tt = 1 if mode == "t_fixed" else t
            c1, c2 = (1.0, 1.0) if mode == "none" else (1 - b1 ** tt, 1 - b2 ** tt)
            u = jax.tree.map(lambda a, b: -learning_rate * (a / c1) / (jnp.sqrt(b / c2) + eps),
                             m, v)
            return u, (m, v, t)
        return init, update
    return factory


_add(name="adam", chapter=OPT, title="Adam with bias correction",
    signature="learning_rate, b1, b2, eps",
    task="Adam: m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², t ← t + 1,\n"
         "m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), update = −lr · m̂ / (√v̂ + ε)." + _OPT_TASK,
    hints=("The state is (m, v, t); t starts at 0.",
           "Without the bias correction the first steps are far too small."),
    reference=optax.adam, kind="optimizer",
    cases=lambda rng: [dict(learning_rate=0.01, b1=0.9, b2=0.999, eps=1e-8),
                       dict(learning_rate=0.1, b1=0.8, b2=0.99, eps=1e-8)],
    mistakes=(("no_bias_correction", _adam_variant("none"),
               "bias correction is missing: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ"),
              ("t_fixed", _adam_variant("t_fixed"),
               "matches optax for 1 step and drifts by step 10: the bias correction uses "
               "t = 1 every step; count the steps in the state")),
    rtol=1e-3, atol=1e-6)


def _momentum_ema(learning_rate, momentum):
    def init(p):
        return jax.tree.map(jnp.zeros_like, p)

    def update(g, v):
        v = jax.tree.map(lambda a, b: momentum * a + (1 - momentum) * b, v, g)
        return jax.tree.map(lambda a: -learning_rate * a, v), v
    return init, update


_add(name="sgd_momentum", chapter=OPT, title="SGD with momentum",
    signature="learning_rate, momentum",
    task="Heavy-ball momentum as optax.sgd: v ← μ v + g, update = −lr · v." + _OPT_TASK,
    hints=("The state is the velocity v, zeros like the params.",),
    reference=lambda learning_rate, momentum: optax.sgd(learning_rate, momentum),
    kind="optimizer",
    cases=lambda rng: [dict(learning_rate=0.1, momentum=0.9),
                       dict(learning_rate=0.05, momentum=0.5)],
    mistakes=(("ema", _momentum_ema,
               "v ← μ v + (1 − μ) g is an average: optax's momentum adds the full gradient"),),
    rtol=1e-4, atol=1e-6)

def _rms_eps_outside(learning_rate, decay, eps):
    def init(p):
        return jax.tree.map(jnp.zeros_like, p)

    def update(g, nu):
        nu = jax.tree.map(lambda a, b: decay * a + (1 - decay) * b * b, nu, g)
        return jax.tree.map(lambda a, n: -learning_rate * a / (jnp.sqrt(n) + eps), g, nu), nu
    return init, update


_add(name="rmsprop", chapter=OPT, title="RMSprop", signature="learning_rate, decay, eps",
    task="RMSprop as optax.rmsprop: ν ← ρ ν + (1 − ρ) g², update = −lr · g / √(ν + ε)\n"
         "(ε inside the root, ν starts at 0)." + _OPT_TASK,
    hints=("The state is ν, zeros like the params.",),
    reference=lambda learning_rate, decay, eps: optax.rmsprop(learning_rate, decay, eps),
    kind="optimizer",
    cases=lambda rng: [dict(learning_rate=0.01, decay=0.9, eps=1e-8),
                       dict(learning_rate=0.1, decay=0.5, eps=0.1)],
    mistakes=(("eps_outside", _rms_eps_outside,
               "ε outside the square root: optax.rmsprop divides by √(ν + ε)"),),
    rtol=1e-3, atol=1e-6)


def _cos(step, init_value, decay_steps, alpha):
    return optax.cosine_decay_schedule(float(init_value), int(decay_steps), float(alpha))(step)


_add(name="cosine_decay", chapter=OPT, title="the cosine learning-rate schedule",
    signature="step, init_value, decay_steps, alpha",
    task="Return lr(t) = init_value · ((1 − α) · ½ (1 + cos(π · min(t, T) / T)) + α) for the\n"
         "steps t (an integer array), T = decay_steps (as optax.cosine_decay_schedule).",
    hints=("jnp.minimum(step, decay_steps) holds the schedule flat after T.",),
    reference=_cos,
    cases=lambda rng: [(np.arange(0, 150, 7, dtype=np.int32), 0.1, 100, 0.0),
                       (np.arange(0, 150, 7, dtype=np.int32), 0.1, 100, 0.0),
                       (np.arange(0, 300, 11, dtype=np.int32), 1.0, 200, 0.1)],
    adapt=lambda fn: (lambda s, a, b, c: jnp.asarray(fn(s, a, b, c), jnp.float32)),
    mistakes=(("no_clamp", lambda s, v, t, a: v * ((1 - a) * 0.5 * (1 + np.cos(
        np.pi * s / t)) + a),
               "rises again after decay_steps: clamp the step with min(t, T)"),
              ("no_alpha", lambda s, v, t, a: _cos(s, v, t, 0.0),
               "α ignored: the schedule ends at α · init_value")),
    static=(1, 2, 3), elementwise=False, dtype=None, vmap=(0, None, None, None))

_add(name="exponential_decay", chapter=OPT, title="exponential learning-rate decay",
    signature="step, init_value, decay_rate, transition_steps",
    task="Return lr(t) = init_value · decay_rate^(t / transition_steps) for the steps t\n"
         "(continuous, as optax.exponential_decay without staircase).",
    hints=("Divide before exponentiating.",),
    reference=lambda s, v, r, k: optax.exponential_decay(v, k, r)(s),
    cases=lambda rng: [(np.arange(0, 100, 5, dtype=np.int32), 0.1, 0.5, 20),
                       (np.arange(0, 100, 5, dtype=np.int32), 0.1, 0.5, 20),
                       (np.arange(0, 60, 3, dtype=np.int32), 1.0, 0.9, 10)],
    adapt=lambda fn: (lambda s, a, b, c: jnp.asarray(fn(s, a, b, c), jnp.float32)),
    mistakes=(("staircase",
               lambda s, v, r, k: optax.exponential_decay(v, k, r, staircase=True)(s),
               "a staircase: t / transition_steps is not rounded down here"),),
    static=(1, 2, 3), dtype=None, vmap=(0, None, None, None))

# ---------------------------------------------------------------- neural networks
NN = "neural networks"


def _pt(rng):
    return [(_n(rng, 8), _n(rng, 8)), (_n(rng, 8), _n(rng, 8)), (_n(rng, 4, 3), _n(rng, 4, 3))]


_add(name="mse_grad", chapter=NN, title="the gradient of the mean squared error",
    signature="predictions, targets",
    task="For L = mean((p − t)²) over all entries return ∂L/∂p = 2 (p − t) / N (N = p.size).",
    hints=("Differentiate the square: the 2 does not cancel.",),
    reference=lambda p, t: jax.grad(lambda u: jnp.mean((u - t) ** 2))(p), cases=_pt,
    mistakes=(("no_mean", lambda p, t: 2 * (p - t),
               "the mean's 1/N is missing: L averages over all entries"),),
    vmap=(0, 0))

_add(name="mae_grad", chapter=NN, title="the gradient of the mean absolute error",
    signature="predictions, targets",
    task="For L = mean(|p − t|) return ∂L/∂p = sign(p − t) / N (0 where p = t).",
    hints=("jnp.sign(0) is 0, the subgradient jax.grad picks too.",),
    reference=lambda p, t: jnp.where(p == t, 0.0, jax.grad(
        lambda u: jnp.mean(jnp.abs(u - t)))(p)), cases=_pt,
    extreme=(("p = t", (np.array([1.0, 2.0], f32), np.array([1.0, 2.0], f32)),
              "nan where p = t: (p − t)/|p − t| divides 0 by 0; use jnp.sign"),),
    mistakes=(("no_mean", lambda p, t: jnp.sign(p - t),
               "the mean's 1/N is missing"),),
    vmap=(0, 0))


def _bce(z, y):
    return jnp.mean(optax.sigmoid_binary_cross_entropy(z, y))


def _labels(rng, n):
    return (rng.uniform(size=n) < 0.5).astype(f32)


_add(name="bce_grad", chapter=NN, title="binary cross-entropy gradient from logits",
    signature="logits, targets",
    task="For L = mean(−y log σ(z) − (1 − y) log(1 − σ(z))) return ∂L/∂z = (σ(z) − y) / N.",
    hints=("The sigmoid's derivative cancels the log's.",),
    reference=lambda z, y: jax.grad(_bce)(z, y),
    cases=lambda rng: [(_n(rng, 8, scale=3), _labels(rng, 8)),
                       (_n(rng, 8, scale=3), _labels(rng, 8)),
                       (_n(rng, 5, scale=3), _labels(rng, 5))],
    extreme=(("z = ±1e4", (XS, (XS > 0).astype(f32)), "overflows at z = ±1e4: use a stable "
              "sigmoid, never exp(z)/(1 + exp(z))"),),
    mistakes=(("no_mean", lambda z, y: jax.nn.sigmoid(z) - y, "the mean's 1/N is missing"),),
    vmap=(0, 0))


def _cce(z, y):
    return jnp.mean(optax.softmax_cross_entropy(z, y))


def _onehot(rng, n, k):
    return np.eye(k, dtype=f32)[rng.integers(0, k, n)]


_add(name="cce_grad", chapter=NN, title="categorical cross-entropy gradient from logits",
    signature="logits, targets",
    task="logits (n, k), one-hot targets (n, k), L = mean over rows of −Σ_j y_j log\n"
         "softmax(z)_j. Return ∂L/∂z = (softmax(z) − y) / n.",
    hints=("Softmax along the last axis; average over the n rows only.",),
    reference=lambda z, y: jax.grad(_cce)(z, y),
    cases=lambda rng: [(_n(rng, 4, 3, scale=2), _onehot(rng, 4, 3)),
                       (_n(rng, 4, 3, scale=2), _onehot(rng, 4, 3)),
                       (_n(rng, 6, 5, scale=2), _onehot(rng, 6, 5))],
    extreme=(("z = 1e4", (BIG, np.eye(3, dtype=f32)[:2]),
              "overflows to inf at z = 1e4: subtract the maximum first"),),
    mistakes=(("mean_all", lambda z, y: jax.grad(_cce)(z, y) / z.shape[-1],
               "divided by n·k: average over the n rows, not every entry"),),
    vmap=(0, 0))

_add(name="relu_grad", chapter=NN, title="the derivative of ReLU",
    signature="x",
    task="Return ReLU′(x) = 1 for x > 0 and 0 for x ≤ 0 (the subgradient 0 at 0, as\n"
         "jax.nn.relu), elementwise, as the input's float dtype.",
    hints=("(x > 0).astype(x.dtype)",),
    reference=_vec(jax.nn.relu), cases=_x,
    extreme=(("x = 0", (np.array([0.0, -0.0, 1.0], f32),),
              "ReLU′(0) is 0 here, as jax.grad gives: use x > 0, not x >= 0"),),
    elementwise=True, vmap=(0,))


def _two_layer_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = jnp.tanh(x @ w1 + b1)
    return jnp.mean((h @ w2 + b2 - y) ** 2)


def _two_layer_cases(rng):
    out = []
    for n, d, h, k in ((6, 3, 4, 2), (6, 3, 4, 2), (5, 2, 3, 1)):
        params = (_n(rng, d, h), _n(rng, h), _n(rng, h, k), _n(rng, k))
        out.append((params, _n(rng, n, d), _n(rng, n, k)))
    return out


_add(name="two_layer_backward", chapter=NN, title="backprop through a two-layer network",
    signature="params, x, y",
    task="params = (W1, b1, W2, b2); h = tanh(x W1 + b1), ŷ = h W2 + b2,\n"
         "L = mean((ŷ − y)²) over all entries. Return the gradients (dW1, db1, dW2, db2),\n"
         "same shapes as the params, by the backward pass: δ₂ = 2(ŷ − y)/N, dW2 = hᵀ δ₂,\n"
         "db2 = Σ_rows δ₂, δ₁ = (δ₂ W2ᵀ) ⊙ (1 − h²), dW1 = xᵀ δ₁, db1 = Σ_rows δ₁.",
    hints=("Check each gradient's shape against its parameter's.",),
    reference=lambda p, x, y: jax.grad(_two_layer_loss)(p, x, y),
    cases=_two_layer_cases,
    mistakes=(("no_tanh_grad", lambda p, x, y: _no_tanh(p, x, y),
               "the hidden layer's derivative 1 − h² is missing from δ₁"),),
    rtol=1e-3, atol=1e-5, vmap=None)


def _no_tanh(p, x, y):
    w1, b1, w2, b2 = p
    h = jnp.tanh(x @ w1 + b1)
    d2 = 2 * (h @ w2 + b2 - y) / y.size
    d1 = d2 @ w2.T
    return (x.T @ d1, d1.sum(0), h.T @ d2, d2.sum(0))


def _mlp_loss(params, x, y):
    h = x
    for w, b in params[:-1]:
        h = jax.nn.relu(h @ w + b)
    w, b = params[-1]
    return jnp.mean((h @ w + b - y) ** 2)


def _mlp_cases(rng):
    out = []
    for sizes in ((3, 5, 2), (3, 5, 2), (4, 6, 5, 3, 1)):
        params = [(_n(rng, a, b), _n(rng, b, scale=0.1))
                  for a, b in zip(sizes, sizes[1:], strict=False)]
        out.append((params, _n(rng, 7, sizes[0]), _n(rng, 7, sizes[-1])))
    return out


_add(name="mlp_backward", chapter=NN, title="backprop through an MLP of any depth",
    signature="params, x, y",
    task="params is a list of (W, b) pairs; every layer but the last applies ReLU:\n"
         "h₀ = x, h_l = relu(h_{l−1} W_l + b_l), ŷ = h_{L−1} W_L + b_L, L = mean((ŷ − y)²).\n"
         "Return the list of (dW, db) pairs, same structure as params: δ_L = 2(ŷ − y)/N and\n"
         "going back δ_{l−1} = (δ_l W_lᵀ) ⊙ [h_{l−1} > 0].",
    hints=("Keep the activations of the forward pass in a list.",
           "The last layer has no ReLU."),
    reference=lambda p, x, y: jax.grad(_mlp_loss)(p, x, y),
    cases=_mlp_cases, rtol=1e-3, atol=1e-5)

CATALOGUE: dict[str, Exercise] = {e.name: e for e in EXERCISES}
