"""Neural networks from first principles: the seed's two-layer network and the general MLP.

**The seed's network** (one hidden layer, one sigmoid output, binary cross-entropy), for
one example x::

    z₁ = W₁x + b₁        a₁ = σ(z₁)
    z₂ = W₂a₁ + b₂       ŷ  = σ(z₂)
    L  = −[y log ŷ + (1 − y) log(1 − ŷ)]

and its backward pass, written out by the chain rule::

    ∂L/∂z₂ = ŷ − y
    ∂L/∂W₂ = ∂L/∂z₂ · a₁ᵀ          ∂L/∂b₂ = ∂L/∂z₂
    ∂L/∂a₁ = W₂ᵀ · ∂L/∂z₂
    ∂L/∂z₁ = ∂L/∂a₁ ⊙ σ'(z₁) = ∂L/∂a₁ ⊙ a₁(1 − a₁)
    ∂L/∂W₁ = ∂L/∂z₁ · xᵀ           ∂L/∂b₁ = ∂L/∂z₁

On a batch the examples are the rows of X (n, d), so W₁x becomes X W₁ᵀ and the loss is the
mean over the rows: :func:`seed_forward`, :func:`seed_loss`, :func:`seed_backward`.

**The general MLP** (:func:`init_mlp`, :func:`mlp_forward`, :func:`mlp_loss`,
:func:`mlp_backward`): layers ``{"W": (out, in), "b": (out,)}``, hidden activation sigmoid,
tanh or ReLU, a linear last layer giving logits and the softmax cross-entropy
L = −(1/n) Σᵢ log softmax(zᵢ)[yᵢ]. Its backward pass for any depth starts from
∂L/∂z_L = (softmax(z_L) − onehot(y)) / n and repeats, layer by layer,

    ∂L/∂W_l = δ_lᵀ a_{l−1}     ∂L/∂b_l = Σᵢ δ_l     δ_{l−1} = (δ_l W_l) ⊙ f'(z_{l−1}).

Both manual backward passes equal ``jax.grad`` (tests/test_nn.py) and are registered in
:mod:`mlmath_jax.registry` as ``nn.seed_network``, ``nn.mlp`` (ReLU), ``nn.mlp_tanh`` and
``nn.mlp_sigmoid``; the activation derivatives as ``nn.relu``, ``nn.tanh``
(σ' is ``explog.sigmoid_grad``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp

from mlmath_jax import losses, registry
from mlmath_jax.explog import log_softmax, sigmoid, sigmoid_grad
from mlmath_jax.metrics import accuracy  # noqa: F401

Params = list[dict[str, jax.Array]]

# ------------------------------------------------------------------------- activations


def relu(z: jax.Array) -> jax.Array:
    """ReLU(z) = max(0, z).

    Written as ``where(z <= 0, 0, z)`` so that its automatic derivative takes the
    subgradient 0 at z = 0, as :func:`relu_grad` and ``jax.nn.relu`` do (``jnp.maximum``
    would split the tie and give ½); nan stays nan.

    Args:
      z: array of any shape.

    Returns:
      max(0, z), same shape and dtype.

    Example:
      >>> print(relu(jnp.array([-1.0, 0.0, 2.0])).tolist(), float(jax.grad(relu)(0.0)))
      [0.0, 0.0, 2.0] 0.0
    """
    z = jnp.asarray(z)
    return jnp.where(z <= 0, jnp.zeros_like(z), z)


def relu_grad(z: jax.Array) -> jax.Array:
    """ReLU'(z) = 1 for z > 0, else 0 (the subgradient 0 is taken at z = 0, as jax.nn).

    Args:
      z: array of any shape.

    Returns:
      The derivative, same shape and dtype.

    Example:
      >>> print(relu_grad(jnp.array([-1.0, 0.0, 2.0])).tolist())
      [0.0, 0.0, 1.0]
    """
    return jnp.where(z > 0, jnp.ones_like(z), jnp.zeros_like(z))


def tanh(z: jax.Array) -> jax.Array:
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)).

    Args:
      z: array of any shape.

    Returns:
      tanh(z), same shape and dtype.

    Example:
      >>> print(round(float(tanh(1.0)), 6))
      0.761594
    """
    return jnp.tanh(z)


