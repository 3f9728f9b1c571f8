"""Calculus: finite differences, Jacobians and Hessians, numerical integration, and
gradient checking of every hand-written derivative against ``jax.grad``.

Derivatives by finite differences (step h)::

    forward     f'(x) ≈ (f(x + h) − f(x)) / h              error O(h)  + O(ε/h)
    backward    f'(x) ≈ (f(x) − f(x − h)) / h              error O(h)  + O(ε/h)
    central     f'(x) ≈ (f(x + h) − f(x − h)) / (2h)       error O(h²) + O(ε/h)
    complex     f'(x) ≈ Im f(x + ih) / h                   error O(h²), no cancellation

The first term is truncation (Taylor) error, the second rounding error (ε is the machine
epsilon: 2⁻²³ in float32, 2⁻⁵² in float64), so the best step balances the two:
h* ≈ √ε for one-sided differences, ∛ε for central ones. The complex step has no
subtraction, so any tiny h works — but only for a function that is analytic and written
with operations that carry complex numbers (no ``abs``, ``where`` on comparisons, ``max``).

Integration of ∫ₐᵇ f(x) dx with n panels of width h = (b − a)/n::

    left / right Riemann   h Σ f(xᵢ) at the left / right ends         error O(h)
    midpoint               h Σ f(xᵢ + h/2)                            error O(h²)
    trapezoid              h (f₀/2 + f₁ + … + fₙ₋₁ + fₙ/2)            error O(h²)
    Simpson (n even)       h/3 (f₀ + 4f₁ + 2f₂ + 4f₃ + … + fₙ)        error O(h⁴)
    Monte Carlo            (b − a) · mean f(Uᵢ),  Uᵢ ~ U(a, b)        error O(n^(−1/2))

Gradient checking: :func:`gradcheck` compares a hand-written derivative with ``jax.grad``
and with central differences, norm-wise, under tolerances that suit the dtype
(:data:`TOLERANCES`). ``mlmath gradcheck`` runs it over every entry of
:mod:`mlmath_jax.registry`.

This module also carries the derivative table of the seed (eˣ, ln x, sin, cos, σ, ReLU),
its worked examples, and the chain rule on one sigmoid neuron, each with a hand-written
derivative registered as ``calculus.table.*``, ``calculus.examples.*`` and
``calculus.neuron.*``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from mlmath_jax import explog, losses, registry

PyTree = Any

DIFF_METHODS = ("central", "forward", "backward", "complex")
INTEGRATION_METHODS = ("left", "right", "midpoint", "trapezoid", "simpson")
_ALIASES = {"riemann": "left", "left_riemann": "left", "right_riemann": "right"}


def _float_dtype(*xs) -> jnp.dtype:
    """The floating dtype of the inputs (default float when they are Python numbers)."""
    dt = jnp.result_type(*xs, float)
    return dt if jnp.issubdtype(dt, jnp.floating) else jnp.result_type(float)


def default_step(x: jax.Array, method: str = "central") -> jax.Array:
    """The step that balances truncation against rounding error, scaled by ``|x|``:

    h = ε^(1/2)·max(1, |x|) (forward, backward), ε^(1/3)·max(1, |x|) (central),
    ε^(1/4)·max(1, |x|) (second differences), 1e−20·max(1, |x|) (complex step; any
    tiny h works there, since Im f(x + ih) involves no subtraction).

    Example:
      >>> round(float(default_step(jnp.float32(2.0), "forward")) / 2 ** -11.5, 4)  # 2·√ε
      2.0
      >>> float(default_step(100.0, "complex"))
      1e-18
    """
    x = jnp.asarray(x)
    dt = _float_dtype(x)
    eps = float(jnp.finfo(dt).eps)
    power = {"forward": 1 / 2, "backward": 1 / 2, "central": 1 / 3, "second": 1 / 4}
    base = 1e-20 if method == "complex" else eps ** power[method]
    return jnp.asarray(base, dt) * jnp.maximum(jnp.abs(x).astype(dt), jnp.ones((), dt))


def _check_method(method: str, allowed: tuple[str, ...]) -> str:
    method = _ALIASES.get(method, method)
    if method not in allowed:
        raise ValueError(f"method={method!r} is not one of {', '.join(allowed)}")
    return method


def derivative(f: Callable, x: jax.Array, h: jax.Array | float | None = None,
               method: str = "central") -> jax.Array:
    """f'(x) by a finite difference (or the complex step), elementwise.

    ``f`` is a scalar function applied elementwise (``jnp.sin``, ``lambda x: x**2``);
    ``x`` and ``h`` may be arrays and broadcast against each other, which is how a whole
    sweep over steps is one call. Jittable (``method`` is static).

    Equations: (f(x+h) − f(x))/h, (f(x) − f(x−h))/h, (f(x+h) − f(x−h))/(2h), and
    Im f(x + ih)/h for the complex step.

    Args:
      f: an elementwise function of a real array.
      x: where to differentiate.
      h: the step (default :func:`default_step`).
      method: "central" (default), "forward", "backward" or "complex".

    Returns:
      The derivative estimate, shaped like ``broadcast(x, h)``.

    Raises:
      ValueError: an unknown method, or ``method="complex"`` on a function that drops the
        imaginary part (not analytic as written, e.g. it uses ``abs`` or comparisons).

    Example:
      >>> round(float(derivative(lambda x: x ** 2, 3.0)), 3)        # (x²)' = 2x
      6.0
      >>> float(derivative(jnp.sin, 1.0, h=1e-20, method="complex")) == float(jnp.cos(1.0))
      True
    """
    method = _check_method(method, DIFF_METHODS)
    x = jnp.asarray(x, _float_dtype(x))
    dt = x.dtype
    h = default_step(x, method) if h is None else jnp.asarray(h, dt)
    if method == "forward":
        return (f(x + h) - f(x)) / h
    if method == "backward":
        return (f(x) - f(x - h)) / h
    if method == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    cdt = jnp.complex128 if dt == jnp.float64 else jnp.complex64
    y = f(x.astype(cdt) + 1j * h.astype(cdt))
    if not jnp.iscomplexobj(y):
        raise ValueError("complex step: f returned a real result for a complex input; it is "
                         "not analytic as written (abs, comparisons, max…) — use "
                         "method='central'")
    return (jnp.imag(y) / h).astype(dt)


def _steps(x: jax.Array, h, method: str) -> jax.Array:
    return default_step(x, method) if h is None else jnp.broadcast_to(
        jnp.asarray(h, x.dtype), x.shape)


def gradient(f: Callable, x: PyTree, h: jax.Array | float | None = None,
             method: str = "central", batch_size: int | None = 256) -> PyTree:
    """∇f(x) of a scalar function by finite differences, one coordinate at a time.

    ∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / (2h) (central); ``x`` may be any pytree of
    arrays (a params dict), the result has the same structure — compare it with
    ``jax.grad(f)(x)``. The 2n perturbed evaluations run under ``lax.map`` in batches of
    ``batch_size`` (vectorized with ``vmap`` inside a batch).

    Args:
      f: scalar function of ``x``.
      x: the point (array or pytree of arrays).
      h: step (default: per coordinate, :func:`default_step`).
      method: "central", "forward" or "backward".
      batch_size: perturbed evaluations per vectorized batch (None: all at once).

    Returns:
      The gradient estimate, structured like ``x``.

    Example:
      >>> g = gradient(lambda v: v[0] ** 2 + v[1] ** 2, jnp.array([3.0, 4.0]))
      >>> jnp.round(g, 2).tolist()
      [6.0, 8.0]
    """
    method = _check_method(method, DIFF_METHODS[:3])
    flat, unravel = ravel_pytree(x)
    flat = flat.astype(_float_dtype(flat))
    g = _jacobian_flat(lambda v: jnp.asarray(f(unravel(v))), flat, h, method, batch_size)
    return unravel(g.reshape(flat.shape))


def _jacobian_flat(f: Callable, x: jax.Array, h, method: str,
                   batch_size: int | None) -> jax.Array:
    """(output..., n) Jacobian of f at the flat vector x by finite differences."""
    n = x.shape[0]
    steps = _steps(x, h, method)
    eye = jnp.eye(n, dtype=x.dtype) * steps[:, None]
    if batch_size is None or n <= batch_size:
        evaluate = jax.vmap(f)
    else:
        evaluate = lambda xs: jax.lax.map(f, xs, batch_size=batch_size)
    if method == "central":
        cols = (evaluate(x[None] + eye) - evaluate(x[None] - eye)) / (2 * _expand(steps, f(x)))
    elif method == "forward":
        cols = (evaluate(x[None] + eye) - f(x)[None]) / _expand(steps, f(x))
    else:
        cols = (f(x)[None] - evaluate(x[None] - eye)) / _expand(steps, f(x))
    return jnp.moveaxis(cols, 0, -1)


def _expand(steps: jax.Array, y: jax.Array) -> jax.Array:
    return steps.reshape(steps.shape + (1,) * jnp.ndim(y))


def jacobian(f: Callable, x: jax.Array, h: jax.Array | float | None = None,
             method: str = "central", batch_size: int | None = 256) -> jax.Array:
    """The Jacobian J[i..., j...] = ∂fᵢ/∂xⱼ by finite differences.

    Shaped ``f(x).shape + x.shape`` like ``jax.jacfwd(f)(x)`` and ``jax.jacrev(f)(x)``;
    column j is (f(x + h eⱼ) − f(x − h eⱼ)) / (2h).

    Example:
      >>> J = jacobian(lambda v: jnp.stack([v[0] * v[1], jnp.sin(v[0])]), jnp.array([1.0, 2.0]))
      >>> jnp.round(J, 3).tolist()                     # [[y, x], [cos x, 0]]
      [[2.0, 1.0], [0.54, 0.0]]
    """
    method = _check_method(method, DIFF_METHODS[:3])
    x = jnp.asarray(x, _float_dtype(x))
    flat_f = lambda v: jnp.asarray(f(v.reshape(x.shape)))
    J = _jacobian_flat(flat_f, x.ravel(), h, method, batch_size)
    return J.reshape(J.shape[:-1] + x.shape)


def hessian(f: Callable, x: jax.Array, h: jax.Array | float | None = None) -> jax.Array:
    """The Hessian Hᵢⱼ = ∂²f/∂xᵢ∂xⱼ of a scalar function by central second differences:

        Hᵢⱼ ≈ [f(x + hᵢeᵢ + hⱼeⱼ) − f(x + hᵢeᵢ − hⱼeⱼ) − f(x − hᵢeᵢ + hⱼeⱼ)
               + f(x − hᵢeᵢ − hⱼeⱼ)] / (4hᵢhⱼ),

    error O(h²) + O(ε/h²), so the default step is ε^(1/4)·max(1, |xᵢ|). Shaped
    ``x.shape + x.shape`` like ``jax.hessian(f)(x)``; symmetric by construction.

    Example:
      >>> H = hessian(lambda v: v[0] ** 2 + 3 * v[0] * v[1] + v[1] ** 2, jnp.ones(2))
      >>> jnp.round(H, 2).tolist()
      [[2.0, 3.0], [3.0, 2.0]]
    """
    x = jnp.asarray(x, _float_dtype(x))
    flat = x.ravel()
    n = flat.shape[0]
    steps = default_step(flat, "second") if h is None else jnp.broadcast_to(
        jnp.asarray(h, flat.dtype), flat.shape)
    E = jnp.eye(n, dtype=flat.dtype) * steps[:, None]
    g = lambda v: f(v.reshape(x.shape))
    pair = lambda ei, ej: (g(flat + ei + ej) - g(flat + ei - ej) - g(flat - ei + ej)
                           + g(flat - ei - ej))
    num = jax.vmap(lambda ei: jax.vmap(lambda ej: pair(ei, ej))(E))(E)
    H = num / (4 * steps[:, None] * steps[None, :])
    H = (H + H.T) / 2
    return H.reshape(x.shape + x.shape)


# --------------------------------------------------------------------------- integration

def integrate(f: Callable, a: float | jax.Array, b: float | jax.Array, n: int,
              method: str = "simpson") -> jax.Array:
    """∫ₐᵇ f(x) dx by a quadrature rule with ``n`` panels (random sampling is
    :func:`monte_carlo_integrate`).

    ``f`` is vectorized (``jnp.sin``). Jittable with ``n`` and ``method`` static::

        jax.jit(integrate, static_argnums=(0, 3, 4))(jnp.sin, 0.0, jnp.pi, 64, "simpson")

    Rules (h = (b − a)/n, xᵢ = a + i h):

    * left: h Σᵢ₌₀ⁿ⁻¹ f(xᵢ); right: h Σᵢ₌₁ⁿ f(xᵢ)  (error O(h); alias "riemann" = left)
    * midpoint: h Σ f(xᵢ + h/2)                      (error O(h²))
    * trapezoid: h [f₀/2 + f₁ + … + fₙ₋₁ + fₙ/2]     (error O(h²))
    * simpson: h/3 [f₀ + 4f₁ + 2f₂ + … + 4fₙ₋₁ + fₙ], n even   (error O(h⁴))

    Args:
      f: the integrand (vectorized).
      a, b: the limits (may be traced).
      n: panels (static, >= 1; even for Simpson).
      method: one of :data:`INTEGRATION_METHODS`.

    Returns:
      The estimate, a scalar of the limits' floating dtype.

    Example:
      >>> round(float(integrate(jnp.sin, 0.0, jnp.pi, 64, "simpson")), 5)
      2.0
      >>> round(float(integrate(lambda x: x, 0.0, 1.0, 4, "left")), 6)   # (0 + ¼ + ½ + ¾)/4
      0.375
    """
    if method == "monte_carlo":
        raise ValueError("method='monte_carlo' draws random samples: use "
                         "calculus.monte_carlo_integrate(key, f, a, b, n)")
    method = _check_method(method, INTEGRATION_METHODS)
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if method == "simpson" and n % 2:
        raise ValueError(f"Simpson's rule needs an even number of panels, got n={n}")
    dt = _float_dtype(a, b)
    a, b = jnp.asarray(a, dt), jnp.asarray(b, dt)
    h = (b - a) / n
    i = jnp.arange(n + 1, dtype=dt)
    if method == "midpoint":
        return h * jnp.sum(f(a + (i[:-1] + 0.5) * h))
    y = f(a + i * h)
    if method == "left":
        return h * jnp.sum(y[:-1])
    if method == "right":
        return h * jnp.sum(y[1:])
    if method == "trapezoid":
        return h * (jnp.sum(y) - (y[0] + y[-1]) / 2)
    w = jnp.where(jnp.arange(n + 1) % 2 == 1, 4.0, 2.0).astype(dt)
    w = w.at[0].set(1.0).at[-1].set(1.0)
    return h / 3 * jnp.sum(w * y)



def monte_carlo_integrate(key: jax.Array, f: Callable, a: float | jax.Array,
                          b: float | jax.Array, n: int) -> jax.Array:
    """∫ₐᵇ f(x) dx ≈ (b − a)·(1/n) Σᵢ f(Uᵢ) with Uᵢ ~ U(a, b) drawn with ``key``.

    Unbiased, with standard error (b − a)·std f(U)/√n: the error falls like n^(−1/2)
    whatever the dimension, where a rule with n panels falls like n^(−order).

    Args:
      key: PRNG key for the samples.
      f: the integrand (vectorized).
      a, b: the limits (may be traced).
      n: number of samples (static, >= 1).

    Returns:
      The estimate, a scalar of the limits' floating dtype.

    Example:
      >>> est = monte_carlo_integrate(jax.random.key(0), jnp.sin, 0.0, jnp.pi, 100_000)
      >>> abs(float(est) - 2.0) < 0.02
      True
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    dt = _float_dtype(a, b)
    a, b = jnp.asarray(a, dt), jnp.asarray(b, dt)
    u = jax.random.uniform(key, (n,), dt, minval=a, maxval=b)
    return (b - a) * jnp.mean(f(u))

