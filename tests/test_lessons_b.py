"""Lessons of group B (calculus and probability): each lesson is well formed for each of
its configs, its try-next overrides validate, and each observation's check decides which
sentence is printed, with the run's numbers formatted as the page shows them."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax.runner import lesson as L
from mlmath_jax.runner.core import prepare

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ["finite_differences", "integration", "integration_sin", "single_neuron",
           "distributions", "monte_carlo_pi", "ab_test", "markov_text", "markov_text_words",
           "naive_bayes_spam", "extra/naive_bayes_sms"]
# The SMS file is not shipped; any existing label<TAB>text path validates the config.
SMS = ["data.path=" + str(ROOT / "configs" / "naive_bayes_spam.toml")]


class FakeCtx:
    def __init__(self):
        self.observations = []

    def observe(self, claim, holds, otherwise):
        self.observations.append(L.Observation(claim, bool(holds), otherwise))
        return bool(holds)


@pytest.mark.parametrize("name", CONFIGS)
def test_lesson_checks_and_try_next_validates(name):
    path = ROOT / "configs" / f"{name}.toml"
    extra = SMS if "sms" in name else []
    prep = prepare(path, extra)
    # This checkout's module (an installed copy elsewhere may shadow mlmath_jax.experiments).
    module = importlib.import_module("experiments." + prep.module.__name__.rsplit(".", 1)[1])
    les = L.lesson_for(module, prep.cfg)
    assert les is not None
    L.check(les, module.SCHEMA)
    assert les.chapter in ("calculus", "probability")
    for t in les.try_next:
        prepare(path, extra + list(t.sets))      # every override is a valid config
    text = " ".join([les.title, les.concept] + [t.shows for t in les.try_next])
    assert "seed" not in text.lower()
    assert "seed" not in path.read_text(encoding="utf-8").split("description", 1)[1]\
        .splitlines()[0].lower()


@settings(max_examples=30, deadline=None)
@given(est=st.floats(3.0, 3.3), se=st.floats(1e-4, 0.05), slope=st.floats(-0.9, -0.1),
       reps=st.integers(1, 64))
def test_monte_carlo_pi_observations(est, se, slope, reps):
    from experiments import monte_carlo_pi as m

    ctx = FakeCtx()
    m.observe(ctx, est, se, 1000, slope, reps, 256, 65536)
    first, second = ctx.observations
    assert first.held == (abs((est - np.pi) / se) <= 3.0)
    assert f"{est:.6f}" in first.text and f"{est - np.pi:+.2g}" in first.text
    assert second.held == (abs(slope + 0.5) <= 0.15)
    assert f"{slope:.2f}" in second.text


@settings(max_examples=30, deadline=None)
@given(orders=st.lists(st.floats(0.0, 7.0), min_size=6, max_size=6),
       fn=st.sampled_from(["exp", "sin", "runge"]))
def test_integration_observations(orders, fn):
    from experiments import integration as m

    o = dict(zip(m.METHODS, orders, strict=True))
    ctx = FakeCtx()
    m.observe(ctx, fn, o, [2, 4, 128], [8, 512], 64)
    rules, mc = ctx.observations
    seen = m.SEEN_ORDER[fn]
    assert rules.held == all(abs(o[r] - seen[r]) <= 0.25 for r in m.RULES)
    for r in m.RULES:
        assert f"{o[r]:.2f}" in rules.text
    assert mc.held == (abs(o["monte_carlo"] - 0.5) <= 0.15)
    assert f"{o['monte_carlo']:.2f}" in mc.text


@settings(max_examples=30, deadline=None)
@given(worst=st.floats(0.0, 8.0), d=st.lists(st.floats(1e-4, 0.2), min_size=2, max_size=2))
def test_distributions_observations(worst, d):
    from experiments import distributions as m

    metrics = {"max_abs_z": worst, "clt_ks_distance_k1": d[0], "clt_ks_distance_k30": d[1]}
    ctx = FakeCtx()
    m.observe(ctx, metrics, 5000, 7, [1, 30])
    z, clt = ctx.observations
    assert z.held == (worst <= 4.0) and f"{worst:.2f}" in z.text
    assert clt.held == (d[1] < d[0])
    assert f"{d[0]:.3f}" in clt.text and f"{d[1]:.3f}" in clt.text


def test_finite_differences_observations_from_a_small_run():
    """The real sweep, small: the observations hold on sin at 1, as the float64 theory says."""
    import jax
    import jax.numpy as jnp

    from experiments import finite_differences as m

    hs = np.logspace(-17, 0, 18)
    curves = {"float32": m.errors(jnp.sin, float(np.cos(1.0)), 1.0, hs, jnp.float32)}
    with jax.enable_x64(True):
        curves["float64"] = m.errors(jnp.sin, float(np.cos(1.0)), 1.0, hs, jnp.float64)
    metrics = {}
    for d, errs in curves.items():
        eps = float(np.finfo(d).eps)
        for meth in m.METHODS:
            best = int(np.argmin(errs[meth]))
            metrics[f"best_h_{meth}_{d}"] = float(hs[best])
            metrics[f"best_err_{meth}_{d}"] = float(errs[meth][best])
        metrics[f"theory_h_forward_{d}"] = eps ** 0.5
        metrics[f"theory_h_central_{d}"] = eps ** (1 / 3)
    ctx = FakeCtx()
    m.observe(ctx, metrics, hs, curves)
    assert len(ctx.observations) == 3
    f64 = ctx.observations[1]
    assert f64.held, f64.text
    assert f"{metrics['best_h_forward_float64']:.1e}" in f64.text
    assert ctx.observations[2].held
