"""The persistent XLA compilation cache, on by default for the ``mlmath`` command.

A second run of any experiment then skips most compilation. The cache lives in
``$MLMATH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mlmath_jax/xla`` (``~/.cache/...``).
Set ``MLMATH_CACHE_DIR=off`` (or pass ``--no-cache`` to ``mlmath``) to turn it off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_cache_dir() -> Path | None:
    """The cache folder the environment asks for, or None when it says ``off``.

    Example:
      >>> import os
      >>> saved = dict(os.environ)
      >>> os.environ["MLMATH_CACHE_DIR"] = "/tmp/xla-cache"
      >>> print(default_cache_dir())
      /tmp/xla-cache
      >>> os.environ["MLMATH_CACHE_DIR"] = "off"
      >>> print(default_cache_dir())
      None
      >>> os.environ.clear(); os.environ.update(saved)
    """
    env = os.environ.get("MLMATH_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "none", "false") else Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlmath_jax" / "xla"


def enable_compilation_cache(path: str | os.PathLike | None = None) -> Path | None:
    """Turn on JAX's persistent compilation cache in ``path`` (default: see module doc).

    Returns the directory used, or None when the cache is turned off. When JAX is not
    imported yet, this only sets the ``JAX_*`` environment variables JAX reads at import,
    so a command that never needs JAX never pays for importing it.

    Example:
      >>> import os
      >>> saved = dict(os.environ)
      >>> os.environ["MLMATH_CACHE_DIR"] = "off"
      >>> print(enable_compilation_cache())
      None
      >>> os.environ.clear(); os.environ.update(saved)
    """
    cache = Path(path) if path is not None else default_cache_dir()
    if cache is None:
        return None
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache is not worth failing a run for
    settings = {"jax_compilation_cache_dir": str(cache),
                "jax_persistent_cache_min_compile_time_secs": 0.0,
                "jax_persistent_cache_min_entry_size_bytes": 0}
    if "jax" not in sys.modules:
        for name, value in settings.items():
            os.environ[name.upper()] = str(value)
        return cache
    import jax

    for name, value in settings.items():
        jax.config.update(name, value)
    return cache