def convergence_order(ns, errors, floor: float = 0.0) -> float:
    """The order p in error ≈ C·n^(−p): minus the least-squares slope of log error against
    log n, over the points whose error is above ``floor`` (drop those at rounding level).

    Example:
      >>> round(convergence_order([8, 16, 32], [1e-2, 2.5e-3, 6.25e-4]), 6)
      2.0
    """
    ns = np.asarray(ns, dtype=float)
    errors = np.asarray(errors, dtype=float)
    keep = np.isfinite(errors) & (errors > floor)
    if keep.sum() < 2:
        return float("nan")
    slope = np.polyfit(np.log(ns[keep]), np.log(errors[keep]), 1)[0]
    return float(-slope)


# ---------------------------------------------------------------------- gradient checks

# (rtol against jax.grad, rtol against central differences) per dtype, applied to the
# norm-wise relative errors. float64 is strict: manual and automatic derivatives agree to
# 1e-10 (a wrong factor of 1.0001 fails), central differences (error ≈ ε^(2/3) ≈ 4e-11
# relative to the size of f) to 1e-6. float32 (ε ≈ 1.2e-7, ε^(2/3) ≈ 2.4e-5) allows
# 1e-4 against jax.grad and 1e-2 against central differences, whose rounding error grows
# with |f|/|∇f|; a float32 pass means "no gross mistake", the float64 run is the proof.
TOLERANCES = {"float64": (1e-10, 1e-6), "float32": (1e-4, 1e-2)}
FLOOR = 1e-3
"""Relative errors divide by max(‖reference‖, FLOOR·scale) so that a gradient near zero is
compared absolutely, not to its own vanishing norm (see :func:`relative_error`)."""


