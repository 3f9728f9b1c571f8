"""Hand-written optimizers, each an ``optax.GradientTransformation``.

Every optimizer here is an ``init`` / ``update`` pair written out in full (no optax
building blocks inside), with optax's argument names and defaults, so that it

* drops into any optax code: ``optax.chain(optax.clip_by_global_norm(1.0),
  optim.adam(1e-3))``, ``optax.apply_updates``, :func:`mlmath_jax.train.fit`;
* accepts complex parameters as optax does: the second moments accumulate
  |g|² = g·conj(g) (not g², which for g = 2j is −4), so a complex step is the same as
  optax's (``tests/test_optim.py`` checks complex64 and complex128 step by step);
* takes a float or a schedule (a callable of the step count, e.g. from
  :mod:`mlmath_jax.schedules`) as ``learning_rate``;
* matches its optax counterpart step by step (``tests/test_optim.py`` runs 1,000 steps on
  random pytrees in float32 and float64).

Notation: g = gradient at step t (t = 1, 2, …), α_t = learning rate (``learning_rate``, or
``learning_rate(t − 1)`` for a schedule, which sees the count of previous updates, 0
first), u = the returned update (params ← params + u). All operations are element-wise.

:func:`by_name` picks the hand-written or optax implementation by name, so experiments
can swap them from a config (``optimizer.impl = "handwritten" | "optax"``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from mlmath_jax.errors import UserError

PyTree = Any
ScalarOrSchedule = float | jax.Array | Callable[[jax.Array], jax.Array]

_INT32_MAX = jnp.iinfo(jnp.int32).max


def _increment(count: jax.Array | None) -> jax.Array | None:
    """count + 1, saturating at the int32 maximum instead of wrapping around (None: an
    optimizer that keeps no count stays without one)."""
    if count is None:
        return None
    return jnp.where(count < _INT32_MAX, count + 1, count)


def _counter(learning_rate: ScalarOrSchedule) -> jax.Array | None:
    """The initial update count, kept only where a schedule reads it. With a constant α
    there is nothing to count (optax keeps no count there either): the count would be one
    more small kernel and output buffer per update, ~7% of SGD's update of 1M parameters
    on a 2-core CPU."""
    return jnp.zeros([], jnp.int32) if callable(learning_rate) else None


def _step_size(learning_rate: ScalarOrSchedule, count: jax.Array):
    """α for this update: the constant, or the schedule evaluated at the update count."""
    return learning_rate(count) if callable(learning_rate) else learning_rate


def _descend(updates: PyTree, learning_rate: ScalarOrSchedule, count: jax.Array) -> PyTree:
    """u = −α·updates, with a scheduled α cast to each leaf's dtype (as optax does)."""
    if callable(learning_rate):
        step = -learning_rate(count)
        return jax.tree.map(lambda g: jnp.asarray(step, dtype=g.dtype) * g, updates)
    return jax.tree.map(lambda g: -learning_rate * g, updates)


def _abs_sq(g: jax.Array) -> jax.Array:
    """|g|² = Re(g·conj(g)): g² for real g, the squared modulus for complex g (as optax;
    g² of a complex number is not a magnitude and can be negative or complex)."""
    return (jnp.conj(g) * g).real if jnp.iscomplexobj(g) else g * g


def _zeros(params: PyTree, dtype=None) -> PyTree:
    return jax.tree.map(lambda p: jnp.zeros_like(p, dtype=dtype), params)


def _full(params: PyTree, value) -> PyTree:
    return jax.tree.map(lambda p: jnp.full_like(p, value), params)


def _bias_correction(moment: PyTree, decay, count: jax.Array) -> PyTree:
    """m̂ = m / (1 − βᵗ). βᵗ is computed in the default float precision (float64 under
    x64) and only then cast to the moment's dtype, as optax does, so that βᵗ does not
    round to 1 in low precision."""
    correction = 1 - decay ** count.astype(jnp.result_type(float))
    return jax.tree.map(lambda m: m / correction.astype(m.dtype), moment)


# ------------------------------------------------------------------------------------ SGD

class SgdState(NamedTuple):
    """``count``: updates done, kept for a learning-rate schedule only (None with a
    constant α); ``trace``: momentum buffer (None without momentum)."""

    count: jax.Array | None
    trace: PyTree


