"""mlmath_jax: the mathematics of machine learning as small, pure, jit-compiled JAX functions.

Import the concept modules directly::

    from mlmath_jax import explog, linalg, losses, optim

or reach them from the package: ``import mlmath_jax; mlmath_jax.explog`` imports
``mlmath_jax.explog`` on first use (nothing is imported up front, so ``import mlmath_jax``
stays cheap and does not import JAX), and ``dir(mlmath_jax)`` lists the submodules.

Each module is independent of the command line and of configuration files; the runner
(``mlmath_jax.runner``) and the ``mlmath`` command compose them into experiments, which
live in ``mlmath_jax.experiments`` (the ``experiments/`` folder of the repository).
"""

import importlib as _importlib
import os as _os
import sys as _sys
from importlib.util import spec_from_file_location as _spec_from_file_location

__version__ = "0.1.0"

_HERE = _os.path.dirname(_os.path.abspath(__file__))
_CHECKOUT_EXPERIMENTS = _os.path.join(_os.path.dirname(_HERE), "experiments")


def _submodule_names() -> list[str]:
    names = set()
    for entry in _os.listdir(_HERE):
        stem, ext = _os.path.splitext(entry)
        if entry.startswith("_"):
            continue
        if ext == ".py" or _os.path.isfile(_os.path.join(_HERE, entry, "__init__.py")):
            names.add(stem)
    names.add("experiments")
    return sorted(names)


class _CheckoutExperiments:
    """Find ``mlmath_jax.experiments`` in a source checkout (``PYTHONPATH=<checkout>``),
    where the package lives in the repository's top-level ``experiments/`` folder. An
    installed distribution maps that folder under the package itself (pyproject's
    ``package-dir``), so this finder is only installed when that copy is absent."""

    @staticmethod
    def find_spec(fullname: str, path=None, target=None):
        if fullname != "mlmath_jax.experiments":
            return None
        return _spec_from_file_location(
            fullname, _os.path.join(_CHECKOUT_EXPERIMENTS, "__init__.py"),
            submodule_search_locations=[_CHECKOUT_EXPERIMENTS])


if (not _os.path.isdir(_os.path.join(_HERE, "experiments"))
        and _os.path.isfile(_os.path.join(_CHECKOUT_EXPERIMENTS, "__init__.py"))
        and not any(isinstance(f, _CheckoutExperiments) or f is _CheckoutExperiments
                    for f in _sys.meta_path)):
    # First: the experiments beside *this* package win over an editable install of another
    # checkout (whose finder maps mlmath_jax.experiments to its own folder).
    _sys.meta_path.insert(0, _CheckoutExperiments)


def __getattr__(name: str):
    if name in _submodule_names():
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    public = {n for n in globals() if not n.startswith('_') or n.startswith('__')}
    return sorted(public | set(_submodule_names()))
