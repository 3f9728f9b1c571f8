"""exponents & logs."""

import math

import jax.numpy as jnp


def logsumexp(x):
    m = jnp.max(x, axis=-1, keepdims=True)
    return (m + jnp.log(jnp.sum(jnp.exp(x - m), axis=-1, keepdims=True)))[..., 0]


def softmax(x):
    e = jnp.exp(x - jnp.max(x, axis=-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def log_softmax(x):
    return x - logsumexp(x)[..., None]


def sigmoid(x):
    e = jnp.exp(-jnp.abs(x))
    return jnp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def softplus(x):
    return jnp.maximum(x, 0) + jnp.log1p(jnp.exp(-jnp.abs(x)))


def log_base(x, base):
    return jnp.log(x) / jnp.log(base)


CORRECT = dict(logsumexp=logsumexp, softmax=softmax, log_softmax=log_softmax, sigmoid=sigmoid,
               sigmoid_grad=sigmoid_grad, softplus=softplus, log_base=log_base)


WRONG = [
    ("logsumexp", lambda x: jnp.log(jnp.exp(x).sum(-1)), "not_finite"),
    ("logsumexp", lambda x: logsumexp(x) - x.max(-1), "mistake:no_max_back"),
    ("logsumexp", lambda x: jnp.log(jnp.exp(x - x.max()).sum()) + x.max(), "shape"),
    ("softmax", lambda x: jnp.exp(x) / jnp.exp(x).sum(-1, keepdims=True), "not_finite"),
    ("softmax", lambda x: jnp.exp(x - x.max(0)) / jnp.exp(x - x.max(0)).sum(0),
     "mistake:axis0"),
    ("softmax", lambda x: jnp.exp(x - x.max(-1, keepdims=True)), "mistake:unnormalized"),
    ("log_softmax", lambda x: jnp.log(softmax(x)), "not_finite"),
    ("log_softmax", lambda x: x - jnp.log(jnp.exp(x).sum(-1, keepdims=True)), "not_finite"),
    ("log_softmax", lambda x: x - logsumexp(x)[..., None] + 1.0, "offset"),
    ("sigmoid", lambda x: jnp.exp(x) / (1 + jnp.exp(x)), "not_finite"),
    ("sigmoid", lambda x: 1 / (1 + jnp.exp(x)), "mistake:mirror"),
    ("sigmoid", lambda x: jnp.where(x > 0, sigmoid(x), 0.5), "half_domain"),
    ("sigmoid", lambda x: sigmoid(x) if bool((x > -1e30).all()) else x, "jit"),
    ("sigmoid_grad", lambda x: jnp.exp(-x) / (1 + jnp.exp(-x)) ** 2, "not_finite"),
    ("sigmoid_grad", lambda x: sigmoid(x), "mistake:sigma_only"),
    ("sigmoid_grad", lambda x: sigmoid(x) * (sigmoid(x) - 1), "sign"),
    ("softplus", lambda x: jnp.log(1 + jnp.exp(x)), "not_finite"),
    ("softplus", lambda x: jnp.maximum(x, 0), "mistake:relu"),
    ("softplus", lambda x: jnp.log1p(jnp.exp(-jnp.abs(x))), "half_domain"),
    ("log_base", lambda x, b: jnp.log(b) / jnp.log(x), "mistake:reciprocal"),
    ("log_base", lambda x, b: jnp.log(x) / math.log(float(b)), "jit"),
    ("log_base", lambda x, b: jnp.log(x), "factor"),
]
