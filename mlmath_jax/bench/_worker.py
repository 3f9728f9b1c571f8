"""Entry point of a benchmark worker process: ``python -m mlmath_jax.bench._worker``
(see :mod:`mlmath_jax.bench.isolated`)."""

from mlmath_jax.bench.isolated import _serve

if __name__ == "__main__":  # pragma: no cover
    _serve()
