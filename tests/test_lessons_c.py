"""Lessons of group C (optimization and neural networks): every lesson is well formed for
each of its configs, and the observations are built from the run's own numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlmath_jax.runner import execute, prepare
from mlmath_jax.runner.core import load_experiment
from mlmath_jax.runner.lesson import check, lesson_for
from mlmath_jax.runner.report import fmt

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ["gd_bowl", "gd_just_right", "gd_rosenbrock", "gd_saddle", "gd_too_large",
           "gd_too_small", "optimizer_race_beale", "optimizer_race_rosenbrock",
           "optimizer_race_saddle", "saddle_escape", "convex_vs_nonconvex", "gd_variants",
           "schedules", "linear_regression", "linear_regression_diabetes",
           "logistic_breast_cancer", "logistic_toy", "mlp_digits", "mlp_moons",
           "seed_network_xor", "ml_pipeline_digits", "ml_pipeline_iris", "softmax_digits"]


@pytest.mark.parametrize("name", CONFIGS)
def test_lesson_is_well_formed(name):
    prep = prepare(ROOT / "configs" / f"{name}.toml")
    module = load_experiment(prep.cfg.experiment)
    lesson = lesson_for(module, prep.cfg)
    assert lesson is not None
    check(lesson, module.SCHEMA)
    text = " ".join([lesson.title, lesson.concept, *(t.shows for t in lesson.try_next),
                     prep.cfg.description or module.DESCRIPTION])
    assert "seed" not in text.lower()


def _run(tmp_path, name, *sets):
    prep = prepare(ROOT / "configs" / f"{name}.toml", sets)
    outcome = execute(prep, run_dir=tmp_path / name, quiet=True)
    summary = json.loads((outcome.run_dir / "summary.json").read_text())
    return outcome.status, summary


def test_bowl_observations_use_the_run_numbers(tmp_path):
    status, s = _run(tmp_path, "gd_bowl", "train.steps=12")
    assert status == "ok"
    texts = [o["text"] for o in s["observations"]]
    assert s["observations"] and all(o["held"] for o in s["observations"])
    m = s["metrics"]
    assert any(fmt(m["final_loss"]) in t and fmt(m["initial_loss"]) in t for t in texts)
    assert any("never changed sign" in t for t in texts)        # 1 − 10α = 0.1 > 0


def test_bowl_zigzag_is_observed_when_the_factor_is_negative(tmp_path):
    status, s = _run(tmp_path, "gd_bowl", "train.steps=12", "optimizer.lr=0.15")
    obs = [o for o in s["observations"] if "changed sign" in o["claim"]]
    assert status == "ok" and obs and obs[0]["held"] and "zig-zags" in obs[0]["text"]


def test_diverged_run_keeps_its_observations(tmp_path):
    status, s = _run(tmp_path, "gd_too_large")
    assert status == "diverged"
    step = s["metrics"]["diverged_step"]
    assert any(f"step {step}" in o["text"] and o["held"] for o in s["observations"])


def test_race_claim_is_not_printed_when_adam_has_not_arrived(tmp_path):
    status, s = _run(tmp_path, "optimizer_race_rosenbrock", "train.steps=50")
    adam = s["observations"][0]
    assert status == "ok" and not adam["held"]
    assert adam["text"] != adam["claim"] and fmt(s["metrics"]["adam_distance"]) in adam["text"]


def test_mlp_refuses_an_empty_training_split():
    from mlmath_jax.errors import ConfigError

    with pytest.raises(ConfigError, match="at least 2 training"):
        prepare(ROOT / "configs" / "mlp_moons.toml", ["data.n=8", "data.test_fraction=0.99"])
