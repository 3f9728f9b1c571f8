"""``python -m mlmath_jax`` is the ``mlmath`` command."""

import sys

from mlmath_jax.cli import main

sys.exit(main())
