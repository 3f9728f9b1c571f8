"""Exponents and logarithms: sigmoid, softmax, log-sum-exp and the information measures.

Every function is written in its numerically stable form:

* σ(x) = 1 / (1 + e^(−x)) evaluated without overflow for large |x|;
* log-sum-exp  LSE(x) = m + log Σ e^(xᵢ − m),  m = max x  (the "log-sum-exp trick");
* log-softmax  log softmax(x)ᵢ = xᵢ − LSE(x);
* entropy, cross-entropy and KL divergence with the convention 0·log 0 = 0;
* products as sums of logs: Π xᵢ = (Π sign xᵢ) · exp(Σ log|xᵢ|), which neither
  overflows nor underflows where the product itself is representable in log space.

Hand-written derivatives (σ' = σ(1 − σ), d log σ = 1 − σ, ∇LSE = softmax, the softmax
and log-softmax vector-Jacobian products) are registered in :mod:`mlmath_jax.registry`
under ``explog.*`` and checked against ``jax.grad`` by the tests and ``mlmath gradcheck``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from mlmath_jax import registry

LOG2 = 0.6931471805599453


def sigmoid(x: jax.Array) -> jax.Array:
    """σ(x) = 1 / (1 + e^(−x)), stable for any finite x (e^(−|x|) never overflows)."""
    x = jnp.asarray(x)
    e = jnp.exp(-jnp.abs(x))
    return jnp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: jax.Array) -> jax.Array:
    """σ'(x) = σ(x)·(1 − σ(x)), evaluated as σ(x)·σ(−x).

    1 − σ(x) = σ(−x); the second form keeps its tiny value for large x (σ(50) rounds to
    1 in float32, so σ(1 − σ) would give 0 instead of 1.9e−22).
    """
    x = jnp.asarray(x)
    return sigmoid(x) * sigmoid(-x)


def log_sigmoid(x: jax.Array) -> jax.Array:
    """log σ(x) = −softplus(−x) = −log(1 + e^(−x)), stable for large |x|."""
    # Two branches, each fed only inputs where its exp cannot overflow, so that jax.grad
    # is right everywhere (min(x, 0) − log1p(e^(−|x|)) gives d/dx = 1 instead of 1/2 at
    # x = 0, where the kinks of min and abs meet).
    x = jnp.asarray(x)
    pos = jnp.where(x >= 0, x, jnp.zeros_like(x))
    neg = jnp.where(x < 0, x, jnp.zeros_like(x))
    return jnp.where(x >= 0, -jnp.log1p(jnp.exp(-pos)), neg - jnp.log1p(jnp.exp(neg)))


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
    x, y = jnp.asarray(x), jnp.asarray(y)
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


# ----------------------------------------------------------------- logs in other bases

def log_base(x: jax.Array, base: float) -> jax.Array:
    """log_b x = ln x / ln b (change of base). Example: ``log_base(8., 2)`` → 3."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    return jnp.log(x) / jnp.log(jnp.asarray(base, x.dtype))


# ------------------------------------------------------------------- products via logs

class LogProd(NamedTuple):
    """Π xᵢ = sign · exp(log_abs)."""

    sign: jax.Array
    log_abs: jax.Array


def log_prod(x: jax.Array, axis: int | None = -1) -> LogProd:
    """The product of x along ``axis`` as (sign, log |Π xᵢ|) = (Π sign xᵢ, Σ log |xᵢ|).

    Turning a product into a sum of logs is how likelihoods of many independent events
    are computed: Π pᵢ underflows to 0 for a few hundred small pᵢ, Σ log pᵢ does not.
    A zero factor gives sign 0 and log_abs = −∞.

    Example:
      >>> log_prod(jnp.array([-2., 3., 4.]))   # sign −1, log_abs = log 24
    """
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    return LogProd(jnp.prod(jnp.sign(x), axis=axis), jnp.sum(jnp.log(jnp.abs(x)), axis=axis))


def prod_via_logs(x: jax.Array, axis: int | None = -1) -> jax.Array:
    """Π xᵢ computed as sign · exp(Σ log |xᵢ|) (see :func:`log_prod`)."""
    sign, log_abs = log_prod(x, axis=axis)
    return sign * jnp.exp(log_abs)


# ------------------------------------------------------------ hand-written derivatives

def log_sigmoid_grad(x: jax.Array) -> jax.Array:
    """d/dx log σ(x) = 1 − σ(x) = σ(−x)."""
    return sigmoid(-jnp.asarray(x))


def logsumexp_grad(x: jax.Array, axis: int = -1) -> jax.Array:
    """∂LSE(x)/∂xᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) = softmax(x)ᵢ."""
    return softmax(x, axis=axis)


def softmax_vjp(x: jax.Array, w: jax.Array, axis: int = -1) -> jax.Array:
    """∂/∂x Σᵢ wᵢ softmax(x)ᵢ = s ⊙ (w − ⟨w, s⟩), s = softmax(x).

    From the Jacobian ∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ) = diag(s) − s sᵀ, applied to w.
    """
    s = softmax(x, axis=axis)
    return s * (w - jnp.sum(w * s, axis=axis, keepdims=True))


def log_softmax_vjp(x: jax.Array, w: jax.Array, axis: int = -1) -> jax.Array:
    """∂/∂x Σᵢ wᵢ log softmax(x)ᵢ = w − softmax(x) · Σᵢ wᵢ."""
    return w - softmax(x, axis=axis) * jnp.sum(w, axis=axis, keepdims=True)


def _normal(scale):
    return lambda key, dtype: (jax.random.normal(key, (7,), dtype) * scale,)


def _normal_and_weight(key, dtype):
    k1, k2 = jax.random.split(key)
    return jax.random.normal(k1, (7,), dtype) * 3, jax.random.normal(k2, (7,), dtype)


registry.register("explog.sigmoid", fn=sigmoid, manual=sigmoid_grad, sample=_normal(4.0),
                  doc="σ'(x) = σ(x)(1 − σ(x))")
registry.register("explog.log_sigmoid", fn=log_sigmoid, manual=log_sigmoid_grad,
                  sample=_normal(4.0), doc="d log σ(x) = 1 − σ(x)")
registry.register("explog.logsumexp", fn=logsumexp, manual=logsumexp_grad,
                  sample=_normal(3.0), doc="∇ LSE(x) = softmax(x)")
registry.register("explog.softmax", fn=lambda x, w: jnp.sum(w * softmax(x)),
                  manual=softmax_vjp, sample=_normal_and_weight,
                  doc="wᵀJ = s ⊙ (w − ⟨w, s⟩), J = diag(s) − ssᵀ")
registry.register("explog.log_softmax", fn=lambda x, w: jnp.sum(w * log_softmax(x)),
                  manual=log_softmax_vjp, sample=_normal_and_weight,
                  doc="wᵀJ = w − softmax(x)·Σw")
