"""``mlmath calc``: the scientific calculator of the expression language."""

from __future__ import annotations

import math

HELP = "evaluate an expression, e.g. mlmath calc \"3 + 4 * (2 - 1) ^ 2\""


def add_arguments(p) -> None:
    p.add_argument("expression", help="an expression: numbers, pi, e, + - * / ^, "
                   "parentheses, sin cos tan exp log sqrt abs tanh sigmoid (start with "
                   "`--` if it begins with '-': mlmath calc -- \"-2^2\")")
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="give a variable a value (repeatable)")


def parse_assignments(items: list[str]) -> dict[str, float]:
    """["x=1.5", "y=2"] → {"x": 1.5, "y": 2.0}; a value may itself be an expression."""
    from mlmath_jax import expr
    from mlmath_jax.errors import UserError

    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or name in expr.FUNCTIONS \
                or name in expr.CONSTANTS:
            raise UserError(f"expected NAME=VALUE with a variable name, got {item!r}")
        out[name] = expr.evaluate_checked(value)
    return out


def format_number(v: float) -> str:
    """7.0 → "7", 0.1 + 0.2 → "0.3" (12 significant digits)."""
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.12g}"


def main(args) -> int:
    from mlmath_jax import expr

    value = expr.evaluate_checked(args.expression, **parse_assignments(args.var))
    print(format_number(value))
    return 0
