"""Test surfaces for optimization: a bowl, Rosenbrock's valley, Beale, Himmelblau, saddles.

Each surface is a function of a point p whose **first** axis holds the coordinates
(p[0] = x, p[1] = y), so ``f(p)`` works on one point of shape (2,) and on a grid
``f(np.stack([X, Y]))`` alike, with NumPy or JAX arrays. Beside each function ``f`` is its
hand-written gradient ``f_grad`` (the same layout: shape of p), registered in
:mod:`mlmath_jax.registry` as ``surfaces.<name>`` and checked against ``jax.grad``.

:data:`SURFACES` maps each name to a :class:`Surface`: the function, its gradient, the
known minimizers and the minimum value (``None`` where the surface is unbounded below).

===================  ==========================================  =======================
name                 f(x, y)                                     minima
===================  ==========================================  =======================
parabola (1-D)       x²                                          0 at x = 0
bowl                 x² + 5y²                                    0 at (0, 0)
rosenbrock           (1 − x)² + 100(y − x²)²                     0 at (1, 1)
beale                (1.5 − x + xy)² + (2.25 − x + xy²)²         0 at (3, 0.5)
                     + (2.625 − x + xy³)²
himmelblau           (x² + y − 11)² + (x + y² − 7)²              0 at four points
saddle               x² − y²                                     none (saddle at 0)
double_well_saddle   x² + y⁴/4 − y²/2                            −1/4 at (0, ±1)
===================  ==========================================  =======================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from mlmath_jax import registry


def parabola(p):
    """f(x) = x²; minimum 0 at x = 0 (p has shape (1, ...)).

    Example:
      >>> float(parabola(jnp.array([3.0])))
      9.0
    """
    return p[0] ** 2


def parabola_grad(p):
    """f′(x) = 2x.

    Example:
      >>> parabola_grad(jnp.array([3.0])).tolist()
      [6.0]
    """
    return jnp.stack([2.0 * p[0]])


def bowl(p):
    """f(x, y) = x² + 5y²; minimum 0 at the origin; ∇²f = diag(2, 10), condition 5.

    Example:
      >>> float(bowl(jnp.array([1.0, 1.0])))
      6.0
    """
    return p[0] ** 2 + 5.0 * p[1] ** 2


def bowl_grad(p):
    """∇f = (2x, 10y).

    Example:
      >>> bowl_grad(jnp.array([1.0, 1.0])).tolist()
      [2.0, 10.0]
    """
    return jnp.stack([2.0 * p[0], 10.0 * p[1]])


def rosenbrock(p):
    """f(x, y) = (1 − x)² + 100(y − x²)²; minimum 0 at (1, 1) in a curved valley.

    Example:
      >>> float(rosenbrock(jnp.array([1.0, 1.0]))), float(rosenbrock(jnp.array([0.0, 0.0])))
      (0.0, 1.0)
    """
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def rosenbrock_grad(p):
    """∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²)).

    Example:
      >>> rosenbrock_grad(jnp.array([0.0, 1.0])).tolist()
      [-2.0, 200.0]
    """
    x, y = p[0], p[1]
    return jnp.stack([-2.0 * (1.0 - x) - 400.0 * x * (y - x ** 2), 200.0 * (y - x ** 2)])


def beale(p):
    """f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum 0 at
    (3, 0.5), flat plateaus and steep walls.

    Example:
      >>> float(beale(jnp.array([3.0, 0.5]))), float(beale(jnp.array([0.0, 0.0])))
      (0.0, 14.203125)
    """
    x, y = p[0], p[1]
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def beale_grad(p):
    """∇f = Σₖ 2rₖ·∇rₖ with rₖ = cₖ − x + xyᵏ (c = 1.5, 2.25, 2.625), ∇rₖ = (yᵏ − 1, kxyᵏ⁻¹).

    Example:
      >>> beale_grad(jnp.array([0.0, 0.0])).tolist()
      [-12.75, 0.0]
    """
    x, y = p[0], p[1]
    r1 = 1.5 - x + x * y
    r2 = 2.25 - x + x * y ** 2
    r3 = 2.625 - x + x * y ** 3
    dx = 2.0 * (r1 * (y - 1.0) + r2 * (y ** 2 - 1.0) + r3 * (y ** 3 - 1.0))
    dy = 2.0 * (r1 * x + r2 * 2.0 * x * y + r3 * 3.0 * x * y ** 2)
    return jnp.stack([dx, dy])


def himmelblau(p):
    """f(x, y) = (x² + y − 11)² + (x + y² − 7)²: non-convex with four minima (f = 0) at
    (3, 2), (−2.805, 3.131), (−3.779, −3.283), (3.584, −1.848).

    Example:
      >>> float(himmelblau(jnp.array([3.0, 2.0]))), float(himmelblau(jnp.array([0.0, 0.0])))
      (0.0, 170.0)
    """
    x, y = p[0], p[1]
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def himmelblau_grad(p):
    """∇f = (4x(x² + y − 11) + 2(x + y² − 7), 2(x² + y − 11) + 4y(x + y² − 7)).

    Example:
      >>> himmelblau_grad(jnp.array([0.0, 0.0])).tolist()
      [-14.0, -22.0]
    """
    x, y = p[0], p[1]
    a, b = x ** 2 + y - 11, x + y ** 2 - 7
    return jnp.stack([4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b])


def saddle(p):
    """f(x, y) = x² − y²; a saddle point at the origin, unbounded below along y.

    Example:
      >>> float(saddle(jnp.array([1.0, 2.0])))
      -3.0
    """
    return p[0] ** 2 - p[1] ** 2


def saddle_grad(p):
    """∇f = (2x, −2y).

    Example:
      >>> saddle_grad(jnp.array([1.0, 2.0])).tolist()
      [2.0, -4.0]
    """
    return jnp.stack([2.0 * p[0], -2.0 * p[1]])


def double_well_saddle(p):
    """f(x, y) = x² + y⁴/4 − y²/2: a saddle at the origin (f = 0) between two minima
    (0, ±1) with f = −1/4. Along y = 0 the gradient has no y-component, so a start close
    to that line sits near the saddle for a long time under plain gradient descent.

    Example:
      >>> float(double_well_saddle(jnp.array([0.0, 1.0])))
      -0.25
    """
    x, y = p[0], p[1]
    return x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def double_well_saddle_grad(p):
    """∇f = (2x, y³ − y).

    Example:
      >>> double_well_saddle_grad(jnp.array([1.0, 2.0])).tolist()
      [2.0, 6.0]
    """
    return jnp.stack([2.0 * p[0], p[1] ** 3 - p[1]])


class Surface(NamedTuple):
    """One test surface.

    Attributes:
      fn: f(p), p's first axis holding the coordinates.
      grad: the hand-written ∇f(p), shaped like p.
      minima: the known minimizers, each a tuple of coordinates (empty: unbounded below).
      minimum: f at the minimizers, or None when f is unbounded below.
    """

    fn: Callable
    grad: Callable
    minima: tuple[tuple[float, ...], ...]
    minimum: float | None


SURFACES: dict[str, Surface] = {
    "parabola": Surface(parabola, parabola_grad, ((0.0,),), 0.0),
    "bowl": Surface(bowl, bowl_grad, ((0.0, 0.0),), 0.0),
    "rosenbrock": Surface(rosenbrock, rosenbrock_grad, ((1.0, 1.0),), 0.0),
    "beale": Surface(beale, beale_grad, ((3.0, 0.5),), 0.0),
    "himmelblau": Surface(himmelblau, himmelblau_grad,
                          ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                           (3.584428, -1.848126)), 0.0),
    "saddle": Surface(saddle, saddle_grad, (), None),
    "double_well_saddle": Surface(double_well_saddle, double_well_saddle_grad,
                                  ((0.0, 1.0), (0.0, -1.0)), -0.25),
}


def _sampler(dim: int, lo: float, hi: float):
    def sample(key, dtype):
        return (jax.random.uniform(key, (dim, 5), dtype, minval=lo, maxval=hi),)
    return sample


_DOMAINS = {"parabola": (1, -3.0, 3.0), "beale": (2, -2.0, 2.0), "rosenbrock": (2, -2.0, 2.0)}

for _name, _s in SURFACES.items():
    registry.register(f"surfaces.{_name}", _s.fn, _s.grad,
                      _sampler(*_DOMAINS.get(_name, (2, -3.0, 3.0))),
                      doc=(_s.grad.__doc__ or "").splitlines()[0])
