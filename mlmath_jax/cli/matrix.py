"""``mlmath matrix``: a matrix calculator that shows its work.

    mlmath matrix multiply "[[1,2],[3,4]]" "[[5,6],[7,8]]"
    mlmath matrix det "[[2,0,1],[1,3,2],[1,1,1]]"      # 0, exactly
    mlmath matrix rref "[[1, 1/2], [3, 4]]"           # every row operation and its reason
    mlmath matrix eig "[[2,1],[1,2]]"                 # characteristic polynomial, λ, v
    mlmath matrix solve "[[1,2],[3,4]]" "[5, 6]"

A matrix is a list of rows ("[[1,2],[3,4]]"; a flat list is one row) or rows separated
by ";" with entries separated by spaces or commas ("1 2; 3 4"). An entry is an integer,
a fraction (``-4/3``) or a decimal (``0.25``, ``1e-3``). Literals are parsed as data by
a small reader here, never evaluated.

When every entry is an integer or a fraction the calculator is exact
(:mod:`mlmath_jax.rational`): fractions are printed as 4/3 and a singular matrix has
determinant 0. A decimal entry, or ``--float``, switches to float64 with partial
pivoting (:mod:`mlmath_jax.algebra`); the product is :func:`mlmath_jax.linalg.matmul`.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from mlmath_jax.errors import UserError

HELP = ("matrix calculator, exact in fractions: add, subtract, multiply, transpose, det, "
        "inverse, solve, rref, rank, null, eig")

# operation: (number of matrices, description)
OPERATIONS = {
    "add": (2, "A + B"),
    "subtract": (2, "A − B"),
    "multiply": (2, "A·B (row times column)"),
    "transpose": (1, "Aᵀ"),
    "det": (1, "determinant of A"),
    "inverse": (1, "A⁻¹, by row reducing [A | I]"),
    "solve": (2, "every x with A·x = b, by row reducing [A | b]"),
    "rref": (1, "reduced row echelon form, step by step"),
    "rank": (1, "the number of pivots"),
    "null": (1, "a basis of the null space {x : A·x = 0}"),
    "eig": (1, "eigenvalues and eigenvectors (characteristic polynomial; --power for "
               "power iteration)"),
}

MAX_LITERAL = 100_000      # characters in one matrix literal
MAX_ENTRY = 200            # characters in one entry (Python refuses ints beyond 4300 digits)

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_ENTRY = re.compile(rf"([+-]?)({_NUMBER})(?:/([+-]?)({_NUMBER}))?")
_EXACT = re.compile(r"\d+")


def add_arguments(p) -> None:
    p.add_argument("operation", choices=sorted(OPERATIONS),
                   help="; ".join(f"{k}: {v[1]}" for k, v in OPERATIONS.items()))
    p.add_argument("matrices", nargs="+", metavar="MATRIX",
                   help='a literal such as "[[1,2],[3,4]]", "[[1, 1/2], [3, 4]]" or "1 2; 3 4"')
    p.add_argument("--float", action="store_true", dest="use_float",
                   help="float64 arithmetic with partial pivoting instead of exact fractions")
    p.add_argument("--power", action="store_true",
                   help="eig: the dominant eigenpair by power iteration, step by step")
    p.add_argument("--seed", type=int, default=0,
                   help="eig --power: seed of the random start vector (default 0)")


# ------------------------------------------------------------------------------ parsing


def _bad_literal(name: str, text: str, why: str = "") -> UserError:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return UserError(f"{name} {shown!r} is not a matrix literal{why}; write it like "
                     f"[[1,2],[3,4]], [[1, 1/2], [3, 4]] or \"1 2; 3 4\"")


def parse_entry(text: str, name: str = "matrix"):
    """One entry → a Fraction (integer or a/b written exactly) or a float (a decimal)."""
    t = re.sub(r"\s*/\s*", "/", text.strip())
    if not t:
        raise UserError(f"{name}: an entry is missing (two commas in a row, or a trailing "
                        f"comma)")
    if len(t) > MAX_ENTRY:
        raise UserError(f"{name}: the entry {t[:20]}... is longer than {MAX_ENTRY} characters")
    m = _ENTRY.fullmatch(t)
    if m is None:
        raise UserError(f"{name}: {t!r} is not a number; an entry is an integer, a fraction "
                        f"such as -4/3, or a decimal such as 0.25")
    sign, num, dsign, den = m.groups()
    exact = _EXACT.fullmatch(num) and (den is None or _EXACT.fullmatch(den))
    if exact:
        value = Fraction(int(num))
        if den is not None:
            if int(den) == 0:
                raise UserError(f"{name}: the entry {t!r} divides by zero")
            value /= int(den)
        return -value if (sign == "-") != (dsign == "-") else value
    value = float(num) if den is None else float(num) / (float(den) or math.nan)
    if not math.isfinite(value):
        raise UserError(f"{name}: the entry {t!r} is not a finite number "
                        f"(too large, or a division by zero)")
    return -value if (sign == "-") != (dsign == "-") else value


def _parse_brackets(src: str, name: str, text: str) -> list:
    """Nested lists of entries, at most two levels deep, by a one-pass reader."""
    tokens = re.findall(r"\[|\]|,|[^\[\],]+", src)
    stack: list[list] = []
    result = None
    expect_item = True
    for tok in tokens:
        if tok.isspace():
            continue
        if tok == "[":
            if len(stack) == 2:
                raise _bad_literal(name, text, " (lists nested more than two deep)")
            if result is not None or not expect_item:
                raise _bad_literal(name, text)
            new: list = []
            if stack:
                stack[-1].append(new)
            stack.append(new)
            expect_item = True
        elif tok == "]":
            if not stack or (expect_item and stack[-1]):
                raise _bad_literal(name, text)
            done = stack.pop()
            if not stack:
                result = done
            expect_item = False
        elif tok == ",":
            if not stack or expect_item:
                raise _bad_literal(name, text)
            expect_item = True
        else:
            if not stack or not expect_item or result is not None:
                raise _bad_literal(name, text)
            stack[-1].append(parse_entry(tok, name))
            expect_item = False
    if stack or result is None:
        raise _bad_literal(name, text, " (unbalanced brackets)")
    return result


def parse_matrix(text: str, name: str = "matrix") -> list[list]:
    """A matrix literal → a list of rows of entries (Fractions where written exactly,
    floats for decimals); UserError with one line when malformed."""
    src = text.strip()
    if not src:
        raise UserError(f"{name} is empty; write it like [[1,2],[3,4]] or \"1 2; 3 4\"")
    if len(src) > MAX_LITERAL:
        raise UserError(f"{name} is longer than {MAX_LITERAL} characters")
    if src.startswith("["):
        value = _parse_brackets(src, name, text)
        if value and not any(isinstance(x, list) for x in value):
            value = [value]                               # a flat list is one row
        if not value or not all(isinstance(r, list) and r for r in value):
            raise UserError(f"{name} {text!r} must be a non-empty list of non-empty rows")
    elif re.fullmatch(r"[0-9eE.+\-/\s,;]+", src):
        value = [[parse_entry(x, name) for x in re.sub(r"\s*/\s*", "/", row)
                  .replace(",", " ").split()] for row in src.split(";")]
        if not all(value):
            raise UserError(f"{name} {text!r}: a row is empty")
    else:
        raise _bad_literal(name, text)
    widths = {len(r) for r in value}
    if len(widths) != 1:
        raise UserError(f"{name} {text!r}: rows have different lengths "
                        f"({', '.join(str(len(r)) for r in value)})")
    return value


def is_exact(M) -> bool:
    """Whether every entry was written as an integer or a fraction."""
    return all(isinstance(x, Fraction) for row in M for x in row)


def _as_float(M) -> np.ndarray:
    return np.array([[float(x) for x in row] for row in M], dtype=np.float64)


# --------------------------------------------------------------------------- formatting


def _fmt_float(x: float) -> str:
    return f"{(0.0 if x == 0 else x):.6g}"


def format_matrix(M, indent: str = "  ") -> str:
    """Rows in aligned columns: fractions as 4/3, floats in 6 significant digits."""
    if isinstance(M, list) and is_exact(M):
        from mlmath_jax.rational import format_matrix as fmt
        return fmt(M, indent)
    M = np.atleast_2d(np.asarray(M))
    if np.iscomplexobj(M):
        cells = [[_fmt_complex(x) for x in row] for row in M]
    else:
        cells = [[_fmt_float(float(x)) for x in row] for row in M]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]"
                     for row in cells)


def _fmt_complex(z: complex) -> str:
    if abs(z.imag) <= 1e-12 * max(1.0, abs(z.real)):
        return _fmt_float(z.real)
    return f"{_fmt_float(z.real)}{'+' if z.imag >= 0 else '-'}{_fmt_float(abs(z.imag))}i"


def _fmt(x) -> str:
    from mlmath_jax.rational import format_fraction
    if isinstance(x, Fraction):
        return format_fraction(x)
    if isinstance(x, complex):
        return _fmt_complex(x)
    return _fmt_float(float(x))


def _shape(M) -> str:
    return f"{len(M)}×{len(M[0])}"


def _column(b, rows: int, name: str = "b"):
    """b as a column (or columns): a flat row of the right length is turned upright."""
    if len(b) == 1 and len(b[0]) == rows and rows != 1:
        b = [[x] for x in b[0]]
    if len(b) != rows:
        raise UserError(f"A has {rows} rows but {name} is {_shape(b)}: {name} needs {rows} rows")
    return b


def _check_square(A, what: str) -> None:
    if len(A) != len(A[0]):
        raise UserError(f"{what} needs a square matrix, got {_shape(A)}")


# ---------------------------------------------------------------------------- operations


def _print_steps(steps) -> None:
    for i, step in enumerate(steps, 1):
        print(f"step {i}: {step.operation}   ({step.reason})")
        print(format_matrix(step.matrix if isinstance(step.matrix, list) else step.matrix))
    if not steps:
        print("(already in reduced row echelon form)")


def _reduce(M, exact: bool):
    from mlmath_jax import algebra, rational
    return rational.row_reduce(M) if exact else algebra.row_reduce(_as_float(M))


def _elementwise(op, A, B, exact):
    if (len(A), len(A[0])) != (len(B), len(B[0])):
        raise UserError(f"cannot {op} a {_shape(A)} and a {_shape(B)} matrix: "
                        f"the shapes must be equal")
    if exact:
        sign = 1 if op == "add" else -1
        return [[a + sign * b for a, b in zip(ra, rb, strict=True)]
                for ra, rb in zip(A, B, strict=True)]
    A, B = _as_float(A), _as_float(B)
    return A + B if op == "add" else A - B


def _multiply(A, B, exact):
    if len(A[0]) != len(B):
        raise UserError(f"cannot multiply a {_shape(A)} matrix by a {_shape(B)}: A needs as "
                        f"many columns as B has rows")
    if exact:
        return [[sum((a * b for a, b in zip(row, col, strict=True)), Fraction(0))
                 for col in zip(*B, strict=True)] for row in A]
    import jax
    import jax.numpy as jnp

    from mlmath_jax import linalg
    with jax.enable_x64(True):
        return np.asarray(linalg.matmul(jnp.asarray(_as_float(A)), jnp.asarray(_as_float(B))))


def _float_det(A) -> float:
    import jax
    import jax.numpy as jnp

    from mlmath_jax import algebra
    with jax.enable_x64(True):
        return float(algebra.det(jnp.asarray(_as_float(A)))) + 0.0    # −0 → 0


def _float_solve(A, B):
    import jax
    import jax.numpy as jnp

    from mlmath_jax import algebra
    with jax.enable_x64(True):
        return np.asarray(algebra.solve(jnp.asarray(_as_float(A)), jnp.asarray(_as_float(B))))


def _null_from(red, cols: int, exact: bool):
    basis = []
    for f in (c for c in range(cols) if c not in red.pivots):
        v = [Fraction(0) if exact else 0.0] * cols
        v[f] = Fraction(1) if exact else 1.0
        for row, pc in enumerate(red.pivots):
            v[pc] = -red.matrix[row][f]
        basis.append(v)
    return basis


def _print_vector(label: str, v) -> None:
    print(f"{label}[{', '.join(_fmt(x) for x in v)}]")


def _eig(A, exact: bool) -> int:
    from mlmath_jax import rational
    _check_square(A, "eig")
    n = len(A)
    Af = _as_float(A)
    if exact:
        coeffs = rational.charpoly(A)
        print(f"characteristic polynomial: det(λI − A) = {rational.format_poly(coeffs)}")
        roots, rest = rational.rational_roots(coeffs)
        others = [complex(z) for z in np.roots([float(c) for c in rest])] if len(rest) > 1 else []
        if others:
            print(f"  {len(roots)} rational root(s); the other {len(others)} are irrational or "
                  f"complex, shown in float64")
    else:
        roots, others = [], [complex(z) for z in np.linalg.eigvals(Af)]
    distinct = sorted(set(roots), reverse=True)
    for lam in distinct:
        mult = roots.count(lam)
        shifted = [[A[i][j] - (lam if i == j else 0) for j in range(n)] for i in range(n)]
        vecs = rational.nullspace(shifted)
        tail = f" (algebraic multiplicity {mult})" if mult > 1 else ""
        shift = _fmt(lam) if lam >= 0 and lam.denominator == 1 else f"({_fmt(lam)})"
        print(f"λ = {_fmt(lam)}{tail}: null space of A − {shift}I, "
              f"{len(vecs)} eigenvector{'s' if len(vecs) != 1 else ''}")
        for v in vecs:
            _print_vector("  v = ", v)
        if len(vecs) < mult:
            print(f"  fewer independent eigenvectors ({len(vecs)}) than the multiplicity "
                  f"({mult}): A is not diagonalizable")
    if others:
        w, V = np.linalg.eig(Af)
        order = sorted(range(len(others)), key=lambda i: (-others[i].real, -others[i].imag))
        for i in order:
            lam = others[i]
            j = int(np.argmin(np.abs(w - lam)))
            v = V[:, j]
            v = v / v[int(np.argmax(np.abs(v)))] * np.abs(v[int(np.argmax(np.abs(v)))])
            v = v.real if np.all(np.abs(v.imag) <= 1e-12) else v
            print(f"λ ≈ {_fmt_complex(lam)} (float64): unit eigenvector")
            _print_vector("  v ≈ ", [complex(x) if np.iscomplexobj(v) else float(x) for x in v])
    return 0


def _power(A, seed: int) -> int:
    """Power iteration on the host, printed: vₖ₊₁ = A vₖ / ‖A vₖ‖, λ = vᵀAv."""
    _check_square(A, "eig --power")
    M = _as_float(A)
    n = M.shape[0]
    v = np.random.default_rng(seed).standard_normal(n)
    v /= np.linalg.norm(v)
    scale = max(float(np.max(np.abs(M))), np.finfo(np.float64).tiny)
    print(f"power iteration: v₀ random (seed {seed}), vₖ₊₁ = A·vₖ / ‖A·vₖ‖, λₖ = vₖᵀ·A·vₖ")
    lam, res = 0.0, math.inf
    for k in range(1, 10_001):
        Av = M @ v
        nrm = float(np.linalg.norm(Av))
        if nrm == 0.0:
            print("A·v = 0: the start vector is in the null space; the dominant eigenvalue "
                  "is 0 or another --seed is needed")
            return 1
        v = Av / nrm
        Av = M @ v
        lam = float(v @ Av)
        res = float(np.linalg.norm(Av - lam * v))
        if k <= 5 or (k & (k - 1)) == 0:
            print(f"  k = {k}: λ ≈ {lam:.10g}, residual ‖A·v − λ·v‖ = {res:.3g}")
        if res <= 1e-12 * max(abs(lam), scale):
            print(f"converged after {k} iterations (residual {res:.3g})")
            print(f"λ ≈ {lam:.10g}")
            _print_vector("v ≈ ", v)
            return 0
    print(f"did not converge in 10000 iterations (residual {res:.3g}): no single eigenvalue "
          f"is largest in magnitude (e.g. λ and −λ, or a complex pair); use eig without "
          f"--power")
    return 1


def main(args) -> int:
    from mlmath_jax import rational
    op = args.operation
    need, _ = OPERATIONS[op]
    if len(args.matrices) != need:
        raise UserError(f"matrix {op} takes {need} matri{'x' if need == 1 else 'ces'}"
                        f", got {len(args.matrices)}")
    if args.power and op != "eig":
        raise UserError("--power goes with eig only")
    names = ["A", "B"] if op != "solve" else ["A", "b"]
    mats = [parse_matrix(t, n) for t, n in zip(args.matrices, names, strict=False)]
    if op == "solve" and len(mats) == 2:               # b shown as the column it is
        mats[1] = _column(mats[1], len(mats[0]))
    exact = not args.use_float and all(is_exact(M) for M in mats)
    if not exact:
        mats = [[[float(x) for x in row] for row in M] for M in mats]
    for name, M in zip(names, mats, strict=False):
        print(f"{name} ({_shape(M)}) =")
        print(format_matrix(M if exact else _as_float(M)))
    print("arithmetic: " + ("exact, in fractions" if exact else
                            "float64 with partial pivoting"))
    A = mats[0]
    if op in ("add", "subtract"):
        _result("A + B" if op == "add" else "A − B", _elementwise(op, A, mats[1], exact))
    elif op == "multiply":
        _result("A·B", _multiply(A, mats[1], exact))
    elif op == "transpose":
        _result("Aᵀ", [list(r) for r in zip(*A, strict=True)] if exact else _as_float(A).T)
    elif op == "det":
        _check_square(A, "det")
        print(f"det A = {_fmt(rational.det(A)) if exact else _fmt_float(_float_det(A))}")
    elif op == "inverse":
        _check_square(A, "inverse")
        if exact:
            n = len(A)
            Ainv = rational.inv(A)                       # raises first when A is singular
            red = rational.row_reduce([row + [Fraction(int(i == j)) for j in range(n)]
                                       for i, row in enumerate(A)])
            print("row reduce [A | I]; when the left half becomes I the right half is A⁻¹")
            _print_steps(red.steps)
            _result("A⁻¹", Ainv)
        else:
            import jax
            import jax.numpy as jnp

            from mlmath_jax import algebra
            with jax.enable_x64(True):
                _result("A⁻¹", np.asarray(algebra.inv(jnp.asarray(_as_float(A)))))
    elif op == "solve":
        b = _column(mats[1], len(A))
        if exact:
            sol = rational.solve(A, b)                   # raises first when inconsistent
            red = rational.row_reduce([ra + rb for ra, rb in zip(A, b, strict=True)])
            print("row reduce [A | b]")
            _print_steps(red.steps)
            if sol.nullspace:
                print(f"infinitely many solutions: x = x₀ + Σ tₖ·vₖ over the "
                      f"{len(sol.nullspace)} null space vector(s)")
                _result("x₀", sol.particular)
                for v in sol.nullspace:
                    _print_vector("v = ", v)
            else:
                _result("x", sol.particular)
        else:
            _check_square(A, "solve --float")
            _result("x", _float_solve(A, b))
    elif op in ("rref", "rank", "null"):
        red = _reduce(A, exact)
        _print_steps(red.steps)
        rank = len(red.pivots)
        R = red.matrix
        if op == "rref":
            print(f"rank {rank}: pivots in column(s) "
                  f"{', '.join(str(c + 1) for c in red.pivots) or 'none'}")
        _result("reduced row echelon form", R if exact else np.asarray(R))
        if op == "rank":
            print(f"rank A = {rank} (pivots in column(s) "
                  f"{', '.join(str(c + 1) for c in red.pivots) or 'none'})")
        elif op == "null":
            basis = _null_from(red, len(A[0]), exact)
            if not basis:
                print("null space = {0}: the columns are independent")
            else:
                print(f"null space basis ({len(basis)} vector(s), one per free column):")
                for v in basis:
                    _print_vector("  v = ", v)
    elif op == "eig":
        if args.power:
            return _power(A, args.seed)
        return _eig(A, exact)
    return 0


def _result(title: str, R) -> None:
    rows = R if isinstance(R, list) else np.atleast_2d(R)
    print(f"{title} ({len(rows)}×{len(rows[0])}) =")
    print(format_matrix(R))