def sgd(learning_rate: ScalarOrSchedule, momentum: float | None = None,
        nesterov: bool = False, accumulator_dtype: Any | None = None
        ) -> optax.GradientTransformation:
    r"""Stochastic gradient descent, optionally with heavy-ball or Nesterov momentum.

    Plain:        u = −α g
    Momentum μ:   v ← g + μ v;  u = −α v                       (heavy ball)
    Nesterov:     v ← g + μ v;  u = −α (g + μ v)               (look-ahead form)

    Where frameworks differ: optax and PyTorch accumulate the raw gradient (v ← g + μv,
    then scale by α), so changing α mid-run rescales the whole buffer; Keras/TF1
    accumulate the scaled step (v ← μv − αg). With a constant α the paths are identical.
    PyTorch's ``dampening`` has no counterpart here (it is 0, as in optax).

    Args:
      learning_rate: α, a float or a schedule ``count -> α``.
      momentum: μ in [0, 1), or None for plain gradient descent (no buffer kept).
      nesterov: use the Nesterov form (needs ``momentum``).
      accumulator_dtype: dtype of the momentum buffer (default: the parameters').

    Returns:
      An ``optax.GradientTransformation``.

    Example:
      >>> opt = sgd(0.1, momentum=0.9)
      >>> params = jnp.array([1.0, -2.0])
      >>> state = opt.init(params)
      >>> updates, state = opt.update(jnp.array([1.0, 1.0]), state)
      >>> print(optax.apply_updates(params, updates).round(6).tolist())
      [0.9, -2.1]
    """

    def init(params):
        trace = _zeros(params, accumulator_dtype) if momentum is not None else None
        return SgdState(_counter(learning_rate), trace)

    def update(grads, state, params=None):
        del params
        trace = state.trace
        if momentum is not None:
            trace = jax.tree.map(lambda g, v: g + momentum * v, grads, state.trace)
            if nesterov:
                direction = jax.tree.map(lambda g, v: g + momentum * v, grads, trace)
            else:
                direction = trace
            if accumulator_dtype is not None:
                trace = jax.tree.map(lambda v: v.astype(accumulator_dtype), trace)
        else:
            direction = grads
        updates = _descend(direction, learning_rate, state.count)
        return updates, SgdState(_increment(state.count), trace)

    return optax.GradientTransformation(init, update)


# -------------------------------------------------------------------------------- AdaGrad

class AdagradState(NamedTuple):
    """``count``: updates done, kept for a learning-rate schedule only (None with a
    constant α); ``sum_of_squares``: G = G₀ + Σ g²."""

    count: jax.Array | None
    sum_of_squares: PyTree


def adagrad(learning_rate: ScalarOrSchedule, initial_accumulator_value: float = 0.1,
            eps: float = 1e-7) -> optax.GradientTransformation:
    r"""AdaGrad: a per-coordinate step shrinking with the gradients seen so far.

    G ← G + |g|²   (G₀ = ``initial_accumulator_value``; |g|² = g·conj(g) for complex g)
    u = −α g / √(G + ε)     (u = 0 where G = 0)

    Where frameworks differ: optax (and TF) put ε *inside* the square root and start G at
    0.1; PyTorch uses g / (√G + ε) with ε = 1e-10 and G₀ = 0.

    Args:
      learning_rate: α, a float or a schedule.
      initial_accumulator_value: G₀.
      eps: ε, added under the square root.

    Example:
      >>> opt = adagrad(1.0, initial_accumulator_value=0.0, eps=0.0)
      >>> u, _ = opt.update(jnp.array([3.0]), opt.init(jnp.zeros(1)))
      >>> print(u.tolist())  # −g/|g| on the first step
      [-1.0]
      >>> u, _ = opt.update(jnp.array([2j]), opt.init(jnp.zeros(1, jnp.complex64)))
      >>> print(float(u.real[0]), float(u.imag[0]))  # complex: G = |g|² = 4, u = −2j/2
      -0.0 -1.0
    """

    def init(params):
        return AdagradState(_counter(learning_rate), _full(params, initial_accumulator_value))

    def update(grads, state, params=None):
        del params
        G = jax.tree.map(lambda g, s: _abs_sq(g) + s, grads, state.sum_of_squares)
        scaled = jax.tree.map(
            lambda g, s: jnp.where(s > 0, jax.lax.rsqrt(s + eps), 0.0).astype(g.dtype) * g,
            grads, G)
        return _descend(scaled, learning_rate, state.count), AdagradState(
            _increment(state.count), G)

    return optax.GradientTransformation(init, update)


