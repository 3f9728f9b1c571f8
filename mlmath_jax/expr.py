"""A small expression language: parse → tree → JAX function, symbolic derivative.

Grammar (a recursive-descent parser, loosest first)::

    expr   := term (("+" | "-") term)*            left-associative
    term   := unary (("*" | "/") unary)*          left-associative
    unary  := ("-" | "+") unary | power           so  -2^2 = -(2^2) = -4
    power  := atom ("^" unary)?                   right-associative: 2^3^2 = 2^9
    atom   := NUMBER | NAME | FUNC "(" expr ")" | "(" expr ")"

Numbers are ``2``, ``0.5``, ``.5``, ``1e-3``; ``**`` is accepted as ``^``. The names
``pi`` and ``e`` are the constants; the functions are sin, cos, tan, exp, log (natural),
sqrt, abs, tanh, sigmoid and sign. Any other name is a variable.

A tree is made of immutable nodes (:class:`Num`, :class:`Const`, :class:`Var`,
:class:`Neg`, :class:`BinOp`, :class:`Call`); equal trees compare equal and hash alike.
``str(tree)`` prints it back with the fewest parentheses that keep its structure, so
``parse(str(t)) == t`` for parsed trees (and equals it in value for any tree).

:func:`to_function` compiles a tree to a function of JAX arrays built from ``jnp``
operations only, so it jits, vmaps and differentiates. :func:`diff` differentiates
symbolically (sum, product, quotient, power and chain rules) and :func:`simplify`
tidies the result (constant folding, 0·x, 1·x, x + 0, x^1, x^0, like terms).
Nothing here calls ``eval`` or ``exec``: text only ever becomes a tree.

Example:
  >>> t = parse("x^3 + sin(x*2)")
  >>> str(diff(t, "x"))
  '3*x^2 + 2*cos(2*x)'
  >>> float(evaluate(t, x=1.0))   # 1 + sin 2 ≈ 1.9093
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import jax.numpy as jnp

from mlmath_jax import explog
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


class ExprSyntaxError(ExprError):
    """Text that is not an expression; the message shows the text and a caret."""

    def __init__(self, text: str, pos: int, what: str):
        self.text, self.pos, self.what = text, pos, what
        super().__init__(f"syntax error at position {pos + 1}: {what}\n  {text}\n"
                         f"  {' ' * pos}^")


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
    """A binary operation; ``op`` is one of ``+ - * / ^``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    """A function applied to one argument, e.g. ``sin(x)``."""

    fn: str
    arg: Node



# Functions: name -> JAX implementation. Their derivatives are in _derivative below.
FUNCTIONS: dict[str, Callable] = {
    "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "exp": jnp.exp, "log": jnp.log,
    "sqrt": jnp.sqrt, "abs": jnp.abs, "tanh": jnp.tanh, "sigmoid": explog.sigmoid,
    "sign": jnp.sign,
}


def _known_names() -> str:
    return (f"constants {', '.join(CONSTANTS)}; functions {', '.join(FUNCTIONS)}")


# ------------------------------------------------------------------------------ parser

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
                    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>\*\*|[-+*/^()]))")


