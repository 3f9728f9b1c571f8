"""Computation graphs: one node per JAX primitive, its forward value and its gradient.

The graph of f(x₁, …, xₖ) (scalar output) is read from ``jax.make_jaxpr(f)``: inputs
and constants are leaves, and every equation of the jaxpr — with calls such as ``pjit``
and ``custom_jvp_call`` inlined — is one node whose inputs are the nodes it reads.

* **Forward pass**: the equations are evaluated in order (``primitive.bind``), so each
  node holds its value vᵢ.
* **Backward pass**: ∂f/∂vᵢ for every node at once, by one ``jax.vjp``: each node's value
  gets a zero perturbation εᵢ (vᵢ + εᵢ) and the cotangent of f with respect to every εᵢ
  is the node's gradient — what reverse-mode differentiation carries backwards along
  the edges (the chain rule: ∂f/∂vᵢ = Σ over consumers j of ∂f/∂vⱼ · ∂vⱼ/∂vᵢ).
* **Check**: the inputs' gradients are compared with ``jax.grad(f)`` (``max_error``).

:func:`to_dot` writes the graph in Graphviz's DOT language; :func:`render` draws it to
SVG and PNG with Graphviz's ``dot`` when installed, else with matplotlib alone.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend import core as jex_core

from mlmath_jax.errors import UserError

_CALL_PARAMS = ("jaxpr", "call_jaxpr", "fun_jaxpr")   # sub-jaxprs that are inlined

#: Named calls kept as one node when ``group=True``: the functions a learner knows as one
#: operation (σ, softplus, ReLU, …) rather than the dozen primitives of their stable forms.
GROUPED = frozenset({
    "sigmoid", "log_sigmoid", "softplus", "relu", "relu6", "silu", "gelu", "elu", "celu",
    "selu", "leaky_relu", "logsumexp", "logaddexp", "softmax", "log_softmax", "gamma",
    "factorial", "log", "sign", "hard_tanh",
})


class GraphNode(NamedTuple):
    """One node of a :class:`ComputationGraph`.

    Attributes:
      index: position in ``nodes`` (inputs first, then in evaluation order).
      op: the primitive's name (``mul``, ``add``, ``logistic``, …), or ``input`` /
        ``const`` for leaves.
      label: the input's name, the constant's value, or the primitive's name.
      inputs: indices of the nodes this one reads, in argument order.
      value: the forward value (a NumPy array; shape () for a scalar).
      grad: ∂output/∂(this node), same shape as ``value``.
    """

    index: int
    op: str
    label: str
    inputs: tuple[int, ...]
    value: np.ndarray
    grad: np.ndarray


class ComputationGraph(NamedTuple):
    """The graph of one scalar function at one point.

    Attributes:
      nodes: the :class:`GraphNode` tuple.
      edges: (from, to) index pairs, one per argument read.
      output: index of the output node.
      input_names: the inputs' names, in argument order (nodes 0 … k−1).
      jax_grads: ``jax.grad`` of the function with respect to each input.
      max_error: the largest |node gradient − jax.grad| over the inputs.
    """

    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[int, int], ...]
    output: int
    input_names: tuple[str, ...]
    jax_grads: tuple[np.ndarray, ...]
    max_error: float


def _call_name(eqn) -> str | None:
    """The name of a call equation that ``group=True`` keeps whole, else None."""
    name = eqn.params.get("name")
    return name if isinstance(name, str) and name in GROUPED else None


def _flatten(jaxpr, in_ids, const_ids, nodes, eqns, group=False):
    """Inline ``jaxpr`` into the flat equation list; returns the ids of its outputs."""
    env = {}
    for v, i in zip(jaxpr.invars, in_ids, strict=True):
        env[v] = i
    for v, i in zip(jaxpr.constvars, const_ids, strict=True):
        env[v] = i

    def ref(a):
        if isinstance(a, jex_core.Literal):
            nodes.append(("const", _fmt(np.asarray(a.val)), (), np.asarray(a.val)))
            return len(nodes) - 1
        return env[a]

    for eqn in jaxpr.eqns:
        args = [ref(a) for a in eqn.invars]
        sub = next((eqn.params[k] for k in _CALL_PARAMS if k in eqn.params), None)
        if (eqn.primitive.name == "convert_element_type" and len(args) == 1
                and eqn.params.get("new_dtype") == eqn.invars[0].aval.dtype):
            env[eqn.outvars[0]] = args[0]      # a weak-type cast: same values, no node
            continue
        name = _call_name(eqn) if group and sub is not None else None
        if name is not None and len(eqn.outvars) == 1:
            nodes.append((name, name, tuple(args), 0))
            eqns.append((eqn, tuple(args), len(nodes) - 1))
            env[eqn.outvars[0]] = len(nodes) - 1
            continue
        if sub is not None and len(eqn.outvars) >= 1:
            inner = sub.jaxpr if hasattr(sub, "jaxpr") else sub
            consts = getattr(sub, "consts", [])
            cids = []
            for c in consts:
                nodes.append(("const", _fmt(np.asarray(c)), (), np.asarray(c)))
                cids.append(len(nodes) - 1)
            n_in = len(inner.invars)
            outs = _flatten(inner, args[-n_in:] if n_in else [], cids, nodes, eqns, group)
            for v, o in zip(eqn.outvars, outs, strict=True):
                env[v] = o
            continue
        first = len(nodes)
        for k in range(len(eqn.outvars)):
            nodes.append((eqn.primitive.name, eqn.primitive.name, tuple(args), k))
        eqns.append((eqn, tuple(args), first))
        for k, v in enumerate(eqn.outvars):
            env[v] = first + k
    return [ref(a) for a in jaxpr.outvars]


def trace(f, *args, names: tuple[str, ...] | None = None,
          group: bool = True) -> ComputationGraph:
    """The computation graph of a scalar function ``f(*args)`` at ``args``.

    Args:
      f: a JAX-traceable function of arrays with a scalar output.
      *args: the point (arrays or numbers; they become floating arrays).
      names: the inputs' names (default ``x0, x1, …``).
      group: keep a call of a function named in :data:`GROUPED` (``sigmoid``,
        ``softplus``, ``relu``, …, when it is a ``jax.jit`` call of that name) as one
        node; False expands every call into its primitives.

    Returns:
      :class:`ComputationGraph` with each node's value and ∂f/∂node.

    Raises:
      ValueError: f's output is not a scalar, or ``names`` has the wrong length.

    Example:
      >>> g = trace(lambda w, x: jnp.tanh(w * x), 2.0, 0.5, names=("w", "x"))
      >>> [(n.op, round(float(n.value), 4), round(float(n.grad), 4)) for n in g.nodes]
      [('input', 2.0, 0.21), ('input', 0.5, 0.84), ('mul', 1.0, 0.42), ('tanh', 0.7616, 1.0)]
      >>> g.max_error < 1e-6
      True
    """
    args = tuple(jnp.asarray(a) if jnp.issubdtype(jnp.asarray(a).dtype, jnp.inexact)
                 else jnp.asarray(a, jnp.result_type(float)) for a in args)
    names = tuple(names) if names is not None else tuple(f"x{i}" for i in range(len(args)))
    if len(names) != len(args):
        raise UserError(f"{len(names)} names for {len(args)} inputs")
    closed = jax.make_jaxpr(f)(*args)
    if len(closed.jaxpr.outvars) != 1 or closed.out_avals[0].shape != ():
        raise UserError(f"the graph needs a scalar output, got {closed.out_avals}")
    nodes: list = [("input", n, (), None) for n in names]
    const_ids = []
    for c in closed.consts:
        nodes.append(("const", _fmt(np.asarray(c)), (), np.asarray(c)))
        const_ids.append(len(nodes) - 1)
    eqns: list = []
    (out,) = _flatten(closed.jaxpr, list(range(len(args))), const_ids, nodes, eqns, group)

    leaves = {i: jnp.asarray(n[3]) for i, n in enumerate(nodes) if n[0] == "const"}
    shapes = {}

    def run(xs, eps):
        vals = dict(leaves)
        for i, x in enumerate(xs):
            vals[i] = x
        for (eqn, ins, first), e in zip(eqns, eps, strict=True):
            params = eqn.primitive.get_bind_params(eqn.params)   # as jax's eval_jaxpr
            res = eqn.primitive.bind(*[vals[i] for i in ins], **params)
            res = res if eqn.primitive.multiple_results else [res]
            for k, r in enumerate(res):
                floating = jnp.issubdtype(jnp.result_type(r), jnp.inexact)
                vals[first + k] = r + e.astype(r.dtype) if k == 0 and floating else r
        return vals[out], vals

    # shapes of each computed node, then one vjp through the zero perturbations
    _, vals0 = run(args, [jnp.zeros(()) for _ in eqns])
    for _, _, first in eqns:
        shapes[first] = jnp.shape(vals0[first])
    eps0 = [jnp.zeros(shapes[first], _float_of(vals0[first])) for _, _, first in eqns]
    y, vals = run(args, eps0)
    _, pullback = jax.vjp(lambda xs, e: run(xs, e)[0], args, eps0)
    g_args, g_eps = pullback(jnp.ones_like(y))
    grads = {i: np.asarray(g) for i, g in enumerate(g_args)}
    for (_, _, first), g in zip(eqns, g_eps, strict=True):
        grads[first] = np.asarray(g)

    jax_grads = jax.grad(f, argnums=tuple(range(len(args))))(*args)
    max_error = max((float(np.max(np.abs(np.asarray(a) - grads[i])))
                     for i, a in enumerate(jax_grads)), default=0.0)

    out_nodes, edges = [], []
    for i, (op, label, ins, _) in enumerate(nodes):
        v = np.asarray(vals[i]) if i in vals else np.asarray(leaves[i])
        g = grads.get(i, np.zeros_like(v))
        out_nodes.append(GraphNode(i, op, label, tuple(ins), v, np.asarray(g)))
        edges += [(j, i) for j in ins]
    return ComputationGraph(tuple(out_nodes), tuple(edges), out, names,
                            tuple(np.asarray(a) for a in jax_grads), max_error)


def _float_of(v):
    dt = jnp.result_type(v)
    return dt if jnp.issubdtype(dt, jnp.inexact) else jnp.result_type(float)


def _fmt(a) -> str:
    a = np.asarray(a)
    if a.size == 1:
        return f"{float(a.reshape(())) + 0.0:.4g}"        # + 0.0: −0 shown as 0
    if a.size <= 6 and a.ndim == 1:
        return "[" + ", ".join(f"{float(x):.3g}" for x in a.ravel()) + "]"
    if a.size <= 6 and a.ndim == 2:                       # a small matrix, row by row
        return "[" + ", ".join(_fmt(row) for row in a) + "]"
    return f"{a.dtype}{list(a.shape)} ‖·‖={float(np.linalg.norm(a)):.3g}"


def expression_graph(text: str, point: dict[str, float],
                     group: bool = True) -> ComputationGraph:
    """The graph of an expression of :mod:`mlmath_jax.expr` at a point.

    Args:
      text: an expression such as ``"sigmoid(w*x + b)"``.
      point: a value for every variable, e.g. ``{"w": 2, "x": -1, "b": 0.5}``.
      group: one node per function of the expression (``sigmoid``), as :func:`trace`.

    Returns:
      :class:`ComputationGraph`, inputs in the order of ``point``.

    Example:
      >>> g = expression_graph("sigmoid(w*x + b)", {"w": 2.0, "x": -1.0, "b": 0.5})
      >>> round(float(g.nodes[g.output].value), 4), [round(float(v), 4) for v in g.jax_grads]
      (0.1824, [-0.1491, 0.2983, 0.1491])
    """
    from mlmath_jax import expr

    names = tuple(point)
    f = expr.to_function(expr.parse(text), *names)
    return trace(f, *(float(point[n]) for n in names), names=names, group=group)


def network_graph(key: jax.Array, sizes: tuple[int, int, int] = (2, 3, 1),
                  group: bool = True) -> ComputationGraph:
    """The graph of a two-layer network's loss on one example.

    L = −[y log ŷ + (1 − y) log(1 − ŷ)] with ŷ = σ(W₂ tanh(W₁x + b₁) + b₂), random
    parameters and a random example drawn from ``key`` (label y = 1).

    Args:
      key: a ``jax.random`` key.
      sizes: (inputs, hidden units, 1).
      group: each softplus one node (else its primitives), as :func:`trace`.

    Returns:
      :class:`ComputationGraph` with inputs W1, b1, W2, b2, x, y.

    Example:
      >>> g = network_graph(jax.random.key(0))
      >>> g.input_names, len(g.nodes) > 10, g.max_error < 1e-5
      (('W1', 'b1', 'W2', 'b2', 'x', 'y'), True, True)
    """
    d, h, o = sizes
    if o != 1 or min(sizes) < 1:
        raise UserError(f"sizes must be (inputs, hidden, 1) with positive entries, got {sizes}")
    k1, k2, k3 = jax.random.split(key, 3)
    W1 = jax.random.normal(k1, (h, d)) / jnp.sqrt(d)
    W2 = jax.random.normal(k2, (h,)) / jnp.sqrt(h)
    x = jax.random.normal(k3, (d,))

    def loss(W1, b1, W2, b2, x, y):
        hidden = jnp.tanh(W1 @ x + b1)
        z = W2 @ hidden + b2
        # log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z): stable forms
        return y * jax.nn.softplus(-z) + (1 - y) * jax.nn.softplus(z)

    return trace(loss, W1, jnp.zeros(h), W2, jnp.zeros(()), x, jnp.ones(()),
                 names=("W1", "b1", "W2", "b2", "x", "y"), group=group)


def to_dot(graph: ComputationGraph) -> str:
    """The graph in Graphviz's DOT language: one box per node with its value and gradient
    (scalar constants are written into the label of the operation that reads them).

    Example:
      >>> g = trace(lambda a, b: a * b, 2.0, 3.0, names=("a", "b"))
      >>> print(to_dot(g).splitlines()[0])
      digraph computation {
    """
    shown = _drawn(graph)
    lines = ["digraph computation {",
             '  rankdir=LR; nodesep=0.25; ranksep=0.35;',
             '  node [shape=record, fontname="Helvetica", fontsize=11]; edge [color="#555555"];']
    for n in graph.nodes:
        if n.index not in shown:
            continue
        title = _title(graph, n)
        color = {"input": "#dbeafe", "const": "#f3f4f6"}.get(n.op, "#fef3c7")
        if n.index == graph.output:
            color = "#dcfce7"
        text = f"{_esc(title)}|value {_esc(_fmt(n.value))}|grad {_esc(_fmt(n.grad))}"
        # rankdir=LR: fields without braces stack vertically (name over value over grad)
        lines.append(f'  n{n.index} [label="{text}", style=filled, fillcolor="{color}"];')
    for a, b in graph.edges:
        if a in shown and b in shown:
            lines.append(f"  n{a} -> n{b};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _drawn(graph: ComputationGraph) -> set[int]:
    """Nodes drawn as boxes: all but scalar constants, which are written into the label
    of the operation that reads them ("add 1")."""
    return {n.index for n in graph.nodes if not (n.op == "const" and n.value.size == 1)}


def _title(graph: ComputationGraph, n: GraphNode) -> str:
    if n.op in ("input", "const"):
        return n.label
    consts = [graph.nodes[i].label for i in n.inputs
              if graph.nodes[i].op == "const" and graph.nodes[i].value.size == 1]
    return n.op + (f" ({', '.join(consts)})" if consts else "")


def _esc(s: str) -> str:
    return "".join("\\" + c if c in '{}|<>"\\' else c for c in s)


def render(graph: ComputationGraph, stem: str | Path, title: str = "") -> list[Path]:
    """Draw the graph to ``<stem>.svg`` and ``<stem>.png``.

    With Graphviz's ``dot`` on the path it lays out :func:`to_dot`'s text; otherwise
    matplotlib draws the nodes in columns by depth (longest path from an input).

    Args:
      graph: the :class:`ComputationGraph`.
      stem: output path without suffix.
      title: a caption (matplotlib drawing only).

    Returns:
      The two paths written.

    Example:
      >>> import tempfile, os
      >>> g = trace(lambda a, b: a * b, 2.0, 3.0, names=("a", "b"))
      >>> [p.suffix for p in render(g, os.path.join(tempfile.mkdtemp(), "g"))]
      ['.svg', '.png']
    """
    stem = Path(stem)
    paths = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    dot = shutil.which("dot")
    if dot is not None:
        src = to_dot(graph).encode("utf-8")
        try:
            for p in paths:
                subprocess.run([dot, f"-T{p.suffix[1:]}", "-Gdpi=110", "-o", str(p)],
                               input=src, check=True, capture_output=True, timeout=60)
            return paths
        except (subprocess.SubprocessError, OSError):
            pass                                        # fall back to matplotlib
    fig = draw(graph, title)
    import matplotlib.pyplot as plt
    for p in paths:
        fig.savefig(p, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return paths


def draw(graph: ComputationGraph, title: str = ""):
    """A matplotlib figure of the graph (columns by depth, arrows along the edges).

    Example:
      >>> g = trace(lambda a, b: a * b, 2.0, 3.0, names=("a", "b"))
      >>> len(draw(g).axes)
      1
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    shown = _drawn(graph)
    depth = {}
    for n in graph.nodes:
        depth[n.index] = 1 + max((depth[i] for i in n.inputs), default=-1)
    cols: dict[int, list[int]] = {}
    for i, dpt in depth.items():
        if i in shown:
            cols.setdefault(dpt, []).append(i)
    pos = {i: (dpt, -r + (len(col) - 1) / 2) for dpt, col in cols.items()
           for r, i in enumerate(col)}
    width = max(cols) + 1
    height = max(len(c) for c in cols.values())
    fig, ax = plt.subplots(figsize=(max(6, 2.6 * width), max(3, 1.1 * height + 1)))
    for a, b in graph.edges:
        if a not in shown or b not in shown:
            continue
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate("", xy=(x1 - 0.33, y1), xytext=(x0 + 0.33, y0),
                    arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1})
    for n in graph.nodes:
        if n.index not in shown:
            continue
        x, y = pos[n.index]
        face = {"input": "#dbeafe", "const": "#f3f4f6"}.get(n.op, "#fef3c7")
        if n.index == graph.output:
            face = "#dcfce7"
        head = _title(graph, n)
        ax.text(x, y, f"{head}\nvalue {_fmt(n.value)}\ngrad {_fmt(n.grad)}", ha="center",
                va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.35", "fc": face, "ec": "#333333"})
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height / 2 - 0.3, height / 2 + 0.3)
    ax.axis("off")
    ax.set_title(title or "computation graph: forward value and ∂output/∂node", fontsize=10)
    return fig
