"""mlmath_jax.graph and `mlmath graph`: node and edge counts against the jaxpr, forward
values against the function, every gradient against jax.grad; drawings written by both
back ends (files, not pixels); one-line errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax import graph
from mlmath_jax.cli import main

finite = st.floats(-3, 3, allow_nan=False, width=32)


@settings(max_examples=6, deadline=None)
@given(finite, finite, finite)
def test_sigmoid_neuron_values_and_gradients_match_jax(w, x, b):
    g = graph.expression_graph("sigmoid(w*x + b)", {"w": w, "x": x, "b": b})
    f = lambda w, x, b: jax.nn.sigmoid(w * x + b)  # noqa: E731
    out = g.nodes[g.output]
    np.testing.assert_allclose(out.value, f(w, x, b), rtol=1e-5, atol=1e-6)
    assert float(out.grad) == 1.0
    ref = jax.grad(f, argnums=(0, 1, 2))(w, x, b)
    for i, r in enumerate(ref):
        np.testing.assert_allclose(g.nodes[i].grad, r, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g.jax_grads[i], r, rtol=1e-5, atol=1e-6)
    # the pre-activation z = w·x + b: its gradient is σ'(z)
    z = next(n for n in g.nodes if n.op == "add" and n.inputs[-1] == 2)
    np.testing.assert_allclose(z.value, w * x + b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(z.grad, jax.grad(jax.nn.sigmoid)(w * x + b), rtol=1e-5,
                               atol=1e-6)
    assert g.max_error <= 1e-6


@settings(max_examples=6, deadline=None)
@given(st.lists(finite, min_size=3, max_size=3))
def test_counts_match_the_jaxpr_of_a_call_free_function(v):
    def f(a, b, c):
        return jnp.sin(a * b) + c * c - a

    g = graph.trace(f, *v, names=("a", "b", "c"))
    eqns = jax.make_jaxpr(f)(*v).jaxpr.eqns
    assert len(g.nodes) == 3 + len(eqns)
    assert len(g.edges) == sum(len(e.invars) for e in eqns)
    assert [n.op for n in g.nodes[3:]] == [e.primitive.name for e in eqns]
    for i, r in enumerate(jax.grad(f, argnums=(0, 1, 2))(*v)):
        np.testing.assert_allclose(g.nodes[i].grad, r, rtol=1e-5, atol=1e-6)
    # an intermediate: ∂f/∂(a·b) = cos(a·b)
    m = next(n for n in g.nodes if n.op == "mul" and n.inputs == (0, 1))
    np.testing.assert_allclose(m.grad, np.cos(np.float32(v[0]) * np.float32(v[1])),
                               rtol=1e-5, atol=1e-6)


def test_network_graph_gradients_match_jax_grad():
    g = graph.network_graph(jax.random.key(3), (3, 4, 1))
    assert g.input_names == ("W1", "b1", "W2", "b2", "x", "y")
    assert g.nodes[0].value.shape == (4, 3) and g.nodes[0].grad.shape == (4, 3)
    for i, r in enumerate(g.jax_grads):
        np.testing.assert_allclose(g.nodes[i].grad, r, rtol=1e-5, atol=1e-6)
    # the hidden layer's tanh node: its gradient is W2 · σ'(z)·(∂L/∂ŷ) = jax.grad w.r.t. h
    W1, b1, W2, b2, x, y = (g.nodes[i].value for i in range(6))
    h = next(n for n in g.nodes if n.op == "tanh")

    def rest(hidden):
        z = W2 @ hidden + b2
        return y * jax.nn.softplus(-z) + (1 - y) * jax.nn.softplus(z)

    np.testing.assert_allclose(h.grad, jax.grad(rest)(jnp.tanh(W1 @ x + b1)), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("use_dot", [True, False])
def test_render_svg_and_png_with_either_back_end(tmp_path, monkeypatch, use_dot):
    g = graph.expression_graph("w*x + b", {"w": 2.0, "x": -1.0, "b": 0.5})
    dot = graph.to_dot(g)
    drawn = {n.index for n in g.nodes if not (n.op == "const" and n.value.size == 1)}
    assert dot.count("[label=") == len(drawn)
    assert dot.count(" -> ") == sum(a in drawn and b in drawn for a, b in g.edges)
    if not use_dot:
        monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    elif graph.shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (the matplotlib case still runs)")
    svg, png = graph.render(g, tmp_path / "g")
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_graph_prints_every_node_and_agreement(tmp_path, capsys):
    code = main(["graph", "sigmoid(w*x + b)", "--at", "w=2,x=-1,b=0.5",
                 "--out", str(tmp_path / "g")])
    out = capsys.readouterr().out
    g = graph.expression_graph("sigmoid(w*x + b)", {"w": 2, "x": -1, "b": 0.5})
    assert code == 0
    assert f"{len(g.nodes)} nodes, {len(g.edges)} edges" in out
    assert "agrees with jax.grad" in out
    assert (tmp_path / "g.svg").is_file() and (tmp_path / "g.png").is_file()


@pytest.mark.parametrize("argv, message", [
    (["sigmoid(w*x)"], "--at is needed"),
    (["w*x", "--at", "w=2"], "x"),
    (["w*x", "--at", "w=2,x"], "not NAME=VALUE"),
    (["w*x", "--at", "w=2,x=abc"], "not a number"),
    (["w*x", "--at", "w=2,x=inf"], "not a finite number"),
    (["w*x", "--at", "w=1,w=2,x=1"], "given twice"),
    (["w*x", "--network"], "not both"),
    ([], "or --network"),
    (["w*(x", "--at", "w=1,x=1"], "syntax error"),
    (["x+\n1", "--at", "x=1"], "line break"),
    (["w*x", "--at", "w=1,x=1", "--out", "/no/such/folder/g"], "does not exist"),
])
def test_cli_mistakes_one_line_exit_2(capsys, argv, message):
    code = main(["graph", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert err.count("\n") == 1, err          # one line, syntax errors included


@settings(max_examples=4, deadline=None)
@given(finite, finite, finite)
def test_sigmoid_is_one_node_unless_primitives_asked(w, x, b):
    point = {"w": w, "x": x, "b": b}
    g = graph.expression_graph("sigmoid(w*x + b)", point)
    assert [n.op for n in g.nodes] == ["input"] * 3 + ["mul", "add", "sigmoid"]
    assert g.edges == ((0, 3), (1, 3), (3, 4), (2, 4), (4, 5))
    full = graph.expression_graph("sigmoid(w*x + b)", point, group=False)
    assert len(full.nodes) > len(g.nodes) and "sigmoid" not in [n.op for n in full.nodes]
    for a, c in zip(g.nodes[:5], full.nodes[:5], strict=True):      # same values, grads
        np.testing.assert_allclose(a.grad, c.grad, rtol=1e-5, atol=1e-6)
    z = w * x + b
    np.testing.assert_allclose(g.nodes[4].grad, jax.grad(jax.nn.sigmoid)(z), rtol=1e-5,
                               atol=1e-6)


def test_network_graph_groups_each_softplus_with_its_gradient():
    g = graph.network_graph(jax.random.key(1))
    ops = [n.op for n in g.nodes]
    assert ops.count("softplus") == 2 and "log1p" not in ops and len(g.nodes) < 25
    assert "convert_element_type" not in ops
    y = float(g.nodes[5].value)
    # L = y·softplus(−z) + (1 − y)·softplus(z): ∂L/∂softplus(−z) = y, ∂L/∂softplus(z) = 1 − y
    sp_neg, sp_pos = (n for n in g.nodes if n.op == "softplus")
    assert float(sp_neg.grad) == y and float(sp_pos.grad) == 1 - y
    full = graph.network_graph(jax.random.key(1), group=False)
    assert "softplus" not in [n.op for n in full.nodes] and len(full.nodes) > len(g.nodes)
    for i, r in enumerate(g.jax_grads):
        np.testing.assert_allclose(g.nodes[i].grad, r, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(full.nodes[i].grad, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("argv, ops", [
    (["-x", "--at", "x=1.5"], ["input", "neg"]),
    (["--at", "x=2", "-x^2", "--primitives"], ["input", "integer_pow", "neg"]),
])
def test_cli_graph_expression_may_begin_with_minus(tmp_path, capsys, argv, ops):
    code = main(["graph", *argv, "--out", str(tmp_path / "g")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{len(ops)} node" in out and "agrees with jax.grad" in out
