"""``python -m mlmath_jax`` is the ``mlmath`` command."""

import sys

try:
    from mlmath_jax.cli import main
except KeyboardInterrupt:  # a Ctrl-C before the command could install its handlers
    print("interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