@dataclass(frozen=True)
class _Tok:
    kind: str          # "num", "name", "op", "end"
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            toks.append(_Tok("end", "", n))
            return toks
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
            if self.tok.text == ")":
                raise self.error("unmatched ')'")
            raise self.error(f"expected an operator or the end, found {self.tok.text!r}")
        return node

    def expr(self) -> Node:
        start = self.depth
        self.enter()
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.tok.text
            self.i += 1
            self.enter()                      # a chain a + b + c is a left-deep tree
            node = BinOp(op, node, self.term())
        self.depth = start
        return node

    def term(self) -> Node:
        start = self.depth
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self.tok.text
            self.i += 1
            self.enter()
            node = BinOp(op, node, self.unary())
        self.depth = start
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            sign = self.tok.text
            self.i += 1
            self.enter()
            arg = self.unary()
            self.depth -= 1
            return Neg(arg) if sign == "-" else arg
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.tok.kind == "op" and self.tok.text in ("^", "**"):
            self.i += 1
            self.enter()
            exponent = self.unary()
            self.depth -= 1
            return BinOp("^", base, exponent)
        return base

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            value = float(tok.text)
            if not math.isfinite(value):
                raise self.error(f"number {tok.text} is too large for a float")
            self.i += 1
            return Num(value)
        if tok.kind == "name":
            self.i += 1
            is_call = self.tok.kind == "op" and self.tok.text == "("
            if is_call:
                if tok.text not in FUNCTIONS:
                    raise UnknownNameError(f"unknown function {tok.text!r} at position "
                                           f"{tok.pos + 1}; known: {_known_names()}")
                self.i += 1
                arg = self.expr()
                self.expect_close(tok)
                return Call(tok.text, arg)
            if tok.text in FUNCTIONS:
                raise self.error(f"{tok.text} is a function: write {tok.text}(...)", tok)
            if tok.text in CONSTANTS:
                return Const(tok.text)
            return Var(tok.text)
        if tok.kind == "op" and tok.text == "(":
            self.i += 1
            node = self.expr()
            self.expect_close(tok)
            return node
        if tok.kind == "end":
            raise self.error("unexpected end of expression: expected a number, a name or '('")
        raise self.error(f"expected a number, a name or '(', found {tok.text!r}")

    def expect_close(self, opener: _Tok):
        if self.tok.kind == "op" and self.tok.text == ")":
            self.i += 1
            return
        if self.tok.kind == "end":
            raise self.error(f"missing ')' to close the '(' at position {opener.pos + 1}")
        raise self.error(f"expected ')', found {self.tok.text!r}")


