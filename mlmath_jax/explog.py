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

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp

from mlmath_jax import registry

LOG2 = 0.6931471805599453


def _inexact(x) -> jax.Array:
    """x as an array, integers and booleans cast to the default float."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    return x


def sigmoid(x: jax.Array) -> jax.Array:
    """The logistic function σ(x) = 1 / (1 + e^(−x)), stable for any finite x.

    e^(−|x|) never overflows, so both branches are finite for any x.

    Args:
      x: array of any shape.

    Returns:
      σ(x), same shape and dtype.

    Example:
      >>> print(sigmoid(jnp.array([0.0, 2.0, -1e4])).round(6).tolist())
      [0.5, 0.880797, 0.0]
    """
    x = jnp.asarray(x)
    e = jnp.exp(-jnp.abs(x))
    return jnp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: jax.Array) -> jax.Array:
    """σ'(x) = σ(x)·(1 − σ(x)), evaluated as σ(x)·σ(−x).

    1 − σ(x) = σ(−x); the second form keeps its tiny value for large x (σ(50) rounds to
    1 in float32, so σ(1 − σ) would give 0 instead of 1.9e−22).

    Args:
      x: array of any shape.

    Returns:
      σ'(x), same shape and dtype.

    Example:
      >>> print(float(sigmoid_grad(0.0)), float(sigmoid_grad(50.0)) > 0)
      0.25 True
    """
    x = jnp.asarray(x)
    return sigmoid(x) * sigmoid(-x)


def log_sigmoid(x: jax.Array) -> jax.Array:
    """log σ(x) = −softplus(−x) = −log(1 + e^(−x)), stable for large |x|.

    Args:
      x: array of any shape.

    Returns:
      log σ(x), same shape and dtype (≈ x for very negative x, never −∞ for finite x).

    Example:
      >>> print(log_sigmoid(jnp.array([0.0, -1e4])).round(6).tolist())
      [-0.693147, -10000.0]
    """
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

    Args:
      x: array.
      axis: axis (or None for all entries) to reduce.
      keepdims: keep the reduced axis with size 1.

    Returns:
      log Σ e^(xᵢ) along ``axis``.

    Example:
      >>> print(float(logsumexp(jnp.array([1000.0, 1000.0]))))
      1000.693...
    """
    x = jnp.asarray(x)
    m = jnp.max(x, axis=axis, keepdims=True)
    m = jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, jnp.zeros_like(m)))
    out = m + jnp.log(jnp.sum(jnp.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else jnp.squeeze(out, axis=axis)


def log_softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """log softmax(x)ᵢ = (xᵢ − m) − log Σⱼ e^(xⱼ − m),  m = max x (the shifted form).

    Subtracting m *before* the difference keeps every term of order one: the unshifted
    xᵢ − LSE(x) cancels two large numbers (at x = 1e4 in float32 the spacing of floats is
    1e−3, so the result lost three digits). Rows whose entries are all −∞ give nan.

    Args:
      x: array of scores.
      axis: the axis of the classes.

    Returns:
      log softmax(x), same shape and dtype; equals ``jax.nn.log_softmax``.

    Example:
      >>> print(log_softmax(jnp.full(5, 1e4)).round(6).tolist())
      [-1.609438, -1.609438, -1.609438, -1.609438, -1.609438]
    """
    x = jnp.asarray(x)
    m = jnp.max(x, axis=axis, keepdims=True)
    shifted = x - jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, jnp.zeros_like(m)))
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))


def softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m), m = max x (shift-invariant, so stable).

    Args:
      x: array of scores.
      axis: the axis of the classes.

    Returns:
      Probabilities along ``axis`` (non-negative, summing to 1), same shape and dtype.

    Example:
      >>> print(softmax(jnp.array([0.0, jnp.log(3.0)])).round(6).tolist())
      [0.25, 0.75]
    """
    x = jnp.asarray(x)
    z = jnp.exp(x - jax.lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True)))
    return z / jnp.sum(z, axis=axis, keepdims=True)


@jax.custom_jvp
def _xlogy(x: jax.Array, y: jax.Array) -> jax.Array:
    """x·log y with 0·log 0 = 0, and the right gradient at the boundary.

    ∂/∂x = log y (finite wherever y > 0, also at x = 0: the cross-entropy's gradient
    with respect to the true distribution is −log q, not 0); ∂/∂y = x / y, taken as 0
    where x = 0 (the term is identically 0 there, whatever y).
    """
    x, y = jnp.asarray(x), jnp.asarray(y)
    safe_y = jnp.where(x == 0, jnp.ones_like(y), y)
    return jnp.where(x == 0, jnp.zeros_like(x), x * jnp.log(safe_y))


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    x, y = primals
    dx, dy = tangents
    out = _xlogy(x, y)
    x, y = jnp.asarray(x), jnp.asarray(y)
    safe_y = jnp.where(x == 0, jnp.ones_like(y), y)
    d_dy = jnp.where(x == 0, jnp.zeros_like(x), x / safe_y)
    return out, jnp.log(y) * dx + d_dy * dy


def entropy(p: jax.Array, base: float | None = 2, axis: int = -1) -> jax.Array:
    """H(p) = −Σ pᵢ log pᵢ, in bits for base 2 (the default), nats for base None or e.

    0·log 0 = 0; the gradient −(log pᵢ + 1) is +∞ at pᵢ = 0, as the mathematics says.

    Args:
      p: probabilities along ``axis``.
      base: the logarithm's base (None: nats).
      axis: the axis of the outcomes.

    Returns:
      The entropy, with ``axis`` removed.

    Example:
      >>> print(float(entropy(jnp.array([0.5, 0.5, 0.0]))))
      1.0
    """
    h = -jnp.sum(_xlogy(p, p), axis=axis)
    return h if base is None else h / jnp.log(jnp.asarray(base, h.dtype))


def cross_entropy(p_true: jax.Array, p_pred: jax.Array, base: float | None = None,
                  axis: int = -1) -> jax.Array:
    """H(p, q) = −Σ pᵢ log qᵢ (nats by default). Infinite where qᵢ = 0 < pᵢ.

    0·log qᵢ = 0 where pᵢ = 0, and the gradients stay right at that boundary:
    ∂H/∂pᵢ = −log qᵢ (finite for qᵢ > 0, also where pᵢ = 0), ∂H/∂qᵢ = −pᵢ/qᵢ (0 where
    pᵢ = 0).

    Args:
      p_true: the true distribution p along ``axis``.
      p_pred: the model's distribution q, same shape.
      base: the logarithm's base (None: nats).
      axis: the axis of the outcomes.

    Returns:
      H(p, q), with ``axis`` removed.

    Example:
      >>> p, q = jnp.array([0.0, 1.0]), jnp.array([0.5, 0.5])
      >>> print(round(float(cross_entropy(p, q)), 6))
      0.693147
      >>> print(jax.grad(cross_entropy)(p, q).round(6).tolist())
      [0.693147, 0.693147]
    """
    h = -jnp.sum(_xlogy(p_true, p_pred), axis=axis)
    return h if base is None else h / jnp.log(jnp.asarray(base, h.dtype))


def kl_divergence(p: jax.Array, q: jax.Array, base: float | None = None,
                  axis: int = -1) -> jax.Array:
    """KL(p ‖ q) = Σ pᵢ log(pᵢ / qᵢ) = H(p, q) − H(p) ≥ 0 (nats by default).

    Args:
      p: distribution along ``axis``.
      q: distribution, same shape (infinite where qᵢ = 0 < pᵢ).
      base: the logarithm's base (None: nats).
      axis: the axis of the outcomes.

    Returns:
      KL(p ‖ q), with ``axis`` removed.

    Example:
      >>> print(float(kl_divergence(jnp.array([0.5, 0.5]), jnp.array([0.25, 0.75]), base=2)))
      0.2075...
    """
    d = jnp.sum(_xlogy(p, p) - _xlogy(p, q), axis=axis)
    return d if base is None else d / jnp.log(jnp.asarray(base, d.dtype))


def mutual_information(joint: jax.Array, base: float | None = 2) -> jax.Array:
    """I(X; Y) = KL(p(x, y) ‖ p(x)p(y)) from a joint probability table (rows x, cols y).

    Args:
      joint: (|X|, |Y|) probabilities summing to 1.
      base: the logarithm's base (None: nats).

    Returns:
      A scalar ≥ 0 (0 for independent X and Y).

    Example:
      >>> print(float(mutual_information(jnp.array([[0.5, 0.0], [0.0, 0.5]]))))
      1.0
    """
    joint = jnp.asarray(joint)
    px = jnp.sum(joint, axis=1, keepdims=True)
    py = jnp.sum(joint, axis=0, keepdims=True)
    return kl_divergence(joint.ravel(), (px * py).ravel(), base=base)


# ----------------------------------------------------------------- logs in other bases

def log_base(x: jax.Array, base: float) -> jax.Array:
    """log_b x = ln x / ln b (change of base).

    Args:
      x: positive values (nan below 0, −∞ at 0).
      base: b > 0, b ≠ 1.

    Returns:
      log_b x, same shape.

    Example:
      >>> print(round(float(log_base(8.0, 2)), 6))
      3.0
    """
    x = _inexact(x)
    return jnp.log(x) / jnp.log(jnp.asarray(base, x.dtype))


# ------------------------------------------------------------------- products via logs

class LogProd(NamedTuple):
    """Π xᵢ = sign · exp(log_abs).

    Attributes:
      sign: Π sign xᵢ (−1, 0 or 1).
      log_abs: Σ log |xᵢ| (−∞ where a factor is 0).
    """

    sign: jax.Array
    log_abs: jax.Array


def log_prod(x: jax.Array, axis: int | None = -1) -> LogProd:
    """The product of x along ``axis`` as (sign, log |Π xᵢ|) = (Π sign xᵢ, Σ log |xᵢ|).

    Turning a product into a sum of logs is how likelihoods of many independent events
    are computed: Π pᵢ underflows to 0 for a few hundred small pᵢ, Σ log pᵢ does not.
    A zero factor gives sign 0 and log_abs = −∞.

    Args:
      x: array of factors.
      axis: the axis to multiply along (None: all entries).

    Returns:
      :class:`LogProd` (sign, log_abs), with ``axis`` removed.

    Example:
      >>> r = log_prod(jnp.array([-2.0, 3.0, 4.0]))   # sign −1, log_abs = log 24
      >>> print(float(r.sign), round(float(r.log_abs), 5))
      -1.0 3.17805
    """
    x = _inexact(x)
    return LogProd(jnp.prod(jnp.sign(x), axis=axis), jnp.sum(jnp.log(jnp.abs(x)), axis=axis))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def prod_via_logs(x: jax.Array, axis: int | None = -1) -> jax.Array:
    """Π xᵢ computed as sign · exp(Σ log |xᵢ|) (see :func:`log_prod`).

    The gradient is the exact ∂Π/∂xⱼ = Π_{i≠j} xᵢ, computed in log space from the
    non-zero factors, so it is finite where one factor is 0 (the log form alone would
    give 0·∞ = nan there): ``jax.grad(prod_via_logs)([2., 0., 3.])`` is [0, 6, 0].

    Args:
      x: array of factors.
      axis: the axis to multiply along (None: all entries).

    Returns:
      The product, with ``axis`` removed.

    Example:
      >>> print(float(prod_via_logs(jnp.array([-2.0, 3.0, 4.0]))))
      -24.0...
      >>> print(jax.grad(prod_via_logs)(jnp.array([2.0, 0.0, 3.0])).round(4).tolist())
      [0.0, 6.0, 0.0]
    """
    sign, log_abs = log_prod(x, axis=axis)
    return sign * jnp.exp(log_abs)


@prod_via_logs.defjvp
def _prod_via_logs_jvp(axis, primals, tangents):
    (x,), (dx,) = primals, tangents
    out = prod_via_logs(x, axis)
    x = _inexact(x)
    zero = x == 0
    safe = jnp.where(zero, jnp.ones_like(x), x)
    sign = jnp.prod(jnp.sign(safe), axis=axis, keepdims=True)     # of the non-zero factors
    log_abs = jnp.sum(jnp.log(jnp.abs(safe)), axis=axis, keepdims=True)
    zeros = jnp.sum(zero, axis=axis, keepdims=True)
    # Π_{i≠j} xᵢ: no zero factor → the product over the others; one zero → the product of
    # the non-zero factors at the zero and 0 elsewhere; two or more zeros → 0.
    others = sign * jnp.sign(safe) * jnp.exp(log_abs - jnp.log(jnp.abs(safe)))
    at_zero = jnp.broadcast_to(sign * jnp.exp(log_abs), x.shape)
    excl = jnp.where(zeros == 0, others,
                     jnp.where((zeros == 1) & zero, at_zero, jnp.zeros_like(x)))
    return out, jnp.sum(excl * dx, axis=axis)


# ------------------------------------------------------------ hand-written derivatives

def log_sigmoid_grad(x: jax.Array) -> jax.Array:
    """d/dx log σ(x) = 1 − σ(x) = σ(−x).

    Args:
      x: array of any shape.

    Returns:
      σ(−x), same shape.

    Example:
      >>> print(float(log_sigmoid_grad(0.0)))
      0.5
    """
    return sigmoid(-jnp.asarray(x))


def logsumexp_grad(x: jax.Array, axis: int = -1) -> jax.Array:
    """∂LSE(x)/∂xᵢ = e^(xᵢ) / Σⱼ e^(xⱼ) = softmax(x)ᵢ.

    Args:
      x: array of scores.
      axis: the axis LSE reduces.

    Returns:
      softmax(x), same shape.

    Example:
      >>> print(logsumexp_grad(jnp.zeros(4)).tolist())
      [0.25, 0.25, 0.25, 0.25]
    """
    return softmax(x, axis=axis)


def softmax_vjp(x: jax.Array, w: jax.Array, axis: int = -1) -> jax.Array:
    """∂/∂x Σᵢ wᵢ softmax(x)ᵢ = s ⊙ (w − ⟨w, s⟩), s = softmax(x).

    From the Jacobian ∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ) = diag(s) − s sᵀ, applied to w.

    Args:
      x: scores. w: the cotangent, same shape.
      axis: the axis of the classes.

    Returns:
      wᵀJ, same shape as x.

    Example:
      >>> print(softmax_vjp(jnp.zeros(2), jnp.array([1.0, 0.0])).tolist())
      [0.25, -0.25]
    """
    s = softmax(x, axis=axis)
    return s * (w - jnp.sum(w * s, axis=axis, keepdims=True))


def log_softmax_vjp(x: jax.Array, w: jax.Array, axis: int = -1) -> jax.Array:
    """∂/∂x Σᵢ wᵢ log softmax(x)ᵢ = w − softmax(x) · Σᵢ wᵢ.

    Args:
      x: scores. w: the cotangent, same shape.
      axis: the axis of the classes.

    Returns:
      wᵀJ, same shape as x.

    Example:
      >>> print(log_softmax_vjp(jnp.zeros(2), jnp.array([1.0, 0.0])).tolist())
      [0.5, -0.5]
    """
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
