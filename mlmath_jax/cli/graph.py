"""``mlmath graph``: the computation graph of an expression or of a two-layer network.

    mlmath graph "sigmoid(w*x + b)" --at w=2,x=-1,b=0.5
    mlmath graph --network --seed 0 --out net

One node per operation (read from ``jax.make_jaxpr``; sigmoid, softplus, … one node
each unless ``--primitives``) with its forward value and,
after the backward pass, its gradient ∂output/∂node; the inputs' gradients are checked
against ``jax.grad``. The picture is written as ``<out>.svg`` and ``<out>.png`` (Graphviz
when its ``dot`` is installed, else matplotlib). See :mod:`mlmath_jax.graph`.
"""

from __future__ import annotations

import math
import re

from mlmath_jax.errors import UserError

HELP = "computation graph of an expression or a two-layer network: values and gradients"

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def add_arguments(p) -> None:
    p.add_argument("expression", nargs="?", default=None,
                   help='an expression such as "sigmoid(w*x + b)" (or use --network)')
    p.add_argument("--at", default=None, metavar="NAME=VALUE,...",
                   help="the point: a value for every variable, e.g. w=2,x=-1,b=0.5")
    p.add_argument("--network", action="store_true",
                   help="the two-layer network's loss on one example instead of an expression")
    p.add_argument("--seed", type=int, default=0,
                   help="--network: seed of the random parameters and example (default 0)")
    p.add_argument("--primitives", action="store_true",
                   help="expand sigmoid, softplus, … into the JAX primitives of their "
                        "stable forms (default: one node each)")
    p.add_argument("--out", default="graph", metavar="STEM",
                   help="write STEM.svg and STEM.png (default: graph)")


def parse_point(text: str) -> dict[str, float]:
    """``"w=2,x=-1"`` → {"w": 2.0, "x": -1.0}; UserError naming a malformed item."""
    point: dict[str, float] = {}
    for item in text.split(","):
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not _NAME.fullmatch(name):
            raise UserError(f"--at: {item.strip()!r} is not NAME=VALUE (write e.g. "
                            f"--at w=2,x=-1,b=0.5)")
        if name in point:
            raise UserError(f"--at: {name} is given twice")
        try:
            v = float(value)
        except ValueError:
            raise UserError(f"--at: {name}={value!r} is not a number") from None
        if not math.isfinite(v):
            raise UserError(f"--at: {name}={value} is not a finite number")
        point[name] = v
    return point


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def main(args) -> int:
    import jax

    from mlmath_jax import graph as G
    from mlmath_jax.cli._show import check_output_path

    check_output_path(args.out + ".svg", "--out")
    if args.network == (args.expression is not None):
        raise UserError("give an expression (with --at) or --network, not both or neither")
    if args.network:
        if args.at is not None:
            raise UserError("--at goes with an expression, not --network")
        g = G.network_graph(jax.random.key(args.seed), group=not args.primitives)
        title = f"two-layer network, loss on one example (seed {args.seed})"
    else:
        if args.at is None:
            raise UserError("--at is needed: a value for every variable, e.g. --at x=1")
        g = G.expression_graph(args.expression, parse_point(args.at),
                               group=not args.primitives)
        title = f"f = {args.expression.strip()} at {args.at}"
    print(title)
    how = ("one node per JAX primitive" if args.primitives else
           "one node per operation; --primitives expands sigmoid, softplus, …")
    print(f"{_count(len(g.nodes), 'node')}, {_count(len(g.edges), 'edge')} ({how})")
    print(f"{'node':>4}  {'operation':<20} {'inputs':<12} {'value':<28} ∂f/∂node")
    for n in g.nodes:
        head = n.label if n.op in ("input", "const") else n.op
        ins = ",".join(map(str, n.inputs)) or "-"
        print(f"{n.index:>4}  {head:<20} {ins:<12} {G._fmt(n.value):<28} {G._fmt(n.grad)}")
    tol = 1e-5
    for i, (name, ref) in enumerate(zip(g.input_names, g.jax_grads, strict=True)):
        print(f"∂f/∂{name}: backward pass {G._fmt(g.nodes[i].grad)}, jax.grad {G._fmt(ref)}")
    paths = G.render(g, args.out, title)
    scale = max([1.0] + [float(abs(r).max()) for r in g.jax_grads if r.size])
    if not g.max_error <= tol * scale:
        print(f"gradient check FAILED: the backward pass and jax.grad differ by "
              f"{g.max_error:.3g} (tolerance {tol * scale:.3g})")
        return 1
    print(f"gradient check: the backward pass agrees with jax.grad "
          f"(max |difference| {g.max_error:.3g} ≤ {tol * scale:.3g})")
    print(f"wrote {', '.join(map(str, paths))}")
    return 0
