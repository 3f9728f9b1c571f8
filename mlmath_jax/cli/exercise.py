"""``mlmath exercise start|hint|check``: write a starter file, show hints, grade a file."""

from __future__ import annotations

HELP = "start an exercise (writes NAME.py), show its hints, or check your file"


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    s = sub.add_parser("start", help="write NAME.py with the signature and the task")
    s.add_argument("name", help="the exercise (see `mlmath exercises`)")
    s.add_argument("dir", nargs="?", default=".", help="where to write it (default: here)")
    s.add_argument("--hint", action="store_true", help="include the hints in the file")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    h = sub.add_parser("hint", help="print the hints of an exercise")
    h.add_argument("name")
    c = sub.add_parser("check", help="grade FILE (exit 0 solved, 1 wrong, 2 cannot grade)")
    c.add_argument("file", help="your solution, e.g. softmax.py")
    c.add_argument("--name", default=None, help="the exercise (default: the file's name)")
    c.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                   help="seconds before grading stops (default 60)")
    c.add_argument("--memory-limit", type=int, default=8192, metavar="MB",
                   help="address-space limit of the grading process (default 8192)")


def _get(name):
    from mlmath_jax import exercises
    from mlmath_jax.errors import UserError

    try:
        return exercises.get(name)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def main(args) -> int:
    from pathlib import Path

    from mlmath_jax import exercises
    from mlmath_jax.errors import UserError

    if args.action is None:
        raise UserError("mlmath exercise needs an action: start, hint or check")
    if args.action == "hint":
        ex = _get(args.name)
        print(f"{ex.name}: {ex.title}")
        print(exercises.hint_text(ex.name))
        return 0
    if args.action == "start":
        ex = _get(args.name)
        folder = Path(args.dir)
        if folder.exists() and not folder.is_dir():
            raise UserError(f"{folder} is a file; give a folder to write {ex.name}.py in")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{ex.name}.py"
        if path.exists() and not args.force:
            raise UserError(f"{path} exists; check it with `mlmath exercise check {path}` "
                            f"or overwrite it with --force")
        path.write_text(exercises.template(ex.name, hints=args.hint))
        print(f"wrote {path}: {ex.title}")
        print(f"write {ex.name}({ex.signature}), then: mlmath exercise check {path}")
        return 0
    name = args.name or Path(args.file).stem
    _get(name)
    if not Path(args.file).is_file():
        raise UserError(f"{args.file}: no such file")
    result = exercises.run_file(args.file, name, time_limit_s=args.time_limit,
                                memory_limit_mb=args.memory_limit)
    if result.exit_code == 2:
        raise UserError(result.message)
    if result.report is None:
        print(result.message)
        return result.exit_code
    print(result.report.text())
    if result.report.solved:
        exercises.mark_solved(name)
        print(f"marked {name} solved ({exercises.data_dir() / 'progress.json'})")
    return result.exit_code
