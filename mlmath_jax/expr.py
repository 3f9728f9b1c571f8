"""A small expression language: parse → tree → JAX function, symbolic derivative.

Grammar (a recursive-descent parser, loosest first)::

    expr    := term (("+" | "-") term)*              left-associative
    term    := unary (("*" | "/" | "%") unary)*      left-associative; % is the modulo
    unary   := ("-" | "+") unary | power             so  -2^2 = -(2^2) = -4
    power   := postfix ("^" unary)?                  right-associative: 2^3^2 = 2^9
    postfix := atom "!"*                             5! = 120 (n! for integers n >= 0)
    atom    := NUMBER | NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")"

Numbers are ``2``, ``0.5``, ``.5``, ``1e-3``; ``**`` is accepted as ``^``. The names
``pi`` and ``e`` are the constants. The functions are the rows of one table,
:data:`FUNCTIONS` (``sin``, ``ln``, ``log(x, base)``, ``atan2(y, x)``, ``gamma``, …): each
row holds the name, the JAX function, the host (Python float) function, the derivative
rule, the rule's name for derivations, the real domain and a help line. Adding a
function is adding one row. The operators are the rows of :data:`OPERATORS`. Any other
name is a variable.

A tree is made of immutable nodes (:class:`Num`, :class:`Const`, :class:`Var`,
:class:`Neg`, :class:`BinOp`, :class:`Call`); equal trees compare equal and hash alike.
``str(tree)`` prints it back with the fewest parentheses that keep its structure, so
``parse(str(t)) == t`` for parsed trees (and equals it in value for any tree).

Two evaluations, on purpose different at the edges of the domain:

* :func:`to_function` / :func:`evaluate` compile a tree to ``jnp`` operations, so the
  result jits, vmaps and differentiates. They follow IEEE arithmetic as ``jnp`` does:
  ``evaluate("1/0")`` is ``inf`` and ``evaluate("log(-1)")`` is ``nan``; they never raise
  on a value.
* :func:`evaluate_checked` evaluates on the host in float64 and raises a one-line
  :class:`DomainError` (a :class:`~mlmath_jax.errors.UserError`) instead of returning
  ``inf`` or ``nan``. ``mlmath calc`` uses it; :func:`check_constants` applies it to the
  variable-free parts of an expression, so a config can refuse ``x + 1/0`` up front.

:func:`diff` differentiates symbolically, :func:`derivation` shows the rules applied
step by step, and :func:`simplify` tidies (constant folding, 0·x, 1·x, x + 0, x^1, x^0,
like terms, numeric factors). Constant folding never raises: a fold that would fail or
overflow is left unfolded. Nothing here calls ``eval`` or ``exec``: text only ever
becomes a tree. Importing this module does not import JAX; JAX is imported the first
time a JAX function is built.

Example:
  >>> t = parse("x^3 + sin(x*2)")
  >>> str(diff(t, "x"))
  '3*x^2 + 2*cos(2*x)'
  >>> round(evaluate_checked(t, x=1.0), 4)
  1.9093
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from mlmath_jax.errors import UserError

#: Deepest nesting accepted (parentheses, function calls, unary signs and operator
#: chains all count). Deeper input is refused with :class:`ExprTooDeep`.
MAX_DEPTH = 100
#: Longest text accepted by :func:`parse`.
MAX_LENGTH = 10_000

CONSTANTS = {"pi": math.pi, "e": math.e}


# ------------------------------------------------------------------------------ errors

class ExprError(UserError):
    """Base class of the expression language's errors."""


def _show(text: str, limit: int = 60) -> str:
    """The text as one printable line (control characters escaped), shortened."""
    s = text if len(text) <= limit else text[:limit - 1] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


class ExprSyntaxError(ExprError):
    """Text that is not an expression; the one-line message names the position."""

    def __init__(self, text: str, pos: int, what: str):
        self.text, self.pos, self.what = text, pos, what
        super().__init__(f"syntax error at position {pos + 1} of \"{_show(text)}\": {what}")


class UnknownNameError(ExprError):
    """A function or variable name the expression language does not know."""


class ExprTooDeep(ExprError):
    """An expression nested deeper than :data:`MAX_DEPTH`."""


class DomainError(ExprError):
    """A value outside a function's real domain (log or sqrt of a negative, x/0, ...)."""


# ------------------------------------------------------------------------------- nodes

_PREC_ADD, _PREC_MUL, _PREC_NEG, _PREC_POW, _PREC_ATOM = 1, 2, 3, 4, 5


class Node:
    """Base class of expression-tree nodes (immutable, comparable, hashable)."""

    __slots__ = ()

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True, repr=True)
class Num(Node):
    """A number."""

    value: float


@dataclass(frozen=True)
class Const(Node):
    """A named constant: ``pi`` or ``e``."""

    name: str


@dataclass(frozen=True)
class Var(Node):
    """A variable."""

    name: str


@dataclass(frozen=True)
class Neg(Node):
    """Unary minus, −arg."""

    arg: Node