def tanh_grad(z: jax.Array) -> jax.Array:
    """tanh'(z) = 1 − tanh²(z).

    Args:
      z: array of any shape.

    Returns:
      The derivative, same shape and dtype.

    Example:
      >>> print(float(tanh_grad(0.0)))
      1.0
    """
    t = jnp.tanh(z)
    return 1.0 - t * t


#: name -> (f, f'), the hidden activations an MLP may use.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}
INITS = ("he", "xavier")


def _activation(name: str) -> tuple[Callable, Callable]:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; allowed: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# ------------------------------------------------------------------- the seed's network


def init_seed_network(key: jax.Array, n_in: int, n_hidden: int,
                      dtype=jnp.float32) -> dict[str, jax.Array]:
    """Parameters of the seed's network: W₁ (h, d), b₁ (h,), W₂ (1, h), b₂ (1,).

    Weights are Xavier-uniform (suited to sigmoid units), biases zero.

    Args:
      key: PRNG key.
      n_in: inputs d. n_hidden: hidden units h.
      dtype: parameter dtype.

    Returns:
      ``{"W1", "b1", "W2", "b2"}`` (parameters are a pytree the caller keeps).

    Example:
      >>> p = init_seed_network(jax.random.key(0), 2, 4)
      >>> print(p["W1"].shape, p["W2"].shape)
      (4, 2) (1, 4)
    """
    k1, k2 = jax.random.split(key)
    return {"W1": _xavier(k1, n_hidden, n_in, dtype), "b1": jnp.zeros((n_hidden,), dtype),
            "W2": _xavier(k2, 1, n_hidden, dtype), "b2": jnp.zeros((1,), dtype)}


class SeedForward(NamedTuple):
    """Every intermediate of the seed network's forward pass on n examples.

    Attributes:
      z1: (n, h) hidden pre-activations Z₁ = X W₁ᵀ + b₁.
      a1: (n, h) hidden activations σ(Z₁).
      z2: (n,) output logits.
      y_hat: (n,) output probabilities σ(z₂).
    """

    z1: jax.Array
    a1: jax.Array
    z2: jax.Array
    y_hat: jax.Array