def relative_error(manual: PyTree, reference: PyTree, floor: float = FLOOR) -> float:
    """Norm-wise relative error ‖m − r‖₂ / max(‖r‖₂, floor) over all leaves of two pytrees.

    The floor keeps a near-zero reference (a saturated sigmoid, a gradient at an optimum)
    from turning rounding noise into a huge relative error; below it the error is absolute.

    Example:
      >>> round(relative_error(jnp.array([3.0, 4.1]), jnp.array([3.0, 4.0])), 6)
      0.02
      >>> relative_error(jnp.array([1e-6]), jnp.array([0.0]))      # absolute below the floor
      0.001
    """
    m, _ = ravel_pytree(manual)
    r, _ = ravel_pytree(reference)
    if m.shape != r.shape:
        raise ValueError(f"manual derivative has {m.size} numbers, the reference {r.size}")
    m = np.asarray(m, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(r))):
        return float("inf")
    return float(np.linalg.norm(m - r) / max(np.linalg.norm(r), floor))


class GradcheckResult(NamedTuple):
    """What :func:`gradcheck` returns."""

    err_autodiff: float   # ‖manual − jax.grad‖ / max(‖jax.grad‖, floor·scale)
    err_numeric: float    # ‖manual − central differences‖ / max(‖central‖, floor·scale)
    passed: bool
    rtol_autodiff: float
    rtol_numeric: float
    dtype: str
    message: str = ""