@dataclass(frozen=True)
class BinOp(Node):
    """A binary operation; ``op`` is one of ``+ - * / % ^`` (a row of :data:`OPERATORS`)."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    """A function of :data:`FUNCTIONS` applied to its arguments, e.g. ``sin(x)``.

    ``Call("sin", Var("x"))`` is accepted for one argument; ``args`` is always a tuple
    and ``arg`` is the first argument.
    """

    fn: str
    args: tuple

    def __post_init__(self):
        if isinstance(self.args, Node):
            object.__setattr__(self, "args", (self.args,))
        else:
            object.__setattr__(self, "args", tuple(self.args))

    @property
    def arg(self) -> Node:
        return self.args[0]


ZERO, ONE, TWO = Num(0.0), Num(1.0), Num(2.0)


# --------------------------------------------------------------- lazy JAX and the table

_MODULES: dict[str, object] = {}


def _mod(name: str):
    """A module imported on first use (JAX stays out of host-only paths)."""
    m = _MODULES.get(name)
    if m is None:
        import importlib

        m = _MODULES[name] = importlib.import_module(name)
    return m


def _jnp(name: str) -> Callable:
    def f(*a):
        return getattr(_mod("jax.numpy"), name)(*a)
    return f


def _one_call(name: str, fn: Callable) -> Callable:
    """``fn`` under a ``jax.jit`` named ``name`` (made on first use, so importing this
    module does not import JAX): a jaxpr shows it as one call, which ``mlmath graph``
    draws as one node (``sigmoid`` rather than the primitives of its stable form)."""
    jitted = []

    def f(*a):
        if not jitted:
            fn.__name__ = fn.__qualname__ = name
            jitted.append(_mod("jax").jit(fn))
        return jitted[0](*a)
    return f


def _jlog_base(x, base):
    jnp = _mod("jax.numpy")
    return jnp.log(x) / jnp.log(base)


_jlog_base_call = _one_call("log", _jlog_base)


def _jlog(x, base=None):
    return _mod("jax.numpy").log(x) if base is None else _jlog_base_call(x, base)


def _sigmoid_jax(x):
    return _mod("mlmath_jax.explog").sigmoid(x)


def _gamma_jax(x):
    return _mod("jax.scipy.special").gamma(x)


def _factorial_jax(x):
    return _mod("jax.scipy.special").gamma(x + 1.0)


_jsigmoid = _one_call("sigmoid", _sigmoid_jax)
_jgamma = _one_call("gamma", _gamma_jax)
_jfactorial = _one_call("factorial", _factorial_jax)


def _sigmoid_host(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _log_host(x: float, base: float | None = None) -> float:
    return math.log(x) if base is None else math.log(x) / math.log(base)


def _factorial_host(x: float) -> float:
    return float(math.factorial(int(x))) if x <= 170 else math.inf


def _fmt(v: float) -> str:
    return _num_text(v) if math.isfinite(v) else str(v)


# Domain checks: (*args) -> a message saying what is wrong, or None when defined.
def _dom_log(x, base=None):
    if x < 0:
        return f"log of a negative number ({_fmt(x)}) is not real"
    if x == 0:
        return "log of zero is -infinity"
    if base is not None and (base <= 0 or base == 1):
        return f"log base must be positive and not 1, got {_fmt(base)}"
    return None


def _dom_positive(name):
    def check(x):
        if x < 0:
            return f"{name} of a negative number ({_fmt(x)}) is not real"
        if x == 0:
            return f"{name} of zero is -infinity"
        return None
    return check


def _dom_sqrt(x):
    return f"square root of a negative number ({_fmt(x)}) is not real" if x < 0 else None


def _dom_unit(name):
    def check(x):
        return None if -1 <= x <= 1 else (f"{name} is defined on [-1, 1], got {_fmt(x)}")
    return check


def _dom_acosh(x):
    return None if x >= 1 else f"acosh is defined for x >= 1, got {_fmt(x)}"


def _dom_atanh(x):
    return None if -1 < x < 1 else f"atanh is defined on (-1, 1), got {_fmt(x)}"


def _dom_gamma(x):
    if x <= 0 and x == math.floor(x):
        return f"gamma has a pole at the non-positive integer {_fmt(x)}"
    return None


def _dom_factorial(x):
    if x < 0 or x != math.floor(x):
        return (f"n! is defined for integers n >= 0, got {_fmt(x)} "
                f"(gamma(x + 1) extends it to real x)")
    return None


def _dom_tan(x):
    return None


def _p(text: str) -> Node:
    """A derivative template parsed once (u, v are the arguments)."""
    return _Parser(text).parse()


def _subst(t: Node, env: dict) -> Node:
    match t:
        case Var(name) if name in env:
            return env[name]
        case Neg(a):
            return Neg(_subst(a, env))
        case BinOp(op, a, b):
            return BinOp(op, _subst(a, env), _subst(b, env))
        case Call(fn, args):
            return Call(fn, tuple(_subst(a, env) for a in args))
        case _:
            return t


class Function(NamedTuple):
    """One row of :data:`FUNCTIONS`: everything the language knows about a function.

    Fields:
      name: the name written in expressions.
      arity: the numbers of arguments accepted (``(1, 2)`` for ``log(x)``/``log(x, b)``).
      jax: the JAX implementation, ``jax(*arrays)`` (JAX imported on first call).
      host: the float64 host implementation used by :func:`evaluate_checked`.
      partials: templates of ∂f/∂(argument i) in the names ``u`` (and ``v``), or None
        when there is no derivative rule (gamma, n!).
      rule: the rule's name in a :func:`derivation` (``"trig rule"``, ``"log rule"``…).
      domain: ``domain(*floats)`` → a message when outside the real domain, else None.
      help: one line for ``mlmath calc --help``.
      postfix: printed as ``u!`` instead of ``name(u)``.
    """

    name: str
    arity: tuple
    jax: Callable
    host: Callable
    partials: tuple | None
    rule: str
    domain: Callable | None
    help: str
    postfix: bool = False

    def __call__(self, *args):
        """Apply the JAX implementation."""
        return self.jax(*args)


def _row(name, jax, host, partials, rule, domain, help, arity=(1,), postfix=False):
    return Function(name, arity, jax, host, partials, rule, domain, help, postfix)


#: The one table of functions. Each row: name, JAX function, host function, partial
#: derivatives (templates in u, v), derivation rule, domain check, help line.
FUNCTIONS: dict[str, Function] = {r.name: r for r in [
    _row("sin", _jnp("sin"), math.sin, ("cos(u)",), "trig rule", None, "sine (radians)"),
    _row("cos", _jnp("cos"), math.cos, ("-sin(u)",), "trig rule", None, "cosine"),
    _row("tan", _jnp("tan"), math.tan, ("1/cos(u)^2",), "trig rule", _dom_tan, "tangent"),
    _row("asin", _jnp("arcsin"), math.asin, ("1/sqrt(1 - u^2)",), "inverse trig rule",
         _dom_unit("asin"), "inverse sine, on [-1, 1]"),
    _row("acos", _jnp("arccos"), math.acos, ("-1/sqrt(1 - u^2)",), "inverse trig rule",
         _dom_unit("acos"), "inverse cosine, on [-1, 1]"),
    _row("atan", _jnp("arctan"), math.atan, ("1/(1 + u^2)",), "inverse trig rule", None,
         "inverse tangent"),
    _row("atan2", _jnp("arctan2"), math.atan2, ("v/(u^2 + v^2)", "-u/(u^2 + v^2)"),
         "inverse trig rule", None, "the angle of the point (x, y), in (-pi, pi]",
         arity=(2,)),
    _row("sinh", _jnp("sinh"), math.sinh, ("cosh(u)",), "hyperbolic rule", None,
         "hyperbolic sine"),
    _row("cosh", _jnp("cosh"), math.cosh, ("sinh(u)",), "hyperbolic rule", None,
         "hyperbolic cosine"),
    _row("tanh", _jnp("tanh"), math.tanh, ("1 - tanh(u)^2",), "hyperbolic rule", None,
         "hyperbolic tangent"),
    _row("asinh", _jnp("arcsinh"), math.asinh, ("1/sqrt(u^2 + 1)",), "hyperbolic rule",
         None, "inverse hyperbolic sine"),
    _row("acosh", _jnp("arccosh"), math.acosh, ("1/sqrt(u^2 - 1)",), "hyperbolic rule",
         _dom_acosh, "inverse hyperbolic cosine, x >= 1"),
    _row("atanh", _jnp("arctanh"), math.atanh, ("1/(1 - u^2)",), "hyperbolic rule",
         _dom_atanh, "inverse hyperbolic tangent, on (-1, 1)"),
    _row("exp", _jnp("exp"), math.exp, ("exp(u)",), "exponential rule", None, "e^x"),
    _row("log", _jlog, _log_host, ("1/u",), "log rule", _dom_log,
         "natural log; log(x, base) in any base", arity=(1, 2)),
    _row("ln", _jnp("log"), math.log, ("1/u",), "log rule", _dom_positive("ln"),
         "natural log"),
    _row("log2", _jnp("log2"), math.log2, ("1/(u*log(2))",), "log rule",
         _dom_positive("log2"), "log base 2"),
    _row("log10", _jnp("log10"), math.log10, ("1/(u*log(10))",), "log rule",
         _dom_positive("log10"), "log base 10"),
    _row("sqrt", _jnp("sqrt"), math.sqrt, ("1/(2*sqrt(u))",), "power rule", _dom_sqrt,
         "square root, x >= 0"),
    _row("abs", _jnp("abs"), abs, ("sign(u)",), "absolute value rule", None,
         "absolute value (no derivative at 0)"),
    _row("sign", _jnp("sign"), lambda x: float((x > 0) - (x < 0)), ("0",),
         "constant rule", None, "-1, 0 or 1 (jumps at 0)"),
    _row("floor", _jnp("floor"), lambda x: float(math.floor(x)), ("0",), "constant rule",
         None, "largest integer <= x (jumps at integers)"),
    _row("ceil", _jnp("ceil"), lambda x: float(math.ceil(x)), ("0",), "constant rule",
         None, "smallest integer >= x (jumps at integers)"),
    _row("sigmoid", _jsigmoid, _sigmoid_host, ("sigmoid(u)*(1 - sigmoid(u))",),
         "sigmoid rule", None, "logistic 1/(1 + e^-x)"),
    _row("gamma", _jgamma, math.gamma, None, "gamma", _dom_gamma,
         "the gamma function, gamma(n + 1) = n!"),
    _row("factorial", _jfactorial, _factorial_host, None, "factorial", _dom_factorial,
         "n!, also written n! (integers n >= 0)", postfix=True),
]}


class Operator(NamedTuple):
    """One row of :data:`OPERATORS`.

    Fields:
      symbol: ``+ - * / % ^``.
      prec: binding strength (higher binds tighter).
      jax: the JAX implementation of two arrays.
      host: the float64 host implementation (may raise; see :func:`evaluate_checked`).
      rule: the derivation rule's name.
      spaced: printed with spaces around it (``a + b`` but ``a*b``).
    """

    symbol: str
    prec: int
    jax: Callable
    host: Callable
    rule: str
    spaced: bool


def _jpow(a, b):
    return _mod("jax.numpy").power(a, b)


#: The binary operators (unary minus is :class:`Neg`).
OPERATORS: dict[str, Operator] = {o.symbol: o for o in [
    Operator("+", _PREC_ADD, _jnp("add"), lambda a, b: a + b, "sum rule", True),
    Operator("-", _PREC_ADD, _jnp("subtract"), lambda a, b: a - b, "difference rule", True),
    Operator("*", _PREC_MUL, _jnp("multiply"), lambda a, b: a * b, "product rule", False),
    Operator("/", _PREC_MUL, _jnp("divide"), lambda a, b: a / b, "quotient rule", False),
    Operator("%", _PREC_MUL, _jnp("mod"), lambda a, b: a % b, "modulo rule", False),
    Operator("^", _PREC_POW, _jpow, math.pow, "power rule", False),
]}

_PARTIALS: dict[str, tuple] = {}


def _partials(fn: str) -> tuple | None:
    """The parsed derivative templates of a row (parsed once, on first use)."""
    row = FUNCTIONS[fn]
    if row.partials is None:
        return None
    if fn not in _PARTIALS:
        _PARTIALS[fn] = tuple(_p(s) for s in row.partials)
    return _PARTIALS[fn]


def _known_names() -> str:
    return f"constants {', '.join(CONSTANTS)}; functions {', '.join(FUNCTIONS)}"


def function_help() -> list[str]:
    """One line per function of the table, for ``--help`` texts.

    Example:
      >>> function_help()[0]
      'sin(x): sine (radians)'
    """
    out = []
    for r in FUNCTIONS.values():
        params = {1: "x", 2: "y, x" if r.name == "atan2" else "x, base"}
        sig = " or ".join(f"{r.name}({params[k]})" for k in r.arity)
        out.append(f"{sig}: {r.help}")
    return out


# ------------------------------------------------------------------------------ parser

_TOKEN = re.compile(r"(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
                    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>\*\*|[-+*/%^()!,]))")


class _Tok(NamedTuple):
    kind: str          # "num", "name", "op", "end"
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            toks.append(_Tok("end", "", n))
            return toks
        if not text[i].isprintable():
            what = "a line break" if text[i] in "\r\n" else f"the control character " \
                f"{text[i]!r}"
            raise ExprSyntaxError(text, i, f"{what} is not allowed: write the expression "
                                           f"on one line")
        m = _TOKEN.match(text, i)
        if m is None or m.end() == i:
            raise ExprSyntaxError(text, i, f"unexpected character {text[i]!r}")
        kind = m.lastgroup
        toks.append(_Tok(kind, m.group(kind), m.start(kind)))
        i = m.end()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def at(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def error(self, what: str, tok: _Tok | None = None):
        tok = tok or self.tok
        return ExprSyntaxError(self.text, tok.pos, what)

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprTooDeep(f"expression nested deeper than {MAX_DEPTH} levels "
                              f"(at position {self.tok.pos + 1}); simplify it or split it")

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("empty expression")
        node = self.expr()
        if self.tok.kind != "end":
            if self.at(")"):
                raise self.error("unmatched ')'")
            raise self.error(f"expected an operator or the end, found {self.tok.text!r}")
        return node

    def expr(self) -> Node:
        start = self.depth
        self.enter()
        node = self.term()
        while self.at("+", "-"):
            op = self.tok.text
            self.i += 1
            self.enter()                      # a chain a + b + c is a left-deep tree
            node = BinOp(op, node, self.term())
        self.depth = start
        return node

    def term(self) -> Node:
        start = self.depth
        node = self.unary()
        while self.at("*", "/", "%"):
            op = self.tok.text
            self.i += 1
            self.enter()
            node = BinOp(op, node, self.unary())
        self.depth = start
        return node

    def unary(self) -> Node:
        if self.at("+", "-"):
            sign = self.tok.text
            self.i += 1
            self.enter()
            arg = self.unary()
            self.depth -= 1
            return Neg(arg) if sign == "-" else arg
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.at("^", "**"):
            self.i += 1
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return BinOp("^", base, exponent)
        return base

    def postfix(self) -> Node:
        node = self.atom()
        start = self.depth
        while self.at("!"):
            self.i += 1
            self.enter()
            node = Call("factorial", (node,))
        self.depth = start
        return node

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            value = float(tok.text)
            if not math.isfinite(value):
                raise self.error(f"number {tok.text[:20]} is too large for a float")
            self.i += 1
            return Num(value)
        if tok.kind == "name":
            self.i += 1
            if self.at("("):
                row = FUNCTIONS.get(tok.text)
                if row is None:
                    raise UnknownNameError(f"unknown function {tok.text!r} at position "
                                           f"{tok.pos + 1}; known: {_known_names()}")
                self.i += 1
                args = [self.expr()]
                while self.at(","):
                    self.i += 1
                    args.append(self.expr())
                self.expect_close(tok)
                if len(args) not in row.arity:
                    want = " or ".join(str(k) for k in row.arity)
                    raise self.error(f"{tok.text} takes {want} argument(s), got "
                                     f"{len(args)}", tok)
                return Call(tok.text, tuple(args))
            if tok.text in FUNCTIONS:
                raise self.error(f"{tok.text} is a function: write {tok.text}(...)", tok)
            if tok.text in CONSTANTS:
                return Const(tok.text)
            return Var(tok.text)
        if self.at("("):
            self.i += 1
            node = self.expr()
            self.expect_close(tok)
            return node
        if tok.kind == "end":
            raise self.error("unexpected end of expression: expected a number, a name or '('")
        raise self.error(f"expected a number, a name or '(', found {tok.text!r}")

    def expect_close(self, opener: _Tok):
        if self.at(")"):
            self.i += 1
            return
        if self.tok.kind == "end":
            raise self.error(f"missing ')' to close the '(' at position {opener.pos + 1}")
        raise self.error(f"expected ')', found {self.tok.text!r}")


def parse(text: str) -> Node:
    """Parse ``text`` into an expression tree.

    Args:
      text: an expression such as ``"3 + 4 * (2 - 1) ^ 2"`` or ``"x^3 + sin(x*2)"``,
        on one line.

    Returns:
      The tree's root :class:`Node`.

    Raises:
      ExprSyntaxError: not an expression (the one-line message names the position).
      UnknownNameError: an unknown function name (the message lists the known ones).
      ExprTooDeep: nesting deeper than :data:`MAX_DEPTH`.

    Example:
      >>> parse("-2^2")
      Neg(arg=BinOp(op='^', left=Num(value=2.0), right=Num(value=2.0)))
      >>> print(parse("5! % 7"))
      5!%7
    """
    if isinstance(text, Node):
        return text
    if not isinstance(text, str):
        raise ExprError(f"expected an expression string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprTooDeep(f"expression longer than {MAX_LENGTH} characters")
    return _Parser(text).parse()


def _tree(text_or_tree) -> Node:
    return parse(text_or_tree) if isinstance(text_or_tree, str) else _check_node(text_or_tree)


def _check_node(t) -> Node:
    if not isinstance(t, Node):
        raise ExprError(f"expected an expression string or tree, got {type(t).__name__}")
    return t


def _guard(fn):
    """Turn a RecursionError from a hand-built, very deep tree into ExprTooDeep."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            raise ExprTooDeep(f"expression too deep to process (limit {MAX_DEPTH} levels "
                              f"for parsed text)") from None

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    wrapper.__wrapped__ = fn
    wrapper.__module__ = fn.__module__
    wrapper.__qualname__ = fn.__qualname__
    return wrapper