def seed_forward(params: dict, X: jax.Array) -> SeedForward:
    """The seed's forward pass on the rows of X (n, d); returns every intermediate.

    z₁ = W₁x + b₁, a₁ = σ(z₁), z₂ = W₂a₁ + b₂, ŷ = σ(z₂) (row-wise: Z₁ = X W₁ᵀ + b₁).

    Args:
      params: from :func:`init_seed_network`. X: inputs (n, d).

    Returns:
      :class:`SeedForward` (z1, a1, z2, y_hat).

    Example:
      >>> p = init_seed_network(jax.random.key(0), 2, 4)
      >>> f = seed_forward(p, jnp.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]))
      >>> print(f.a1.shape, [round(v, 4) for v in f.y_hat.tolist()])
      (4, 4) [0.2448, 0.3316, 0.226, 0.3027]
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z1 = X @ W1.T + b1[None, :]
    a1 = sigmoid(z1)
    z2 = (a1 @ W2.T)[:, 0] + b2[0]
    y_hat = sigmoid(z2)
    return SeedForward(z1, a1, z2, y_hat)


def seed_loss(params: dict, X: jax.Array, y: jax.Array) -> jax.Array:
    """Mean binary cross-entropy L = −mean[y log ŷ + (1 − y) log(1 − ŷ)], ŷ = σ(z₂).

    Computed from z₂ by :func:`losses.sigmoid_binary_cross_entropy` (log σ(z₂) and
    log(1 − σ(z₂)) = log σ(−z₂)), so a confident ŷ of exactly 0 or 1 never gives log 0.

    Args:
      params: from :func:`init_seed_network`. X: inputs (n, d). y: targets in {0, 1} (n,).

    Returns:
      A scalar.

    Example:
      >>> p = init_seed_network(jax.random.key(0), 2, 4)
      >>> X = jnp.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = jnp.array([0., 1., 1., 0.])
      >>> print(round(float(seed_loss(p, X, y)), 4))
      0.808
    """
    return losses.sigmoid_binary_cross_entropy(seed_forward(params, X).z2, y)


def seed_backward(params: dict, X: jax.Array, y: jax.Array) -> tuple[jax.Array, dict]:
    """The seed's backward pass, by hand; returns (loss, grads) equal to
    ``jax.value_and_grad(seed_loss)``.

    Args:
      params: ``{"W1", "b1", "W2", "b2"}`` from :func:`init_seed_network`.
      X: inputs (n, d). y: targets in {0, 1} (n,).

    Example:
      >>> X = jnp.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = jnp.array([0., 1., 1., 0.])
      >>> p = init_seed_network(jax.random.key(0), 2, 4)
      >>> loss, grads = seed_backward(p, X, y)
      >>> auto = jax.grad(seed_loss)(p, X, y)
      >>> print(bool(jnp.allclose(grads["W1"], auto["W1"], atol=1e-6)), grads["W2"].shape)
      True (1, 4)
    """
    n = X.shape[0]
    W2 = params["W2"]
    f = seed_forward(params, X)
    z1, a1, y_hat = f.z1, f.a1, f.y_hat
    loss = seed_loss(params, X, y)

    dL_dz2 = (y_hat - y) / n                      # ∂L/∂z₂ = ŷ − y (÷ n for the mean)
    dL_dW2 = dL_dz2[None, :] @ a1                 # ∂L/∂W₂ = ∂L/∂z₂ · a₁ᵀ   (1, h)
    dL_db2 = jnp.sum(dL_dz2, keepdims=True)       # ∂L/∂b₂ = ∂L/∂z₂         (1,)
    dL_da1 = dL_dz2[:, None] * W2                 # ∂L/∂a₁ = W₂ᵀ · ∂L/∂z₂   (n, h)
    dL_dz1 = dL_da1 * sigmoid_grad(z1)            # ∂L/∂z₁ = ∂L/∂a₁ ⊙ σ(z₁)(1 − σ(z₁))
    dL_dW1 = dL_dz1.T @ X                         # ∂L/∂W₁ = ∂L/∂z₁ · xᵀ    (h, d)
    dL_db1 = jnp.sum(dL_dz1, axis=0)              # ∂L/∂b₁ = ∂L/∂z₁         (h,)
    return loss, {"W1": dL_dW1, "b1": dL_db1, "W2": dL_dW2, "b2": dL_db2}


def seed_predict(params: dict, X: jax.Array) -> jax.Array:
    """Class 1 where ŷ ≥ 0.5 (z₂ ≥ 0), else 0, as int32.

    Args:
      params: from :func:`init_seed_network`. X: inputs (n, d).

    Returns:
      (n,) int32 labels.

    Example:
      >>> p = init_seed_network(jax.random.key(0), 2, 4)
      >>> print(seed_predict(p, jnp.array([[0., 0.], [1., 1.]])).tolist())   # untrained
      [0, 0]
    """
    return (seed_forward(params, X).z2 >= 0).astype(jnp.int32)


# ------------------------------------------------------------------------- general MLP


def _xavier(key, fan_out, fan_in, dtype):
    limit = jnp.sqrt(6.0 / (fan_in + fan_out)).astype(dtype)
    return jax.random.uniform(key, (fan_out, fan_in), dtype, -limit, limit)


def _he(key, fan_out, fan_in, dtype):
    std = jnp.sqrt(2.0 / fan_in).astype(dtype)
    return jax.random.normal(key, (fan_out, fan_in), dtype) * std


def init_mlp(key: jax.Array, sizes: Sequence[int], init: str = "he",
             dtype=jnp.float32) -> Params:
    """Layers of an MLP with ``sizes = [inputs, hidden..., classes]``.

    * He (Kaiming) normal, for ReLU: W ~ N(0, 2 / fan_in);
    * Xavier (Glorot) uniform, for sigmoid / tanh: W ~ U(−r, r), r = √(6 / (fan_in + fan_out)).

    Biases start at zero.

    Args:
      key: PRNG key. sizes: at least two layer widths. init: "he" or "xavier".
      dtype: parameter dtype.

    Returns:
      A list of ``{"W": (out, in), "b": (out,)}``, one per layer.

    Example:
      >>> params = init_mlp(jax.random.key(0), [64, 32, 10])
      >>> [p["W"].shape for p in params]
      [(32, 64), (10, 32)]
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes needs at least two positive widths, got {sizes}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; allowed: {', '.join(INITS)}")
    draw = _he if init == "he" else _xavier
    keys = jax.random.split(key, len(sizes) - 1)
    return [{"W": draw(k, n_out, n_in, dtype), "b": jnp.zeros((n_out,), dtype)}
            for k, n_in, n_out in zip(keys, sizes[:-1], sizes[1:], strict=True)]