def _leaf_dtype(tree) -> str:
    leaves = [a for a in jax.tree.leaves(tree) if jnp.issubdtype(jnp.result_type(a),
                                                                 jnp.floating)]
    return str(jnp.result_type(*leaves)) if leaves else str(jnp.result_type(float))


def _checker(f: Callable, manual: Callable, wrt: int, h: float | None) -> Callable:
    """One jitted function args -> (manual, jax.grad, central differences) of Σf."""
    total = lambda *a: jnp.sum(f(*a))

    def three(*args):
        at = lambda x: total(*args[:wrt], x, *args[wrt + 1:])
        return (manual(*args), jax.grad(total, argnums=wrt)(*args),
                gradient(at, args[wrt], h=h))

    return jax.jit(three)


def _compare(derivs, dtype: str, rtol, floor: float) -> GradcheckResult:
    rtol_ad, rtol_fd = rtol or TOLERANCES.get(dtype, TOLERANCES["float32"])
    m, auto, numeric = derivs
    try:
        e_ad = relative_error(m, auto, floor)
        e_fd = relative_error(m, numeric, floor)
    except ValueError as exc:
        return GradcheckResult(float("inf"), float("inf"), False, rtol_ad, rtol_fd, dtype,
                               str(exc))
    passed = e_ad <= rtol_ad and e_fd <= rtol_fd
    return GradcheckResult(e_ad, e_fd, bool(passed), rtol_ad, rtol_fd, dtype)


