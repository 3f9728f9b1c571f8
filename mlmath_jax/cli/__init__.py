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


def _command_help(path: str) -> str:
    """The module's ``HELP`` string, read from its source without importing it (importing a
    command may import JAX; ``mlmath --help`` must not)."""
    from mlmath_jax._source import module_literal

    try:
        return module_literal(path, "HELP")
    except (LookupError, ValueError):
        raise TypeError(f"{path}: a command module must define HELP as a string literal"
                        ) from None


def _commands() -> dict[str, str]:
    """``{command name: module file}`` for every command module, none of them imported."""
    pkg = sys.modules[__name__]
    return {info.name: os.path.join(info.module_finder.path, info.name + ".py")
            for info in pkgutil.iter_modules(pkg.__path__) if not info.name.startswith("_")}


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes in one line with exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``mlmath`` parser. Only the command named in ``argv`` is imported (for its
    options); the others show their ``HELP`` read from source. ``argv=None`` imports all."""
    from mlmath_jax import __version__

    parser = _Parser(prog="mlmath", description="The mathematics of machine learning in JAX.")
    parser.add_argument("--version", action="version", version=f"mlmath_jax {__version__}")
    parser.add_argument("--no-cache", action="store_true",
                        help="turn off the persistent compilation cache for this command")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = None if argv is None else next((t for t in argv if not t.startswith("-")), "")
    for name, path in sorted(_commands().items()):
        command = name.replace("_", "-")
        if chosen is None or command == chosen:
            module = importlib.import_module(f"{__name__}.{name}")
            p = sub.add_parser(command, help=module.HELP, description=module.HELP)
            module.add_arguments(p)
            p.set_defaults(_main=module.main)
        else:
            sub.add_parser(command, help=_command_help(path), add_help=False)
    return parser


# Commands whose one positional argument is an expression that may begin with "-"
# (mlmath calc "-2^2"); every option they take has one value.
_EXPRESSION_COMMANDS = ("calc", "diff", "graph")

_FLAGS = ("--steps", "--network", "--primitives")   # their options that take no value


def _protect_expression(argv: list[str]) -> list[str]:
    """Move an expression such as "-2^2" behind "--" so argparse does not take it for an
    option."""
    cmd = next((i for i, t in enumerate(argv) if not t.startswith("-")), None)
    if cmd is None or argv[cmd] not in _EXPRESSION_COMMANDS or "--" in argv:
        return argv
    opts, positional, rest, i = [], [], argv[cmd + 1:], 0
    while i < len(rest):
        t = rest[i]
        if t in ("-h", "--help"):
            opts.append(t)
        elif t.startswith("--"):
            opts.append(t)
            if "=" not in t and i + 1 < len(rest) and t not in _FLAGS:
                opts.append(rest[i + 1])
                i += 1
        else:
            positional.append(t)
        i += 1
    return [*argv[:cmd + 1], *opts, "--", *positional]


def main(argv: list[str] | None = None) -> int:
    # (no list() here: importing the `list` command binds that name in this package)
    argv = _protect_expression([*(sys.argv[1:] if argv is None else argv)])
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "_main", None):
        parser.print_help()
        return 2
    if args.no_cache:
        os.environ["MLMATH_CACHE_DIR"] = "off"
    from mlmath_jax.runner import signals

    signals.reset()
    try:
        with signals.installed():
            from mlmath_jax._cache import enable_compilation_cache

            enable_compilation_cache()
            code = int(args._main(args) or 0)
            # A SIGINT/SIGTERM whose KeyboardInterrupt something swallowed still ends the
            # command as interrupted.
            signals.check()
            return code
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a program that stopped reading (head)
        return 0
    except OSError as exc:  # a path the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
