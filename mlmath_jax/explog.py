"""Exponents and logarithms: sigmoid, softmax, log-sum-exp and the information measures.

Every function is written in its numerically stable form:

* σ(x) = 1 / (1 + e^(−x)) evaluated without overflow for large |x|;
* log-sum-exp  LSE(x) = m + log Σ e^(xᵢ − m),  m = max x  (the "log-sum-exp trick");
* log-softmax  log softmax(x)ᵢ = xᵢ − LSE(x);
* entropy, cross-entropy and KL divergence with the convention 0·log 0 = 0.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

LOG2 = 0.6931471805599453


def sigmoid(x: jax.Array) -> jax.Array:
    """σ(x) = 1 / (1 + e^(−x)), stable for any finite x (e^(−|x|) never overflows)."""
    x = jnp.asarray(x)
    e = jnp.exp(-jnp.abs(x))
    return jnp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: jax.Array) -> jax.Array:
    """σ'(x) = σ(x)·(1 − σ(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


def log_sigmoid(x: jax.Array) -> jax.Array:
    """log σ(x) = −softplus(−x) = −log(1 + e^(−x)), stable for large |x|."""
    x = jnp.asarray(x)
    return jnp.minimum(x, 0.0) - jnp.log1p(jnp.exp(-jnp.abs(x)))


def logsumexp(x: jax.Array, axis: int | None = -1, keepdims: bool = False) -> jax.Array:
    """LSE(x) = m + log Σᵢ e^(xᵢ − m) with m = max x; finite whenever x is.

    Axes whose entries are all −∞ give −∞.
    """
    x = jnp.asarray(x)
    m = jnp.max(x, axis=axis, keepdims=True)
    m = jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, jnp.zeros_like(m)))
    out = m + jnp.log(jnp.sum(jnp.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else jnp.squeeze(out, axis=axis)


def log_softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """log softmax(x)ᵢ = xᵢ − LSE(x)."""
    x = jnp.asarray(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m), m = max x (shift-invariant, so stable)."""
    x = jnp.asarray(x)
    z = jnp.exp(x - jax.lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True)))
    return z / jnp.sum(z, axis=axis, keepdims=True)


def _xlogy(x: jax.Array, y: jax.Array) -> jax.Array:
    """x·log y with 0·log 0 = 0 (and a zero gradient there)."""
    safe_y = jnp.where(x == 0, jnp.ones_like(y), y)
    return jnp.where(x == 0, jnp.zeros_like(x), x * jnp.log(safe_y))


def entropy(p: jax.Array, base: float | None = 2, axis: int = -1) -> jax.Array:
    """H(p) = −Σ pᵢ log pᵢ, in bits for base 2 (the default), nats for base None or e."""
    h = -jnp.sum(_xlogy(p, p), axis=axis)
    return h if base is None else h / jnp.log(jnp.asarray(base, h.dtype))


def cross_entropy(p_true: jax.Array, p_pred: jax.Array, base: float | None = None,
                  axis: int = -1) -> jax.Array:
    """H(p, q) = −Σ pᵢ log qᵢ (nats by default). Infinite where qᵢ = 0 < pᵢ."""
    h = -jnp.sum(_xlogy(p_true, p_pred), axis=axis)
    return h if base is None else h / jnp.log(jnp.asarray(base, h.dtype))


def kl_divergence(p: jax.Array, q: jax.Array, base: float | None = None,
                  axis: int = -1) -> jax.Array:
    """KL(p ‖ q) = Σ pᵢ log(pᵢ / qᵢ) = H(p, q) − H(p) ≥ 0 (nats by default)."""
    d = jnp.sum(_xlogy(p, p) - _xlogy(p, q), axis=axis)
    return d if base is None else d / jnp.log(jnp.asarray(base, d.dtype))


def mutual_information(joint: jax.Array, base: float | None = 2) -> jax.Array:
    """I(X; Y) = KL(p(x, y) ‖ p(x)p(y)) from a joint probability table (rows x, cols y)."""
    joint = jnp.asarray(joint)
    px = jnp.sum(joint, axis=1, keepdims=True)
    py = jnp.sum(joint, axis=0, keepdims=True)
    return kl_divergence(joint.ravel(), (px * py).ravel(), base=base)