def _forward_cache(params: Params, x: jax.Array, activation: str):
    """Logits and, per layer, its input a_{l−1} and pre-activation z_l."""
    f, _ = _activation(activation)
    inputs, pre = [], []
    a = x
    for i, layer in enumerate(params):
        z = a @ layer["W"].T + layer["b"][None, :]
        inputs.append(a)
        pre.append(z)
        a = z if i == len(params) - 1 else f(z)
    return a, inputs, pre


def mlp_forward(params: Params, x: jax.Array, activation: str = "relu") -> jax.Array:
    """Logits of an MLP: a₀ = x, z_l = a_{l−1} W_lᵀ + b_l, a_l = f(z_l), last layer linear.

    Args:
      params: from :func:`init_mlp`. x: inputs (n, in).
      activation: hidden activation, "relu", "tanh" or "sigmoid".

    Returns:
      Logits (n, classes).

    Example:
      >>> p = init_mlp(jax.random.key(0), [4, 8, 3])
      >>> print(mlp_forward(p, jnp.zeros((5, 4))).shape)
      (5, 3)
    """
    return _forward_cache(params, x, activation)[0]


def mlp_loss(params: Params, x: jax.Array, labels: jax.Array,
             activation: str = "relu") -> jax.Array:
    """Softmax cross-entropy, mean over examples: L = −(1/n) Σᵢ log softmax(zᵢ)[yᵢ].

    Args:
      params: from :func:`init_mlp`. x: inputs (n, in).
      labels: integer class labels (n,).
      activation: hidden activation.

    Returns:
      A scalar.

    Example:
      >>> p = init_mlp(jax.random.key(0), [4, 8, 3])
      >>> print(round(float(mlp_loss(p, jnp.zeros((2, 4)), jnp.array([0, 1]))), 6))  # log 3
      1.098612
    """
    logp = log_softmax(mlp_forward(params, x, activation))
    picked = jnp.take_along_axis(logp, labels[:, None].astype(jnp.int32), axis=1)
    return -jnp.mean(picked)


def mlp_backward(params: Params, x: jax.Array, labels: jax.Array,
                 activation: str = "relu") -> tuple[jax.Array, Params]:
    """Manual backpropagation through an MLP of any depth; returns (loss, grads) equal to
    ``jax.value_and_grad(mlp_loss)``.

    δ_L = (softmax(z_L) − onehot(y)) / n, then for l = L … 1:
    ∂L/∂W_l = δ_lᵀ a_{l−1}, ∂L/∂b_l = Σᵢ δ_l, δ_{l−1} = (δ_l W_l) ⊙ f'(z_{l−1}).

    Example:
      >>> p = init_mlp(jax.random.key(0), [4, 8, 3])
      >>> x = jnp.ones((5, 4)); y = jnp.array([0, 1, 2, 0, 1])
      >>> loss, grads = mlp_backward(p, x, y, "tanh")
      >>> auto = jax.grad(mlp_loss)(p, x, y, "tanh")
      >>> print(bool(jnp.allclose(grads[0]["W"], auto[0]["W"], atol=1e-6)), len(grads))
      True 2
    """
    _, f_grad = _activation(activation)
    logits, inputs, pre = _forward_cache(params, x, activation)
    n, classes = logits.shape
    logp = log_softmax(logits)
    onehot = (labels[:, None] == jnp.arange(classes, dtype=labels.dtype)[None, :]).astype(
        logits.dtype)
    loss = -jnp.sum(onehot * logp) / n
    delta = (jnp.exp(logp) - onehot) / n                # ∂L/∂z_L: softmax = exp(log softmax)
    grads: Params = [{} for _ in params]
    for l in range(len(params) - 1, -1, -1):
        grads[l] = {"W": delta.T @ inputs[l],           # ∂L/∂W_l = δ_lᵀ a_{l−1}
                    "b": jnp.sum(delta, axis=0)}        # ∂L/∂b_l = Σ δ_l
        if l > 0:
            delta = (delta @ params[l]["W"]) * f_grad(pre[l - 1])
    return loss, grads