# -------------------------------------------------------------------------------- RMSprop

class RmspropState(NamedTuple):
    """``count``: updates done, kept for a schedule or bias correction only (else None);
    ``nu``: EMA of g²; ``mu``: EMA of g (centered only, else None); ``trace``: momentum
    buffer (None without momentum)."""

    count: jax.Array | None
    nu: PyTree
    mu: PyTree
    trace: PyTree


def rmsprop(learning_rate: ScalarOrSchedule, decay: float = 0.9, eps: float = 1e-8,
            initial_scale: float = 0.0, eps_in_sqrt: bool = True, centered: bool = False,
            momentum: float | None = None, nesterov: bool = False,
            bias_correction: bool = False) -> optax.GradientTransformation:
    r"""RMSprop: divide the step by a running root-mean-square of the gradients.

    ν ← ρ ν + (1 − ρ) |g|²                     (ν₀ = ``initial_scale``; ρ = ``decay``)
    centered:  m ← ρ m + (1 − ρ) g,  s = ν − |m|²;   otherwise s = ν
    bias_correction:  s computed from ν̂ = ν/(1 − ρᵗ), m̂ = m/(1 − ρᵗ)
    r = g / √(s + ε)          (``eps_in_sqrt=True``, optax's default)
    r = g / (√s + ε)          (``eps_in_sqrt=False``, PyTorch's and Keras' form)
    u = −α r;  with momentum μ:  v ← u + μ v (Nesterov: u + μ v again), u = v

    Where frameworks differ: ε inside the square root (optax, TF1) or outside (PyTorch,
    Keras); with ε = 1e-8 and ν near 0 the first steps differ by orders of magnitude
    (ε inside: |u| ≤ α|g|/√ε; outside: |u| ≤ α|g|/ε). optax applies momentum *after* the
    learning rate (so does this function); PyTorch before it.

    Args:
      learning_rate: α, a float or a schedule.
      decay: ρ.
      eps: ε.
      initial_scale: ν₀.
      eps_in_sqrt: where ε goes (see above).
      centered: divide by the estimated standard deviation instead of the RMS.
      momentum: μ, or None.
      nesterov: Nesterov form of the momentum.
      bias_correction: correct ν (and m) for their zero start.

    Example:
      >>> opt = rmsprop(0.01)
      >>> u, _ = opt.update(jnp.array([2.0]), opt.init(jnp.zeros(1)))
      >>> print(u.round(6).tolist())  # −α g / √(0.1 g²) = −α √10 on the first step
      [-0.031623]
    """

    def init(params):
        nu = _full(params, initial_scale)
        mu = _zeros(params) if centered else None
        trace = _zeros(params) if momentum is not None else None
        count = (jnp.zeros([], jnp.int32) if bias_correction else _counter(learning_rate))
        return RmspropState(count, nu, mu, trace)

    def update(grads, state, params=None):
        del params
        count = _increment(state.count)
        nu = jax.tree.map(lambda g, n: (1 - decay) * _abs_sq(g) + decay * n, grads, state.nu)
        nu_hat = _bias_correction(nu, decay, count) if bias_correction else nu
        mu = None
        if centered:
            mu = jax.tree.map(lambda g, m: (1 - decay) * g + decay * m, grads, state.mu)
            mu_hat = _bias_correction(mu, decay, count) if bias_correction else mu
            second = jax.tree.map(lambda n, m: n - _abs_sq(m), nu_hat, mu_hat)
        else:
            second = nu_hat
        if eps_in_sqrt:
            r = jax.tree.map(lambda s, g: jax.lax.rsqrt(s + eps) * g, second, grads)
        else:
            r = jax.tree.map(lambda s, g: 1 / (jnp.sqrt(s) + eps) * g, second, grads)
        updates = _descend(r, learning_rate, state.count)
        trace = state.trace
        if momentum is not None:
            trace = jax.tree.map(lambda u, v: u + momentum * v, updates, state.trace)
            updates = (jax.tree.map(lambda u, v: u + momentum * v, updates, trace)
                       if nesterov else trace)
        # Without bias correction or a schedule, neither optax nor this keeps a count.
        return updates, RmspropState(_increment(state.count), nu, mu, trace)

    return optax.GradientTransformation(init, update)