def gradcheck(f: Callable, manual: Callable, *args, wrt: int = 0,
              rtol: tuple[float, float] | None = None, floor: float = FLOOR,
              h: float | None = None) -> GradcheckResult:
    """Check a hand-written derivative against ``jax.grad`` and central differences.

    ``manual(*args)`` must equal ∇ₓ Σ f(*args) with x = ``args[wrt]`` (the registry's
    contract, so an elementwise function passes its elementwise derivative). Both errors
    are norm-wise relative errors (:func:`relative_error`): the whole gradient is
    compared at once, and a reference smaller than ``floor`` is compared absolutely.
    The three derivatives are computed in one jit-compiled call.

    Args:
      f: the function; the checked scalar is ``jnp.sum(f(*args))``.
      manual: the hand-written derivative.
      *args: the point; ``args[wrt]`` may be a pytree (params dict).
      wrt: which argument.
      rtol: (against jax.grad, against central differences); default per dtype from
        :data:`TOLERANCES`.
      floor: see :func:`relative_error`.
      h: central-difference step (default per coordinate, ε^(1/3)·max(1, |xᵢ|)).

    Returns:
      A :class:`GradcheckResult` (``passed`` when both errors are within tolerance).

    Example:
      >>> gradcheck(jnp.sin, jnp.cos, jnp.linspace(-2.0, 2.0, 5)).passed
      True
    """
    derivs = _checker(f, manual, wrt, h)(*args)
    return _compare(derivs, _leaf_dtype(args[wrt]), rtol, floor)