# ----------------------------------------------------------------------------- printing

def _is_int(v: float) -> bool:
    return math.isfinite(v) and v == math.floor(v)


def _num_text(v: float) -> str:
    if _is_int(v) and abs(v) < 1e16:
        return str(int(v))
    return repr(float(v))


def _prec(t: Node) -> int:
    match t:
        case BinOp(op):
            return OPERATORS[op].prec
        case Neg():
            return _PREC_NEG
        case Num(v) if v < 0 or math.copysign(1.0, v) < 0:
            return _PREC_NEG
        case _:
            return _PREC_ATOM


def _wrap(t: Node, ok: bool) -> str:
    s = _text(t)
    return s if ok else f"({s})"


def _text(t: Node) -> str:
    match t:
        case Num(v):
            if not math.isfinite(v):
                raise ExprError(f"cannot print the non-finite number {v}")
            return _num_text(v)
        case Var(name) | Const(name):
            return name
        case Call(fn, args) if FUNCTIONS[fn].postfix:
            return _wrap(args[0], _prec(args[0]) >= _PREC_ATOM) + "!"
        case Call(fn, args):
            return f"{fn}({', '.join(_text(a) for a in args)})"
        case Neg(a):
            return "-" + _wrap(a, _prec(a) >= _PREC_NEG)
        case BinOp("^", a, b):
            # the base must be an atom ((a^b)^c, (-a)^b); the exponent is a unary
            return f"{_wrap(a, _prec(a) > _PREC_POW)}^{_wrap(b, _prec(b) >= _PREC_NEG)}"
        case BinOp(op, a, b):
            # left-associative: the left operand may be as loose as this operator, the
            # right one must bind tighter; a unary minus is fine on the right (a * -b)
            p = OPERATORS[op].prec
            left, right = _wrap(a, _prec(a) >= p), _wrap(b, _prec(b) > p)
            return f"{left} {op} {right}" if OPERATORS[op].spaced else f"{left}{op}{right}"
    raise ExprError(f"not an expression node: {t!r}")


