"""One registry of every hand-written derivative in the library.

A module that carries a manual derivative registers it once, at import time::

    from mlmath_jax import registry

    registry.register(
        "explog.sigmoid",
        fn=sigmoid,                 # the function
        manual=sigmoid_grad,        # its hand-written derivative
        sample=lambda key, dtype: (jax.random.normal(key, (7,), dtype) * 4,),
    )

Contract: ``manual(*args)`` returns the gradient of ``sum(fn(*args))`` with respect to
argument number ``wrt`` (an array or a pytree shaped like that argument). For an
elementwise function that is the elementwise derivative; for a scalar loss it is the
ordinary gradient. A vector-valued function registers ``fn = lambda x, w: sum(w * f(x))``
with a random weight ``w`` among the sampled arguments, so the check covers its whole
Jacobian through a vector-Jacobian product.

``sample(key, dtype)`` returns the argument tuple inside the function's domain.
``calculus.gradcheck`` and ``mlmath gradcheck`` enumerate :func:`entries`.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """A (function, manual derivative, domain sampler) triple."""

    name: str
    fn: Callable
    manual: Callable
    sample: Callable
    wrt: int = 0
    doc: str = ""


_REGISTRY: dict[str, Entry] = {}

# Modules that are never imported by load_all (they register nothing and pull in heavy
# optional dependencies or the command line).
_SKIP = ("mlmath_jax.cli", "mlmath_jax.runner", "mlmath_jax.__main__")


def register(name: str, fn: Callable, manual: Callable, sample: Callable, *, wrt: int = 0,
             doc: str = "") -> Entry:
    """Register ``manual`` as the hand-written derivative of ``fn`` (see module doc).

    Args:
      name: a unique dotted name, ``"<module>.<function>"``.
      fn: the function. manual: its hand-written derivative (same arguments).
      sample: ``sample(key, dtype)`` → an argument tuple inside the domain.
      wrt: the argument the derivative is taken with respect to.
      doc: the derivative's equation, one line.

    Returns:
      The :class:`Entry` stored.

    Raises:
      ValueError: ``name`` is taken by a function of another module.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> e = register("example.square", fn=lambda x: x * x, manual=lambda x: 2 * x,
      ...              sample=lambda key, dtype: (jax.random.normal(key, (3,), dtype),))
      >>> print(e.name, e.manual(jnp.array([1.0, 2.0])).tolist())
      example.square [2.0, 4.0]
      >>> _ = _REGISTRY.pop("example.square")
    """
    entry = Entry(name=name, fn=fn, manual=manual, sample=sample, wrt=wrt, doc=doc)
    old = _REGISTRY.get(name)
    if old is not None and old.fn is not fn and old.manual is not manual:
        # Re-importing a module (e.g. importlib.reload) replaces its own entries; a second
        # module using the same name is a mistake.
        if getattr(old.fn, "__module__", None) != getattr(fn, "__module__", None):
            raise ValueError(f"registry name {name!r} is already taken by {old.fn!r}")
    _REGISTRY[name] = entry
    return entry


def load_all(strict: bool = True) -> dict[str, str]:
    """Import every library module so that each registers its derivatives.

    With ``strict=False`` a module that fails to import is skipped and reported in the
    returned ``{module: error}`` mapping (``mlmath gradcheck`` shows it as a failed
    row instead of crashing); with ``strict=True`` (the default) the error propagates.

    Args:
      strict: re-raise a module's import error (True) or report it (False).

    Returns:
      ``{module name: "ErrorType: message"}`` for the modules that failed (empty when
      every module imported).

    Example:
      >>> print(load_all(strict=False))
      {}
    """
    import mlmath_jax

    failures: dict[str, str] = {}
    for info in pkgutil.walk_packages(mlmath_jax.__path__, prefix="mlmath_jax.",
                                      onerror=lambda name: None):
        if info.name.startswith(_SKIP) or info.name.split(".")[-1].startswith("_"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            if strict:
                raise
            failures[info.name] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return failures


def entries(pattern: str | None = None, *, load: bool = True) -> list[Entry]:
    """All registered entries (after :func:`load_all` unless ``load=False``), optionally
    filtered by a glob or substring ``pattern`` on the name, sorted by name.

    Args:
      pattern: a glob (``"losses.*"``) or a substring (``"sigmoid"``), or None for all.
      load: import every module first.

    Returns:
      A list of :class:`Entry`.

    Example:
      >>> print([e.name for e in entries("explog.*sigmoid")])
      ['explog.log_sigmoid', 'explog.sigmoid']
    """
    if load:
        load_all()
    items = sorted(_REGISTRY.values(), key=lambda e: e.name)
    if pattern:
        glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
        items = [e for e in items if fnmatch.fnmatch(e.name, glob)]
    return items
