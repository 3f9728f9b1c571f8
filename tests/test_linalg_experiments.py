"""The linear-algebra experiments run from their configs (tour budgets) and report what
their figures claim. (Every config is also smoke-run by the shared config test; these
check the numbers.)"""

from pathlib import Path

import pytest

from mlmath_jax.runner import execute, prepare

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _metrics(tmp_path, name, *sets):
    outcome = execute(prepare(CONFIGS / f"{name}.toml", list(sets), tour=True), tmp_path,
                      quiet=True)
    assert outcome.status == "ok", outcome.message
    assert (outcome.run_dir / "report.html").exists()
    return outcome.summary["metrics"], outcome.run_dir


def test_pagerank_small_graph_agrees_and_large_graph_converges(tmp_path):
    m, _ = _metrics(tmp_path, "pagerank")
    assert m["small_converged"] and m["graph_converged"]
    assert m["small_dense_vs_sparse_max_abs_diff"] < 1e-6
    assert m["small_networkx_max_abs_diff"] < 1e-5
    assert m["graph_rank_sum"] == pytest.approx(1.0, abs=1e-4)


def test_pca_compress_error_falls_with_k_and_matches_sklearn(tmp_path):
    m, run_dir = _metrics(tmp_path, "pca_compress")
    assert m["error_never_rises"]
    assert m["mse"] == sorted(m["mse"], reverse=True)
    assert m["compression_ratio"] == sorted(m["compression_ratio"], reverse=True)
    assert m["sklearn_reconstruction_max_abs_diff"] < 1e-4
    assert (run_dir / "reconstructions.png").exists()


def test_matrix_calculator_seed_product(tmp_path):
    m, run_dir = _metrics(tmp_path, "matrix_calculator")
    assert m["a_times_b"] == [[19.0, 22.0], [43.0, 50.0]]
    assert m["det_a"] == pytest.approx(-2.0)
    assert m["inverse_residual"] < 1e-12
    assert "step 1:" in (run_dir / "row_reduction.txt").read_text(encoding="utf-8")