@_guard
def to_text(tree: Node) -> str:
    """Print a tree with the fewest parentheses that keep its structure.

    ``+`` and ``-`` get spaces, ``*``, ``/``, ``%`` and ``^`` none.

    Example:
      >>> to_text(BinOp("*", Num(3.0), BinOp("+", Var("x"), Num(1.0))))
      '3*(x + 1)'
    """
    return _text(_check_node(tree))


# --------------------------------------------------------------------------- variables

def _children(t: Node) -> tuple:
    match t:
        case Neg(a):
            return (a,)
        case Call(_, args):
            return args
        case BinOp(_, a, b):
            return (a, b)
        case _:
            return ()


def variables(text_or_tree) -> list[str]:
    """The variable names of an expression, sorted.

    Example:
      >>> variables("x*y + sin(z) + pi")
      ['x', 'y', 'z']
    """
    out: set[str] = set()
    stack = [_tree(text_or_tree)]
    while stack:
        t = stack.pop()
        if isinstance(t, Var):
            out.add(t.name)
        stack.extend(_children(t))
    return sorted(out)


def depth(text_or_tree) -> int:
    """Height of the tree (a leaf has depth 1), computed without recursion.

    Example:
      >>> depth("sin(x + 1)")
      3
    """
    best = 0
    stack = [(_tree(text_or_tree), 1)]
    while stack:
        t, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in _children(t))
    return best


# --------------------------------------------------------------------- JAX compilation

def _jax(t: Node, env: dict):
    match t:
        case Num(v):
            return v
        case Const(name):
            return CONSTANTS[name]
        case Var(name):
            return env[name]
        case Neg(a):
            return _mod("jax.numpy").negative(_jax(a, env))
        case Call(fn, args):
            return FUNCTIONS[fn].jax(*(_jax(a, env) for a in args))
        case BinOp("^", a, Num(v)) if _is_int(v) and abs(v) <= 64:
            return _jpow(_jax(a, env), int(v))      # exact integer power (x^2 of x < 0)
        case BinOp(op, a, b):
            return OPERATORS[op].jax(_jax(a, env), _jax(b, env))
    raise ExprError(f"not an expression node: {t!r}")


