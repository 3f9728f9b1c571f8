"""``mlmath matrix``: a matrix calculator.

    mlmath matrix multiply "[[1,2],[3,4]]" "[[5,6],[7,8]]"
    mlmath matrix det "1 2; 3 4"
    mlmath matrix rref "[[1,2,3],[4,5,6]]"        # every row operation, step by step

A matrix is a JSON-style list of rows ("[[1,2],[3,4]]"; a flat list is one row) or rows
separated by ";" with entries separated by spaces or commas ("1 2; 3 4"). Literals are
parsed as data (``json``), never evaluated. Arithmetic runs in float64; elimination is
:mod:`mlmath_jax.algebra`'s and the product is :func:`mlmath_jax.linalg.matmul`.
"""

from __future__ import annotations

import json
import math

import numpy as np

from mlmath_jax.errors import UserError

HELP = "matrix calculator: add, subtract, multiply, transpose, det, inverse, solve, rref"

# operation: (number of matrices, description)
OPERATIONS = {
    "add": (2, "A + B"),
    "subtract": (2, "A − B"),
    "multiply": (2, "A·B (row times column)"),
    "transpose": (1, "Aᵀ"),
    "det": (1, "determinant of A"),
    "inverse": (1, "A⁻¹"),
    "solve": (2, "x with A·x = b"),
    "rref": (1, "reduced row echelon form, step by step"),
}


def add_arguments(p) -> None:
    p.add_argument("operation", choices=sorted(OPERATIONS),
                   help="; ".join(f"{k}: {v[1]}" for k, v in OPERATIONS.items()))
    p.add_argument("matrices", nargs="+", metavar="MATRIX",
                   help='a literal such as "[[1,2],[3,4]]" or "1 2; 3 4"')


def parse_matrix(text: str, name: str = "matrix") -> np.ndarray:
    """A matrix literal → (rows, cols) float64 array; UserError when malformed."""
    src = text.strip()
    if not src:
        raise UserError(f"{name} is empty; write it like [[1,2],[3,4]] or \"1 2; 3 4\"")
    try:
        if src.startswith("["):
            value = json.loads(src)
        else:
            value = [[float(x) for x in row.replace(",", " ").split()]
                     for row in src.split(";")]
    except (ValueError, RecursionError):
        raise UserError(f"{name} {text!r} is not a matrix literal; write it like "
                        f"[[1,2],[3,4]] or \"1 2; 3 4\"") from None
    if isinstance(value, list) and value and all(_is_number(x) for x in value):
        value = [value]                                  # a flat list is one row
    if (not isinstance(value, list) or not value
            or not all(isinstance(r, list) and r for r in value)):
        raise UserError(f"{name} {text!r} must be a non-empty list of non-empty rows")
    if not all(_is_number(x) for r in value for x in r):
        raise UserError(f"{name} {text!r}: every entry must be a number")
    widths = {len(r) for r in value}
    if len(widths) != 1:
        raise UserError(f"{name} {text!r}: rows have different lengths "
                        f"({', '.join(str(len(r)) for r in value)})")
    M = np.array(value, dtype=np.float64)
    if not np.all(np.isfinite(M)):
        raise UserError(f"{name} {text!r}: entries must be finite numbers")
    return M


def _is_number(x) -> bool:
    return (isinstance(x, int | float) and not isinstance(x, bool)
            and math.isfinite(float(x)))


def format_matrix(M, indent: str = "  ") -> str:
    """Rows in aligned columns, numbers in 6 significant digits (−0 shown as 0)."""
    M = np.atleast_2d(np.asarray(M, dtype=np.float64))
    cells = [[f"{(0.0 if x == 0 else x):.6g}" for x in row] for row in M]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "[ " + "  ".join(c.rjust(width) for c in row) + " ]"
                     for row in cells)


def _shape(M) -> str:
    return f"{M.shape[0]}×{M.shape[1]}"


def compute(operation: str, mats: list[np.ndarray]):
    """Run one operation; returns (title, result) with result an array, a float or, for
    rref, (reduced matrix, steps)."""
    import jax
    import jax.numpy as jnp

    from mlmath_jax import algebra, linalg

    with jax.enable_x64(True):
        A = jnp.asarray(mats[0], jnp.float64)
        if operation in ("add", "subtract"):
            B = jnp.asarray(mats[1], jnp.float64)
            if A.shape != B.shape:
                raise UserError(f"cannot {operation} a {_shape(A)} and a {_shape(B)} matrix: "
                                f"the shapes must be equal")
            return ("A + B" if operation == "add" else "A − B",
                    np.asarray(A + B if operation == "add" else A - B))
        if operation == "multiply":
            return "A·B", np.asarray(linalg.matmul(A, jnp.asarray(mats[1], jnp.float64)))
        if operation == "transpose":
            return "Aᵀ", np.asarray(A.T)
        if operation == "det":
            return "det A", float(algebra.det(A)) + 0.0  # + 0.0 turns −0 into 0
        if operation == "inverse":
            return "A⁻¹", np.asarray(algebra.inv(A))
        if operation == "solve":
            b = np.asarray(mats[1])
            if b.shape[0] == 1 and b.shape[1] == A.shape[0] and A.shape[0] != 1:
                b = b.T                                   # a row given for b: make it a column
            if b.shape[0] != A.shape[0]:
                raise UserError(f"A is {_shape(A)} but b is {_shape(b)}: b needs "
                                f"{A.shape[0]} rows")
            return "x", np.asarray(algebra.solve(A, jnp.asarray(b, jnp.float64)))
        return "reduced row echelon form", algebra.row_reduce(np.asarray(A))


def main(args) -> int:
    need, _ = OPERATIONS[args.operation]
    if len(args.matrices) != need:
        raise UserError(f"matrix {args.operation} takes {need} matri{'x' if need == 1 else 'ces'}"
                        f", got {len(args.matrices)}")
    names = ["A", "B"] if args.operation != "solve" else ["A", "b"]
    mats = [parse_matrix(t, n) for t, n in zip(args.matrices, names, strict=False)]
    title, result = compute(args.operation, mats)
    for name, M in zip(names, mats, strict=False):
        print(f"{name} ({_shape(M)}) =")
        print(format_matrix(M))
    if args.operation == "rref":
        R, steps = result
        for i, step in enumerate(steps, 1):
            print(f"step {i}: {step.operation}")
            print(format_matrix(step.matrix))
        if not steps:
            print("(already in reduced row echelon form)")
        rank = int(np.sum(np.any(R != 0, axis=1)))
        print(f"{title} (rank {rank}) =")
        print(format_matrix(R))
    elif isinstance(result, float):
        print(f"{title} = {result:.6g}")
    else:
        print(f"{title} ({_shape(np.atleast_2d(result))}) =")
        print(format_matrix(result))
    return 0
