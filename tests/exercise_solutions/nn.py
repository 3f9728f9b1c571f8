"""neural networks."""

import jax
import jax.numpy as jnp
import numpy as np


def mse_grad(predictions, targets):
    return 2 * (predictions - targets) / predictions.size


def mae_grad(predictions, targets):
    return jnp.sign(predictions - targets) / predictions.size


def _sigmoid(z):
    e = jnp.exp(-jnp.abs(z))
    return jnp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def bce_grad(logits, targets):
    return (_sigmoid(logits) - targets) / logits.size


def _softmax(z):
    e = jnp.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def cce_grad(logits, targets):
    return (_softmax(logits) - targets) / logits.shape[0]


def relu_grad(x):
    return (x > 0).astype(x.dtype)


def two_layer_backward(params, x, y, tanh_grad=True, transpose=False):
    W1, b1, W2, b2 = params
    h = jnp.tanh(x @ W1 + b1)
    d2 = 2 * (h @ W2 + b2 - y) / y.size
    d1 = d2 @ W2.T
    if tanh_grad:
        d1 = d1 * (1 - h**2)
    dW1 = d1.T @ x if transpose else x.T @ d1
    return dW1, d1.sum(0), h.T @ d2, d2.sum(0)


def mlp_backward(params, x, y, relu_last=False, scale=2.0):
    hs = [x]
    for W, b in params[:-1]:
        hs.append(jax.nn.relu(hs[-1] @ W + b))
    W, b = params[-1]
    out = hs[-1] @ W + b
    delta = scale * (out - y) / y.size
    if relu_last:
        delta = delta * (out > 0)
    grads = []
    for i in range(len(params) - 1, -1, -1):
        W, _ = params[i]
        grads.append((hs[i].T @ delta, delta.sum(0)))
        if i > 0:
            delta = (delta @ W.T) * (hs[i] > 0)
    return grads[::-1]


CORRECT = dict(mse_grad=mse_grad, mae_grad=mae_grad, bce_grad=bce_grad, cce_grad=cce_grad,
               relu_grad=relu_grad, two_layer_backward=two_layer_backward,
               mlp_backward=mlp_backward)

WRONG = [
    ("mse_grad", lambda p, t: (p - t) / p.size, "factor"),
    ("mse_grad", lambda p, t: 2 * (t - p) / p.size, "sign"),
    ("mse_grad", lambda p, t: 2 * (p - t), "mistake:no_mean"),
    ("mae_grad", lambda p, t: (p - t) / jnp.abs(p - t) / p.size, "not_finite"),
    ("mae_grad", lambda p, t: jnp.sign(p - t), "mistake:no_mean"),
    ("mae_grad", lambda p, t: jnp.sign(t - p) / p.size, "sign"),
    ("bce_grad", lambda z, y: (jnp.exp(z) / (1 + jnp.exp(z)) - y) / z.size, "not_finite"),
    ("bce_grad", lambda z, y: _sigmoid(z) - y, "mistake:no_mean"),
    ("bce_grad", lambda z, y: (y - _sigmoid(z)) / z.size, "sign"),
    ("cce_grad", lambda z, y: (jnp.exp(z) / jnp.exp(z).sum(-1, keepdims=True) - y) / z.shape[0],
     "not_finite"),
    ("cce_grad", lambda z, y: (_softmax(z) - y) / z.size, "mistake:mean_all"),
    ("cce_grad", lambda z, y: (y - _softmax(z)) / z.shape[0], "sign"),
    ("relu_grad", lambda x: (x >= 0).astype(x.dtype), "values"),
    ("relu_grad", lambda x: jnp.asarray(np.asarray(x) > 0, x.dtype), "jit"),
    ("relu_grad", lambda x: (x > 0).astype(jnp.int32), "dtype"),
    ("two_layer_backward", lambda p, x, y: two_layer_backward(p, x, y, tanh_grad=False),
     "mistake:no_tanh_grad"),
    ("two_layer_backward", lambda p, x, y: two_layer_backward(p, x, y, transpose=True),
     "transposed"),
    ("two_layer_backward", lambda p, x, y: two_layer_backward(p, x, y)[:3], "structure"),
    ("mlp_backward", lambda p, x, y: mlp_backward(p, x, y, relu_last=True), "values"),
    ("mlp_backward", lambda p, x, y: mlp_backward(p, x, y, scale=1.0), "factor"),
    ("mlp_backward", lambda p, x, y: [(dw.T, db) for dw, db in mlp_backward(p, x, y)],
     "transposed"),
]
