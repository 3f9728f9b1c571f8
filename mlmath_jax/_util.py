"""Small helpers shared by the concept modules."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def as_float(x, dtype=None) -> jax.Array:
    """``x`` as an array of floating (or complex) dtype: float and complex inputs keep their
    dtype, integers and booleans become the default float (float32, or float64 with x64);
    an explicit ``dtype`` wins."""
    x = jnp.asarray(x)
    if dtype is not None:
        return x.astype(dtype)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(jnp.result_type(float))
