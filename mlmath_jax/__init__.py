"""mlmath_jax: the mathematics of machine learning as small, pure, jit-compiled JAX functions.

Import the concept modules directly::

    from mlmath_jax import explog, linalg, losses, optim

Each module is independent of the command line and of configuration files; the runner
(``mlmath_jax.runner``) and the ``mlmath`` command compose them into experiments.
"""

__version__ = "0.1.0"