def parse(text: str) -> Node:
    """Parse ``text`` into an expression tree.

    Args:
      text: an expression such as ``"3 + 4 * (2 - 1) ^ 2"`` or ``"x^3 + sin(x*2)"``.

    Returns:
      The tree's root :class:`Node`.

    Raises:
      ExprSyntaxError: not an expression (the message points at the position).
      UnknownNameError: an unknown function name (the message lists the known ones).
      ExprTooDeep: nesting deeper than :data:`MAX_DEPTH`.

    Example:
      >>> parse("-2^2")
      Neg(arg=BinOp(op='^', left=Num(value=2.0), right=Num(value=2.0)))
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
    return wrapper


# ----------------------------------------------------------------------------- printing

def _num_text(v: float) -> str:
    if v == int(v) and abs(v) < 1e16:
        return str(int(v))
    return repr(float(v))


def _prec(t: Node) -> int:
    if isinstance(t, BinOp):
        return {"+": _PREC_ADD, "-": _PREC_ADD, "*": _PREC_MUL, "/": _PREC_MUL,
                "^": _PREC_POW}[t.op]
    if isinstance(t, Neg) or (isinstance(t, Num) and (t.value < 0 or
                                                      math.copysign(1.0, t.value) < 0)):
        return _PREC_NEG
    return _PREC_ATOM


def _wrap(t: Node, ok: bool) -> str:
    s = _text(t)
    return s if ok else f"({s})"


def _text(t: Node) -> str:
    if isinstance(t, Num):
        if not math.isfinite(t.value):
            raise ExprError(f"cannot print the non-finite number {t.value}")
        return _num_text(t.value)
    if isinstance(t, Var | Const):
        return t.name
    if isinstance(t, Call):
        return f"{t.fn}({_text(t.arg)})"
    if isinstance(t, Neg):
        return "-" + _wrap(t.arg, _prec(t.arg) >= _PREC_NEG)
    if isinstance(t, BinOp):
        p = _prec(t)
        if t.op == "^":
            # the base must be an atom ((a^b)^c, (-a)^b); the exponent is a unary
            left = _wrap(t.left, _prec(t.left) > _PREC_POW)
            right = _wrap(t.right, _prec(t.right) >= _PREC_NEG)
            return f"{left}^{right}"
        # left-associative: the left operand may be as loose as this operator, the right
        # one must bind tighter; a unary minus is fine on the right (a * -b parses)
        left = _wrap(t.left, _prec(t.left) >= p)
        rp = _prec(t.right)
        right = _wrap(t.right, rp > p)
        if t.op in "+-":
            return f"{left} {t.op} {right}"
        return f"{left}{t.op}{right}"
    raise ExprError(f"not an expression node: {t!r}")


@_guard
def to_text(tree: Node) -> str:
    """Print a tree with the fewest parentheses that keep its structure.

    ``+`` and ``-`` get spaces, ``*``, ``/`` and ``^`` none: ``3*x^2 + 2*cos(2*x)``.
    """
    return _text(_check_node(tree))


# --------------------------------------------------------------------------- variables

def variables(text_or_tree) -> list[str]:
    """The variable names of an expression, sorted."""
    out: set[str] = set()
    stack = [_tree(text_or_tree)]
    while stack:
        t = stack.pop()
        if isinstance(t, Var):
            out.add(t.name)
        elif isinstance(t, Neg | Call):
            stack.append(t.arg)
        elif isinstance(t, BinOp):
            stack.extend((t.left, t.right))
    return sorted(out)


def depth(text_or_tree) -> int:
    """Height of the tree (a leaf has depth 1), computed without recursion."""
    best = 0
    stack = [(_tree(text_or_tree), 1)]
    while stack:
        t, d = stack.pop()
        best = max(best, d)
        if isinstance(t, Neg | Call):
            stack.append((t.arg, d + 1))
        elif isinstance(t, BinOp):
            stack.extend(((t.left, d + 1), (t.right, d + 1)))
    return best


# --------------------------------------------------------------------- JAX compilation

def _jax(t: Node, env: dict):
    if isinstance(t, Num):
        return t.value
    if isinstance(t, Const):
        return CONSTANTS[t.name]
    if isinstance(t, Var):
        return env[t.name]
    if isinstance(t, Neg):
        return -_jax(t.arg, env)
    if isinstance(t, Call):
        return FUNCTIONS[t.fn](_jax(t.arg, env))
    a, b = _jax(t.left, env), _jax(t.right, env)
    if t.op == "+":
        return a + b
    if t.op == "-":
        return a - b
    if t.op == "*":
        return a * b
    if t.op == "/":
        return a / b
    if isinstance(t.right, Num) and t.right.value == int(t.right.value) \
            and abs(t.right.value) <= 64:
        return jnp.asarray(a) ** int(t.right.value)      # exact integer power (x^2 of x<0)
    return jnp.power(a, b)


def _missing(names, given) -> UnknownNameError:
    known = ", ".join(sorted(given)) or "none"
    return UnknownNameError(f"unknown name(s) {', '.join(sorted(names))}; known variables: "
                            f"{known}; {_known_names()}")


def to_function(text_or_tree, *vars: str) -> Callable:
    """Compile an expression to ``f(*arrays)`` built from ``jnp`` operations.

    Args:
      text_or_tree: an expression string or tree.
      *vars: the argument order (default: the sorted variable names).

    Returns:
      A function of as many arrays as ``vars``; it jits, vmaps and differentiates, and
      its output has the broadcast shape and dtype of its inputs.

    Example:
      >>> f = to_function("x^2 + y", "x", "y")
      >>> jax.grad(f)(3.0, 1.0)   # 6.0
    """
    tree = _tree(text_or_tree)
    names = list(vars) if vars else variables(tree)
    missing = set(variables(tree)) - set(names)
    if missing:
        raise _missing(missing, names)

    def f(*args):
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

    f.__doc__ = f"f({', '.join(names)}) = {to_text(tree)}"
    f.__name__ = "expression"
    return f


def evaluate(text_or_tree, **vars):
    """Evaluate an expression in JAX with variables given by keyword.

    Example:
      >>> evaluate("3 + 4 * (2 - 1) ^ 2")        # Array(7.)
      >>> evaluate("x^2", x=jnp.array([1., 2.]))  # Array([1., 4.])
    """
    tree = _tree(text_or_tree)
    missing = set(variables(tree)) - set(vars)
    if missing:
        raise _missing(missing, vars)
    names = sorted(vars)
    return to_function(tree, *names)(*(vars[n] for n in names))


# ------------------------------------------------------------- checked host evaluation

def _fmt(v: float) -> str:
    return _num_text(v) if math.isfinite(v) else str(v)


def _checked(t: Node, env: dict) -> float:
    if isinstance(t, Num):
        return t.value
    if isinstance(t, Const):
        return CONSTANTS[t.name]
    if isinstance(t, Var):
        return env[t.name]
    if isinstance(t, Neg):
        return -_checked(t.arg, env)
    if isinstance(t, Call):
        x = _checked(t.arg, env)
        where = f" in {to_text(t)}"
        if t.fn == "log":
            if x < 0:
                raise DomainError(f"log of a negative number ({_fmt(x)}){where} is not real")
            if x == 0:
                raise DomainError(f"log of zero{where} is -infinity")
        if t.fn == "sqrt" and x < 0:
            raise DomainError(f"square root of a negative number ({_fmt(x)}){where} is "
                              f"not real")
        try:
            return _HOST[t.fn](x)
        except OverflowError:
            raise DomainError(f"overflow: {to_text(t)} is too large for a float") from None
    a, b = _checked(t.left, env), _checked(t.right, env)
    if t.op == "+":
        r = a + b
    elif t.op == "-":
        r = a - b
    elif t.op == "*":
        r = a * b
    elif t.op == "/":
        if b == 0:
            raise DomainError(f"division by zero in {to_text(t)}")
        r = a / b
    else:
        if a == 0 and b < 0:
            raise DomainError(f"division by zero: 0 to a negative power in {to_text(t)}")
        if a < 0 and b != int(b):
            raise DomainError(f"a negative number to a non-integer power in {to_text(t)} "
                              f"is not real")
        try:
            r = math.pow(a, b)
        except OverflowError:
            raise DomainError(f"overflow: {to_text(t)} is too large for a float") from None
    if not math.isfinite(r):
        raise DomainError(f"overflow: {to_text(t)} is too large for a float")
    return r


def _sigmoid_host(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


_HOST = {"sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp,
         "log": math.log, "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh,
         "sigmoid": _sigmoid_host, "sign": lambda x: float((x > 0) - (x < 0))}


@_guard
def evaluate_checked(text_or_tree, **vars: float) -> float:
    """Evaluate in float64 on the host, refusing values outside the real domain.

    Used by ``mlmath calc``: instead of NaN or infinity, a :class:`DomainError` names the
    problem (log or sqrt of a negative number, log of zero, division by zero, a negative
    base with a non-integer exponent, overflow).
    """
    tree = _tree(text_or_tree)
    missing = set(variables(tree)) - set(vars)
    if missing:
        raise _missing(missing, vars)
    return _checked(tree, {k: float(v) for k, v in vars.items()})


# ------------------------------------------------------------------------ simplification

ZERO, ONE, TWO = Num(0.0), Num(1.0), Num(2.0)


def _is_num(t: Node, v: float | None = None) -> bool:
    return isinstance(t, Num) and (v is None or t.value == v)


def _fold(fn, *vals) -> Num | None:
    try:
        r = fn(*vals)
    except (ArithmeticError, ValueError):
        return None
    return Num(float(r)) if isinstance(r, int | float) and math.isfinite(r) else None


def _is_const(t: Node) -> bool:
    return not variables(t)


def _split_coef(t: Node) -> tuple[float, Node | None]:
    """t = c · rest with c a number (rest None when t is a number)."""
    if isinstance(t, Num):
        return t.value, None
    if isinstance(t, Neg):
        c, rest = _split_coef(t.arg)
        return -c, rest
    if isinstance(t, BinOp) and t.op in "*/":
        c, r = _split_coef(t.left)
        if r is None:
            return c, (t.right if t.op == "*" else BinOp("/", ONE, t.right))
        return c, BinOp(t.op, r, t.right)
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
    """Flatten a product/quotient into (factor, ±1) pairs and an overall sign."""
    if isinstance(t, BinOp) and t.op in "*/":
        _factors(t.left, power, out, sign)
        _factors(t.right, power if t.op == "*" else -power, out, sign)
    elif (isinstance(t, BinOp) and t.op == "^" and isinstance(t.right, Num)
          and t.right.value == int(t.right.value) and isinstance(t.left, BinOp)
          and t.left.op in "*/"):
        _factors(t.left, power * t.right.value, out, sign)       # (uv)^n = u^n v^n
    elif isinstance(t, Neg):
        sign[0] = -sign[0]
        _factors(t.arg, power, out, sign)
    else:
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
                cnum *= f.value
            else:
                cden *= f.value
            continue
        base, k = _base_exp(f)
        for entry in powers:
            if entry[0] == base:
                entry[1] += k * p
                break
        else:
            powers.append([base, k * p])
    if cnum == 0:
        return ZERO
    if cden == 0 or not (math.isfinite(cnum) and math.isfinite(cden)):
        return t
    if cden < 0:
        cnum, cden = -cnum, -cden
    if cnum == int(cnum) and cden == int(cden) and max(abs(cnum), cden) < 2**53:
        g = math.gcd(int(cnum), int(cden))             # 4x/2 → 2x, 3/9 → 1/3
        cnum, cden = cnum / g, cden / g
    num = _product([(b, k) for b, k in powers if k > 0])
    den = _product([(b, -k) for b, k in powers if k < 0])
    if den is None and cden == 1:
        return _with_coef(cnum, num)
    denominator = _with_coef(cden, den) if den is not None else Num(cden)
    return BinOp("/", _with_coef(cnum, num), denominator)


def _terms(t: Node, sign: float, out: list):
    if isinstance(t, BinOp) and t.op in "+-":
        _terms(t.left, sign, out)
        _terms(t.right, sign if t.op == "+" else -sign, out)
    elif isinstance(t, Neg):
        _terms(t.arg, -sign, out)
    else:
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
    if isinstance(t, Num | Var | Const):
        return t
    if isinstance(t, Neg):
        a = _simplify(t.arg)
        if isinstance(a, Num):
            return Num(-a.value) if a.value != 0 else ZERO
        if isinstance(a, Neg):
            return a.arg
        if isinstance(a, BinOp) and a.op == "*" and isinstance(a.left, Num):
            return _with_coef(-a.left.value, a.right)
        return Neg(a)
    if isinstance(t, Call):
        a = _simplify(t.arg)
        if isinstance(a, Num):
            r = _fold(_HOST[t.fn], a.value)
            if r is not None and r.value == int(r.value):   # cos(0) = 1, log(1) = 0, ...
                return r
        return Call(t.fn, a)
    a, b = _simplify(t.left), _simplify(t.right)
    op = t.op
    if op in "+-":
        if isinstance(a, Num) and isinstance(b, Num):
            r = _fold(lambda x, y: x + y if op == "+" else x - y, a.value, b.value)
            if r is not None:
                return r
        return _simplify_add(BinOp(op, a, b))
    if op in "*/":
        return _simplify_product(BinOp(op, a, b))
    # op == "^"
    if _is_num(b, 0):
        return ONE
    if _is_num(b, 1):
        return a
    if _is_num(a, 1):
        return ONE
    if isinstance(a, Num) and isinstance(b, Num):
        r = _fold(math.pow, a.value, b.value)
        if r is not None and r.value == int(r.value) and abs(r.value) < 1e15:
            return r
    if isinstance(b, Num) and isinstance(a, BinOp) and a.op == "^" \
            and isinstance(a.right, Num) and b.value == int(b.value):
        return _simplify(BinOp("^", a.left, Num(a.right.value * b.value)))   # (u^a)^n
    return BinOp("^", a, b)


@_guard
def simplify(text_or_tree) -> Node:
    """Simplify a tree: fold constants, drop 0·x, 1·x, x + 0, x^1, x^0, and gather like
    terms (2x + 3x → 5x, x·x → x^2) and numeric factors (x·2 → 2·x).

    The result equals the input in value wherever the input is defined (u/u → 1 assumes
    u ≠ 0, as usual for symbolic simplification).
    """
    return _simplify(_tree(text_or_tree))


# ------------------------------------------------------------------------ differentiation

def _d(t: Node, x: str) -> Node:
    if isinstance(t, Num | Const):
        return ZERO
    if isinstance(t, Var):
        return ONE if t.name == x else ZERO
    if isinstance(t, Neg):
        return Neg(_d(t.arg, x))
    if isinstance(t, Call):
        u, du = t.arg, _d(t.arg, x)
        return BinOp("*", _derivative(t.fn, u), du)                     # chain rule
    u, v = t.left, t.right
    if t.op in "+-":
        return BinOp(t.op, _d(u, x), _d(v, x))                          # sum rule
    if t.op == "*":
        return BinOp("+", BinOp("*", _d(u, x), v), BinOp("*", u, _d(v, x)))   # product
    if t.op == "/":                                                     # quotient rule
        num = BinOp("-", BinOp("*", _d(u, x), v), BinOp("*", u, _d(v, x)))
        return BinOp("/", num, BinOp("^", v, TWO))
    # power: u^c → c·u^(c−1)·u'; c^v → c^v·log(c)·v'; u^v → u^v·(v'·log u + v·u'/u)
    if x not in variables(v):
        return BinOp("*", BinOp("*", v, BinOp("^", u, BinOp("-", v, ONE))), _d(u, x))
    if x not in variables(u):
        return BinOp("*", BinOp("*", t, Call("log", u)), _d(v, x))
    return BinOp("*", t, BinOp("+", BinOp("*", _d(v, x), Call("log", u)),
                               BinOp("/", BinOp("*", v, _d(u, x)), u)))


def _derivative(fn: str, u: Node) -> Node:
    """d fn(u) / du as a tree."""
    if fn == "sin":
        return Call("cos", u)
    if fn == "cos":
        return Neg(Call("sin", u))
    if fn == "tan":                                   # sec² u = 1 / cos² u
        return BinOp("/", ONE, BinOp("^", Call("cos", u), TWO))
    if fn == "exp":
        return Call("exp", u)
    if fn == "log":
        return BinOp("/", ONE, u)
    if fn == "sqrt":
        return BinOp("/", ONE, BinOp("*", TWO, Call("sqrt", u)))
    if fn == "abs":
        return Call("sign", u)
    if fn == "tanh":
        return BinOp("-", ONE, BinOp("^", Call("tanh", u), TWO))
    if fn == "sigmoid":                               # σ' = σ(1 − σ)
        return BinOp("*", Call("sigmoid", u), BinOp("-", ONE, Call("sigmoid", u)))
    if fn == "sign":
        return ZERO
    raise UnknownNameError(f"no derivative known for {fn!r}")  # pragma: no cover


@_guard
def diff(text_or_tree, var: str = "x", simplify_result: bool = True) -> Node:
    """Symbolic derivative d/d``var`` by the sum, product, quotient, power and chain rules.

    Args:
      text_or_tree: an expression string or tree.
      var: the variable to differentiate by.
      simplify_result: tidy the result with :func:`simplify` (default True).

    Returns:
      The derivative's tree.

    Example:
      >>> str(diff("x^3 + sin(x*2)", "x"))
      '3*x^2 + 2*cos(2*x)'
    """
    if not isinstance(var, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", var) \
            or var in FUNCTIONS or var in CONSTANTS:
        raise ExprError(f"cannot differentiate by {var!r}: expected a variable name")
    d = _d(_tree(text_or_tree), var)
    return _simplify(d) if simplify_result else d


def check_depth(text_or_tree, limit: int | None = None) -> Node:
    """Refuse a tree deeper than ``limit`` (default :data:`MAX_DEPTH`), without recursion."""
    tree = _tree(text_or_tree)
    limit = MAX_DEPTH if limit is None else limit
    if depth(tree) > limit:
        raise ExprTooDeep(f"expression nested deeper than {limit} levels")
    return tree

