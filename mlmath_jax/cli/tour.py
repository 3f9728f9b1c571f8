"""``mlmath tour``."""

from __future__ import annotations

HELP = "run every config briefly (its [tour] budget) and write one index.html"


def add_arguments(p) -> None:
    p.add_argument("--configs", default=None, metavar="DIR", help="configs folder")
    p.add_argument("--out", default="runs", metavar="DIR", help="where the tour folder goes")
    p.add_argument("--only", metavar="PATTERN", help="only configs whose name matches")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def main(args) -> int:
    from mlmath_jax.cli._show import show_table
    from mlmath_jax.runner import run_tour

    tour_dir, rows, code = run_tour(args.configs, args.out, args.only, args.quiet)
    show_table("tour", ["config", "status", "expected", "seconds"],
               [[r["config"], r["status"], r["expected"], r.get("seconds", "")] for r in rows])
    print(f"index: {tour_dir / 'index.html'}")
    return code
