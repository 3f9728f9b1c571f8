"""Functions: composition, numeric inverses, domain and range probing, and analysis.

Every function here accepts a Python callable built from ``jnp`` operations or an
expression string in one variable (see :mod:`mlmath_jax.expr`), e.g. ``"x^3 - 3*x + 1"``.

* :func:`compose`: (g ∘ f)(x) = g(f(x)) — the seed's f(x) = 2x + 3, g(x) = x² − 2 … ;
* :func:`inverse`: solve f(x) = y on an interval where f is monotone (bisection), so
  the inverse of 2x + 3 is (y − 3)/2;
* :func:`domain` / :func:`value_range`: where f is finite, and the values it takes, probed
  on a grid;
* :func:`analyze`: zeros (bracketed on a grid, refined by :func:`algebra.bisect` and
  polished by :func:`algebra.newton`), extrema (zeros of f' found the same way, classified
  by the sign change), increasing/decreasing intervals, vertical asymptotes with the sign
  of the blow-up on each side, and horizontal asymptotes as x → ±∞.

Analysis is a host-side procedure (it returns lists of intervals), built on jitted
evaluations of f and f' = ``jax.grad(f)`` over the grid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import algebra, expr
from mlmath_jax.errors import UserError


def as_function(f, var: str = "x") -> Callable:
    """A callable from a callable, an expression string or tree (in one variable).

    Example:
      >>> float(as_function("x^2 + 1")(3.0))
      10.0
    """
    if callable(f) and not isinstance(f, expr.Node):
        return f
    if isinstance(f, str | expr.Node):
        tree = expr.parse(f) if isinstance(f, str) else f
        names = expr.variables(tree)
        if len(names) > 1 or (names and names[0] != var and var != "x"):
            raise UserError(f"expected a function of one variable, got {', '.join(names)} "
                            f"in {expr.to_text(tree)}")
        return expr.to_function(tree, names[0] if names else var)
    raise UserError(f"expected a function or an expression string, got {type(f).__name__}")


def compose(*fs) -> Callable:
    """compose(f₁, f₂, …, fₙ)(x) = f₁(f₂(…fₙ(x))) — the rightmost is applied first.

    Example:
      >>> f = lambda x: 2 * x + 3
      >>> g = lambda x: x ** 2 - 2
      >>> compose(g, f)(4.0)     # g(f(4)) = g(11) = 119
      119.0
      >>> compose(f, g)(2.0)     # f(g(2)) = f(2) = 7
      7.0
    """
    if not fs:
        raise UserError("compose needs at least one function")
    funcs = [as_function(f) for f in fs]

    def composed(x):
        for fn in reversed(funcs):
            x = fn(x)
        return x

    return composed


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise UserError(f"need finite lo < hi, got [{lo}, {hi}]")
    if n < 3:
        raise UserError(f"need at least 3 grid points, got {n}")
    return np.linspace(lo, hi, n)


def _values(f: Callable, xs: np.ndarray, dtype) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(jax.jit(jax.vmap(f))(jnp.asarray(xs, dtype)), dtype=np.float64)


def _dtype():
    return jnp.result_type(float)


def inverse(f, y, lo: float, hi: float, tol: float | None = None, n_check: int = 257):
    """x with f(x) = y on [lo, hi], where f is strictly monotone, by bisection.

    Args:
      f: callable or expression string.
      y: target value(s); an array gives one solution per entry (vmapped).
      lo, hi: the monotone interval.
      tol: bisection tolerance (default: 16·ε relative).
      n_check: grid points used to check monotonicity.

    Raises:
      UserError: f is not strictly monotone on [lo, hi] (on the check grid), or y is
        outside [f(lo), f(hi)].

    Example:
      >>> round(float(inverse(lambda x: 2 * x + 3, 11.0, -100, 100)), 4)   # (11 − 3)/2
      4.0
    """
    fn = as_function(f)
    xs = _grid(lo, hi, n_check)
    ys = _values(fn, xs, _dtype())
    d = np.diff(ys)
    if not (np.all(np.isfinite(ys)) and (np.all(d > 0) or np.all(d < 0))):
        raise UserError(f"f is not strictly monotone (or not finite) on [{lo:g}, {hi:g}]; "
                        f"the numeric inverse needs a monotone interval")
    y = jnp.asarray(y, _dtype())
    lo_y, hi_y = sorted((ys[0], ys[-1]))
    yv = np.asarray(y)
    if np.any((yv < lo_y - 1e-6 * (1 + abs(lo_y))) | (yv > hi_y + 1e-6 * (1 + abs(hi_y)))):
        raise UserError(f"y outside the range [{lo_y:g}, {hi_y:g}] of f on "
                        f"[{lo:g}, {hi:g}]")
    a, b = jnp.asarray(lo, _dtype()), jnp.asarray(hi, _dtype())

    def one(yi):
        return algebra.bisect(lambda x: fn(x) - yi, a, b, tol=tol).root

    return one(y) if y.ndim == 0 else jax.vmap(one)(y)


def inverse_function(f, lo: float, hi: float) -> Callable:
    """f⁻¹ as a function of y (see :func:`inverse`).

    Example:
      >>> round(float(inverse_function("x^3", 0, 3)(8.0)), 4)
      2.0
    """
    return lambda y: inverse(f, y, lo, hi)


def domain(f, lo: float, hi: float, n: int = 2001) -> list[tuple[float, float]]:
    """Sub-intervals of [lo, hi] where f is finite, probed on an n-point grid.

    Example:
      >>> domain("sqrt(x)", -1, 1)
      [(0.0, 1.0)]
    """
    fn = as_function(f)
    xs = _grid(lo, hi, n)
    ok = np.isfinite(_values(fn, xs, _dtype()))
    out, start = [], None
    for i, good in enumerate(ok):
        if good and start is None:
            start = i
        if not good and start is not None:
            out.append((float(xs[start]), float(xs[i - 1])))
            start = None
    if start is not None:
        out.append((float(xs[start]), float(xs[-1])))
    return out


def value_range(f, lo: float, hi: float, n: int = 2001) -> tuple[float, float]:
    """(min, max) of the finite values of f on an n-point grid of [lo, hi]
    (±inf where f is unbounded near a pole).

    Example:
      >>> value_range("x^2", -2, 2)   # f(x) = x² sends −2 and 2 to 4
      (0.0, 4.0)
    """
    fn = as_function(f)
    xs = _grid(lo, hi, n)
    ys = _values(fn, xs, _dtype())
    fin = ys[np.isfinite(ys)]
    if fin.size == 0:
        raise UserError(f"f is nowhere finite on [{lo:g}, {hi:g}]")
    poles = [p.x for p in _poles(fn, xs, ys)]
    lo_v, hi_v = float(fin.min()), float(fin.max())
    for p in poles:
        for s in (-1, 1):
            v = float(fn(jnp.asarray(p + s * 1e-6 * (1 + abs(p)), _dtype())))
            lo_v, hi_v = (-np.inf if v < 0 else lo_v), (np.inf if v > 0 else hi_v)
    return lo_v, hi_v


# ------------------------------------------------------------------------------ analyze

class Extremum(NamedTuple):
    """A local extremum of :func:`analyze`.

    Fields:
      x: where it is.
      y: f(x).
      kind: ``"min"`` or ``"max"``.
    """

    x: float
    y: float
    kind: str


class VerticalAsymptote(NamedTuple):
    """A pole of :func:`analyze`: f → ``left``·∞ as t → x⁻ and ``right``·∞ as t → x⁺.

    Fields:
      x: where the pole is.
      left: the sign (±1) of the blow-up from the left.
      right: the sign (±1) of the blow-up from the right.
    """

    x: float
    left: int
    right: int


class Analysis(NamedTuple):
    """The result of :func:`analyze` (all lists sorted by x).

    Fields:
      roots: zeros of f.
      extrema: :class:`Extremum` list (poles excluded).
      increasing: (a, b) intervals where f increases.
      decreasing: (a, b) intervals where f decreases.
      vertical_asymptotes: :class:`VerticalAsymptote` list.
      horizontal_asymptotes: ``{"-inf": y or None, "+inf": y or None}``.
    """

    roots: list
    extrema: list
    increasing: list
    decreasing: list
    vertical_asymptotes: list
    horizontal_asymptotes: dict


def _blows_up(fn: Callable, c: float, side: int, h: float) -> int:
    """±1 if |f| grows without bound as x → c from ``side``, else 0."""
    dtype = _dtype()
    eps = float(jnp.finfo(dtype).eps)
    scale = max(abs(c), 1.0)
    steps = [h * 10.0 ** -k for k in range(0, 5)]
    steps = [s for s in steps if s > 50 * eps * scale] or [h]
    vals = np.array([float(fn(jnp.asarray(c + side * s, dtype))) for s in steps])
    mags = np.abs(vals)
    if not np.all(np.isfinite(vals)):
        fin = vals[np.isfinite(vals)]
        return int(np.sign(fin[-1])) if fin.size and abs(fin[-1]) > 1e3 else 0
    # without bound: each tenfold step closer at least doubles |f| (a pole of any order
    # p > 0.3 grows by 10^p); a tall but finite bump levels off and is not a pole
    growing = (mags.size >= 2 and np.all(mags[1:] > 2 * mags[:-1]) and mags[-1] > 1e2)
    return int(np.sign(vals[-1])) if growing else 0


def _poles(fn: Callable, xs: np.ndarray, ys: np.ndarray) -> list[VerticalAsymptote]:
    """Vertical asymptotes: grid points or cells near which |f| blows up."""
    h = xs[1] - xs[0]
    mags = np.where(np.isfinite(ys), np.abs(ys), np.inf)
    candidates = []
    for i in range(len(xs)):
        if not np.isfinite(ys[i]) and np.isfinite(ys[max(i - 1, 0)]) | np.isfinite(
                ys[min(i + 1, len(xs) - 1)]):
            candidates.append(float(xs[i]))
    for i in range(len(xs) - 1):
        a, b = ys[i], ys[i + 1]
        if np.isfinite(a) and np.isfinite(b) and a * b < 0:            # sign change
            candidates.append(_refine_sign_change(fn, xs[i], xs[i + 1]))
    for i in range(1, len(xs) - 1):                                     # even-order poles
        if np.isfinite(ys[i]) and mags[i] >= mags[i - 1] and mags[i] >= mags[i + 1] \
                and mags[i] > 10 * np.median(mags[np.isfinite(mags)]) + 1:
            # the pole lies between the neighbours, wherever the grid fell: find where
            # |f| peaks (golden-section search), then test the growth on both sides
            candidates.append(_peak(fn, float(xs[i - 1]), float(xs[i + 1])))
    out: list[VerticalAsymptote] = []
    for c in sorted(candidates):
        if out and abs(c - out[-1].x) < 2 * h:
            continue
        left, right = _blows_up(fn, c, -1, h), _blows_up(fn, c, 1, h)
        if left and right:
            out.append(VerticalAsymptote(float(c), left, right))
    return out


def _peak(fn: Callable, a: float, b: float, iters: int = 80) -> float:
    """argmax |f| on [a, b] by golden-section search (|f| unimodal near a pole)."""
    dtype = _dtype()

    def mag(t):
        with np.errstate(all="ignore"):
            v = float(fn(jnp.asarray(t, dtype)))
        return np.inf if not np.isfinite(v) else abs(v)

    g = (np.sqrt(5.0) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    mc, md = mag(c), mag(d)
    for _ in range(iters):
        if np.isinf(mc):
            return c
        if np.isinf(md):
            return d
        if mc >= md:
            b, d, md = d, c, mc
            c = b - g * (b - a)
            mc = mag(c)
        else:
            a, c, mc = c, d, md
            d = a + g * (b - a)
            md = mag(d)
        if b - a <= 4 * np.finfo(np.dtype(dtype)).eps * max(1.0, abs(a)):
            break
    return (a + b) / 2


def _refine_sign_change(fn: Callable, a: float, b: float) -> float:
    dtype = _dtype()
    r = algebra.bisect(fn, jnp.asarray(a, dtype), jnp.asarray(b, dtype))
    return float(r.root)


def _polish(fn: Callable, x: float, a: float, b: float) -> float:
    r = algebra.newton(fn, jnp.asarray(x, _dtype()), max_iter=20)
    if bool(r.converged) and a <= float(r.root) <= b:
        return float(r.root)
    return x


def _horizontal(fn: Callable, sign: int) -> float | None:
    dtype = _dtype()
    xs = np.array([1e4, 1e5, 1e6, 1e7]) * sign
    with np.errstate(all="ignore"):
        v = np.array([float(fn(jnp.asarray(x, dtype))) for x in xs])
    if not np.all(np.isfinite(v)):
        return None
    if np.all(np.abs(np.diff(v[1:])) <= 1e-3 * (1 + np.abs(v[-1]))) and \
            abs(v[-1] - v[-2]) <= abs(v[1] - v[0]) + 1e-6:
        return float(np.round(v[-1], 5)) + 0.0
    return None


def analyze(f, lo: float, hi: float, n: int = 2001) -> Analysis:
    """Zeros, extrema, monotone intervals and asymptotes of f on [lo, hi].

    Args:
      f: callable (jnp operations) or expression string in x.
      lo, hi: the interval.
      n: grid points for bracketing (features closer than (hi − lo)/n may merge).

    Returns:
      :class:`Analysis`. Poles are found where |f| blows up: a sign change of f that
      bisection narrows to a blow-up (odd order), or a peak of |f| that a golden-section
      search narrows to one (even order), each confirmed by |f| at least doubling at
      every tenfold step closer from both sides; extrema within two grid steps of a
      pole are not reported.

    Example:
      >>> a = analyze("x^3 - 3*x + 1", -3, 3)
      >>> [(e.kind, round(e.x, 4), round(e.y, 4)) for e in a.extrema]
      [('max', -1.0, 3.0), ('min', 1.0, -1.0)]
      >>> [(round(v.x, 4), v.left, v.right)
      ...  for v in analyze("1/(x - 1)^2", -3, 3).vertical_asymptotes]
      [(1.0, 1, 1)]
    """
    fn = as_function(f)
    dfn = jax.grad(lambda x: fn(x))
    xs = _grid(lo, hi, n)
    h = xs[1] - xs[0]
    ys = _values(fn, xs, _dtype())
    dys = _values(dfn, xs, _dtype())
    poles = _poles(fn, xs, ys)
    pole_x = np.array([p.x for p in poles])

    def near_pole(x):
        return pole_x.size > 0 and np.min(np.abs(pole_x - x)) < 2 * h

    finite = np.isfinite(ys)
    scale = np.median(np.abs(ys[finite])) if finite.any() else 1.0
    # zeros: exact grid zeros and sign changes of f that are not poles
    roots: list[float] = [float(x) for x, y in zip(xs, ys, strict=True) if y == 0]
    for i in range(n - 1):
        a, b = ys[i], ys[i + 1]
        if np.isfinite(a) and np.isfinite(b) and a * b < 0 and not near_pole(xs[i]):
            r = _refine_sign_change(fn, xs[i], xs[i + 1])
            roots.append(_polish(fn, r, xs[i], xs[i + 1]))
    # extrema: sign changes of f'
    extrema: list[Extremum] = []
    for i in range(n - 1):
        a, b = dys[i], dys[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)) or near_pole(xs[i]) or near_pole(xs[i + 1]):
            continue
        if a * b < 0 or (b == 0 and i + 2 < n and a * dys[i + 2] < 0):
            if a * b < 0:   # bracketed zero of f', then polished like the roots
                x = _polish(dfn, _refine_sign_change(dfn, xs[i], xs[i + 1]), xs[i], xs[i + 1])
            else:
                x = float(xs[i + 1])
            y = float(fn(jnp.asarray(x, _dtype())))
            if any(abs(e.x - x) < h for e in extrema):
                continue
            extrema.append(Extremum(x, y, "max" if a > 0 else "min"))
            if abs(y) <= 1e-5 * max(1.0, scale) and not any(abs(r - x) < h for r in roots):
                roots.append(x)                                   # touching zero (x²)
    roots = sorted(set(round(r, 12) for r in roots))
    merged: list[float] = []
    for r in roots:
        if not merged or abs(r - merged[-1]) > h / 2:
            merged.append(r)
    # monotone pieces between breakpoints
    breaks = sorted({float(lo), float(hi), *(e.x for e in extrema), *pole_x.tolist()})
    increasing, decreasing = [], []
    for a, b in zip(breaks[:-1], breaks[1:], strict=True):
        inside = (xs > a) & (xs < b) & np.isfinite(dys)
        if not inside.any():
            inside_d = np.array([float(dfn(jnp.asarray((a + b) / 2, _dtype())))])
        else:
            inside_d = dys[inside]
        s = np.median(np.sign(inside_d))
        if s > 0:
            increasing.append((a, b))
        elif s < 0:
            decreasing.append((a, b))
    return Analysis(roots=merged, extrema=extrema, increasing=increasing,
                    decreasing=decreasing, vertical_asymptotes=poles,
                    horizontal_asymptotes={"-inf": _horizontal(fn, -1),
                                           "+inf": _horizontal(fn, 1)})
