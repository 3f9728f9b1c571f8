"""Lessons of group A (algebra and functions, exponents and logarithms, trigonometry,
linear algebra): every lesson is well formed for every config, its try-next overrides
are valid configs, and the observations are built from the run's own numbers (checked
here on small runs, and on the helpers with generated inputs)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax.runner import execute, prepare
from mlmath_jax.runner.lesson import check, lesson_for
from mlmath_jax.runner.report import fmt

CONFIGS = Path(__file__).resolve().parents[1] / "configs"

GROUP = {
    "function_analyzer": ("function_analyzer_cubic", "function_analyzer_reciprocal"),
    "poly_roots": ("poly_roots", "poly_roots_random"),
    "exp_log_curves": ("exp_log_curves",),
    "fourier_series": ("fourier_series",),
    "positional_encoding": ("positional_encoding",),
    "matrix_calculator": ("matrix_calculator",),
    "transformations": ("transformations",),
    "eigen_explorer": ("eigen_explorer",),
    "pca_compress": ("pca_compress",),
    "pagerank": ("pagerank",),
    "spectral_clustering": ("spectral_clustering", "spectral_clustering_knn"),
}
CONFIG_NAMES = [c for cs in GROUP.values() for c in cs]
SEED_WORD = re.compile(r"\bseeds?\b|\bseed's\b", re.IGNORECASE)


def _run(tmp_path, name, *sets):
    prep = prepare(CONFIGS / f"{name}.toml", list(sets), tour=True)
    out = execute(prep, tmp_path, quiet=True)
    assert out.status == "ok", out.message
    summary = json.loads((out.run_dir / "summary.json").read_text(encoding="utf-8"))
    obs = summary["observations"]
    assert obs, f"{name}: no observations"
    for o in obs:
        assert o["text"].strip()
        assert not SEED_WORD.search(o["text"]), o["text"]
    for cap in summary.get("captions", {}).values():
        assert not SEED_WORD.search(cap), cap
    lesson = lesson_for(prep.module, prep.cfg)
    if lesson.main_figure is not None:
        assert lesson.main_figure in summary["figures"]
    if lesson.headline is not None:
        assert lesson.headline in summary["metrics"]
    return summary["metrics"], obs


@pytest.mark.parametrize("name", CONFIG_NAMES)
def test_lesson_is_well_formed_for_each_config(name):
    prep = prepare(CONFIGS / f"{name}.toml", tour=True)
    assert prep.cfg.experiment in GROUP and name in GROUP[prep.cfg.experiment]
    lesson = lesson_for(prep.module, prep.cfg)
    assert lesson is not None
    check(lesson, prep.module.SCHEMA)
    assert lesson.chapter in {"algebra", "explog", "trigonometry", "linear algebra"}
    prose = " ".join([lesson.title, lesson.concept, *(t.shows for t in lesson.try_next),
                      prep.cfg.description or ""])
    assert not SEED_WORD.search(prose)
    for t in lesson.try_next:                 # each override makes a valid config
        prepare(CONFIGS / f"{name}.toml", list(t.sets), tour=True)
        prepare(CONFIGS / f"{name}.toml", list(t.sets))


def test_function_analyzer_observations_quote_the_roots(tmp_path):
    m, obs = _run(tmp_path, "function_analyzer_cubic", "function.points=201")
    zeros = next(o for o in obs if "zeros" in o["text"])
    assert zeros["held"]
    for r in m["roots"]:
        assert fmt(r) in zeros["text"]
    assert sum("maximum" in o["text"] or "minimum" in o["text"] for o in obs) == len(
        m["extrema"])
    m, obs = _run(tmp_path, "function_analyzer_reciprocal", "function.points=201")
    asym = next(o for o in obs if "vertical asymptote" in o["text"])
    assert asym["held"] and fmt(m["vertical_asymptotes"][0][0]) in asym["text"]


def test_poly_roots_observation_says_when_aberth_has_not_converged(tmp_path):
    m, obs = _run(tmp_path, "poly_roots")
    assert obs[0]["held"] and fmt(m["max_distance_to_numpy"]) in obs[0]["text"]
    m, obs = _run(tmp_path, "poly_roots", "solver.max_iter=1")
    assert not obs[0]["held"]
    assert fmt(m["max_distance_to_numpy"]) in obs[0]["text"]


def test_exp_log_and_fourier_observations(tmp_path):
    m, obs = _run(tmp_path, "exp_log_curves", "growth.rates=[0.5, 2.0]")
    assert all(o["held"] for o in obs)
    assert fmt(m["doubling_time_r2"]) in obs[1]["text"]
    assert fmt(m["minus_log_0.01"]) in obs[-1]["text"]
    m, obs = _run(tmp_path, "fourier_series", "series.error_terms=[1, 8]",
                  "series.terms=[1]", "series.points=256")
    assert fmt(m["mse"]) in obs[0]["text"]
    assert fmt(m["mse_log_log_slope"]) in obs[0]["text"]
    assert obs[0]["held"] == (m["error_falls_with_n"] and -1.25 < m["mse_log_log_slope"]
                              < -0.75)


def test_positional_matrix_transformations_eigen_observations(tmp_path):
    m, obs = _run(tmp_path, "positional_encoding", "encoding.positions=20",
                  "encoding.d_model=8")
    assert all(o["held"] for o in obs)
    assert fmt(m["similarity_spread_at_fixed_distance"]) in obs[-1]["text"]
    m, obs = _run(tmp_path, "matrix_calculator", "matrices.a=[[1.0, 2.0], [2.0, 4.0]]")
    rank = next(o for o in obs if "rank" in o["text"])
    assert rank["held"] and f"rank A = {m['rank_a']}" in rank["text"] and m["rank_a"] == 1
    assert any("singular" in o["text"] for o in obs)
    m, obs = _run(tmp_path, "transformations", "transforms.reflect=y=x")
    assert all(o["held"] for o in obs)
    assert fmt(m["order_matters_max_gap"]) in obs[-2]["text"]
    m, obs = _run(tmp_path, "eigen_explorer", "matrix.entries=[0.0, -1.0, 1.0, 0.0]",
                  "power.num_iters=50", "random.n=4", "random.k=2", "repeat.steps=4")
    assert "complex" in obs[0]["text"]
    assert fmt(m["grow_final_norm"]) in obs[-1]["text"] and obs[-1]["held"]


def test_pca_pagerank_spectral_observations(tmp_path):
    m, obs = _run(tmp_path, "pca_compress", "image.downscale=16", "pca.ks=[1, 4]")
    assert obs[0]["held"] == m["error_never_rises"]
    assert fmt(m["mse"][0]) in obs[0]["text"] and fmt(m["mse"][-1]) in obs[0]["text"]
    m, obs = _run(tmp_path, "pagerank", "graph.nodes=50", "graph.edges=300",
                  "pagerank.max_iter=3")
    assert not obs[0]["held"] and "did not converge" in obs[0]["text"]
    assert f"{m['graph_iterations']} steps" in obs[-2]["text"]
    m, obs = _run(tmp_path, "spectral_clustering", "data.n=60", "spectral.n_init=2")
    for o, key in zip(obs[::2], ("two_moons", "circles"), strict=True):
        assert fmt(m[f"{key}_ari_spectral"]) in o["text"]
        assert o["held"] == (m[f"{key}_ari_spectral"] > m[f"{key}_ari_kmeans"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1e-6, 2.0), min_size=4, max_size=8))
def test_spectral_gap_is_the_largest_consecutive_ratio(vals):
    sc = prepare(CONFIGS / "spectral_clustering.toml", tour=True).module

    lam = np.sort(np.asarray([0.0, *vals]))
    i, r = sc._gap(lam)
    tail = lam[1:]
    ratios = tail[1:] / tail[:-1]
    assert r == pytest.approx(float(np.max(ratios)))
    assert lam[i] / lam[i - 1] == pytest.approx(r)
