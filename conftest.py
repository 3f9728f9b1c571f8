"""Test-session setup, run before jax is imported anywhere.

* 8 simulated CPU devices, so the sharded (data-parallel) paths run on one machine.
* A persistent compilation cache in ``.jax_cache/`` (shared with the ``mlmath``
  subprocesses the tests start), so a second run of the suite compiles little.
* Rank promotion raises, as in equinox's tests: silent broadcasting such as
  (n,) + (n, 1) becomes an error. (Strict dtype promotion is not set globally because
  optax's own updates mix Python floats with int32 step counts; tests that check dtype
  discipline use ``jax.numpy_dtype_promotion("strict")`` locally.)
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".jax_cache"
os.environ.setdefault("MLMATH_CACHE_DIR", str(CACHE))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402

jax.config.update("jax_num_cpu_devices", 8)
jax.config.update("jax_numpy_rank_promotion", "raise")

from mlmath_jax._cache import enable_compilation_cache  # noqa: E402

enable_compilation_cache(CACHE)

try:
    from hypothesis import settings

    # Compilation makes first examples slow; keep property tests small on 2 cores.
    settings.register_profile("mlmath", deadline=None, max_examples=40, derandomize=True)
    # The long run for fuzz and property tests: pytest --hypothesis-profile=thorough
    settings.register_profile("thorough", deadline=None, max_examples=1000,
                              derandomize=False, print_blob=True)
    settings.load_profile("mlmath")
except ImportError:  # pragma: no cover - hypothesis is in the dev extra
    pass