def check_entry(key: jax.Array, entry: registry.Entry, dtype=jnp.float32,
                samples: int = 3) -> GradcheckResult:
    """:func:`gradcheck` of a registry entry at ``samples`` points drawn by its sampler
    (``entry.sample(key, dtype)``); the result holds the largest errors seen, and passes
    only when every point passes.

    Example:
      >>> entry = registry.entries("calculus.table.sin", load=False)[0]
      >>> check_entry(jax.random.key(0), entry).passed
      True
    """
    check = _checker(entry.fn, entry.manual, entry.wrt, None)
    results = []
    for k in jax.random.split(key, samples):
        args = tuple(entry.sample(k, dtype))
        results.append(_compare(check(*args), _leaf_dtype(args[entry.wrt]), None, FLOOR))
    first = results[0]
    return first._replace(err_autodiff=max(r.err_autodiff for r in results),
                          err_numeric=max(r.err_numeric for r in results),
                          passed=all(r.passed for r in results),
                          message="; ".join(sorted({r.message for r in results if r.message})))


# ------------------------------------------------------------------ the derivative table

def _log_grad(x):
    return 1.0 / x


def _neg_sin(x):
    return -jnp.sin(x)


def _uniform(lo: float, hi: float, shape=(7,)):
    def sample(key, dtype):
        return (jax.random.uniform(key, shape, dtype, minval=lo, maxval=hi),)
    return sample


def _relu(x):
    return jnp.maximum(x, jnp.zeros_like(x))


def _relu_grad(x):
    # The subgradient 0 at the kink, as jax.nn.relu and mlmath_jax.nn.relu_grad.
    return jnp.where(x > 0, jnp.ones_like(x), jnp.zeros_like(x))


def _away_from_zero(key, dtype):
    """|x| in [0.1, 3] with a random sign: no sample lands within h of ReLU's kink."""
    k1, k2 = jax.random.split(key)
    mag = jax.random.uniform(k1, (9,), dtype, minval=0.1, maxval=3.0)
    return (jnp.where(jax.random.bernoulli(k2, 0.5, (9,)), mag, -mag),)