def _missing(names, given) -> UnknownNameError:
    known = ", ".join(sorted(given)) or "none"
    return UnknownNameError(f"unknown name(s) {', '.join(sorted(names))}; known variables: "
                            f"{known}; {_known_names()}")


def to_function(text_or_tree, *vars: str) -> Callable:
    """Compile an expression to ``f(*arrays)`` built from ``jnp`` operations.

    Values follow IEEE arithmetic (``1/0`` is ``inf``, ``log(-1)`` is ``nan``), the same
    eagerly and under ``jit``; nothing raises on a value.

    Args:
      text_or_tree: an expression string or tree.
      *vars: the argument order (default: the sorted variable names).

    Returns:
      A function of as many arrays as ``vars``; it jits, vmaps and differentiates, and
      its output has the broadcast shape and dtype of its inputs.

    Example:
      >>> import jax
      >>> f = to_function("x^2 + y", "x", "y")
      >>> float(jax.grad(f)(3.0, 1.0))
      6.0
      >>> float(to_function("x + 1/0")(1.0))
      inf
    """
    tree = _tree(text_or_tree)
    names = list(vars) if vars else variables(tree)
    missing = set(variables(tree)) - set(names)
    if missing:
        raise _missing(missing, names)
    text = to_text(tree)

    def f(*args):
        jnp = _mod("jax.numpy")
        if len(args) != len(names):
            raise TypeError(f"expected {len(names)} argument(s) ({', '.join(names)}), "
                            f"got {len(args)}")
        arrays = [jnp.asarray(a) for a in args]
        arrays = [a if jnp.issubdtype(a.dtype, jnp.inexact)
                  else a.astype(jnp.result_type(float)) for a in arrays]
        env = dict(zip(names, arrays, strict=True))
        try:
            out = _jax(tree, env)
        except RecursionError:
            raise ExprTooDeep("expression too deep to compile") from None
        if arrays:
            shape = jnp.broadcast_shapes(*(a.shape for a in arrays))
            dtype = jnp.result_type(*arrays)
            return jnp.broadcast_to(jnp.asarray(out, dtype), shape)
        return jnp.asarray(out)

    f.__doc__ = f"f({', '.join(names)}) = {text}"
    f.__name__ = "expression"
    return f


def evaluate(text_or_tree, **vars):
    """Evaluate an expression in JAX with variables given by keyword (IEEE at the edges).

    Returns:
      A JAX array: ``inf`` or ``nan`` outside the domain, never an exception (use
      :func:`evaluate_checked` for a :class:`DomainError` instead).

    Example:
      >>> float(evaluate("3 + 4 * (2 - 1) ^ 2"))
      7.0
      >>> import jax.numpy as jnp
      >>> evaluate("x^2", x=jnp.array([1., 2.])).tolist()
      [1.0, 4.0]
      >>> float(evaluate("1/0"))
      inf
    """
    tree = _tree(text_or_tree)
    missing = set(variables(tree)) - set(vars)
    if missing:
        raise _missing(missing, vars)
    names = sorted(vars)
    return to_function(tree, *names)(*(vars[n] for n in names))


# ------------------------------------------------------------- checked host evaluation

def _overflow(t: Node) -> DomainError:
    return DomainError(f"overflow: {_show(to_text(t))} is too large for a float")


def _checked(t: Node, env: dict) -> float:
    match t:
        case Num(v):
            return v
        case Const(name):
            return CONSTANTS[name]
        case Var(name):
            return env[name]
        case Neg(a):
            return -_checked(a, env)
        case Call(fn, args):
            row = FUNCTIONS[fn]
            xs = [_checked(a, env) for a in args]
            msg = row.domain(*xs) if row.domain else None
            if msg:
                raise DomainError(f"{msg} in {_show(to_text(t))}")
            try:
                r = float(row.host(*xs))
            except OverflowError:
                raise _overflow(t) from None
            except (ValueError, ArithmeticError):
                raise DomainError(f"{_show(to_text(t))} is not defined at "
                                  f"{', '.join(_fmt(x) for x in xs)}") from None
        case BinOp(op, left, right):
            a, b = _checked(left, env), _checked(right, env)
            where = _show(to_text(t))
            if op == "/" and b == 0:
                raise DomainError(f"division by zero in {where}")
            if op == "%" and b == 0:
                raise DomainError(f"modulo by zero in {where}")
            if op == "^":
                if a == 0 and b < 0:
                    raise DomainError(f"division by zero: 0 to a negative power in {where}")
                if a < 0 and not _is_int(b):
                    raise DomainError(f"a negative number to a non-integer power in "
                                      f"{where} is not real")
            try:
                r = OPERATORS[op].host(a, b)
            except OverflowError:
                raise _overflow(t) from None
            except (ValueError, ArithmeticError):
                raise DomainError(f"{where} is not defined") from None
        case _:
            raise ExprError(f"not an expression node: {t!r}")
    if not math.isfinite(r):
        raise _overflow(t)
    return r


@_guard
def evaluate_checked(text_or_tree, **vars: float) -> float:
    """Evaluate in float64 on the host, refusing values outside the real domain.

    Used by ``mlmath calc``: instead of NaN or infinity, a :class:`DomainError` names the
    problem in one line (log or sqrt of a negative number, log of zero, division or
    modulo by zero, a negative base with a non-integer exponent, asin outside [-1, 1],
    n! of a non-integer, overflow). Does not import JAX.

    Example:
      >>> evaluate_checked("ln(e^2) + 5!")
      122.0
      >>> evaluate_checked("log(8, 2)")
      3.0
      >>> evaluate_checked("1/0")
      Traceback (most recent call last):
      ...
      mlmath_jax.expr.DomainError: division by zero in 1/0
    """
    tree = _tree(text_or_tree)
    missing = set(variables(tree)) - set(vars)
    if missing:
        raise _missing(missing, vars)
    return _checked(tree, {k: float(v) for k, v in vars.items()})


@_guard
def check_constants(text_or_tree) -> Node:
    """Refuse an expression whose variable-free parts are undefined (``x + 1/0``).

    Evaluates each largest variable-free subexpression with :func:`evaluate_checked`;
    the JAX function of such an expression would be ``inf`` or ``nan`` everywhere.

    Returns:
      The tree, when every constant part is a finite real number.

    Raises:
      DomainError: the first undefined constant part, in one line.

    Example:
      >>> print(check_constants("x + log(2)"))
      x + log(2)
      >>> check_constants("x + 1/0")
      Traceback (most recent call last):
      ...
      mlmath_jax.expr.DomainError: division by zero in 1/0
    """
    tree = _tree(text_or_tree)
    stack = [tree]
    while stack:
        t = stack.pop()
        if not variables(t):
            _checked(t, {})
        else:
            stack.extend(_children(t))
    return tree


# ------------------------------------------------------------------------ simplification

def _is_num(t: Node, v: float | None = None) -> bool:
    return isinstance(t, Num) and (v is None or t.value == v)


def _fold(fn, *vals) -> Num | None:
    """fn(*vals) as a number, or None when it raises or is not a finite float."""
    try:
        r = fn(*vals)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return Num(float(r)) if isinstance(r, int | float) and math.isfinite(r) else None


