"""Helpers shared by the distribution modules (private).

The NaN contract (docs/CONVENTIONS.md §4): array parameters are never inspected on the
host; a value outside a distribution's domain makes the result NaN, eagerly and under
``jit`` alike. Integer samples cannot hold NaN, so an integer sample whose parameter is
outside the domain is ``-1``. Static arguments (``shape``, ``dtype``) raise at call time.
"""

from __future__ import annotations

import functools
import operator

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax._util import as_float
from mlmath_jax.errors import UserError

# jax.random's Poisson and binomial samplers count in int32; keep a factor of two of room.
INT32_COUNT_LIMIT = int(np.iinfo(np.int32).max // 2)


def floats(*xs):
    """The arguments as arrays of one floating dtype (their result type; integers and
    booleans become the default float)."""
    arrs = [jnp.asarray(x) for x in xs]
    dtype = jnp.result_type(*[a.dtype if jnp.issubdtype(a.dtype, jnp.inexact)
                              else jnp.result_type(float) for a in arrs])
    return tuple(as_float(a, dtype) for a in arrs)


def nan_unless(valid, value):
    """``value`` where ``valid``, NaN elsewhere (broadcast)."""
    return jnp.where(valid, value, jnp.asarray(jnp.nan, value.dtype))


def xlogy(x, y):
    """x·log y with 0·log 0 = 0, and a gradient in y that is x/y where x ≠ 0 and 0 where
    x = 0 (the where-guarded log never sees the 0 that would poison the gradient)."""
    zero = x == 0
    return jnp.where(zero, 0.0, x * jnp.log(jnp.where(zero, 1.0, y)))


def xlog1py(x, y):
    """x·log(1 + y) with 0·log 0 = 0 and the same gradient guard as :func:`xlogy`."""
    zero = x == 0
    return jnp.where(zero, 0.0, x * jnp.log1p(jnp.where(zero, 0.0, y)))


def check_shape(shape) -> tuple[int, ...]:
    """``shape`` as a tuple of whole numbers >= 0, or a ValueError/TypeError."""
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape = {shape!r} is not allowed; expected a tuple of whole "
                        f"numbers") from None
    if any(d < 0 for d in dims):
        raise UserError(f"shape = {shape!r} is not allowed; expected sizes >= 0")
    return dims


def check_dtype(dtype, *, integer_ok: bool) -> np.dtype:
    """The canonical sample dtype (float → float32, or float64 with x64 enabled)."""
    try:
        dt = jax.dtypes.canonicalize_dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype = {dtype!r} is not a dtype") from None
    ok = jnp.issubdtype(dt, jnp.floating) or (integer_ok and jnp.issubdtype(dt, jnp.integer))
    if not ok:
        allowed = "a floating or integer dtype" if integer_ok else "a floating dtype"
        raise TypeError(f"dtype = {dt} is not allowed; expected {allowed}")
    return dt


def out_shape(shape, *params) -> tuple[int, ...]:
    """The sample shape: ``shape`` broadcast with the parameters' shapes."""
    try:
        return tuple(jnp.broadcast_shapes(shape, *(jnp.shape(p) for p in params)))
    except ValueError:
        raise UserError(f"shape = {shape} does not broadcast with the parameter shapes "
                        f"{[tuple(jnp.shape(p)) for p in params]}") from None


def finish(x, valid, dtype):
    """Cast a sample to ``dtype``: NaN (float) or -1 (integer) where ``valid`` is False."""
    x = x.astype(dtype)
    bad = jnp.asarray(jnp.nan if jnp.issubdtype(dtype, jnp.floating) else -1, dtype)
    return jnp.where(jnp.broadcast_to(valid, x.shape), x, bad)


def count_limit(dtype, internal_int32: bool) -> int | None:
    """The largest parameter (n or rate) whose integer samples ``dtype`` still holds."""
    limits = [INT32_COUNT_LIMIT] if internal_int32 else []
    if jnp.issubdtype(dtype, jnp.integer):
        limits += [INT32_COUNT_LIMIT, int(jnp.iinfo(dtype).max)]
    return min(limits) if limits else None


def refuse_overflow(name: str, value, limit: int | None, hint: str) -> None:
    """The overflow guard for a *concrete* count parameter: raise when a sample could not
    be held; traced values pass (their samples saturate, see the module docstrings)."""
    if limit is None or isinstance(value, jax.core.Tracer):
        return
    v = np.asarray(value, np.float64)
    if v.size and float(np.nanmax(np.where(np.isnan(v), -np.inf, v))) > limit:
        shown = v.tolist() if v.size <= 6 else f"an array with maximum {np.nanmax(v):g}"
        raise UserError(f"{name} = {shown} is too large: samples would overflow the integer "
                        f"type (at most {limit:,}); {hint}")


def jit_draw(fn):
    """jit a sampler whose ``shape`` and ``dtype`` arguments are static."""
    return functools.partial(jax.jit, static_argnames=("shape", "dtype"))(fn)


def saturate(x, over, dtype):
    """Cast count samples to ``dtype`` without wrapping around: for an integer dtype,
    entries past its maximum (or flagged ``over``) become that maximum; for a floating
    dtype, flagged entries become NaN."""
    if jnp.issubdtype(dtype, jnp.integer):
        top = int(jnp.iinfo(dtype).max)
        big = jnp.broadcast_to(over, x.shape) | (x >= top)
        return jnp.where(big, jnp.asarray(top, dtype), jnp.where(big, 0, x).astype(dtype))
    return jnp.where(jnp.broadcast_to(over, x.shape), jnp.asarray(jnp.nan, dtype),
                     x.astype(dtype))
