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
    from mlmath_jax.runner import find_configs, list_experiments, load_experiment
    from mlmath_jax.runner.schema import TOP_LEVEL, describe

    if args.keys:
        module = load_experiment(args.keys)
        show_table(f"{args.keys}: {module.DESCRIPTION}", ["key", "default", "allowed"],
                   [list(r) for r in describe({**TOP_LEVEL, **module.SCHEMA})])
        return 0
    show_table("experiments", ["experiment", "description"],
               [[name, load_experiment(name).DESCRIPTION] for name in list_experiments()])
    rows = []
    for path in find_configs(args.configs):
        try:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
            desc = raw.get("description") or ""
            rows.append([str(path), raw.get("experiment", "?"), desc])
        except (OSError, tomllib.TOMLDecodeError) as exc:
            rows.append([str(path), "?", f"unreadable: {exc}"])
    print()
    show_table("configs", ["config", "experiment", "description"], rows)
    return 0
