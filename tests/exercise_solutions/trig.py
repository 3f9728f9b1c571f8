"""trigonometry."""

import jax.numpy as jnp
import numpy as np


def rotation_matrix(theta):
    c, s = jnp.cos(theta), jnp.sin(theta)
    return jnp.array([[c, -s], [s, c]])


def dft(x):
    n = x.shape[0]
    k = jnp.arange(n)
    w = jnp.exp(-2j * jnp.pi * k[:, None] * k[None, :] / n)
    return w @ x.astype(jnp.complex64)


def angle_between(u, v):
    c = u @ v / (jnp.linalg.norm(u) * jnp.linalg.norm(v))
    return jnp.arccos(jnp.clip(c, -1.0, 1.0))


def wrap_angle(theta):
    return jnp.arctan2(jnp.sin(theta), jnp.cos(theta))


CORRECT = dict(rotation_matrix=rotation_matrix, dft=dft, angle_between=angle_between,
               wrap_angle=wrap_angle)


def _dft_plus(x):
    n = x.shape[0]
    k = jnp.arange(n)
    return jnp.exp(2j * jnp.pi * k[:, None] * k[None, :] / n) @ x.astype(jnp.complex64)


def _dft_numpy(x):
    n = len(x)
    k = np.arange(n)
    return np.exp(-2j * np.pi * np.outer(k, k) / n) @ np.asarray(x)


WRONG = [
    ("rotation_matrix", lambda t: rotation_matrix(t).T, "transposed"),
    ("rotation_matrix", lambda t: rotation_matrix(jnp.deg2rad(t)), "mistake:degrees"),
    ("rotation_matrix", lambda t: -rotation_matrix(t), "sign"),
    ("dft", _dft_plus, "conjugated"),
    ("dft", lambda x: dft(x) / x.shape[0], "mistake:normalized"),
    ("dft", _dft_numpy, "dtype"),
    ("angle_between", lambda u, v: jnp.arccos(u @ v / (jnp.linalg.norm(u) *
                                                      jnp.linalg.norm(v))), "not_finite"),
    ("angle_between", lambda u, v: jnp.degrees(angle_between(u, v)), "factor"),
    ("angle_between", lambda u, v: u @ v / (jnp.linalg.norm(u) * jnp.linalg.norm(v)),
     "mistake:cosine"),
    ("wrap_angle", lambda t: jnp.mod(t, 2 * jnp.pi), "mistake:mod_2pi"),
    ("wrap_angle", lambda t: jnp.where(t > 0, wrap_angle(t), t), "half_domain"),
    ("wrap_angle", lambda t: jnp.arctan(jnp.sin(t) / jnp.cos(t)), "values"),
]