def _pow(a: float, k: float) -> float:
    """a^k that never raises (inf on overflow, nan when undefined)."""
    try:
        return math.pow(a, k)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):
        return math.nan


def _split_coef(t: Node) -> tuple[float, Node | None]:
    """t = c · rest with c a number (rest None when t is a number)."""
    match t:
        case Num(v):
            return v, None
        case Neg(a):
            c, rest = _split_coef(a)
            return -c, rest
        case BinOp("*" | "/" as op, a, b):
            c, r = _split_coef(a)
            if r is None:
                return c, (b if op == "*" else BinOp("/", ONE, b))
            return c, BinOp(op, r, b)
    return 1.0, t


def _with_coef(c: float, rest: Node | None) -> Node:
    """c · rest, the number folded into the leftmost factor (2·x·y, −3/x)."""
    if rest is None or rest == ONE:
        return Num(c)
    if c == 0:
        return ZERO
    if isinstance(rest, BinOp) and rest.op in "*/" and c != 1:
        return BinOp(rest.op, _with_coef(c, rest.left), rest.right)
    if c == 1:
        return rest
    if c == -1:
        return Neg(rest)
    return BinOp("*", Num(c), rest)


def _factors(t: Node, power: float, out: list, sign: list):
    """Flatten a product/quotient into (factor, exponent) pairs and an overall sign.

    ``power`` is an integer (±1 times the integer exponents of enclosing (u·v)^n), so a
    sign inside is raised to it too: (−u)^n is −u^n for odd n and u^n for even n.
    """
    match t:
        case BinOp("*" | "/" as op, a, b):
            _factors(a, power, out, sign)
            _factors(b, power if op == "*" else -power, out, sign)
        case BinOp("^", BinOp("*" | "/") as a, Num(n)) if _is_int(n) and \
                math.isfinite(power * n):
            _factors(a, power * n, out, sign)                    # (uv)^n = u^n v^n
        case Neg(a):
            if power % 2:
                sign[0] = -sign[0]
            _factors(a, power, out, sign)
        case _:
            out.append((t, power))


def _base_exp(t: Node) -> tuple[Node, float]:
    if isinstance(t, BinOp) and t.op == "^" and isinstance(t.right, Num):
        return t.left, t.right.value
    return t, 1.0


def _order(t: Node) -> tuple:
    """A canonical factor order (variables first, then by text), so x·y and y·x meet."""
    rank = 0 if isinstance(t, Var) else 1 if isinstance(t, BinOp) and t.op == "^" \
        and isinstance(t.left, Var) else 2
    return rank, _text(_base_exp(t)[0]), _text(t)


def _product(powers: list) -> Node | None:
    out: Node | None = None
    for base, k in powers:
        f = base if k == 1 else BinOp("^", base, Num(k))
        out = f if out is None else BinOp("*", out, f)
    return out


def _simplify_product(t: Node) -> Node:
    """c·Π uᵢ^kᵢ / (d·Π vⱼ^mⱼ): numbers gathered, equal bases' exponents added."""
    pairs: list = []
    sign = [1.0]
    _factors(t, 1.0, pairs, sign)
    pairs.sort(key=lambda fp: (not isinstance(fp[0], Num), _order(fp[0])))
    cnum, cden = sign[0], 1.0
    powers: list[list] = []          # [base, exponent] in first-appearance order
    for f, p in pairs:
        if isinstance(f, Num):
            if p > 0:
                cnum *= _pow(f.value, p)
            else:
                cden *= _pow(f.value, -p)
            continue
        base, k = _base_exp(f)
        for entry in powers:
            if entry[0] == base:
                entry[1] += k * p
                break
        else:
            powers.append([base, k * p])
    if not all(math.isfinite(k) for _, k in powers):
        return t
    if cnum == 0 and math.isfinite(cden) and cden != 0:
        return ZERO
    if cden == 0 or not (math.isfinite(cnum) and math.isfinite(cden)) or cnum == 0:
        return t
    if cden < 0:
        cnum, cden = -cnum, -cden
    if _is_int(cnum) and _is_int(cden) and max(abs(cnum), cden) < 2**53:
        g = math.gcd(int(cnum), int(cden))             # 4x/2 → 2x, 3/9 → 1/3
        cnum, cden = cnum / g, cden / g
    elif not _is_int(cden) or not _is_int(cnum):
        cnum, cden = cnum / cden, 1.0                  # 0.5/3 → 0.1666…
        if not math.isfinite(cnum) or cnum == 0:
            return t
    num = _product([(b, k) for b, k in powers if k > 0])
    den = _product([(b, -k) for b, k in powers if k < 0])
    if den is None and cden == 1:
        return _with_coef(cnum, num)
    denominator = _with_coef(cden, den) if den is not None else Num(cden)
    return BinOp("/", _with_coef(cnum, num), denominator)


def _terms(t: Node, sign: float, out: list):
    match t:
        case BinOp("+" | "-" as op, a, b):
            _terms(a, sign, out)
            _terms(b, sign if op == "+" else -sign, out)
        case Neg(a):
            _terms(a, -sign, out)
        case _:
            out.append((sign, t))


def _simplify_add(t: Node) -> Node:
    raw: list = []
    _terms(t, 1.0, raw)
    const = 0.0
    groups: list[list] = []          # [rest, coefficient]
    for sign, term in raw:
        c, rest = _split_coef(term)
        c *= sign
        if rest is None:
            const += c
            continue
        for g in groups:
            if g[0] == rest:
                g[1] += c
                break
        else:
            groups.append([rest, c])
    if not math.isfinite(const) or not all(math.isfinite(c) for _, c in groups):
        return t
    items = [(c, rest) for rest, c in groups if c != 0]
    if const != 0 or not items:
        items.append((const, None))
    first_pos = next((i for i, (c, _) in enumerate(items) if c > 0), 0)
    items.insert(0, items.pop(first_pos))             # -u + 1 → 1 - u
    out: Node | None = None
    for c, rest in items:
        if out is None:
            out = _with_coef(c, rest)
        elif c < 0:
            out = BinOp("-", out, _with_coef(-c, rest))
        else:
            out = BinOp("+", out, _with_coef(c, rest))
    return out