# name: (f, f', formula, domain sampler)
DERIVATIVE_TABLE: dict[str, tuple[Callable, Callable, str, Callable]] = {
    "exp": (jnp.exp, jnp.exp, "(eˣ)' = eˣ", _uniform(-3.0, 3.0)),
    "log": (jnp.log, _log_grad, "(ln x)' = 1/x", _uniform(0.2, 5.0)),
    "sin": (jnp.sin, jnp.cos, "(sin x)' = cos x", _uniform(-4.0, 4.0)),
    "cos": (jnp.cos, _neg_sin, "(cos x)' = −sin x", _uniform(-4.0, 4.0)),
    "sigmoid": (explog.sigmoid, explog.sigmoid_grad, "σ'(x) = σ(x)(1 − σ(x))",
                _uniform(-6.0, 6.0)),
    "relu": (_relu, _relu_grad, "ReLU'(x) = 1 if x > 0 else 0", _away_from_zero),
}

for _name, (_f, _df, _formula, _sample) in DERIVATIVE_TABLE.items():
    registry.register(f"calculus.table.{_name}", _f, _df, _sample, doc=_formula)


# ------------------------------------------------------------ the seed's worked examples

def square(x: jax.Array) -> jax.Array:
    """f(x) = x².

    Example:
      >>> square(jnp.array([3.0, -2.0])).tolist()
      [9.0, 4.0]
    """
    return x * x


def square_grad(x: jax.Array) -> jax.Array:
    """(x²)' = 2x (power rule): f'(3) = 6, f'(0) = 0, f'(−2) = −4.

    Example:
      >>> square_grad(jnp.array([3.0, 0.0, -2.0])).tolist()
      [6.0, 0.0, -4.0]
    """
    return 2 * x


def chain_example(x: jax.Array) -> jax.Array:
    """f(x) = (3x + 2)⁵ = g(h(x)) with g(u) = u⁵, h(x) = 3x + 2.

    Example:
      >>> float(chain_example(0.0))
      32.0
    """
    return (3 * x + 2) ** 5


def chain_example_grad(x: jax.Array) -> jax.Array:
    """Chain rule: f'(x) = g'(h(x))·h'(x) = 5(3x + 2)⁴·3 = 15(3x + 2)⁴.

    Example:
      >>> float(chain_example_grad(0.0))
      240.0
    """
    return 15 * (3 * x + 2) ** 4


def two_variable(v: jax.Array) -> jax.Array:
    """f(x, y) = x² + 3xy + y² for v = (x, y).

    Example:
      >>> float(two_variable(jnp.array([1.0, 2.0])))
      11.0
    """
    x, y = v[..., 0], v[..., 1]
    return x * x + 3 * x * y + y * y


def two_variable_grad(v: jax.Array) -> jax.Array:
    """Partials: ∂f/∂x = 2x + 3y, ∂f/∂y = 3x + 2y.

    Example:
      >>> two_variable_grad(jnp.array([1.0, 2.0])).tolist()
      [8.0, 7.0]
    """
    x, y = v[..., 0], v[..., 1]
    return jnp.stack([2 * x + 3 * y, 3 * x + 2 * y], axis=-1)


def squared_norm(v: jax.Array) -> jax.Array:
    """f(v) = Σ vᵢ² (x² + y² in two dimensions).

    Example:
      >>> float(squared_norm(jnp.array([3.0, 4.0])))
      25.0
    """
    return jnp.sum(v * v)


def squared_norm_grad(v: jax.Array) -> jax.Array:
    """∇‖v‖² = 2v; ∇(x² + y²) at (3, 4) = [6, 8].

    Example:
      >>> squared_norm_grad(jnp.array([3.0, 4.0])).tolist()
      [6.0, 8.0]
    """
    return 2 * v


registry.register("calculus.examples.square", square, square_grad, _uniform(-3.0, 3.0),
                  doc="(x²)' = 2x")
registry.register("calculus.examples.chain", chain_example, chain_example_grad,
                  _uniform(-1.0, 1.0), doc="((3x + 2)⁵)' = 15(3x + 2)⁴")
registry.register("calculus.examples.two_variable", two_variable, two_variable_grad,
                  _uniform(-2.0, 2.0, (4, 2)), doc="∇(x² + 3xy + y²) = (2x + 3y, 3x + 2y)")
