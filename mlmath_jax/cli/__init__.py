"""The ``mlmath`` command.

Each subcommand is a module in this package defining ``HELP`` (one line),
``add_arguments(parser)`` and ``main(args) -> int``; the module's name is the command's
name. Adding a command is adding a module.

A :class:`~mlmath_jax.errors.UserError` anywhere becomes one line on stderr and exit
status 2, with no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from mlmath_jax.errors import UserError


def _commands() -> dict:
    pkg = sys.modules[__name__]
    out = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        out[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return out


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes in one line with exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    from mlmath_jax import __version__

    parser = _Parser(prog="mlmath", description="The mathematics of machine learning in JAX.")
    parser.add_argument("--version", action="version", version=f"mlmath_jax {__version__}")
    parser.add_argument("--no-cache", action="store_true",
                        help="turn off the persistent compilation cache for this command")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, module in sorted(_commands().items()):
        p = sub.add_parser(name.replace("_", "-"), help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_main", None):
        parser.print_help()
        return 2
    if args.no_cache:
        os.environ["MLMATH_CACHE_DIR"] = "off"
    try:
        from mlmath_jax._cache import enable_compilation_cache

        enable_compilation_cache()
        return int(args._main(args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
