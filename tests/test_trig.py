"""trig: unit circle, rotations, positional encoding, DFT, Fourier series.

Oracles: numpy's trigonometric functions, jnp.fft.fft / ifft, scipy.special.sici (the
Gibbs constant), and an independent loop over the seed's positional-encoding formula.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import sici

from mlmath_jax import trig


@pytest.mark.parametrize("theta, point", [
    (0.0, (1.0, 0.0)), (math.pi / 2, (0.0, 1.0)), (math.pi, (-1.0, 0.0)),
    (3 * math.pi / 2, (0.0, -1.0)), (math.pi / 6, (math.sqrt(3) / 2, 0.5)),
    (math.pi / 4, (math.sqrt(2) / 2, math.sqrt(2) / 2)), (math.pi / 3, (0.5, math.sqrt(3) / 2)),
])
def test_seed_unit_circle_key_points(theta, point):
    c, s = trig.unit_circle(theta)
    assert float(c) == pytest.approx(point[0], abs=1e-6)
    assert float(s) == pytest.approx(point[1], abs=1e-6)


def test_seed_pythagorean_identity():
    theta = jax.random.uniform(jax.random.key(0), (1000,), minval=-10.0, maxval=10.0)
    c, s = trig.unit_circle(theta)
    np.testing.assert_allclose(np.asarray(s ** 2 + c ** 2), 1.0, rtol=1e-6)   # sin²+cos² = 1
    np.testing.assert_allclose(np.asarray(c), np.cos(np.asarray(theta)), rtol=1e-6, atol=1e-6)


def test_rotation_matrices():
    R = trig.rotation_matrix(math.pi / 2)
    np.testing.assert_allclose(np.asarray(R @ jnp.array([1.0, 0.0])), [0.0, 1.0], atol=1e-6)
    a, b = 0.7, -1.9
    np.testing.assert_allclose(np.asarray(trig.rotation_matrix(a) @ trig.rotation_matrix(b)),
                               np.asarray(trig.rotation_matrix(a + b)), atol=1e-6)
    thetas = jnp.linspace(-3.0, 3.0, 5)
    Rs = trig.rotation_matrix(thetas)
    assert Rs.shape == (5, 2, 2)
    np.testing.assert_allclose(np.asarray(jnp.einsum("nij,nkj->nik", Rs, Rs)),
                               np.broadcast_to(np.eye(2), (5, 2, 2)), atol=1e-6)   # RRᵀ = I
    np.testing.assert_allclose(np.linalg.det(np.asarray(Rs)), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.vmap(trig.rotation_matrix)(thetas)),
                               np.asarray(Rs))
    pts = trig.rotate(jnp.array([[1.0, 0.0], [0.0, 2.0]]), math.pi)
    np.testing.assert_allclose(np.asarray(pts), [[-1.0, 0.0], [0.0, -2.0]], atol=1e-6)


def _pe_reference(num_positions, d_model):
    pe = np.zeros((num_positions, d_model))
    for pos in range(num_positions):
        for i in range(0, d_model, 2):
            pe[pos, i] = math.sin(pos / 10000 ** (i / d_model))
            if i + 1 < d_model:
                pe[pos, i + 1] = math.cos(pos / 10000 ** (i / d_model))
    return pe


@pytest.mark.parametrize("num_positions, d_model", [(50, 16), (7, 5)])
def test_positional_encoding_matches_the_formula(num_positions, d_model):
    pe = trig.positional_encoding(num_positions, d_model)
    assert pe.shape == (num_positions, d_model)
    np.testing.assert_allclose(np.asarray(pe), _pe_reference(num_positions, d_model),
                               atol=2e-5)


def test_seed_position_zero_is_0_1_0_1():
    np.testing.assert_array_equal(np.asarray(trig.positional_encoding(3, 8)[0]),
                                  [0, 1, 0, 1, 0, 1, 0, 1])


def test_positional_encoding_float64():
    with jax.enable_x64(True):
        pe = trig.positional_encoding(20, 6, dtype=jnp.float64)
        assert pe.dtype == jnp.float64
        np.testing.assert_allclose(np.asarray(pe), _pe_reference(20, 6), rtol=1e-12,
                                   atol=1e-12)


def test_dft_matches_fft():
    x = jax.random.normal(jax.random.key(1), (3, 16))
    np.testing.assert_allclose(np.asarray(trig.dft(x)), np.asarray(jnp.fft.fft(x)),
                               atol=1e-4)
    z = jax.lax.complex(x, x[::-1])
    np.testing.assert_allclose(np.asarray(trig.dft(z)), np.asarray(jnp.fft.fft(z)), atol=1e-4)
    np.testing.assert_allclose(np.asarray(trig.idft(trig.dft(z))), np.asarray(z), atol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(trig.dft)(x)), np.asarray(jnp.fft.fft(x)),
                               atol=1e-4)
    with jax.enable_x64(True):
        y = jax.random.normal(jax.random.key(2), (64,), jnp.float64)
        np.testing.assert_allclose(np.asarray(trig.dft(y)), np.fft.fft(np.asarray(y)),
                                   atol=1e-11)


def test_fourier_series_error_falls_with_n():
    x = jnp.linspace(0.0, 2 * math.pi, 1000, endpoint=False)
    target = np.asarray(trig.square_wave(x))
    sums = np.asarray(trig.fourier_partial_sums(x, 64))          # column n − 1: n terms
    np.testing.assert_allclose(sums[:, 63], np.asarray(trig.fourier_series(x, 64)),
                               atol=1e-5)
    errors = [float(np.mean((sums[:, n - 1] - target) ** 2)) for n in (1, 4, 16, 64)]
    assert all(a > b for a, b in zip(errors, errors[1:], strict=False))
    # away from the jumps the series converges to the wave
    assert float(trig.fourier_series(math.pi / 2, 2000)) == pytest.approx(1.0, abs=1e-3)


def test_fourier_series_gibbs_overshoot():
    # the peak of the partial sums tends to (2/π)·Si(π) ≈ 1.17898, not to 1
    n = 200
    x = jnp.linspace(1e-4, 0.1, 4000)
    peak = float(jnp.max(trig.fourier_series(x, n)))
    assert peak == pytest.approx(2 / math.pi * sici(math.pi)[0], abs=2e-3)


def test_manual_derivatives_of_the_unit_circle_and_rotation():
    from mlmath_jax import trig as T

    theta = jnp.linspace(-3.0, 3.0, 7)
    dcos = jax.vmap(jax.grad(lambda t: T.unit_circle(t)[0]))(theta)
    dsin = jax.vmap(jax.grad(lambda t: T.unit_circle(t)[1]))(theta)
    np.testing.assert_allclose(T.unit_circle_grad(theta), (dcos, dsin), atol=1e-6)
    dR = jax.vmap(jax.jacfwd(T.rotation_matrix))(theta)
    np.testing.assert_allclose(T.rotation_matrix_grad(theta), dR, atol=1e-6)
    np.testing.assert_allclose(T.rotation_matrix_grad(theta),
                               T.rotation_matrix(theta + jnp.pi / 2), atol=1e-6)


def test_square_wave_is_zero_at_its_jumps_and_plus_minus_one_between():
    x = jnp.array([-math.pi, -1.0, 0.0, 1.0, math.pi, 2 * math.pi, 3.5])
    np.testing.assert_array_equal(trig.square_wave(x), [0, -1, 0, 1, 0, 0, -1])