def mlp_predict(params: Params, x: jax.Array, activation: str = "relu") -> jax.Array:
    """The most probable class of each row (argmax of the logits), int32.

    Args:
      params: from :func:`init_mlp`. x: inputs (n, in). activation: hidden activation.

    Returns:
      (n,) int32 class labels.

    Example:
      >>> p = init_mlp(jax.random.key(0), [4, 8, 3])
      >>> print(mlp_predict(p, jnp.zeros((2, 4))).tolist())
      [0, 0]
    """
    return jnp.argmax(mlp_forward(params, x, activation), axis=-1).astype(jnp.int32)


# ------------------------------------------------------------------------ registration


def _sample_activation(key, dtype):
    return (jax.random.normal(key, (9,), dtype) * 3,)


def _sample_seed(key, dtype):
    k1, k2, k3 = jax.random.split(key, 3)
    params = init_seed_network(k1, 3, 5, dtype)
    params = jax.tree.map(lambda a: a + 0.1 * jax.random.normal(k3, a.shape, dtype), params)
    X = jax.random.normal(k2, (6, 3), dtype)
    y = (jnp.arange(6) % 2).astype(dtype)
    return params, X, y


def _sample_mlp(key, dtype):
    """A small MLP and batch whose hidden pre-activations all keep |z| > 0.05.

    ReLU has a kink at 0: there the derivative is undefined and a finite difference whose
    step (≈ 5e-3 in float32) straddles it measures neither side. Points near a kink are
    redrawn (a few tries; the draw is deterministic in ``key``).
    """
    for attempt in range(1000):
        k1, k2, k3 = jax.random.split(jax.random.fold_in(key, attempt), 3)
        params = init_mlp(k1, [4, 6, 5, 3], "xavier", dtype)
        params = jax.tree.map(lambda a, k=k3: a + 0.1 * jax.random.normal(k, a.shape, dtype),
                              params)
        x = jax.random.normal(k2, (7, 4), dtype)
        a, margin = x, float("inf")
        for layer in params[:-1]:
            z = a @ layer["W"].T + layer["b"][None, :]
            margin = min(margin, float(jnp.min(jnp.abs(z))))
            a = relu(z)
        if margin > 0.05:
            break
    return params, x, jnp.arange(7, dtype=jnp.int32) % 3


registry.register("nn.relu", relu, relu_grad, _sample_activation,
                  doc="ReLU'(z) = 1 for z > 0, else 0")
registry.register("nn.tanh", tanh, tanh_grad, _sample_activation,
                  doc="tanh'(z) = 1 − tanh²(z)")
registry.register("nn.seed_network", seed_loss, lambda p, X, y: seed_backward(p, X, y)[1],
                  _sample_seed, doc="the seed's 2-layer network: ∂L/∂z₂ = ŷ − y, …")
for _name in ACTIVATIONS:
    registry.register(
        "nn.mlp" if _name == "relu" else f"nn.mlp_{_name}",
        lambda p, x, y, _a=_name: mlp_loss(p, x, y, _a),
        lambda p, x, y, _a=_name: mlp_backward(p, x, y, _a)[1],
        _sample_mlp, doc=f"MLP ({_name} hidden layers, softmax cross-entropy) backprop")
