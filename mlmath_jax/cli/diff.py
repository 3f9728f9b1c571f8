"""``mlmath diff``: the symbolic derivative calculator.

``mlmath diff EXPR`` prints ``d/dx (EXPR) = RESULT``; ``--steps`` shows the derivation
rule by rule; ``--wrt y`` takes a partial derivative; ``--at x=1,y=2`` evaluates the
derivative there beside ``jax.grad``'s value. Where the expression has no derivative at
the point (|x| at 0, sqrt(x) at 0, a jump of floor), it says so and gives the one-sided
derivatives (exit 0). Symbolic and ``jax.grad`` values that disagree beyond float64's
tolerance are a failure: one line on stderr, exit 1.
"""

from __future__ import annotations

import math

HELP = "differentiate an expression symbolically, e.g. mlmath diff \"x^3 + sin(x*2)\""

#: float64 tolerance of the symbolic-vs-jax.grad comparison (tests.helpers.tol): both
#: evaluate exact formulas in float64, so they agree to rounding.
RTOL, ATOL = 1e-9, 1e-12


def add_arguments(p) -> None:
    p.add_argument("expression", help="an expression in one or more variables")
    p.add_argument("--wrt", "--var", dest="var", default=None, metavar="NAME",
                   help="the variable to differentiate by, a partial derivative when "
                        "there are several (default: x, or the only one)")
    p.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                   help="also evaluate the derivative there, beside jax.grad's value "
                        "(x=1,y=2 or repeat for several variables)")
    p.add_argument("--steps", action="store_true",
                   help="show the derivation: one numbered step per rule applied")


def _one_sided(tree, var: str, point: dict, side: int) -> float | None:
    """lim (f(a + s·h) − f(a)) / (s·h) as h → 0⁺, or None where f is undefined there.

    Difference quotients at h = 1e-5, 1e-6, 1e-7 (relative); a quotient that keeps
    growing is ±inf.
    """
    from mlmath_jax import expr

    a = point[var]
    f0 = expr.evaluate_checked(tree, **point)
    qs = []
    for k in (5, 6, 7):
        h = 10.0 ** -k * max(1.0, abs(a))
        try:
            f1 = expr.evaluate_checked(tree, **{**point, var: a + side * h})
        except expr.ExprError:
            return None
        qs.append((f1 - f0) / (side * h))
    if abs(qs[2]) > 2 * abs(qs[1]) > 4 * abs(qs[0]) > 0:
        return math.copysign(math.inf, qs[2])
    return qs[2]


def _side_text(v: float | None) -> str:
    from mlmath_jax.cli.calc import format_number

    if v is None:
        return "undefined (outside the domain)"
    if math.isinf(v):
        return "+inf" if v > 0 else "-inf"
    return format_number(float(f"{v:.6g}"))


def main(args) -> int:
    import sys

    from mlmath_jax import expr
    from mlmath_jax.cli.calc import format_number, parse_assignments
    from mlmath_jax.errors import UserError

    tree = expr.parse(args.expression)
    names = expr.variables(tree)
    var = args.var or ("x" if "x" in names or not names else names[0])
    if args.var is None and len(names) > 1 and "x" not in names:
        raise UserError(f"several variables ({', '.join(names)}): choose one with --wrt")
    if args.steps:
        print(expr.derivation(tree, var).text())
        d = expr.diff(tree, var)
    else:
        d = expr.diff(tree, var)
        print(f"d/d{var} ({expr.to_text(tree)}) = {expr.to_text(d)}")
    if not args.at:
        return 0
    point = parse_assignments(args.at)
    missing = sorted(set(names) - set(point))
    if missing:
        raise UserError(f"--at needs a value for {', '.join(missing)}")
    point.setdefault(var, 0.0)
    at = ", ".join(f"{k}={format_number(v)}" for k, v in point.items())
    # The expression itself must be defined there (else exit 2 with the reason).
    expr.evaluate_checked(tree, **point)
    kinks = expr.kinks_at(tree, **point)
    try:
        symbolic = expr.evaluate_checked(d, **point)
    except expr.DomainError:
        symbolic = None
    if kinks or symbolic is None:
        left = _one_sided(tree, var, point, -1)
        right = _one_sided(tree, var, point, 1)
        agree = (left is not None and right is not None and math.isfinite(left)
                 and math.isfinite(right)
                 and abs(left - right) <= 1e-4 * (1 + abs(left) + abs(right)))
        if not agree or symbolic is None:
            why = f" ({', '.join(kinks)} has a kink or jump there)" if kinks else ""
            print(f"at {at}: not differentiable{why}: left derivative "
                  f"{_side_text(left)}, right derivative {_side_text(right)}")
            return 0
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        order = sorted(set(names) | {var})
        args_ = [jnp.asarray(point.get(n, 0.0), jnp.float64) for n in order]
        auto = float(jax.grad(expr.to_function(tree, *order),
                              argnums=order.index(var))(*args_))
    gap = abs(symbolic - auto)
    if not gap <= ATOL + RTOL * max(abs(symbolic), abs(auto)):
        print(f"error: the symbolic derivative {format_number(symbolic)} and jax.grad "
              f"{format_number(auto)} disagree at {at} (|difference| {gap:.3g} is beyond "
              f"float64's tolerance); this is a bug in mlmath, please report it",
              file=sys.stderr)
        return 1
    print(f"at {at}: symbolic {format_number(symbolic)}   jax.grad {format_number(auto)}"
          f"   (agree within float64 tolerance, |difference| {gap:.2g})")
    return 0
