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


class _Ctx:
    """Just what an experiment's ``_observe`` uses of the run context."""

    def __init__(self, dtype=np.float32):
        self.dtype, self.observations = dtype, []

    def observe(self, claim, holds, otherwise):
        self.observations.append((claim if holds else otherwise, bool(holds)))
        return bool(holds)


def _module(name):
    return prepare(CONFIGS / f"{name}.toml", tour=True)


def test_exp_log_observations_quote_the_run(tmp_path):
    m, obs = _run(tmp_path, "exp_log_curves", "growth.rates=[0.5, 2.0]")
    assert all(o["held"] for o in obs)
    assert fmt(m["doubling_time_r2"]) in obs[1]["text"]
    assert fmt(m["minus_log_0.01"]) in obs[-1]["text"]


def test_eigen_observations_follow_their_checks():
    mod = _module("eigen_explorer")
    cfg = mod.cfg
    m = {"power_eigenvalue": 3.0, "power_converged": True, "power_iterations": 9,
         "eigenvalues_numpy": [3.0, 1.0], "power_vs_numpy_abs_err": 0.0,
         "trace_minus_sum_eigenvalues": 0.0, "det_minus_product_eigenvalues": 0.0,
         "deflation_vs_eigh_max_abs_err": 1e-7, "deflation_eigenvalues": [-4.2, 1.8],
         "eigh_eigenvalues": [-4.2, 1.8], "grow_spectral_radius": 3.0,
         "grow_final_norm": 5e5, "shrink_spectral_radius": 0.6, "shrink_final_norm": 2e-3}
    ctx = _Ctx()
    mod.module._observe(ctx, m, True, cfg, 1.044)
    assert all(h for _, h in ctx.observations)
    assert fmt(5e5) in ctx.observations[-1][0] and fmt(2e-3) in ctx.observations[-1][0]
    ctx = _Ctx()
    mod.module._observe(ctx, {**m, "power_converged": False, "power_vs_numpy_abs_err": 0.5,
                              "shrink_final_norm": 7.0}, True, cfg, 1.044)
    assert not ctx.observations[0][1] and "did not converge" in ctx.observations[0][0]
    assert not ctx.observations[-1][1] and fmt(7.0) in ctx.observations[-1][0]


def test_matrix_and_transformation_observations(tmp_path):
    m, obs = _run(tmp_path, "matrix_calculator", "matrices.a=[[1.0, 2.0], [2.0, 4.0]]")
    rank = next(o for o in obs if "rank" in o["text"])
    assert rank["held"] and f"rank A = {m['rank_a']}" in rank["text"] and m["rank_a"] == 1
    assert any("singular" in o["text"] for o in obs)
    mod = _module("transformations").module
    dets = {"a": 2.0, "b": -1.0, "composed": -2.0}
    ctx = _Ctx()
    mod._observe(ctx, dets, dict(dets), -2.0, 0.0, 1.0, 0.0, {"a": 0, "b": 0})
    order = next(t for t, _ in ctx.observations if "order" in t)
    assert not dict(ctx.observations)[order] and "commute" in order
    assert sum(h for _, h in ctx.observations) == len(ctx.observations) - 1
    assert any("b has a negative determinant" in t for t, _ in ctx.observations)


def test_pca_pagerank_spectral_observations_follow_their_checks():
    pca = _module("pca_compress").module
    m = {"ks": [5, 20], "mse": [6e-3, 2e-3], "compression_ratio": [11.4, 3.1],
         "explained_variance_ratio_at_k": [0.9, 0.97], "image_shape": [106, 160],
         "error_never_rises": True, "sklearn_reconstruction_max_abs_diff": 1e-6}
    ctx = _Ctx()
    pca._observe(ctx, m, None)
    assert all(h for _, h in ctx.observations) and fmt(6e-3) in ctx.observations[0][0]
    ctx = _Ctx()
    pca._observe(ctx, {**m, "error_never_rises": False,
                       "sklearn_reconstruction_max_abs_diff": 0.5}, None)
    assert not ctx.observations[0][1] and not ctx.observations[-1][1]
    pr = _module("pagerank")
    m = {"small_ranks": [0.05, 0.07, 0.06, 0.35, 0.2, 0.27], "small_iterations": 3,
         "small_converged": False, "small_dense_vs_sparse_max_abs_diff": 1e-8,
         "dangling_nodes": 0, "graph_iterations": 3, "graph_converged": False,
         "graph_rank_sum": 1.0, "rank_indegree_spearman": 0.87}
    ctx = _Ctx()
    pr.module._observe(ctx, m, pr.cfg.pagerank, pr.cfg.graph)
    assert not ctx.observations[0][1] and "did not converge" in ctx.observations[0][0]
    assert ctx.observations[-1][1] and fmt(0.87) in ctx.observations[-1][0]
    sc = _module("spectral_clustering").module
    ctx = _Ctx()
    sc._observe(ctx, "moons", 0.25, 1.0, [0.0, 0.003, 0.016, 0.017, 0.056])
    sc._observe(ctx, "rings", 0.5, 0.4, [0.0, 0.012, 0.022, 0.023, 0.063])
    held = [h for _, h in ctx.observations]
    assert held == [True, True, False, False]
    assert "λ₅/λ₄" in ctx.observations[-1][0]


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
