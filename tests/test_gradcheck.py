"""Gradient checking: calculus.gradcheck, the registry, and `mlmath gradcheck`.

The oracle is jax.grad (and central differences); a deliberately wrong manual derivative
must fail, and every registered entry must pass in float64.
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import calculus, registry
from mlmath_jax.cli import main


def _wrong_sigmoid_grad(x):
    """σ' with the (1 − σ) factor forgotten: a typical slip."""
    from mlmath_jax import explog

    return explog.sigmoid(x)


def test_gradcheck_passes_a_right_derivative_in_both_dtypes():
    x32 = jnp.linspace(-2.0, 2.0, 7)
    r = calculus.gradcheck(jnp.sin, jnp.cos, x32)
    assert r.passed and r.dtype == "float32"
    assert r.err_autodiff <= 1e-6 and r.err_numeric <= calculus.TOLERANCES["float32"][1]
    with jax.enable_x64(True):
        r = calculus.gradcheck(jnp.sin, jnp.cos, jnp.linspace(-2.0, 2.0, 7))
        assert r.passed and r.dtype == "float64"
        assert r.err_numeric <= 1e-8  # central differences in float64: ~ε^(2/3)


def test_gradcheck_fails_a_wrong_derivative():
    from mlmath_jax import explog

    x = jnp.linspace(-3.0, 3.0, 9)
    r = calculus.gradcheck(explog.sigmoid, _wrong_sigmoid_grad, x)
    assert not r.passed
    assert r.err_autodiff > 0.5 and r.err_numeric > 0.5
    # Off by a small constant factor is caught too (strict in float64).
    with jax.enable_x64(True):
        x = jnp.linspace(-3.0, 3.0, 9)
        r = calculus.gradcheck(jnp.exp, lambda t: 1.0001 * jnp.exp(t), x)
        assert not r.passed and r.err_autodiff == pytest.approx(1e-4, rel=1e-6)


def test_gradcheck_of_pytree_params_and_other_argument():
    # A loss of a params dict: manual gradient is a dict; also wrt the data argument.
    def loss(p, X, y):
        return jnp.mean((X @ p["w"] + p["b"] - y) ** 2)

    def loss_grad(p, X, y):
        r = X @ p["w"] + p["b"] - y
        return {"w": 2 * X.T @ r / X.shape[0], "b": 2 * jnp.mean(r)}

    def loss_grad_X(p, X, y):
        r = X @ p["w"] + p["b"] - y
        return 2 * r[:, None] * p["w"][None, :] / X.shape[0]

    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    p = {"w": jax.random.normal(k1, (3,)), "b": jnp.float32(0.5)}
    X, y = jax.random.normal(k2, (10, 3)), jax.random.normal(k3, (10,))
    assert calculus.gradcheck(loss, loss_grad, p, X, y).passed
    assert calculus.gradcheck(loss, loss_grad_X, p, X, y, wrt=1).passed
    bad = lambda p, X, y: {**loss_grad(p, X, y), "b": jnp.float32(0.0)}
    assert not calculus.gradcheck(loss, bad, p, X, y).passed
    # A manual derivative of the wrong size fails with a message rather than crashing.
    r = calculus.gradcheck(loss, lambda p, X, y: {"w": jnp.zeros(3)}, p, X, y)
    assert not r.passed and "numbers" in r.message


def test_relative_error_floor_near_zero_gradient():
    # Reference ≈ 0: the floor turns the comparison absolute instead of dividing by ~0.
    tiny = jnp.array([1e-12, -1e-12])
    assert calculus.relative_error(tiny * 1.5, tiny) == pytest.approx(5e-13 * np.sqrt(2)
                                                                      / calculus.FLOOR)
    assert calculus.relative_error(jnp.zeros(2), jnp.zeros(2)) == 0.0
    assert calculus.relative_error(jnp.array([1.0, jnp.nan]), jnp.ones(2)) == float("inf")


def test_registry_lists_the_derivative_table_and_refuses_a_taken_name():
    names = [e.name for e in registry.entries("calculus.table")]
    assert names == sorted(f"calculus.table.{k}" for k in calculus.DERIVATIVE_TABLE)
    assert "models.linear.mse_loss" in {e.name for e in registry.entries()}
    with pytest.raises(ValueError, match="already taken"):
        registry.register("calculus.table.exp", np.exp, np.exp, lambda k, d: ())


@pytest.fixture
def wrong_entry():
    """A deliberately wrong registered derivative, removed again after the test."""
    name = "zz_test.wrong_sigmoid"
    from mlmath_jax import explog

    registry.register(name, explog.sigmoid, _wrong_sigmoid_grad,
                      lambda key, dtype: (jax.random.normal(key, (6,), dtype),))
    yield name
    registry._REGISTRY.pop(name, None)


def test_cli_exits_1_on_a_wrong_derivative(wrong_entry, tmp_path, capsys):
    out = tmp_path / "g.json"
    code = main(["gradcheck", "--only", "zz_test", "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 1
    assert wrong_entry in text and "FAIL" in text
    rows = json.loads(out.read_text())["entries"]
    assert [r["name"] for r in rows] == [wrong_entry] and rows[0]["status"] == "FAIL"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cli_passes_every_registered_entry(dtype, tmp_path, capsys):
    out = tmp_path / "g.json"
    code = main(["gradcheck", "--dtype", dtype, "--samples", "2", "--json", str(out)])
    text = capsys.readouterr().out
    result = json.loads(out.read_text())
    names = {r["name"] for r in result["entries"]}
    assert names == {e.name for e in registry.entries()}
    failed = [r for r in result["entries"] if r["status"] != "pass"]
    assert code == 0 and not failed, (failed, text)
    assert all(r["err_autodiff"] <= (1e-10 if dtype == "float64" else 1e-4)
               for r in result["entries"])
    assert f"{len(names)} of {len(names)} passed" in text
    assert not jax.config.jax_enable_x64  # float64 was enabled only inside the command


def test_cli_refuses_a_pattern_that_matches_nothing(capsys):
    assert main(["gradcheck", "--only", "no_such_entry_anywhere"]) == 2
    assert "no registered derivative matches" in capsys.readouterr().err


def test_cli_reports_a_module_that_fails_to_import(monkeypatch, capsys):
    # A library module that cannot be imported may hide entries: a failed row, exit 1.
    monkeypatch.setattr(registry, "load_all",
                        lambda strict=True: {"mlmath_jax.broken": "SyntaxError: oops"})
    assert main(["gradcheck", "--only", "calculus.table.sin"]) == 1
    captured = capsys.readouterr()
    assert "mlmath_jax.broken" in captured.out and "error" in captured.out
    assert "import failed: SyntaxError: oops" in captured.err
