"""``mlmath diff``: the symbolic derivative calculator."""

from __future__ import annotations

HELP = "differentiate an expression symbolically, e.g. mlmath diff \"x^3 + sin(x*2)\""


def add_arguments(p) -> None:
    p.add_argument("expression", help="an expression in one or more variables")
    p.add_argument("--var", default=None, metavar="NAME",
                   help="the variable to differentiate by (default: x, or the only one)")
    p.add_argument("--at", action="append", default=[], metavar="NAME=VALUE",
                   help="also evaluate the derivative there, beside jax.grad's value "
                        "(repeat for several variables)")


def main(args) -> int:
    import jax

    from mlmath_jax import expr
    from mlmath_jax.cli.calc import format_number, parse_assignments
    from mlmath_jax.errors import UserError

    tree = expr.parse(args.expression)
    names = expr.variables(tree)
    var = args.var or ("x" if "x" in names or not names else names[0])
    if args.var is None and len(names) > 1 and "x" not in names:
        raise UserError(f"several variables ({', '.join(names)}): choose one with --var")
    d = expr.diff(tree, var)
    print(f"d/d{var} {expr.to_text(tree)} = {expr.to_text(d)}")
    if not args.at:
        return 0
    point = parse_assignments(args.at)
    missing = sorted(set(names) - set(point))
    if missing:
        raise UserError(f"--at needs a value for {', '.join(missing)}")
    # Checked evaluation first: a point outside the domain (1/x at 0, sqrt'(0), overflow)
    # is reported in words instead of printing inf or nan.
    expr.evaluate_checked(tree, **point)
    symbolic = expr.evaluate_checked(d, **point)
    with jax.enable_x64(True):
        import jax.numpy as jnp

        order = sorted(set(names) | {var})
        args_ = [jnp.asarray(point.get(n, 0.0), jnp.float64) for n in order]
        auto = float(jax.grad(expr.to_function(tree, *order),
                              argnums=order.index(var))(*args_))
    at = ", ".join(f"{k}={format_number(v)}" for k, v in point.items())
    print(f"at {at}: symbolic {format_number(symbolic)}   jax.grad {format_number(auto)}"
          f"   |difference| {abs(symbolic - auto):.2g}")
    return 0