registry.register("calculus.examples.squared_norm", squared_norm, squared_norm_grad,
                  _uniform(-2.0, 2.0, (5,)), doc="∇(x² + y²) = (2x, 2y)")


# ------------------------------------------------- the chain rule on one sigmoid neuron

def neuron_forward(params: dict, X: jax.Array) -> jax.Array:
    """a = σ(z), z = X·w + b: one sigmoid neuron on a batch X of shape (n, d).

    Example:
      >>> params = {"w": jnp.array([1.0, -1.0]), "b": jnp.array(0.0)}
      >>> neuron_forward(params, jnp.array([[2.0, 2.0], [0.0, 0.0]])).tolist()
      [0.5, 0.5]
    """
    return explog.sigmoid(X @ params["w"] + params["b"])


def neuron_loss(params: dict, X: jax.Array, y: jax.Array) -> jax.Array:
    """Binary cross-entropy L = −(1/n) Σ [y log a + (1 − y) log(1 − a)], a = σ(z), computed
    from the logits z by :func:`losses.sigmoid_binary_cross_entropy`, so it never takes
    log 0.

    Example:
      >>> params = {"w": jnp.array([0.0]), "b": jnp.array(0.0)}
      >>> round(float(neuron_loss(params, jnp.array([[1.0]]), jnp.array([1.0]))), 6)  # ln 2
      0.693147
    """
    return losses.sigmoid_binary_cross_entropy(X @ params["w"] + params["b"], y)


def neuron_backward(params: dict, X: jax.Array, y: jax.Array) -> dict:
    """∂L/∂w and ∂L/∂b by the chain rule, one factor at a time.

        ∂L/∂a = (1/n)·[−y/a + (1 − y)/(1 − a)]    (the loss)
        ∂a/∂z = σ'(z) = a(1 − a)                    (the sigmoid)
        ∂L/∂z = ∂L/∂a · ∂a/∂z = (a − y)/n           (the two cancel to this)
        ∂z/∂w = x,  ∂z/∂b = 1                       (the affine map)
        ∂L/∂w = Xᵀ ∂L/∂z,   ∂L/∂b = Σ ∂L/∂z

    The product ∂L/∂a · ∂a/∂z is written in its simplified form (a − y)/n: multiplying
    the two factors literally divides by a(1 − a), which underflows to 0 for a saturated
    neuron.

    Example:
      >>> params = {"w": jnp.array([0.0]), "b": jnp.array(0.0)}
      >>> g = neuron_backward(params, jnp.array([[2.0]]), jnp.array([1.0]))
      >>> g["w"].tolist(), float(g["b"])                # (a − y)·x, a − y with a = ½
      ([-1.0], -0.5)
    """
    n = X.shape[0]
    a = neuron_forward(params, X)
    dL_dz = (a - y) / n
    return {"w": X.T @ dL_dz, "b": jnp.sum(dL_dz)}


def _neuron_sample(key, dtype):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    params = {"w": jax.random.normal(k1, (3,), dtype), "b": jax.random.normal(k2, (), dtype)}
    X = jax.random.normal(k3, (16, 3), dtype)
    y = jax.random.bernoulli(k4, 0.5, (16,)).astype(dtype)
    return params, X, y


registry.register("calculus.neuron.bce", neuron_loss, neuron_backward, _neuron_sample,
                  doc="∂L/∂w = Xᵀ(a − y)/n, ∂L/∂b = Σ(a − y)/n")

__all__ = [
    "DERIVATIVE_TABLE", "DIFF_METHODS", "INTEGRATION_METHODS", "TOLERANCES", "FLOOR",
    "monte_carlo_integrate",
    "GradcheckResult", "check_entry", "chain_example", "chain_example_grad",
    "convergence_order", "default_step", "derivative", "gradcheck", "gradient", "hessian",
    "integrate", "jacobian", "neuron_backward", "neuron_forward", "neuron_loss",
    "relative_error", "square", "square_grad", "squared_norm",
    "squared_norm_grad", "two_variable", "two_variable_grad",
]
