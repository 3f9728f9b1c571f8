"""Loss functions with their hand-written gradients with respect to the prediction.

Every loss takes ``(predictions, targets)`` (``(logits, targets)``, ``(logits, labels)``)
— optax's order, docs/CONVENTIONS.md §1 — and returns a scalar: the
**mean over examples**. For the element-wise regression losses (MSE, MAE, Huber) and for
binary cross-entropy every entry is an example, so the mean runs over all N entries; for
the categorical losses a row (last axis) is one example's distribution, so the loss sums
over classes and averages over the n rows. Each ``<name>_grad`` is the gradient of that
scalar with respect to the prediction (so it carries the 1/N or 1/n factor):

===============================  ====================================  ===========================
loss                             L                                      ∂L/∂ŷ
===============================  ====================================  ===========================
mse                              mean (ŷ − y)²                          2(ŷ − y)/N = −2(y − ŷ)/N
mae                              mean |ŷ − y|                           sign(ŷ − y)/N
huber (δ)                        mean ½e² if |e| ≤ δ else δ(|e| − ½δ)   clip(e, −δ, δ)/N,  e = ŷ − y
binary_cross_entropy (p)         −mean y log p + (1−y) log(1−p)         (p − y)/(p(1 − p))/N
sigmoid_binary_cross_entropy(z)  −mean y log σ(z) + (1−y) log σ(−z)     (σ(z) − y)/N
categorical_cross_entropy (p)    −(1/n) Σᵢ Σₖ yᵢₖ log pᵢₖ               −y/p/n
softmax_cross_entropy (z)        −(1/n) Σᵢ Σₖ yᵢₖ log softmax(zᵢ)ₖ      (softmax(z)·Σₖyₖ − y)/n
softmax_cross_entropy_with_      −(1/n) Σᵢ log softmax(zᵢ)_{labelᵢ}     (softmax(z) − onehot)/n
integer_labels (z)
===============================  ====================================  ===========================

Numerics. The logits forms use :func:`mlmath_jax.explog.log_sigmoid` and
:func:`~mlmath_jax.explog.log_softmax`, so logits of ±1e4 give finite losses and
gradients without any clipping; prefer them for training. The probability forms cannot
take log 0, so they **clip** the probabilities to ``[eps, 1 − eps]`` (``eps = 1e-7`` by
default, Keras' choice; categorical: ``[eps, 1]``). The clip is *straight-through*: the
forward pass uses the clipped value, the gradient is the formula above evaluated at the
clipped value (not zero, as a plain clip would give), so a prediction of exactly 0 for a
positive example still gets a finite push upward, of size at most 1/(eps·N). With that
convention ``jax.grad`` and the manual gradient agree everywhere, boundaries included.

Each gradient is registered in :mod:`mlmath_jax.registry` as ``"losses.<name>"``, and each
loss is tested against ``optax.losses`` (``squared_error``, ``l2_loss``, ``huber_loss``,
``sigmoid_binary_cross_entropy``, ``softmax_cross_entropy``,
``softmax_cross_entropy_with_integer_labels``) in ``tests/test_losses.py``.

At the kink of MAE (ŷ = y) the subgradient 0 is taken, by :func:`mae_grad` and by
``jax.grad(mae)`` alike.

Example:
    >>> import jax.numpy as jnp
    >>> from mlmath_jax import losses
    >>> print(float(losses.mse(jnp.array([1.0, 2.0]), jnp.array([0.0, 2.0]))))
    0.5
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mlmath_jax import explog, registry

EPS = 1e-7


def _pair(predictions, targets):
    """Predictions as an inexact array, targets cast to the same dtype (explicitly)."""
    predictions = jnp.asarray(predictions)
    if not jnp.issubdtype(predictions.dtype, jnp.inexact):
        predictions = predictions.astype(jnp.result_type(float))
    targets = jnp.asarray(targets).astype(predictions.dtype)
    if predictions.shape != targets.shape:
        raise ValueError(f"predictions shape {predictions.shape} != targets shape "
                         f"{targets.shape}")
    return predictions, targets


def _n_examples(x: jax.Array) -> int:
    """Rows of a (…, classes) array: every leading entry is one example."""
    return max(1, x.size // x.shape[-1]) if x.ndim else 1


def _clip_straight_through(p, lo, hi):
    """clip(p, lo, hi) in the forward pass, identity in the backward pass."""
    return p + jax.lax.stop_gradient(jnp.clip(p, lo, hi) - p)


# ------------------------------------------------------------------------- regression

def mse(predictions: jax.Array, targets: jax.Array) -> jax.Array:
    """Mean squared error L = (1/N) Σ (ŷ − y)².

    Args:
      predictions: predictions ŷ, any shape.
      targets: targets y, same shape.

    Returns:
      A scalar. Equals ``mean(optax.losses.squared_error(predictions, targets))``.

    Raises:
      ValueError: the shapes differ.

    Example:
      >>> print(float(mse(jnp.array([3.0, 2.0]), jnp.array([1.0, 2.0]))))
      2.0
    """
    predictions, targets = _pair(predictions, targets)
    e = predictions - targets
    return jnp.mean(e * e)


def mse_grad(predictions: jax.Array, targets: jax.Array) -> jax.Array:
    """∂MSE/∂ŷ = 2(ŷ − y)/N = −2(y − ŷ)/N.

    Args:
      predictions: ŷ, any shape.
      targets: y, same shape.

    Returns:
      ∂L/∂ŷ, shaped like ``predictions``.

    Example:
      >>> print(mse_grad(jnp.array([3.0, 2.0]), jnp.array([1.0, 2.0])).tolist())
      [2.0, 0.0]
    """
    predictions, targets = _pair(predictions, targets)
    return 2.0 * (predictions - targets) / predictions.size


def mae(predictions: jax.Array, targets: jax.Array) -> jax.Array:
    """Mean absolute error L = (1/N) Σ |ŷ − y| (robust to outliers; not smooth at ŷ = y).

    At a tie (ŷ = y) the subgradient 0 is taken, sign(0) = 0: |e| is computed as
    e·sign(e), whose automatic derivative sign(e) is 0 at e = 0 (``jnp.abs``'s own
    derivative there is 1), so ``jax.grad(mae)`` and :func:`mae_grad` agree everywhere.

    Args:
      predictions: ŷ, any shape.
      targets: y, same shape.

    Returns:
      A scalar.

    Example:
      >>> print(float(mae(jnp.array([3.0, 0.0]), jnp.array([1.0, 1.0]))))
      1.5
    """
    predictions, targets = _pair(predictions, targets)
    e = predictions - targets
    return jnp.mean(e * jnp.sign(e))


def mae_grad(predictions: jax.Array, targets: jax.Array) -> jax.Array:
    """∂MAE/∂ŷ = sign(ŷ − y)/N = −sign(y − ŷ)/N, the subgradient 0 where ŷ = y (as
    ``jax.grad(mae)`` gives; see :func:`mae`).

    Args:
      predictions: ŷ, any shape.
      targets: y, same shape.

    Returns:
      ∂L/∂ŷ, shaped like ``predictions``.

    Example:
      >>> print(mae_grad(jnp.array([3.0, 1.0]), jnp.array([1.0, 1.0])).tolist())
      [0.5, 0.0]
    """
    predictions, targets = _pair(predictions, targets)
    return jnp.sign(predictions - targets) / predictions.size


def huber(predictions: jax.Array, targets: jax.Array, delta: float = 1.0) -> jax.Array:
    """Huber loss: quadratic near zero, linear beyond ``delta``.

    ℓ(e) = ½e² for |e| ≤ δ, δ(|e| − ½δ) otherwise, e = ŷ − y;  L = (1/N) Σ ℓ(e).

    Equals ``mean(optax.losses.huber_loss(predictions, targets, delta))``.

    Args:
      predictions: ŷ, any shape.
      targets: y, same shape.
      delta: δ > 0, where the quadratic part ends.

    Returns:
      A scalar.

    Example:
      >>> print(float(huber(jnp.array([0.5, 3.0]), jnp.array([0.0, 0.0]))))
      1.3125
    """
    predictions, targets = _pair(predictions, targets)
    a = jnp.abs(predictions - targets)
    quadratic = jnp.minimum(a, delta)
    linear = a - quadratic
    return jnp.mean(0.5 * quadratic * quadratic + delta * linear)


def huber_grad(predictions: jax.Array, targets: jax.Array, delta: float = 1.0) -> jax.Array:
    """∂Huber/∂ŷ = clip(ŷ − y, −δ, δ)/N.

    Args:
      predictions: ŷ, any shape.
      targets: y, same shape.
      delta: δ.

    Returns:
      ∂L/∂ŷ, shaped like ``predictions``.

    Example:
      >>> print(huber_grad(jnp.array([0.5, 3.0]), jnp.array([0.0, 0.0])).tolist())
      [0.25, 0.5]
    """
    predictions, targets = _pair(predictions, targets)
    return jnp.clip(predictions - targets, -delta, delta) / predictions.size


# ------------------------------------------------------------------ binary classification

def binary_cross_entropy(predictions: jax.Array, targets: jax.Array,
                         eps: float = EPS) -> jax.Array:
    """Binary cross-entropy on probabilities p = P(y = 1):

    L = −(1/N) Σ [y log p + (1 − y) log(1 − p)],  p clipped to [eps, 1 − eps].

    The clip keeps p = 0 and p = 1 finite (at most −log eps ≈ 16.1 per example); see the
    module notes. Prefer :func:`sigmoid_binary_cross_entropy` on logits when you have
    them.

    Args:
      predictions: predicted probabilities in [0, 1].
      targets: labels in {0, 1} (or soft labels in [0, 1]), same shape.
      eps: clipping margin.

    Returns:
      A scalar.

    Example:
      >>> print(round(float(binary_cross_entropy(jnp.array([0.5]), jnp.array([1.0]))), 6))
      0.693147
    """
    p, y = _pair(predictions, targets)
    p = _clip_straight_through(p, eps, 1.0 - eps)
    return -jnp.mean(y * jnp.log(p) + (1.0 - y) * jnp.log1p(-p))


def binary_cross_entropy_grad(predictions: jax.Array, targets: jax.Array,
                              eps: float = EPS) -> jax.Array:
    """∂BCE/∂p = (p − y)/(p(1 − p))/N = [−y/p + (1 − y)/(1 − p)]/N at the clipped p.

    Args:
      predictions: probabilities p. targets: labels y, same shape. eps: clipping margin.

    Returns:
      ∂L/∂p, shaped like ``predictions``.

    Example:
      >>> print(binary_cross_entropy_grad(jnp.array([0.5]), jnp.array([1.0])).tolist())
      [-2.0]
    """
    p, y = _pair(predictions, targets)
    p = jnp.clip(p, eps, 1.0 - eps)
    return (-y / p + (1.0 - y) / (1.0 - p)) / p.size


def sigmoid_binary_cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
    """Binary cross-entropy on logits z (p = σ(z)), stable for any finite z:

    L = −(1/N) Σ [y log σ(z) + (1 − y) log σ(−z)],  log σ from :func:`explog.log_sigmoid`.

    Equals ``mean(optax.losses.sigmoid_binary_cross_entropy(logits, targets))``.

    Args:
      logits: scores z, any shape.
      targets: labels y in {0, 1} (or soft labels), same shape.

    Returns:
      A scalar.

    Example:
      >>> print(float(sigmoid_binary_cross_entropy(jnp.array([1e4, -1e4]), jnp.ones(2))))
      5000.0
    """
    z, y = _pair(logits, targets)
    return -jnp.mean(y * explog.log_sigmoid(z) + (1.0 - y) * explog.log_sigmoid(-z))


def sigmoid_binary_cross_entropy_grad(logits: jax.Array, targets: jax.Array) -> jax.Array:
    """∂L/∂z = (σ(z) − y)/N.

    Args:
      logits: z. targets: y, same shape.

    Returns:
      ∂L/∂z, shaped like ``logits``.

    Example:
      >>> print(sigmoid_binary_cross_entropy_grad(jnp.zeros(2), jnp.array([1.0, 0.0])).tolist())
      [-0.25, 0.25]
    """
    z, y = _pair(logits, targets)
    return (explog.sigmoid(z) - y) / z.size


# -------------------------------------------------------------- multi-class classification

def categorical_cross_entropy(predictions: jax.Array, targets: jax.Array,
                              eps: float = EPS) -> jax.Array:
    """Categorical cross-entropy on probability rows and one-hot (or soft) target rows:

    L = −(1/n) Σᵢ Σₖ yᵢₖ log pᵢₖ,  p clipped to [eps, 1] (0·log 0 = 0 for yᵢₖ = 0).

    The per-row term is :func:`explog.cross_entropy` (nats).

    Args:
      predictions: (..., classes) predicted probabilities, rows summing to 1.
      targets: same shape, one-hot rows.
      eps: clipping margin.

    Returns:
      A scalar.

    Example:
      >>> p, y = jnp.array([[0.5, 0.5]]), jnp.array([[1.0, 0.0]])
      >>> print(round(float(categorical_cross_entropy(p, y)), 6))
      0.693147
    """
    p, y = _pair(predictions, targets)
    p = _clip_straight_through(p, eps, 1.0)
    return jnp.sum(explog.cross_entropy(y, p)) / _n_examples(p)


def categorical_cross_entropy_grad(predictions: jax.Array, targets: jax.Array,
                                   eps: float = EPS) -> jax.Array:
    """∂L/∂p = −y/p/n at the clipped p.

    Args:
      predictions: (..., classes) probabilities. targets: same shape. eps: clipping margin.

    Returns:
      ∂L/∂p, shaped like ``predictions``.

    Example:
      >>> p, y = jnp.array([[0.5, 0.5]]), jnp.array([[1.0, 0.0]])
      >>> print(categorical_cross_entropy_grad(p, y).tolist())
      [[-2.0, -0.0]]
    """
    p, y = _pair(predictions, targets)
    p = jnp.clip(p, eps, 1.0)
    return -y / p / _n_examples(p)


def softmax_cross_entropy(logits: jax.Array, targets: jax.Array) -> jax.Array:
    """Cross-entropy of softmax(z) against target rows, through log-softmax:

    L = −(1/n) Σᵢ Σₖ yᵢₖ log softmax(zᵢ)ₖ,  log softmax(z) = z − LSE(z).

    Equals ``mean(optax.losses.softmax_cross_entropy(logits, targets))``; the shifted
    log-softmax keeps it exact for large logits.

    Args:
      logits: (..., classes) scores.
      targets: same shape, one-hot (or soft) rows.

    Returns:
      A scalar.

    Example:
      >>> z, y = jnp.array([[1e4, 1e4]]), jnp.array([[1.0, 0.0]])
      >>> print(round(float(softmax_cross_entropy(z, y)), 6))
      0.693147
    """
    z, y = _pair(logits, targets)
    return -jnp.sum(y * explog.log_softmax(z)) / _n_examples(z)


def softmax_cross_entropy_grad(logits: jax.Array, targets: jax.Array) -> jax.Array:
    """∂L/∂z = (softmax(z)·Σₖ yₖ − y)/n, i.e. (softmax(z) − y)/n for one-hot rows.

    Args:
      logits: (..., classes). targets: same shape.

    Returns:
      ∂L/∂z, shaped like ``logits``.

    Example:
      >>> print(softmax_cross_entropy_grad(jnp.zeros((1, 2)), jnp.array([[1.0, 0.0]])).tolist())
      [[-0.5, 0.5]]
    """
    z, y = _pair(logits, targets)
    return (explog.softmax(z) * jnp.sum(y, axis=-1, keepdims=True) - y) / _n_examples(z)


def _labels(logits, labels):
    z = jnp.asarray(logits)
    labels = jnp.asarray(labels)
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(f"integer labels expected, got dtype {labels.dtype}")
    if labels.shape != z.shape[:-1]:
        raise ValueError(f"labels shape {labels.shape} != logits shape without its last axis "
                         f"{z.shape[:-1]}")
    return z, labels


def softmax_cross_entropy_with_integer_labels(logits: jax.Array,
                                              labels: jax.Array) -> jax.Array:
    """Softmax cross-entropy with integer class labels (no one-hot matrix built):

    L = −(1/n) Σᵢ log softmax(zᵢ)_{labelᵢ}.

    Equals ``mean(optax.losses.softmax_cross_entropy_with_integer_labels(logits, labels))``.

    Args:
      logits: (..., classes).
      labels: (...) integers in [0, classes).

    Returns:
      A scalar.

    Raises:
      TypeError: labels are not integers.
      ValueError: the labels' shape is not the logits' without its last axis.

    Example:
      >>> loss = softmax_cross_entropy_with_integer_labels(jnp.zeros((1, 4)), jnp.array([2]))
      >>> print(round(float(loss), 6))   # log 4
      1.386294
    """
    z, labels = _labels(logits, labels)
    logp = jnp.take_along_axis(explog.log_softmax(z), labels[..., None], axis=-1)
    return -jnp.sum(logp) / _n_examples(z)


def softmax_cross_entropy_with_integer_labels_grad(logits: jax.Array,
                                                   labels: jax.Array) -> jax.Array:
    """∂L/∂z = (softmax(z) − onehot(label))/n.

    Args:
      logits: (..., classes). labels: (...) integers.

    Returns:
      ∂L/∂z, shaped like ``logits``.

    Example:
      >>> g = softmax_cross_entropy_with_integer_labels_grad(jnp.zeros((1, 2)), jnp.array([0]))
      >>> print(g.tolist())
      [[-0.5, 0.5]]
    """
    z, labels = _labels(logits, labels)
    onehot = jax.nn.one_hot(labels, z.shape[-1], dtype=z.dtype)
    return (explog.softmax(z) - onehot) / _n_examples(z)


# ------------------------------------------------------------------------------ registry

def _reg_sample(key, dtype):
    k1, k2 = jax.random.split(key)
    return jax.random.normal(k1, (6, 3), dtype), jax.random.normal(k2, (6, 3), dtype)


def _huber_sample(key, dtype):
    k1, k2 = jax.random.split(key)
    # errors spread over both sides of δ = 1
    return jax.random.normal(k1, (6, 3), dtype) * 2, jax.random.normal(k2, (6, 3), dtype)


def _prob_sample(key, dtype):
    k1, k2 = jax.random.split(key)
    p = jax.random.uniform(k1, (8,), dtype, 0.05, 0.95)
    return p, jax.random.bernoulli(k2, 0.5, (8,)).astype(dtype)


def _logit_sample(key, dtype):
    k1, k2 = jax.random.split(key)
    return (jax.random.normal(k1, (8,), dtype) * 3,
            jax.random.bernoulli(k2, 0.5, (8,)).astype(dtype))


def _cat_prob_sample(key, dtype):
    # Probabilities kept away from 0 (about 0.1 and up): −y/p bends sharply near 0, where a
    # float32 finite-difference step (≈ 5e-3) would measure the curvature, not the slope.
    k1, k2 = jax.random.split(key)
    p = explog.softmax(0.5 * jax.random.normal(k1, (5, 4), dtype))
    y = jax.nn.one_hot(jax.random.randint(k2, (5,), 0, 4), 4, dtype=dtype)
    return p, y


def _cat_logit_sample(key, dtype):
    k1, k2 = jax.random.split(key)
    z = jax.random.normal(k1, (5, 4), dtype) * 2
    return z, jax.nn.one_hot(jax.random.randint(k2, (5,), 0, 4), 4, dtype=dtype)


def _int_label_sample(key, dtype):
    k1, k2 = jax.random.split(key)
    return jax.random.normal(k1, (5, 4), dtype) * 2, jax.random.randint(k2, (5,), 0, 4)


for _name, _fn, _grad, _sample, _doc in [
    ("mse", mse, mse_grad, _reg_sample, "2(ŷ − y)/N"),
    ("mae", mae, mae_grad, _reg_sample, "sign(ŷ − y)/N"),
    ("huber", huber, huber_grad, _huber_sample, "clip(ŷ − y, −δ, δ)/N"),
    ("binary_cross_entropy", binary_cross_entropy, binary_cross_entropy_grad, _prob_sample,
     "(p − y)/(p(1 − p))/N"),
    ("sigmoid_binary_cross_entropy", sigmoid_binary_cross_entropy,
     sigmoid_binary_cross_entropy_grad, _logit_sample, "(σ(z) − y)/N"),
    ("categorical_cross_entropy", categorical_cross_entropy, categorical_cross_entropy_grad,
     _cat_prob_sample, "−y/p/n"),
    ("softmax_cross_entropy", softmax_cross_entropy, softmax_cross_entropy_grad,
     _cat_logit_sample, "(softmax(z)·Σy − y)/n"),
    ("softmax_cross_entropy_with_integer_labels", softmax_cross_entropy_with_integer_labels,
     softmax_cross_entropy_with_integer_labels_grad, _int_label_sample,
     "(softmax(z) − onehot)/n"),
]:
    registry.register(f"losses.{_name}", _fn, _grad, _sample, doc=_doc)
del _name, _fn, _grad, _sample, _doc
