"""``mlmath list``."""

from __future__ import annotations

HELP = "list every experiment and config with a one-line description"


def add_arguments(p) -> None:
    p.add_argument("--configs", default=None, metavar="DIR", help="configs folder")
    p.add_argument("--keys", metavar="EXPERIMENT",
                   help="show one experiment's config keys, defaults and allowed values")


def main(args) -> int:
    import tomllib

    from mlmath_jax.cli._show import show_table
    from mlmath_jax.runner.core import experiment_description, list_experiments
    from mlmath_jax.runner.tour import find_configs

    if args.keys:  # the schema lives in the experiment module: this one imports it
        from mlmath_jax.runner.core import load_experiment
        from mlmath_jax.runner.schema import TOP_LEVEL, describe

        module = load_experiment(args.keys)
        show_table(f"{args.keys}: {module.DESCRIPTION}", ["key", "default", "allowed"],
                   [list(r) for r in describe({**TOP_LEVEL, **module.SCHEMA})])
        return 0
    # Descriptions are read from the modules' source, so listing never imports JAX.
    show_table("experiments", ["experiment", "description"],
               [[name, experiment_description(name)] for name in list_experiments()])
    rows = []
    for path in find_configs(args.configs):
        try:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
            desc = raw.get("description") or ""
            rows.append([str(path), raw.get("experiment", "?"), desc])
        except (OSError, ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
            rows.append([str(path), "?", f"unreadable: {str(exc).splitlines()[0][:80]}"])
    print()
    show_table("configs", ["config", "experiment", "description"], rows)
    return 0
