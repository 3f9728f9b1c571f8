"""``mlmath info``."""

from __future__ import annotations

HELP = "show the jax version, backend, devices and compilation cache"


def add_arguments(p) -> None:
    pass


def main(args) -> int:
    import jax

    from mlmath_jax import __version__
    from mlmath_jax.cli._show import show_mapping
    from mlmath_jax.runner.core import environment

    info = {"mlmath_jax": __version__, **environment(),
            "device_count": jax.device_count(),
            "compilation_cache": jax.config.jax_compilation_cache_dir or "off"}
    show_mapping("mlmath info", info)
    return 0
