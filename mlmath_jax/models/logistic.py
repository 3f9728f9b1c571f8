"""Logistic and softmax regression: linear scores, a squashing function, cross-entropy.

Logistic regression (two classes, labels y ∈ {0, 1}, X with a bias column):

    p = σ(Xw),   L(w) = −(1/n) Σ [y log p + (1 − y) log(1 − p)],
    ∇L(w) = Xᵀ(σ(Xw) − y)/n

(the loss is computed from the logits z = Xw with
:func:`mlmath_jax.losses.sigmoid_binary_cross_entropy`, so it is finite for any w).

Softmax regression (k classes, integer labels, W of shape (d, k)):

    P = softmax(XW) row-wise,   L(W) = −(1/n) Σᵢ log P_{i, yᵢ},
    ∇L(W) = Xᵀ(P − Y)/n        (Y one-hot)

An L2 penalty (λ/2)‖w‖² on the weights adds λw to the gradient (``l2``; the bias row —
the last, as :func:`mlmath_jax.data.add_bias_column` puts it — is not penalized).

Both manual gradients are registered (``models.logistic.loss``,
``models.logistic.softmax_loss``) and tested against ``jax.grad``.

Example:
    >>> X = jnp.array([[1.0, 1.0], [-1.0, 1.0]])   # one feature and the bias column
    >>> y = jnp.array([1.0, 0.0])
    >>> print(round(float(loss(jnp.zeros(2), X, y)), 6), loss_grad(jnp.zeros(2), X, y).tolist())
    0.693147 [-0.5, 0.0]
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mlmath_jax import explog, losses, registry
from mlmath_jax.metrics import accuracy  # noqa: F401


def _penalty_mask(w: jax.Array) -> jax.Array:
    """1 for every weight row except the last (the bias)."""
    mask = jnp.ones(w.shape[0], w.dtype).at[-1].set(0)
    return mask if w.ndim == 1 else mask[:, None]


# ------------------------------------------------------------------------------ logistic

def logits(w: jax.Array, X: jax.Array) -> jax.Array:
    """z = Xw, the log-odds log(p/(1 − p)).

    Args:
      w: (d,) weights (bias last). X: (n, d).

    Returns:
      (n,) logits.

    Example:
      >>> X = jnp.array([[1.0, 1.0], [-2.0, 1.0]])   # one feature and the bias column
      >>> print(logits(jnp.array([2.0, 0.5]), X).tolist())
      [2.5, -3.5]
    """
    return X @ w


def predict_proba(w: jax.Array, X: jax.Array) -> jax.Array:
    """p = σ(Xw) = P(y = 1 | x).

    Args:
      w: (d,) weights. X: (n, d).

    Returns:
      (n,) probabilities.

    Example:
      >>> X = jnp.array([[1.0, 1.0], [-2.0, 1.0]])   # one feature and the bias column
      >>> print(predict_proba(jnp.zeros(2), X).tolist())
      [0.5, 0.5]
    """
    return explog.sigmoid(X @ w)


def predict(w: jax.Array, X: jax.Array) -> jax.Array:
    """Class 1 where p ≥ ½, i.e. where Xw ≥ 0 (the decision boundary is Xw = 0).

    Args:
      w: (d,) weights. X: (n, d).

    Returns:
      (n,) int32 labels.

    Example:
      >>> X = jnp.array([[1.0, 1.0], [-2.0, 1.0]])   # one feature and the bias column
      >>> print(predict(jnp.array([2.0, 0.5]), X).tolist())
      [1, 0]
    """
    return (X @ w >= 0).astype(jnp.int32)


def loss(w: jax.Array, X: jax.Array, y: jax.Array, l2: float = 0.0) -> jax.Array:
    """L(w) = mean binary cross-entropy of σ(Xw) against y, plus (λ/2)‖w_no bias‖².

    Args:
      w: (d,) weights (bias last). X: (n, d). y: (n,) labels in {0, 1}.
      l2: λ ≥ 0.

    Returns:
      A scalar.

    Example:
      >>> X = jnp.array([[1.0, 1.0], [-2.0, 1.0]])   # one feature and the bias column
      >>> print(round(float(loss(jnp.zeros(2), X, jnp.array([1.0, 0.0]))), 6))
      0.693147
    """
    reg = 0.5 * l2 * jnp.sum(_penalty_mask(w) * w * w)
    return losses.sigmoid_binary_cross_entropy(X @ w, y) + reg


def loss_grad(w: jax.Array, X: jax.Array, y: jax.Array, l2: float = 0.0) -> jax.Array:
    """The manual gradient ∇L(w) = Xᵀ(σ(Xw) − y)/n + λ·w (bias excluded).

    Args:
      w: (d,) weights. X: (n, d). y: (n,) labels. l2: λ.

    Returns:
      (d,) gradient, equal to ``jax.grad(loss)``.

    Example:
      >>> X = jnp.array([[1.0, 1.0], [-2.0, 1.0]])   # one feature and the bias column
      >>> print(loss_grad(jnp.zeros(2), X, jnp.array([1.0, 0.0])).tolist())
      [-0.75, 0.0]
    """
    n = X.shape[0]
    residual = explog.sigmoid(X @ w) - y.astype(w.dtype)
    return X.T @ residual / n + l2 * _penalty_mask(w) * w


# ------------------------------------------------------------------------------- softmax

def softmax_logits(W: jax.Array, X: jax.Array) -> jax.Array:
    """Z = XW, one row of class scores per example.

    Args:
      W: (d, k) weights (bias row last). X: (n, d).

    Returns:
      (n, k) logits.

    Example:
      >>> print(softmax_logits(jnp.eye(2), jnp.array([[1.0, 2.0]])).tolist())
      [[1.0, 2.0]]
    """
    return X @ W


def softmax_predict_proba(W: jax.Array, X: jax.Array) -> jax.Array:
    """P = softmax(XW), row-wise.

    Args:
      W: (d, k) weights. X: (n, d).

    Returns:
      (n, k) probabilities.

    Example:
      >>> print(softmax_predict_proba(jnp.zeros((2, 4)), jnp.ones((1, 2))).tolist())
      [[0.25, 0.25, 0.25, 0.25]]
    """
    return explog.softmax(X @ W, axis=-1)


def softmax_predict(W: jax.Array, X: jax.Array) -> jax.Array:
    """argmaxₖ (XW)ₖ.

    Args:
      W: (d, k) weights. X: (n, d).

    Returns:
      (n,) class labels.

    Example:
      >>> print(softmax_predict(jnp.eye(2), jnp.array([[1.0, 2.0], [3.0, 0.0]])).tolist())
      [1, 0]
    """
    return jnp.argmax(X @ W, axis=-1)


def softmax_loss(W: jax.Array, X: jax.Array, labels: jax.Array, l2: float = 0.0) -> jax.Array:
    """L(W) = −(1/n) Σᵢ log softmax(xᵢW)_{yᵢ} + (λ/2)‖W_no bias‖².

    Args:
      W: (d, k) weights (bias row last). X: (n, d). labels: (n,) integers in [0, k).
      l2: λ ≥ 0.

    Returns:
      A scalar.

    Example:
      >>> loss = softmax_loss(jnp.zeros((2, 4)), jnp.ones((3, 2)), jnp.array([0, 1, 3]))
      >>> print(round(float(loss), 6))   # log 4
      1.386294
    """
    reg = 0.5 * l2 * jnp.sum(_penalty_mask(W) * W * W)
    return losses.softmax_cross_entropy_with_integer_labels(X @ W, labels) + reg


def softmax_loss_grad(W: jax.Array, X: jax.Array, labels: jax.Array,
                      l2: float = 0.0) -> jax.Array:
    """The manual gradient ∇L(W) = Xᵀ(softmax(XW) − Y)/n + λ·W (bias row excluded).

    Args:
      W: (d, k) weights. X: (n, d). labels: (n,) integers. l2: λ.

    Returns:
      (d, k) gradient, equal to ``jax.grad(softmax_loss)``.

    Example:
      >>> g = softmax_loss_grad(jnp.zeros((1, 2)), jnp.ones((2, 1)), jnp.array([0, 0]))
      >>> print(g.tolist())
      [[-0.5, 0.5]]
    """
    n = X.shape[0]
    Y = jax.nn.one_hot(labels, W.shape[1], dtype=W.dtype)
    return X.T @ (explog.softmax(X @ W, axis=-1) - Y) / n + l2 * _penalty_mask(W) * W


# ------------------------------------------------------------------------------ registry

def _sample(key, dtype):
    k1, k2, k3 = jax.random.split(key, 3)
    X = jnp.concatenate([jax.random.normal(k1, (20, 3), dtype), jnp.ones((20, 1), dtype)], 1)
    y = jax.random.bernoulli(k2, 0.5, (20,)).astype(dtype)
    return jax.random.normal(k3, (4,), dtype), X, y, 0.1


def _softmax_sample(key, dtype):
    k1, k2, k3 = jax.random.split(key, 3)
    X = jnp.concatenate([jax.random.normal(k1, (20, 3), dtype), jnp.ones((20, 1), dtype)], 1)
    labels = jax.random.randint(k2, (20,), 0, 5)
    return jax.random.normal(k3, (4, 5), dtype), X, labels, 0.1


registry.register("models.logistic.loss", loss, loss_grad, _sample,
                  doc="∇ BCE(σ(Xw), y) = Xᵀ(σ(Xw) − y)/n (+ λw)")
registry.register("models.logistic.softmax_loss", softmax_loss, softmax_loss_grad,
                  _softmax_sample, doc="∇ CE(softmax(XW), y) = Xᵀ(P − Y)/n (+ λW)")
