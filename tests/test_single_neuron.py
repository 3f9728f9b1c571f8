"""The single sigmoid neuron: chain-rule backward = jax.grad; it learns AND and OR; the
finite-difference experiment finds the V. (The integration orders are measured in
test_calculus.py; every config is also smoke-run by the shared config test.)"""

from __future__ import annotations

import json
import math
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import calculus
from mlmath_jax.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_neuron_loss_is_binary_cross_entropy_and_backward_is_jax_grad():
    optax = pytest.importorskip("optax")
    k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
    p = {"w": jax.random.normal(k1, (3,)), "b": jnp.float32(0.2)}
    X = jax.random.normal(k2, (12, 3))
    y = jax.random.bernoulli(k3, 0.5, (12,)).astype(jnp.float32)
    z = X @ p["w"] + p["b"]
    ref = jnp.mean(optax.sigmoid_binary_cross_entropy(z, y))
    np.testing.assert_allclose(calculus.neuron_loss(p, X, y), ref, rtol=1e-6)
    g, auto = calculus.neuron_backward(p, X, y), jax.grad(calculus.neuron_loss)(p, X, y)
    for k in ("w", "b"):
        np.testing.assert_allclose(g[k], auto[k], rtol=1e-5, atol=1e-7)


def test_backward_is_exact_at_z_zero():
    # z = 0 exactly (input (0, 0), bias 0): a = ½, ∂L/∂b = (½ − y)/n.
    X = jnp.zeros((1, 2))
    p = {"w": jnp.array([0.3, -0.4]), "b": jnp.float32(0.0)}
    for y in (0.0, 1.0):
        yy = jnp.array([y])
        assert float(calculus.neuron_backward(p, X, yy)["b"]) == 0.5 - y
        assert float(jax.grad(calculus.neuron_loss)(p, X, yy)["b"]) == 0.5 - y


def _run(tmp_path, config, *sets):
    out = tmp_path / "runs"
    code = main(["run", str(ROOT / "configs" / config), "--out", str(out), "--quiet",
                 *[a for s in sets for a in ("--set", s)]])
    assert code == 0
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    summary = json.loads((run_dir / "summary.json").read_text())
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return run_dir, summary["metrics"], records


def test_single_neuron_learns_and_or_with_manual_gradients(tmp_path):
    run_dir, m, records = _run(tmp_path, "single_neuron.toml", "train.steps=300",
                               "train.log_every=50")
    assert m["accuracy_and"] == 1.0 and m["accuracy_or"] == 1.0
    assert m["loss_and"] < 0.1 and m["loss_or"] < 0.1
    # AND's line separates (1, 1) from the rest: w₁ + w₂ + b > 0 > max(w₁, w₂) + b.
    w, b = m["w_and"], m["b_and"]
    assert w[0] + w[1] + b > 0 > max(w) + b
    # The manual gradient beside jax.grad at every logged step (float32 rounding only).
    assert [r["step"] for r in records] == list(range(0, 301, 50))
    assert all(r["grad_max_abs_diff"] < 1e-5 for r in records)
    assert (run_dir / "loss.png").exists() and (run_dir / "decision_line.png").exists()


def test_finite_differences_experiment_finds_the_v(tmp_path):
    _, m, records = _run(tmp_path, "finite_differences.toml", "sweep.points=35")
    for d in ("float32", "float64"):
        eps = float(np.finfo(d).eps)
        # The best step is within a factor of 30 of the theory's √ε / ∛ε, and the central
        # difference beats the forward one there.
        assert abs(math.log10(m[f"best_h_forward_{d}"] / eps ** 0.5)) < 1.5
        assert abs(math.log10(m[f"best_h_central_{d}"] / eps ** (1 / 3))) < 1.5
        assert m[f"best_err_central_{d}"] < m[f"best_err_forward_{d}"]
        # Error at the largest step is truncation (big), at the smallest it is rounding.
        assert records[-1][f"err_forward_{d}"] > 1e3 * m[f"best_err_forward_{d}"]
        assert records[0][f"err_forward_{d}"] > 1e3 * m[f"best_err_forward_{d}"]
    assert m["best_err_complex_float64"] < 1e-15
