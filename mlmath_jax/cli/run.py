"""``mlmath run CONFIG``."""

from __future__ import annotations

import sys

HELP = "run one experiment from a TOML config"


def add_arguments(p) -> None:
    p.add_argument("config", help="path to a config file (see `mlmath list`)")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set train.steps=500 (repeatable)")
    p.add_argument("--out", default="runs", metavar="DIR",
                   help="folder in which the run's own new directory is made (default: runs)")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def print_summary(outcome, quiet: bool) -> None:
    from mlmath_jax.cli._show import show_mapping

    s = outcome.summary
    if not quiet:
        show_mapping(f"{s['experiment']}: {outcome.status}", s.get("metrics") or {})
    print(f"run directory: {outcome.run_dir}")


def main(args) -> int:
    from mlmath_jax.runner import execute, prepare

    prep = prepare(args.config, args.sets)
    outcome = execute(prep, args.out, quiet=args.quiet)
    print_summary(outcome, args.quiet)
    if outcome.status != "ok":
        print(f"{prep.path}: {outcome.message}", file=sys.stderr)
    return outcome.exit_code
