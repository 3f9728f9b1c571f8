"""``mlmath calc``: the scientific calculator of the expression language.

Evaluation is host float64 (:func:`mlmath_jax.expr.evaluate_checked`) and never imports
JAX, so the calculator answers without JAX's start-up time.
"""

from __future__ import annotations

import argparse
import math
import re

HELP = "evaluate an expression, e.g. mlmath calc \"3 + 4 * (2 - 1) ^ 2\""


def _epilog() -> str:
    from mlmath_jax import expr

    lines = ["operators: + - * / ^ (or **), % (modulo, the sign of the divisor), "
             "n! (factorial), unary -, parentheses; constants: "
             + ", ".join(expr.CONSTANTS), "functions:"]
    lines += [f"  {line}" for line in expr.function_help()]
    return "\n".join(lines)


def add_arguments(p) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = _epilog()
    p.add_argument("expression", help="an expression of numbers, constants, operators "
                   "and the functions listed below (start with `--` if it begins with "
                   "'-': mlmath calc -- \"-2^2\")")
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="give a variable a value (repeatable, or NAME=VALUE,NAME=VALUE)")


_SPLIT = re.compile(r",(?=\s*[A-Za-z_][A-Za-z_0-9]*\s*=)")


def parse_assignments(items: list[str]) -> dict[str, float]:
    """["x=1.5", "y=2,z=3"] → {"x": 1.5, "y": 2.0, "z": 3.0}; a value may itself be an
    expression (``x=pi/2``, ``b=log(8, 2)``)."""
    from mlmath_jax import expr
    from mlmath_jax.errors import UserError

    out: dict[str, float] = {}
    for group in items:
        for item in _SPLIT.split(group):
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or not name.isidentifier() or name in expr.FUNCTIONS \
                    or name in expr.CONSTANTS:
                raise UserError(f"expected NAME=VALUE with a variable name, got "
                                f"{expr._show(item)!r}")
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
