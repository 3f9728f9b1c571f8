"""The persistent XLA compilation cache, on by default for the ``mlmath`` command.

A second run of any experiment then skips most compilation. The cache lives in
``$MLMATH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mlmath_jax/xla`` (``~/.cache/...``).
Set ``MLMATH_CACHE_DIR=off`` (or pass ``--no-cache`` to ``mlmath``) to turn it off.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path | None:
    env = os.environ.get("MLMATH_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "none", "false") else Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlmath_jax" / "xla"


def enable_compilation_cache(path: str | os.PathLike | None = None) -> Path | None:
    """Turn on JAX's persistent compilation cache in ``path`` (default: see module doc).

    Returns the directory used, or None when the cache is turned off.
    """
    import jax

    cache = Path(path) if path is not None else default_cache_dir()
    if cache is None:
        return None
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache is not worth failing a run for
    jax.config.update("jax_compilation_cache_dir", str(cache))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return cache
