"""Property, oracle and fuzz tests of the expression language.

Oracles: the unsimplified tree (host float64), ``jax.grad`` (float64) and sympy (a test
dependency only), over a hypothesis corpus of expressions with integer and fractional
powers, negative factors and nested quotients. Fuzz: generated text (valid and garbage)
through every entry point and through the CLI in-process: no exception other than
``UserError``, no traceback, exit 0 or 2.

``MLMATH_THOROUGH=1`` multiplies the example counts by 50 (the thorough run of the
closing note); the default suite keeps each property to a few seconds on 2 cores.
"""

from __future__ import annotations

import math
import os

import jax
import jax.numpy as jnp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmath_jax import expr
from mlmath_jax.errors import UserError
from mlmath_jax.expr import BinOp, Call, Neg, Num, Var

sympy = pytest.importorskip("sympy")

SCALE = 50 if os.environ.get("MLMATH_THOROUGH") else 1


def examples(n: int):
    return settings(max_examples=n * SCALE, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------ the corpus

NUMBERS = [-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0, 0.25, 1 / 3]
EXPONENTS = [-3.0, -2.0, -1.0, 2.0, 3.0, 4.0, 0.5, 1.5, -0.5, 1 / 3]
leaves = st.one_of(st.just(Var("x")), st.just(Var("x")), st.sampled_from(NUMBERS).map(Num))


def _extend(children):
    return st.one_of(
        st.builds(Neg, children),
        st.builds(BinOp, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(lambda a, k: BinOp("^", a, Num(k)), children, st.sampled_from(EXPONENTS)),
        st.builds(lambda a, b, k: BinOp("^", BinOp("*", a, b), Num(k)), children, children,
                  st.sampled_from(EXPONENTS)),                      # (u·v)^n
        st.builds(lambda a, b: BinOp("/", a, BinOp("/", b, a)), children, children),
        st.builds(Call, st.sampled_from(["sin", "exp", "log", "sqrt", "cos", "atan"]),
                  children),
    )


trees = st.recursive(leaves, _extend, max_leaves=7)
POINTS = [0.7, 1.3, 2.1, -0.8]


def host(t, x):
    """The value in host float64, or None where undefined (or too large to compare)."""
    try:
        v = expr.evaluate_checked(t, x=x)
    except expr.DomainError:
        return None
    return v if abs(v) < 1e8 else None


def close(a, b, rtol=1e-7, atol=1e-9):
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


# ------------------------------------------------------- the table rows of issue 15

@pytest.mark.parametrize("text, correct", [
    ("(2*x)^4", lambda x: 64 * x ** 3),
    ("1/(2*x)", lambda x: -1 / (2 * x ** 2)),
])
def test_issue_15_derivatives(text, correct):
    d = expr.diff(text)
    for x in POINTS:
        assert close(expr.evaluate_checked(d, x=x), correct(x)), str(d)


@pytest.mark.parametrize("text, correct", [
    ("1/(2*x)^2", lambda x, y: 1 / (4 * x ** 2)),
    ("y/(x*-y)^2", lambda x, y: 1 / (x ** 2 * y)),
    ("(.5/3)^3/.5", lambda x, y: (0.5 / 3) ** 3 / 0.5),
    ("(-2*x)^3*(x*-y)^2", lambda x, y: -8 * x ** 5 * y ** 2),
])
def test_issue_15_simplifications(text, correct):
    s = expr.simplify(text)
    for x, y in [(0.7, 1.3), (-1.1, 2.0), (2.5, -0.4)]:
        vars_ = {k: v for k, v in {"x": x, "y": y}.items() if k in expr.variables(s)}
        assert close(expr.evaluate_checked(s, **vars_), correct(x, y)), str(s)


# --------------------------------------------------------------- simplify and diff

@examples(100)
@given(trees)
def test_simplify_keeps_the_value_everywhere_it_is_defined(t):
    s = expr.simplify(t)
    assert expr.parse(str(s)) is not None
    for x in POINTS:
        a = host(t, x)
        if a is None:
            continue
        b = host(s, x)
        assert b is not None and close(a, b), f"{t} -> {s} at x={x}: {a} vs {b}"


@examples(100)
@given(trees)
def test_simplified_derivative_equals_the_unsimplified_one(t):
    raw = expr.diff(t, "x", simplify_result=False)
    d = expr.diff(t, "x")
    for x in POINTS:
        a = host(raw, x)
        if a is None or host(t, x) is None:
            continue
        b = host(d, x)
        assert b is not None and close(a, b, rtol=1e-6), f"d/dx {t} = {d} at x={x}"


@examples(25)
@given(trees, st.sampled_from(POINTS))
def test_symbolic_derivative_equals_jax_grad(t, x):
    with jax.enable_x64(True):
        d = host(expr.diff(t, "x"), x)
        if d is None or host(t, x) is None:
            return
        auto = float(jax.grad(expr.to_function(t, "x"))(jnp.asarray(x, jnp.float64)))
        if math.isfinite(auto):
            assert close(d, auto, rtol=1e-6), f"d/dx {t} at x={x}"


# ------------------------------------------------------------------- sympy, 2nd oracle

_SYMPY_FUNCS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp", "sqrt": "sqrt", "abs": "Abs",
    "tanh": "tanh", "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh",
    "cosh": "cosh", "asinh": "asinh", "acosh": "acosh", "atanh": "atanh", "ln": "log",
}


def to_sympy(t):
    """The tree as a sympy expression, built node by node (no text is parsed)."""
    x = sympy.Symbol("x", real=True)
    match t:
        case Num(v):
            return sympy.Integer(int(v)) if v == int(v) else sympy.Rational(v)
        case Var(name):
            return x if name == "x" else sympy.Symbol(name, real=True)
        case expr.Const("pi"):
            return sympy.pi
        case expr.Const("e"):
            return sympy.E
        case Neg(a):
            return -to_sympy(a)
        case BinOp(op, a, b):
            a, b = to_sympy(a), to_sympy(b)
            return {"+": a + b, "-": a - b, "*": a * b}.get(op) if op in "+-*" else \
                {"/": lambda: a / b, "^": lambda: a ** b, "%": lambda: sympy.Mod(a, b)}[op]()
        case Call("log", args):
            return sympy.log(*[to_sympy(a) for a in args])
        case Call("log2", (a,)):
            return sympy.log(to_sympy(a), 2)
        case Call("log10", (a,)):
            return sympy.log(to_sympy(a), 10)
        case Call("sigmoid", (a,)):
            return 1 / (1 + sympy.exp(-to_sympy(a)))
        case Call("atan2", (a, b)):
            return sympy.atan2(to_sympy(a), to_sympy(b))
        case Call(fn, (a,)):
            return getattr(sympy, _SYMPY_FUNCS[fn])(to_sympy(a))
    raise AssertionError(t)


sympy_leaves = st.one_of(st.just(Var("x")), st.sampled_from([-2.0, -0.5, 0.5, 2.0, 3.0]).map(Num))


def _sympy_extend(children):
    return st.one_of(
        st.builds(Neg, children),
        st.builds(BinOp, st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.builds(lambda a, k: BinOp("^", a, Num(k)), children, st.sampled_from(EXPONENTS)),
        st.builds(lambda a, b, k: BinOp("^", BinOp("*", a, b), Num(k)), children, children,
                  st.sampled_from([2.0, 3.0, -2.0, 0.5])),
        st.builds(Call, st.sampled_from(["sin", "exp", "log", "sqrt", "atan", "tanh",
                                         "sinh", "log2", "log10", "sigmoid", "ln"]),
                  children),
        st.builds(lambda a, b: Call("atan2", (a, b)), children, children),
        st.builds(lambda a, b: Call("log", (a, b)), children, st.sampled_from(
            [Num(2.0), Num(10.0), Num(0.5)])),
    )


sympy_trees = st.recursive(sympy_leaves, _sympy_extend, max_leaves=5)


@examples(40)
@given(sympy_trees)
def test_derivative_agrees_with_sympy(t):
    x = sympy.Symbol("x", real=True)
    ref = sympy.diff(to_sympy(t), x)
    d = expr.diff(t, "x")
    for p in POINTS[:3]:
        if host(t, p) is None:
            continue
        ours = host(d, p)
        theirs = complex(ref.subs(x, sympy.Float(p, 30)).evalf(30))
        if ours is None or abs(theirs.imag) > 1e-12 or not math.isfinite(theirs.real):
            continue
        assert close(ours, theirs.real, rtol=1e-6), f"d/dx {t} at {p}: {ours} vs {theirs}"


@examples(40)
@given(sympy_trees)
def test_derivation_ends_in_the_diff_result(t):
    der = expr.derivation(t, "x")
    assert der.result == expr.diff(t, "x")
    assert der.steps[-1].rule == "result"
    assert all(s.equation.startswith("d/dx (") and " = " in s.equation for s in der.steps)
    lines = der.text().splitlines()
    assert [line.split(".")[0].strip() for line in lines] == [str(i) for i in
                                                             range(1, len(lines) + 1)]


# --------------------------------------------------------------------------- fuzzing

ALPHABET = "x y 0123456789.+-*/^%!(),e pi sin log sqrt atan2 abc\n\t$#"
garbage = st.text(alphabet=ALPHABET, max_size=40)
valid_text = st.recursive(
    st.sampled_from(["x", "2", "0", "1e308", ".5", "pi", "e", "170", "171"]),
    lambda c: st.one_of(
        st.builds(lambda a, o, b: f"{a} {o} {b}", c, st.sampled_from(list("+-*/^%")), c),
        st.builds(lambda a: f"({a})", c), st.builds(lambda a: f"-{a}", c),
        st.builds(lambda a: f"{a}!", c),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(list(expr.FUNCTIONS)), c),
        st.builds(lambda a, b: f"log({a}, {b})", c, c),
        st.builds(lambda a, b: f"atan2({a}, {b})", c, c),
    ), max_leaves=6)
texts = st.one_of(garbage, valid_text)


def only_user_errors(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except UserError as exc:
        assert "\n" not in str(exc), repr(str(exc))
        return None


@examples(120)
@given(texts)
def test_no_exception_but_user_error_on_the_host_paths(text):
    t = only_user_errors(expr.parse, text)
    if t is None:
        return
    assert expr.parse(str(t)) == t or expr.simplify(expr.parse(str(t))) is not None
    only_user_errors(expr.evaluate_checked, t, **{v: 1.5 for v in expr.variables(t)})
    only_user_errors(expr.check_constants, t)
    s = only_user_errors(expr.simplify, t)
    if s is not None:
        str(s)
    for var in ("x", "y"):
        d = only_user_errors(expr.diff, t, var)
        if d is not None:
            str(d)
            only_user_errors(expr.derivation, t, var).text()


@examples(30)
@given(valid_text)
def test_jax_functions_follow_ieee_and_never_raise(text):
    t = only_user_errors(expr.parse, text)
    if t is None:
        return
    with jax.enable_x64(True):
        v = float(expr.evaluate(t, **{n: 1.5 for n in expr.variables(t)}))
    try:
        ref = expr.evaluate_checked(t, **{n: 1.5 for n in expr.variables(t)})
    except expr.DomainError:
        return                       # inf or nan in JAX, an error on the host
    assert math.isnan(v) or close(v, ref, rtol=1e-9) or abs(ref) > 1e300, text


@examples(40)
@given(texts)
def test_cli_calc_and_diff_exit_0_or_2_without_traceback(text):
    import contextlib
    import io

    from mlmath_jax.cli import main

    for argv in (["calc", "--", text], ["diff", "--", text]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        assert code in (0, 2), (argv, err.getvalue())
        assert "Traceback" not in err.getvalue()
        if code == 2:
            assert err.getvalue().count("\n") == 1, err.getvalue()