# ----------------------------------------------------------------------------- Adam, AdamW

class AdamState(NamedTuple):
    """``count``: t; ``mu``: first moment m; ``nu``: second moment v."""

    count: jax.Array
    mu: PyTree
    nu: PyTree


def _adam_direction(grads, state, b1, b2, eps, eps_root, mu_dtype, nesterov):
    """Adam's scaled direction m̂ / (√(v̂ + ε_root) + ε) and the new state."""
    mu = jax.tree.map(lambda g, m: (1 - b1) * g + b1 * m, grads, state.mu)
    nu = jax.tree.map(lambda g, v: (1 - b2) * _abs_sq(g) + b2 * v, grads, state.nu)
    count = _increment(state.count)
    if nesterov:
        mu_hat = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g,
                              _bias_correction(mu, b1, _increment(count)),
                              _bias_correction(grads, b1, count))
    else:
        mu_hat = _bias_correction(mu, b1, count)
    nu_hat = _bias_correction(nu, b2, count)
    direction = jax.tree.map(lambda m, v: m / (jnp.sqrt(v + eps_root) + eps), mu_hat, nu_hat)
    if mu_dtype is not None:
        mu = jax.tree.map(lambda m: m.astype(mu_dtype), mu)
    nu = jax.tree.map(lambda v, old: v.astype(old.dtype), nu, state.nu)
    return direction, AdamState(count, mu, nu)


def adam(learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999,
         eps: float = 1e-8, eps_root: float = 0.0, mu_dtype: Any | None = None, *,
         nesterov: bool = False) -> optax.GradientTransformation:
    r"""Adam (Kingma & Ba, 2015): momentum on g and a per-coordinate scale from g².

    m ← β₁ m + (1 − β₁) g             v ← β₂ v + (1 − β₂) |g|²   (|g|² = g·conj(g))
    m̂ = m / (1 − β₁ᵗ)                  v̂ = v / (1 − β₂ᵗ)          (bias correction)
    u = −α m̂ / (√(v̂ + ε_root) + ε)

    The bias correction undoes the zero start of m and v: without it the first steps are
    ~(1 − β₁)/√(1 − β₂) ≈ 3× too small and wrongly shaped (the parity tests catch this).
    ``nesterov=True`` gives NAdam: m̂ = β₁ m/(1 − β₁ᵗ⁺¹) + (1 − β₁) g/(1 − β₁ᵗ).

    Where frameworks differ: ε is added *outside* the square root of the bias-corrected v̂
    here, in optax and PyTorch (ε = 1e-8); TF/Keras' ``epsilon`` (1e-7) is applied to the
    uncorrected √v, i.e. ε̂ = ε·√(1 − β₂ᵗ) in this formula — different early steps.
    ``eps_root`` puts an extra ε inside the root (useful when differentiating through
    Adam).

    Args:
      learning_rate: α, a float or a schedule.
      b1: β₁.
      b2: β₂.
      eps: ε outside the root.
      eps_root: ε inside the root.
      mu_dtype: dtype of m (default: the parameters').
      nesterov: NAdam.

    Example:
      >>> opt = adam(0.1)
      >>> u, _ = opt.update(jnp.array([5.0, -0.01]), opt.init(jnp.zeros(2)))
      >>> print(u.round(4).tolist())  # first step: −α·sign(g) (up to ε), whatever |g|
      [-0.1, 0.1]
      >>> u, _ = opt.update(jnp.array([1 + 2j]), opt.init(jnp.zeros(1, jnp.complex64)))
      >>> print(round(float(u.real[0]), 4), round(float(u.imag[0]), 4))  # −α g/|g|, as optax
      -0.0447 -0.0894
    """

    def init(params):
        return AdamState(jnp.zeros([], jnp.int32), _zeros(params, mu_dtype), _zeros(params))

    def update(grads, state, params=None):
        del params
        direction, new_state = _adam_direction(grads, state, b1, b2, eps, eps_root,
                                               mu_dtype, nesterov)
        return _descend(direction, learning_rate, state.count), new_state

    return optax.GradientTransformation(init, update)