def _simplify(t: Node) -> Node:
    match t:
        case Num() | Var() | Const():
            return t
        case Neg(arg):
            a = _simplify(arg)
            match a:
                case Num(v):
                    return Num(-v) if v != 0 else ZERO
                case Neg(inner):
                    return inner
                case BinOp("*", Num(c), rest):
                    return _with_coef(-c, rest)
            return Neg(a)
        case Call(fn, args):
            new = tuple(_simplify(a) for a in args)
            if all(isinstance(a, Num) for a in new):
                row = FUNCTIONS[fn]
                vals = [a.value for a in new]
                r = None if row.domain and row.domain(*vals) else _fold(row.host, *vals)
                if r is not None and _is_int(r.value):      # cos(0) = 1, log(1) = 0, ...
                    return r
            return Call(fn, new)
        case BinOp(op, left, right):
            a, b = _simplify(left), _simplify(right)
            if op in "+-":
                if isinstance(a, Num) and isinstance(b, Num):
                    r = _fold(OPERATORS[op].host, a.value, b.value)
                    if r is not None:
                        return r
                return _simplify_add(BinOp(op, a, b))
            if op in "*/":
                return _simplify_product(BinOp(op, a, b))
            if op == "%":
                if isinstance(a, Num) and isinstance(b, Num) and b.value != 0:
                    r = _fold(OPERATORS[op].host, a.value, b.value)
                    if r is not None:
                        return r
                return BinOp(op, a, b)
            return _simplify_power(a, b)
    raise ExprError(f"not an expression node: {t!r}")


def _simplify_power(a: Node, b: Node) -> Node:
    if _is_num(b, 0):
        return ONE
    if _is_num(b, 1):
        return a
    if _is_num(a, 1):
        return ONE
    if isinstance(a, Num) and isinstance(b, Num):
        r = _fold(math.pow, a.value, b.value)
        if r is not None and _is_int(r.value) and abs(r.value) < 1e15:
            return r
    if isinstance(b, Num) and isinstance(a, BinOp) and a.op == "^" \
            and isinstance(a.right, Num) and _is_int(b.value) \
            and math.isfinite(a.right.value * b.value):
        return _simplify(BinOp("^", a.left, Num(a.right.value * b.value)))   # (u^a)^n
    return BinOp("^", a, b)


@_guard
def simplify(text_or_tree) -> Node:
    """Simplify a tree: fold constants, drop 0·x, 1·x, x + 0, x^1, x^0, and gather like
    terms (2x + 3x → 5x, x·x → x^2) and numeric factors ((2x)^2 → 4x^2).

    The result equals the input in value wherever the input is defined (u/u → 1 assumes
    u ≠ 0, as usual for symbolic simplification). Folding never raises: a constant that
    would overflow or is undefined (1/0) stays as written.

    Example:
      >>> print(simplify("3*(2*x)^2 + x*3 - x"))
      12*x^2 + 2*x
      >>> print(simplify("1/(2*x)^2"))
      1/(4*x^2)
    """
    return _simplify(_tree(text_or_tree))


# ------------------------------------------------------------------------ differentiation

def _d(t: Node, x: str) -> Node:
    match t:
        case Num() | Const():
            return ZERO
        case Var(name):
            return ONE if name == x else ZERO
        case Neg(a):
            return Neg(_d(a, x))
        case Call("log", (u, b)):                          # log(u, b) = ln u / ln b
            return _d(BinOp("/", Call("log", u), Call("log", b)), x)
        case Call(fn, args):                                            # chain rule
            parts = _partials(fn)
            if parts is None:
                raise ExprError(f"no derivative rule for {fn} (its derivative needs the "
                                f"digamma function); jax.grad differentiates it")
            env = dict(zip("uv", args, strict=False))
            terms = [BinOp("*", _subst(p, env), _d(a, x))
                     for p, a in zip(parts, args, strict=False)]
            out = terms[0]
            for term in terms[1:]:
                out = BinOp("+", out, term)
            return out
        case BinOp("+" | "-" as op, u, v):                              # sum rule
            return BinOp(op, _d(u, x), _d(v, x))
        case BinOp("*", u, v):                                          # product rule
            return BinOp("+", BinOp("*", _d(u, x), v), BinOp("*", u, _d(v, x)))
        case BinOp("/", u, v):                                          # quotient rule
            num = BinOp("-", BinOp("*", _d(u, x), v), BinOp("*", u, _d(v, x)))
            return BinOp("/", num, BinOp("^", v, TWO))
        case BinOp("%", u, v):                     # u % v = u − v·floor(u/v)
            return BinOp("-", _d(u, x), BinOp("*", Call("floor", BinOp("/", u, v)),
                                              _d(v, x)))
        case BinOp("^", u, v):
            # u^c → c·u^(c−1)·u'; c^v → c^v·log(c)·v'; u^v → u^v·(v'·log u + v·u'/u)
            if x not in variables(v):
                return BinOp("*", BinOp("*", v, BinOp("^", u, BinOp("-", v, ONE))),
                             _d(u, x))
            if x not in variables(u):
                return BinOp("*", BinOp("*", t, Call("log", u)), _d(v, x))
            return BinOp("*", t, BinOp("+", BinOp("*", _d(v, x), Call("log", u)),
                                       BinOp("/", BinOp("*", v, _d(u, x)), u)))
    raise ExprError(f"not an expression node: {t!r}")


