"""Terminal output: rich tables on a terminal, plain aligned text otherwise."""

from __future__ import annotations

import sys


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list) and len(v) > 8:
        return "[" + ", ".join(_fmt(x) for x in v[:8]) + ", …]"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def show_table(title: str | None, columns: list[str], rows: list[list], file=None) -> None:
    """Print rows under column headers (rich when stdout is a terminal)."""
    file = file or sys.stdout
    cells = [[_fmt(c) for c in r] for r in rows]
    if file.isatty():
        from rich.console import Console
        from rich.table import Table

        t = Table(title=title)
        for c in columns:
            t.add_column(c)
        for r in cells:
            t.add_row(*r)
        Console(file=file).print(t)
        return
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c)
              for i, c in enumerate(columns)]
    if title:
        print(title, file=file)
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=False)).rstrip(), file=file)
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip(), file=file)


def show_mapping(title: str | None, mapping: dict, file=None) -> None:
    show_table(title, ["metric", "value"], [[k, v] for k, v in mapping.items()], file=file)


def check_output_path(path: str | None, flag: str) -> None:
    """Refuse, before any work, an output file whose folder does not exist."""
    from pathlib import Path

    from mlmath_jax.errors import UserError

    if path is None:
        return
    parent = Path(path).expanduser().resolve().parent
    if not parent.is_dir():
        raise UserError(f"{flag} {path}: the folder {parent} does not exist")
    if Path(path).is_dir():
        raise UserError(f"{flag} {path}: is a folder; give a file name")