def _resolve_mask(mask, params):
    if mask is None:
        return jax.tree.map(lambda _: True, params)
    return mask(params) if callable(mask) else mask


def adamw(learning_rate: ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999,
          eps: float = 1e-8, eps_root: float = 0.0, mu_dtype: Any | None = None,
          weight_decay: ScalarOrSchedule = 1e-4, mask: Any | None = None, *,
          nesterov: bool = False) -> optax.GradientTransformation:
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with *decoupled* weight decay.

    d = m̂ / (√(v̂ + ε_root) + ε)      (Adam's direction, see :func:`adam`)
    u = −α (d + λ θ)                   (λ = ``weight_decay``, θ = current parameters)

    Decoupled means λθ is added after Adam's scaling, so every coordinate decays at the
    same relative rate αλ; adding λθ to the gradient instead (L2 regularization, "Adam
    with weight_decay" in PyTorch's ``Adam``) lets v̂ shrink the decay of coordinates with
    large gradients. Where frameworks differ: PyTorch's ``AdamW`` defaults to λ = 0.01 and
    multiplies θ by (1 − αλ) before the Adam step (the same first-order update); optax's
    default λ = 1e-4 is used here.

    Args:
      learning_rate: α, a float or a schedule.
      b1, b2, eps, eps_root, mu_dtype, nesterov: as in :func:`adam`.
      weight_decay: λ, a float or a schedule.
      mask: a pytree of booleans shaped like the parameters (or a callable returning
        one): decay only where True (e.g. not the biases). None: decay everything.

    Example:
      >>> opt = adamw(0.1, weight_decay=0.5)
      >>> p = jnp.array([2.0])
      >>> u, _ = opt.update(jnp.array([1.0]), opt.init(p), p)
      >>> print(u.round(4).tolist())  # −α (sign(g) + λ θ), up to ε
      [-0.2]
    """

    def init(params):
        return AdamState(jnp.zeros([], jnp.int32), _zeros(params, mu_dtype), _zeros(params))

    def update(grads, state, params=None):
        if params is None:
            raise ValueError("adamw needs params: call update(grads, state, params)")
        direction, new_state = _adam_direction(grads, state, b1, b2, eps, eps_root,
                                               mu_dtype, nesterov)
        lam = weight_decay(state.count) if callable(weight_decay) else weight_decay
        keep = _resolve_mask(mask, params)
        direction = jax.tree.map(lambda d, p, k: d + lam * p if k else d,
                                 direction, params, keep)
        return _descend(direction, learning_rate, state.count), new_state

    return optax.GradientTransformation(init, update)


# ---------------------------------------------------------------------------- by name

OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam", "adamw")
IMPLS = ("handwritten", "optax")


def by_name(name: str, learning_rate: ScalarOrSchedule, impl: str = "handwritten",
            **kwargs) -> optax.GradientTransformation:
    """The optimizer ``name`` (one of :data:`OPTIMIZERS`), hand-written or optax's.

    ``kwargs`` go to the constructor unchanged (same names in both implementations), so
    ``by_name("sgd", 0.1, impl, momentum=0.9)`` builds the same optimizer either way.

    Raises:
      UserError: unknown ``name`` or ``impl``.

    Example:
      >>> opt = by_name("sgd", 0.5, impl="optax")  # optax.sgd(0.5)
      >>> u, _ = opt.update(jnp.array([1.0]), opt.init(jnp.zeros(1)))
      >>> print(u.tolist())
      [-0.5]
    """
    if name not in OPTIMIZERS:
        raise UserError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
    if impl not in IMPLS:
        raise UserError(f"unknown optimizer implementation {impl!r}; allowed: "
                        f"{', '.join(IMPLS)}")
    factory = globals()[name] if impl == "handwritten" else getattr(optax, name)
    return factory(learning_rate, **kwargs)