def _check_var(var) -> str:
    if not isinstance(var, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", var) \
            or var in FUNCTIONS or var in CONSTANTS:
        raise ExprError(f"cannot differentiate by {var!r}: expected a variable name")
    return var


@_guard
def diff(text_or_tree, var: str = "x", simplify_result: bool = True) -> Node:
    """Symbolic derivative d/d``var`` by the sum, product, quotient, power and chain rules.

    Args:
      text_or_tree: an expression string or tree.
      var: the variable to differentiate by (the others are held constant: a partial
        derivative).
      simplify_result: tidy the result with :func:`simplify` (default True).

    Returns:
      The derivative's tree.

    Example:
      >>> str(diff("x^3 + sin(x*2)", "x"))
      '3*x^2 + 2*cos(2*x)'
      >>> str(diff("x^2*y", "y"))
      'x^2'
    """
    d = _d(_tree(text_or_tree), _check_var(var))
    return _simplify(d) if simplify_result else d


# ------------------------------------------------------------------------- derivations

class Step(NamedTuple):
    """One rule application of a :class:`Derivation`.

    Fields:
      rule: the rule's name ("product rule", "chain rule with the trig rule", …).
      equation: the step as an equation, ``d/dx (u*v) = d/dx (u)*v + u*d/dx (v)``.
    """

    rule: str
    equation: str


class Derivation(NamedTuple):
    """The result of :func:`derivation`.

    Fields:
      expression: the tree differentiated.
      var: the variable.
      steps: the :class:`Step` list, outermost rule first, the last step the simplified
        result.
      result: the simplified derivative (equal to :func:`diff`'s).
    """

    expression: Node
    var: str
    steps: tuple
    result: Node

    def text(self) -> str:
        """The numbered list of steps, one per line."""
        width = len(str(len(self.steps)))
        return "\n".join(f"{i:>{width}}. {s.rule}: {s.equation}"
                         for i, s in enumerate(self.steps, 1))


def _dtext(t: Node, x: str) -> str:
    """How d/dx of t appears inside a step: a number when trivial, else d/dx (t)."""
    if x not in variables(t):
        return "0"
    if t == Var(x):
        return "1"
    return f"d/d{x} ({to_text(t)})"


def _mul_text(parts: list) -> str:
    """Join factors with *, dropping 1s; a tree gets parentheses when it binds looser
    than * (strings are already written as factors)."""
    out = []
    many = sum(1 for p in parts if p not in ("1", ONE)) > 1
    for p in parts:
        if isinstance(p, Node):
            if p == ONE:
                continue
            if p == ZERO:
                return "0"
            p = _wrap(p, _prec(p) > _PREC_MUL or (_prec(p) == _PREC_MUL and not (
                many and isinstance(p, BinOp) and p.op in "/%")))
        if p == "0":
            return "0"
        if p != "1":
            out.append(p)
    return "*".join(out) or "1"


def _derive_steps(t: Node, x: str, steps: list):
    if x not in variables(t) or isinstance(t, Var):
        return
    lhs = _dtext(t, x)
    s = to_text

    def step(rule, rhs, children):
        rhs_s = to_text(_simplify(rhs)) if isinstance(rhs, Node) else rhs
        steps.append(Step(rule, f"{lhs} = {rhs_s}"))
        for c in children:
            _derive_steps(c, x, steps)

    match t:
        case Neg(a):
            step("constant multiple rule", f"-{_dtext(a, x)}", [a])
        case BinOp("+" | "-" as op, u, v):
            du, dv = _dtext(u, x), _dtext(v, x)
            rhs = du if dv == "0" else (f"{'-' if op == '-' else ''}{dv}" if du == "0"
                                        else f"{du} {op} {dv}")
            step("sum rule" if op == "+" else "difference rule", rhs, [u, v])
        case BinOp("*", u, v) if x not in variables(u) or x not in variables(v):
            c, w = (u, v) if x not in variables(u) else (v, u)
            step("constant multiple rule", _mul_text([c, _dtext(w, x)]), [w])
        case BinOp("*", u, v):
            step("product rule", f"{_mul_text([_dtext(u, x), v])} + "
                 f"{_mul_text([u, _dtext(v, x)])}", [u, v])
        case BinOp("/", u, v) if x not in variables(v):
            step("constant multiple rule", f"{_dtext(u, x)}/{_wrap(v, _prec(v) > 2)}", [u])
        case BinOp("/", u, v):
            num = f"{_mul_text([_dtext(u, x), v])} - {_mul_text([u, _dtext(v, x)])}"
            step("quotient rule", f"({num})/{_wrap(v, _prec(v) > 4)}^2", [u, v])
        case BinOp("%", u, v):
            step("modulo rule", f"{_dtext(u, x)} - floor({s(u)}/{_wrap(v, _prec(v) > 2)})"
                 f"*{_dtext(v, x)}", [u, v])
        case BinOp("^", u, v) if x not in variables(v):
            outer = _simplify(BinOp("*", v, BinOp("^", u, BinOp("-", v, ONE))))
            chain = u != Var(x)
            step("power rule" + (" and chain rule" if chain else ""),
                 _mul_text([outer, _dtext(u, x)]), [u])
        case BinOp("^", u, v) if x not in variables(u):
            outer = _simplify(BinOp("*", t, Call("log", u)))
            step("exponential rule" + (" and chain rule" if v != Var(x) else ""),
                 _mul_text([outer, _dtext(v, x)]), [v])
        case BinOp("^", u, v):
            inner = _mul_text([_dtext(v, x), Call("log", u)])
            step("general power rule (logarithmic differentiation)",
                 f"{_wrap(t, _prec(t) >= _PREC_MUL)}*({inner} + "
                 f"{_mul_text([v, _dtext(u, x)])}/{_wrap(u, _prec(u) > 4)})", [u, v])
        case Call(fn, args):
            row = FUNCTIONS[fn]
            parts = _partials(fn)
            if fn == "log" and len(args) == 2:
                step("change of base", f"d/d{x} (log({s(args[0])})/log({s(args[1])}))",
                     [BinOp("/", Call("log", args[0]), Call("log", args[1]))])
                return
            if parts is None:
                raise ExprError(f"no derivative rule for {fn}; jax.grad differentiates it")
            env = dict(zip("uv", args, strict=False))
            terms = [_mul_text([_simplify(_subst(p, env)), _dtext(a, x)])
                     for p, a in zip(parts, args, strict=False)]
            terms = [tm for tm in terms if tm != "0"] or ["0"]
            chain = any(a != Var(x) and x in variables(a) for a in args)
            rule = row.rule + (" and chain rule" if chain else "")
            step(rule, " + ".join(terms), list(args))


@_guard
def derivation(text_or_tree, var: str = "x") -> Derivation:
    """The derivative d/d``var`` as a textbook derivation: one step per rule applied.

    Each step is an equation whose right side may still hold derivatives of parts
    (``d/dx (x^2)``), each worked out in a later step; the last step gives the simplified
    result, the same tree as :func:`diff`.

    Args:
      text_or_tree: an expression string or tree.
      var: the variable (others are constants: a partial derivative).

    Returns:
      :class:`Derivation`; ``.text()`` is the numbered list.

    Example:
      >>> print(derivation("x^2*sin(x)").text())
      1. product rule: d/dx (x^2*sin(x)) = d/dx (x^2)*sin(x) + x^2*d/dx (sin(x))
      2. power rule: d/dx (x^2) = 2*x
      3. trig rule: d/dx (sin(x)) = cos(x)
      4. result: d/dx (x^2*sin(x)) = 2*x*sin(x) + x^2*cos(x)
    """
    tree = _tree(text_or_tree)
    x = _check_var(var)
    steps: list[Step] = []
    if x not in variables(tree):
        steps.append(Step("constant rule", f"d/d{x} ({to_text(tree)}) = 0"))
    elif tree == Var(x):
        steps.append(Step("identity", f"d/d{x} ({x}) = 1"))
    else:
        _derive_steps(tree, x, steps)
    result = diff(tree, x)
    steps.append(Step("result", f"d/d{x} ({to_text(tree)}) = {to_text(result)}"))
    return Derivation(tree, x, tuple(steps), result)


# ------------------------------------------------------------------ differentiability

#: Functions and operators whose derivative jumps: where their argument sits on a jump
#: (0 for abs and sign, an integer for floor and ceil, u/v an integer for %), the
#: expression may have no derivative.
_KINKS = {"abs": "zero", "sign": "zero", "floor": "integer", "ceil": "integer"}


def kinks_at(text_or_tree, **point: float) -> list[str]:
    """The parts of an expression that sit on a kink or jump at ``point``.

    Example:
      >>> kinks_at("abs(x) + x^2", x=0.0)
      ['abs(x)']
      >>> kinks_at("abs(x)", x=1.0)
      []
    """
    out = []
    stack = [_tree(text_or_tree)]
    while stack:
        t = stack.pop()
        stack.extend(_children(t))
        try:
            if isinstance(t, Call) and t.fn in _KINKS:
                v = _checked(t.arg, point)
                if (v == 0) if _KINKS[t.fn] == "zero" else _is_int(v):
                    out.append(to_text(t))
            elif isinstance(t, BinOp) and t.op == "%":
                v = _checked(BinOp("/", t.left, t.right), point)
                if _is_int(v):
                    out.append(to_text(t))
        except ExprError:
            continue
    return out
