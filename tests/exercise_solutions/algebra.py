"""algebra & functions."""

import jax
import jax.numpy as jnp


def _eliminate(A, b, pivot=True):
    n = A.shape[0]
    M = jnp.concatenate([A, b[:, None]], axis=1)

    def step(k, M):
        if pivot:
            rows = jnp.arange(n)
            p = jnp.argmax(jnp.where(rows >= k, jnp.abs(M[:, k]), -1.0))
            rk, rp = M[k], M[p]
            M = M.at[k].set(rp).at[p].set(rk)
        factors = jnp.where(jnp.arange(n) > k, M[:, k] / M[k, k], 0.0)
        return M - factors[:, None] * M[k][None, :]

    M = jax.lax.fori_loop(0, n, step, M)

    def back(i, x):
        k = n - 1 - i
        return x.at[k].set((M[k, n] - M[k, :n] @ x) / M[k, k])

    return jax.lax.fori_loop(0, n, back, jnp.zeros_like(b))


def solve_linear_system(A, b):
    return _eliminate(A, b)


def compose(f, g):
    return lambda x: f(g(x))


def inverse_affine(y, a, b):
    return (y - b) / a


def quadratic_roots(a, b, c):
    d = jnp.sqrt(b * b - 4 * a * c)
    q = -(b + jnp.where(b >= 0, 1.0, -1.0) * d) / 2
    return jnp.sort(jnp.stack([q / a, c / q]))


def horner(coeffs, x):
    p = jnp.zeros_like(x)
    for c in coeffs:
        p = p * x + c
    return p


CORRECT = dict(solve_linear_system=solve_linear_system, compose=compose,
               inverse_affine=inverse_affine, quadratic_roots=quadratic_roots, horner=horner)


def _textbook_roots(a, b, c):
    d = jnp.sqrt(b * b - 4 * a * c)
    return jnp.sort(jnp.stack([(-b - d) / (2 * a), (-b + d) / (2 * a)]))


WRONG = [
    ("solve_linear_system", lambda A, b: _eliminate(A, b, pivot=False), "not_finite"),
    ("solve_linear_system", lambda A, b: _eliminate(A.T, b), "mistake:transposed"),
    ("solve_linear_system", lambda A, b: -_eliminate(A, b), "sign"),
    ("compose", lambda f, g: lambda x: g(f(x)), "mistake:order"),
    ("compose", lambda f, g: lambda x: f(x), "values"),
    ("compose", lambda f, g: lambda x: f(g(x)) if float(jnp.max(x)) < 1e9 else x, "jit"),
    ("inverse_affine", lambda y, a, b: y / a - b, "mistake:divide_first"),
    ("inverse_affine", lambda y, a, b: a * y + b, "mistake:swapped_ops"),
    ("inverse_affine", lambda y, a, b: (y + b) / a, "offset"),
    ("quadratic_roots", _textbook_roots, "values"),
    ("quadratic_roots", lambda a, b, c: _textbook_roots(a, b, c)[::-1], "mistake:unsorted"),
    ("quadratic_roots", lambda a, b, c: 2 * quadratic_roots(a, b, c), "factor"),
    ("horner", lambda c, x: horner(c[::-1], x), "mistake:reversed"),
    ("horner", lambda c, x: -horner(c, x), "sign"),
    ("horner", lambda c, x: horner(c, x).T, "transposed"),
]
