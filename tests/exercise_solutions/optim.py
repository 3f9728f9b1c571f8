"""optimization."""

import jax
import jax.numpy as jnp


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8, correct=True, fixed_t=False, sign=1.0):
    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return zeros, zeros, jnp.zeros([], jnp.int32)

    def update(grads, state):
        m, v, t = state
        t = t + 1
        m = jax.tree.map(lambda a, g: b1 * a + (1 - b1) * g, m, grads)
        v = jax.tree.map(lambda a, g: b2 * a + (1 - b2) * g * g, v, grads)
        tt = 1 if fixed_t else t
        c1, c2 = (1 - b1**tt, 1 - b2**tt) if correct else (1.0, 1.0)
        upd = jax.tree.map(lambda a, b: -sign * learning_rate * (a / c1) /
                           (jnp.sqrt(b / c2) + eps), m, v)
        return upd, (m, v, t)

    return init, update


def sgd_momentum(learning_rate, momentum, ema=False, python_count=False):
    def init(params):
        return jax.tree.map(jnp.zeros_like, params)

    def update(grads, v):
        w = (1 - momentum) if ema else 1.0
        v = jax.tree.map(lambda a, g: momentum * a + w * g, v, grads)
        return jax.tree.map(lambda a: -learning_rate * a, v), v

    return init, update


def rmsprop(learning_rate, decay=0.9, eps=1e-8, eps_outside=False, no_avg=False):
    def init(params):
        return jax.tree.map(jnp.zeros_like, params)

    def update(grads, nu):
        w = 1.0 if no_avg else (1 - decay)
        nu = jax.tree.map(lambda a, g: decay * a + w * g * g, nu, grads)
        if eps_outside:
            upd = jax.tree.map(lambda g, n: -learning_rate * g / (jnp.sqrt(n) + eps), grads, nu)
        else:
            upd = jax.tree.map(lambda g, n: -learning_rate * g / jnp.sqrt(n + eps), grads, nu)
        return upd, nu

    return init, update


def cosine_decay(step, init_value, decay_steps, alpha):
    t = jnp.minimum(step, decay_steps)
    return init_value * ((1 - alpha) * 0.5 * (1 + jnp.cos(jnp.pi * t / decay_steps)) + alpha)


def exponential_decay(step, init_value, decay_rate, transition_steps):
    return init_value * decay_rate ** (step / transition_steps)


def _adam_python_if(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    init, update = adam(learning_rate, b1, b2, eps)

    def update_if(grads, state):
        if state[2] == 0:  # a Python `if` on the traced step count
            pass
        return update(grads, state)

    return init, update_if


def _momentum_first_step_only(learning_rate, momentum):
    def init(params):
        return jax.tree.map(jnp.zeros_like, params)

    def update(grads, v):
        return jax.tree.map(lambda g: -learning_rate * g, grads), v

    return init, update


def _negated(init, update):
    def update_neg(grads, state):
        upd, state = update(grads, state)
        return jax.tree.map(lambda a: -a, upd), state

    return init, update_neg


CORRECT = dict(adam=adam, sgd_momentum=sgd_momentum, rmsprop=rmsprop,
               cosine_decay=cosine_decay, exponential_decay=exponential_decay)

WRONG = [
    ("adam", lambda **h: adam(**h, correct=False), "mistake:no_bias_correction"),
    ("adam", lambda **h: adam(**h, fixed_t=True), "mistake:t_fixed"),
    ("adam", lambda **h: adam(**h, sign=-1.0), "sign"),
    ("adam", _adam_python_if, "jit"),
    ("sgd_momentum", lambda **h: sgd_momentum(**h, ema=True), "mistake:ema"),
    ("sgd_momentum", _momentum_first_step_only, "drift"),
    ("sgd_momentum", lambda **h: _negated(*sgd_momentum(**h)), "sign"),
    ("rmsprop", lambda **h: rmsprop(**h, eps_outside=True), "mistake:eps_outside"),
    ("rmsprop", lambda learning_rate, decay, eps: rmsprop(2 * learning_rate, decay, eps),
     "factor"),
    ("rmsprop", lambda **h: _negated(*rmsprop(**h)), "sign"),
    ("cosine_decay", lambda s, v, t, a: v * ((1 - a) * 0.5 * (1 + jnp.cos(jnp.pi * s / t)) + a),
     "mistake:no_clamp"),
    ("cosine_decay", lambda s, v, t, a: cosine_decay(s, v, t, 0.0), "mistake:no_alpha"),
    ("cosine_decay", lambda s, v, t, a: v * (1 + jnp.cos(jnp.pi * jnp.minimum(s, t) / t)),
     "factor"),
    ("exponential_decay", lambda s, v, r, k: v * r ** (s // k), "mistake:staircase"),
    ("exponential_decay", lambda s, v, r, k: v * r ** s, "values"),
    ("exponential_decay", lambda s, v, r, k: v * jnp.exp(-r * s / k), "values"),
]
