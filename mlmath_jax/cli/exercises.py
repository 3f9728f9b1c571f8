"""``mlmath exercises``: the exercises by chapter, with what you have solved."""

from __future__ import annotations

HELP = "list the exercises by chapter, with what you have solved"


def add_arguments(p) -> None:
    p.add_argument("--chapter", default=None, help="only this chapter (a word of its name)")


def main(args) -> int:
    from mlmath_jax import exercises
    from mlmath_jax.errors import UserError

    done = exercises.solved()
    groups = exercises.by_chapter()
    if args.chapter:
        groups = {c: v for c, v in groups.items() if args.chapter.lower() in c}
        if not groups:
            raise UserError(f"no chapter matches {args.chapter!r}; chapters: "
                            f"{', '.join(exercises.CHAPTERS)}")
    total = sum(len(v) for v in exercises.by_chapter().values())
    for chapter, exs in groups.items():
        n = sum(e.name in done for e in exs)
        print(f"{chapter} ({n}/{len(exs)} solved)")
        for e in exs:
            mark = "✓" if e.name in done else " "
            print(f"  {mark} {e.name:<22} {e.title}")
    print(f"{len(done)} of {total} solved; start one with `mlmath exercise start NAME`")
    return 0
