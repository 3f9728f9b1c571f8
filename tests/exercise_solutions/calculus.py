"""calculus."""

import jax.numpy as jnp


def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def chain_rule(x):
    return 3 * jnp.cos(3 * x) * jnp.exp(jnp.sin(3 * x))


def softmax_jacobian(x):
    s = jnp.exp(x - x.max())
    s = s / s.sum()
    return jnp.diag(s) - jnp.outer(s, s)


def _softmax(x):
    e = jnp.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def softmax_grad(x, v):
    s = _softmax(x)
    return s * (v - (v * s).sum(-1, keepdims=True))


def _simpson(f, a, b, n, weights=(4.0, 2.0), scale=3.0):
    x = jnp.linspace(a, b, n + 1)
    w = jnp.ones(n + 1).at[1:-1:2].set(weights[0]).at[2:-1:2].set(weights[1])
    return (b - a) / n / scale * (w * f(x)).sum()


def simpson(f, a, b, n):
    return _simpson(f, a, b, n)


def tanh_grad(x):
    return 1 - jnp.tanh(x) ** 2


def quadratic_form_grad(A, x):
    return (A + A.T) @ x


CORRECT = dict(central_difference=central_difference, chain_rule=chain_rule,
               softmax_jacobian=softmax_jacobian, softmax_grad=softmax_grad, simpson=simpson,
               tanh_grad=tanh_grad, quadratic_form_grad=quadratic_form_grad)

WRONG = [
    ("central_difference", lambda f, x, h: (f(x + h) - f(x)) / h, "mistake:forward"),
    ("central_difference", lambda f, x, h: (f(x + h) - f(x - h)) / h, "factor"),
    ("central_difference", lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "sign"),
    ("chain_rule", lambda x: jnp.cos(3 * x) * jnp.exp(jnp.sin(3 * x)), "mistake:no_inner"),
    ("chain_rule", lambda x: 3 * jnp.exp(jnp.sin(3 * x)), "values"),
    ("chain_rule", lambda x: -3 * jnp.cos(3 * x) * jnp.exp(jnp.sin(3 * x)), "sign"),
    ("softmax_jacobian", lambda x: jnp.diag(_softmax(x) * (1 - _softmax(x))),
     "mistake:diagonal_only"),
    ("softmax_jacobian", lambda x: jnp.outer(_softmax(x), _softmax(x)) - jnp.diag(_softmax(x)),
     "sign"),
    ("softmax_jacobian", lambda x: jnp.diag(_softmax(x)) - jnp.outer(_softmax(x), _softmax(x))
     if float(x.max()) < 1e30 else x, "jit"),
    ("softmax_grad", lambda x, v: _softmax(x) * v, "mistake:no_correction"),
    ("softmax_grad", lambda x, v: (lambda s: s * (v - (v * s).sum(-1, keepdims=True)))(
        jnp.exp(x) / jnp.exp(x).sum(-1, keepdims=True)), "not_finite"),
    ("softmax_grad", lambda x, v: 2 * softmax_grad(x, v), "factor"),
    ("simpson", lambda f, a, b, n: _simpson(f, a, b, n, (1.0, 1.0), 1.0) -
     (b - a) / n * (f(a) + f(b)) / 2, "mistake:trapezoid"),
    ("simpson", lambda f, a, b, n: _simpson(f, a, b, n, scale=1.0), "factor"),
    ("simpson", lambda f, a, b, n: _simpson(f, a, b, n, weights=(2.0, 4.0)), "values"),
    ("tanh_grad", lambda x: 1 + jnp.tanh(x) ** 2, "mistake:plus"),
    ("tanh_grad", lambda x: 1 / jnp.cosh(x) ** 2 * 0 + 4 / (jnp.exp(x) + jnp.exp(-x)) ** 2
     * jnp.where(jnp.abs(x) > 50, jnp.nan, 1.0), "not_finite"),
    ("tanh_grad", lambda x: jnp.where(x > 0, tanh_grad(x), 1.0), "half_domain"),
    ("quadratic_form_grad", lambda A, x: 2 * A @ x, "mistake:symmetric_only"),
    ("quadratic_form_grad", lambda A, x: A @ x, "mistake:half"),
    ("quadratic_form_grad", lambda A, x: -(A + A.T) @ x, "sign"),
]
