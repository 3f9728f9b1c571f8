"""Trigonometry: the unit circle, rotations, sinusoidal positional encodings, the
discrete Fourier transform and Fourier series.

* unit circle: the point at angle θ is (cos θ, sin θ), so sin²θ + cos²θ = 1;
* 2-D rotation by θ:  R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]];
* positional encoding (Vaswani et al. 2017):
  PE[pos, 2i] = sin(pos / 10000^(2i/d)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/d));
* DFT:  X_k = Σₙ xₙ e^(−2πi·kn/N), written as the matrix product X = W x with
  W[k, n] = e^(−2πi·kn/N);
* square wave as a Fourier series:  sq(x) ≈ (4/π) Σₖ₌₁ⁿ sin((2k − 1)x) / (2k − 1).

All functions are pure ``jnp`` and jit/vmap; sizes (``num_positions``, ``d_model``,
``n_terms``) are static.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from mlmath_jax import registry
from mlmath_jax._util import as_float as _float
from mlmath_jax.errors import UserError


def unit_circle(theta) -> tuple[jax.Array, jax.Array]:
    """The point (cos θ, sin θ) of the unit circle at angle θ (radians).

    Example:
      >>> c, s = unit_circle(jnp.pi / 3)
      >>> round(float(c), 6), round(float(s), 6)
      (0.5, 0.866025)
    """
    theta = _float(theta)
    return jnp.cos(theta), jnp.sin(theta)


def unit_circle_grad(theta) -> tuple[jax.Array, jax.Array]:
    """d/dθ (cos θ, sin θ) = (−sin θ, cos θ): the tangent, the point turned by 90°.

    Example:
      >>> dc, ds = unit_circle_grad(0.0)
      >>> float(dc), float(ds)
      (-0.0, 1.0)
    """
    theta = _float(theta)
    return -jnp.sin(theta), jnp.cos(theta)


def rotation_matrix_grad(theta) -> jax.Array:
    """dR/dθ = [[−sin θ, −cos θ], [cos θ, −sin θ]] = R(θ + π/2).

    Example:
      >>> rotation_matrix_grad(0.0).tolist()
      [[-0.0, -1.0], [1.0, -0.0]]
    """
    s, c = unit_circle_grad(theta)
    return jnp.stack([jnp.stack([s, -c], axis=-1), jnp.stack([c, s], axis=-1)], axis=-2)


def rotation_matrix(theta) -> jax.Array:
    """R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]], counter-clockwise by θ radians.

    Args:
      theta: an angle or an array of angles.

    Returns:
      Shape ``theta.shape + (2, 2)``; orthogonal with determinant 1.

    Example:
      >>> jnp.round(rotation_matrix(jnp.pi / 2) @ jnp.array([1., 0.]), 6).tolist()
      [0.0, 1.0]
    """
    c, s = unit_circle(theta)
    return jnp.stack([jnp.stack([c, -s], axis=-1), jnp.stack([s, c], axis=-1)], axis=-2)


def rotate(points, theta) -> jax.Array:
    """Rotate 2-D points (shape (..., 2)) counter-clockwise by θ about the origin.

    Each row p becomes R(θ)·p.

    Example:
      >>> jnp.round(rotate(jnp.array([[1., 0.], [0., 2.]]), jnp.pi / 2), 6).tolist()
      [[0.0, 1.0], [-2.0, 0.0]]
    """
    points = _float(points)
    return points @ rotation_matrix(jnp.asarray(theta, points.dtype)).T


def positional_encoding(num_positions: int, d_model: int, base: float = 10000.0,
                        dtype=None) -> jax.Array:
    """Sinusoidal positional encoding of the Transformer.

    PE[pos, 2i] = sin(pos / base^(2i/d)),  PE[pos, 2i+1] = cos(pos / base^(2i/d)),
    so each pair of columns is a point going round a circle at its own frequency, from
    one turn per 2π positions (i = 0) to one per 2π·base positions.

    Args:
      num_positions: number of positions (rows), pos = 0 … num_positions − 1.
      d_model: encoding width (columns); an odd width ends with a sine column.
      base: the wavelength scale (10000 in the paper).
      dtype: float dtype (default: the default float dtype).

    Returns:
      (num_positions, d_model) array. Row 0 is [0, 1, 0, 1, …].

    Example:
      >>> positional_encoding(4, 6)[0].tolist()
      [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
      >>> round(float(positional_encoding(4, 6)[1, 0]), 6)   # sin(1)
      0.841471
    """
    if int(num_positions) < 1 or int(d_model) < 1:
        raise UserError(f"num_positions and d_model must be >= 1, got {num_positions}, "
                        f"{d_model}")
    dtype = dtype or jnp.result_type(float)
    pos = jnp.arange(num_positions, dtype=dtype)[:, None]
    two_i = (jnp.arange(d_model) // 2 * 2).astype(dtype)[None, :]       # 0,0,2,2,4,4,…
    angle = pos / jnp.power(jnp.asarray(base, dtype), two_i / d_model)
    even = (jnp.arange(d_model) % 2 == 0)[None, :]
    return jnp.where(even, jnp.sin(angle), jnp.cos(angle))


def dft_matrix(n: int, dtype=None) -> jax.Array:
    """W[k, m] = e^(−2πi·km/n) (the exponent reduced mod n first, for accuracy).

    Example:
      >>> jnp.round(dft_matrix(2).real, 6).tolist()
      [[1.0, 1.0], [1.0, -1.0]]
    """
    dtype = dtype or jnp.result_type(complex)
    k = jnp.arange(n)
    km = (k[:, None] * k[None, :]) % n
    real = jnp.finfo(dtype).dtype
    angle = (-2.0 * math.pi / n) * km.astype(real)
    return jax.lax.complex(jnp.cos(angle), jnp.sin(angle)).astype(dtype)


def dft(x) -> jax.Array:
    """The discrete Fourier transform as a matrix product, X = W x along the last axis.

    X_k = Σₙ xₙ e^(−2πi·kn/N); equals ``jnp.fft.fft(x)`` (O(N²) instead of O(N log N)).

    Example:
      >>> dft(jnp.array([1., 0., 0., 0.])).real.tolist()
      [1.0, 1.0, 1.0, 1.0]
      >>> jnp.round(dft(jnp.array([1., 2., 3., 4.])), 4).tolist()
      [(10+0j), (-2+2j), (-2+0j), (-2-2j)]
    """
    x = jnp.asarray(x)
    cdtype = jnp.complex128 if x.dtype in (jnp.float64, jnp.complex128) else jnp.complex64
    x = x.astype(cdtype)
    return jnp.einsum("km,...m->...k", dft_matrix(x.shape[-1], cdtype), x)


def idft(X) -> jax.Array:
    """Inverse DFT: xₙ = (1/N) Σₖ X_k e^(+2πi·kn/N) = conj(W) X / N.

    Example:
      >>> jnp.round(idft(dft(jnp.array([1., 2., 3.]))).real, 5).tolist()
      [1.0, 2.0, 3.0]
    """
    X = jnp.asarray(X)
    cdtype = jnp.complex128 if X.dtype in (jnp.float64, jnp.complex128) else jnp.complex64
    X = X.astype(cdtype)
    n = X.shape[-1]
    return jnp.einsum("km,...m->...k", jnp.conj(dft_matrix(n, cdtype)), X) / n


def square_wave(x, period: float = 2 * math.pi) -> jax.Array:
    """The square wave sign(sin(2πx/period)): +1 on the first half period, −1 after, and 0
    at the jumps (the value every Fourier partial sum takes there).

    Computed from the phase t = (x / period) mod 1, not from sin, whose rounding at
    x = ±period/2 (sin(π) ≈ −8.7e-8 in float32) would give ±1 at a jump.

    Example:
      >>> square_wave(jnp.array([1.0, jnp.pi, 4.0])).tolist()
      [1.0, 0.0, -1.0]
    """
    x = _float(x)
    t = jnp.mod(x / period, 1.0)
    return jnp.where((t == 0) | (t == 0.5), jnp.zeros_like(t),
                     jnp.where(t < 0.5, jnp.ones_like(t), -jnp.ones_like(t)))


def fourier_series(x, n_terms: int, period: float = 2 * math.pi) -> jax.Array:
    """Fourier-series approximation of the square wave with ``n_terms`` odd harmonics.

    sq(x) ≈ (4/π) Σₖ₌₁ⁿ sin((2k − 1)ωx) / (2k − 1),  ω = 2π/period.

    The mean-square error falls like 1/n, but near each jump the partial sums overshoot
    by about 9% of the jump whatever n is (Gibbs' phenomenon).

    Args:
      x: points (any shape).
      n_terms: number of odd harmonics (static).
      period: the wave's period.

    Returns:
      The partial sum at x, shaped like x.

    Example:
      >>> round(float(fourier_series(jnp.pi / 2, 1000)), 3)
      1.0
      >>> round(float(fourier_series(jnp.pi / 2, 1)), 6)   # 4/π
      1.27324
    """
    if int(n_terms) < 1:
        raise UserError(f"n_terms must be >= 1, got {n_terms}")
    x = _float(x)
    odd = (2 * jnp.arange(1, n_terms + 1) - 1).astype(x.dtype).reshape((1,) * x.ndim + (-1,))
    w = 2 * math.pi / period
    terms = jnp.sin(w * x[..., None] * odd) / odd
    return (4 / math.pi) * jnp.sum(terms, axis=-1)


def fourier_partial_sums(x, n_max: int, period: float = 2 * math.pi) -> jax.Array:
    """Every partial sum of the square wave's series at once: shape ``x.shape + (n_max,)``,
    entry [..., n − 1] equal to ``fourier_series(x, n)`` (a cumulative sum of the terms,
    so one pass gives the whole error-vs-n curve).

    Example:
      >>> jnp.round(fourier_partial_sums(jnp.pi / 2, 3), 4).tolist()
      [1.2732, 0.8488, 1.1035]
    """
    if int(n_max) < 1:
        raise UserError(f"n_max must be >= 1, got {n_max}")
    x = _float(x)
    odd = (2 * jnp.arange(1, n_max + 1) - 1).astype(x.dtype).reshape((1,) * x.ndim + (-1,))
    w = 2 * math.pi / period
    return (4 / math.pi) * jnp.cumsum(jnp.sin(w * x[..., None] * odd) / odd, axis=-1)


# ------------------------------------------------------------------------ registration
# Vector-valued functions are checked through a random weighting w (registry contract).

def _sample_angles(key, dtype):
    k1, k2 = jax.random.split(key)
    return (jax.random.uniform(k1, (6,), dtype, -jnp.pi, jnp.pi),
            jax.random.normal(k2, (2, 6), dtype))


def _sample_rotation(key, dtype):
    k1, k2 = jax.random.split(key)
    return (jax.random.uniform(k1, (5,), dtype, -jnp.pi, jnp.pi),
            jax.random.normal(k2, (5, 2, 2), dtype))


registry.register(
    "trig.unit_circle",
    lambda t, w: w[0] * unit_circle(t)[0] + w[1] * unit_circle(t)[1],
    lambda t, w: w[0] * unit_circle_grad(t)[0] + w[1] * unit_circle_grad(t)[1],
    _sample_angles, doc="d/dθ (cos θ, sin θ) = (−sin θ, cos θ)")
registry.register(
    "trig.rotation_matrix",
    lambda t, w: jnp.sum(w * rotation_matrix(t), axis=(-2, -1)),
    lambda t, w: jnp.sum(w * rotation_matrix_grad(t), axis=(-2, -1)),
    _sample_rotation, doc="dR/dθ = R(θ + π/2)")
