"""The benchmark suite runs: every case once at toy size through the same code path as
``mlmath bench`` (no time is asserted; the sides must agree on the answer).

Every case runs (a missing mlmath_jax feature is a failure); a missing peer (PyTorch) is a
row note inside the suite, not a skip.
"""

import json
import os

import pytest

from mlmath_jax import bench
from mlmath_jax.bench.harness import SCALES, CaseResult, Row, measure, table_rows
from mlmath_jax.errors import UserError

from .helpers import shared_data

# Without the shared data the cases use random data of the same shapes (and say so).
CTX = bench.Context(SCALES["toy"], shared_data())

# Loose agreement bounds between mlmath_jax and the peer at toy size (float32).
AGREE = {
    "initial_loss_spread": 1e-4,
    "first_update_max_abs_diff": 1e-6,
    "final_params_max_abs_diff": 1e-4,
    "pagerank_l1_diff": 1e-3,
    "pca_explained_variance_ratio_max_abs_diff": 1e-4,
}


# Three cases repeat code paths the others cover (the MLP step at MNIST size, whole-process
# training runs) and take most of this file's time; they run at toy size with
# MLMATH_BENCH_ALL=1 (scripts/check_all.sh) and at full size in `mlmath bench`.
HEAVY = ("mlp_mnist", "time_to_accuracy", "first_result")
DEFAULT_CASES = [n for n in bench.CASES
                 if os.environ.get("MLMATH_BENCH_ALL") or n not in HEAVY]


def test_heavy_cases_exist():
    assert set(HEAVY) <= set(bench.CASES)


# Cases whose every side runs in a worker process of its own (bench.isolated).
ISOLATED = ("matmul_peak", "mlp_digits", "mlp_mnist", "noise_floor", "optimizers",
            "train_loop")


@pytest.mark.parametrize("name", DEFAULT_CASES)
def test_case_runs_at_toy_size(name, monkeypatch):
    from mlmath_jax.bench import cases, isolated

    measured = []

    def recording(sides, scale, **kw):
        out = isolated.measure_isolated(sides, scale, **kw)
        measured.append(out)
        return out

    monkeypatch.setattr(cases, "measure_isolated", recording)
    res = bench.run_case(name, CTX, catch=False)
    if name in ISOLATED:  # each side in its own process: one pid per side, none ours
        pids = [t.info["pid"] for out in measured for t in out.values()
                if isinstance(t, isolated.Timing)]
        assert measured and len(pids) == len(set(pids)) and os.getpid() not in pids, pids
        assert len(pids) >= 2
    assert not res.missing and not res.error and res.rows
    for row in res.rows:
        assert row.ours_s is not None and row.ours_s > 0, row
        if row.peer_s is None:  # the only peers allowed missing: PyTorch's
            assert ("PyTorch not installed" in row.note or "not at toy scale" in row.note
                    or "torch.compile" in row.note), row
        else:
            assert row.peer_s > 0 and row.ratio == pytest.approx(row.peer_s / row.ours_s)
            assert row.verdict in ("met", "missed", "info")
    for check, value in res.checks.items():
        if check.endswith("prediction_agreement"):
            assert value >= 0.99, (check, value)
        elif check.endswith("cache_files"):
            assert value > 0, "the cold run wrote no compilation cache entries"
        else:
            bound = next(b for k, b in AGREE.items() if check.endswith(k))
            assert value <= bound, (check, value)


def test_row_ratio_and_verdict():
    assert Row("c", "a", 1.0, "p", 3.0, 3.0, "≥ 3×").verdict == "met"
    assert Row("c", "a", 1.0, "p", 2.9, 3.0, "≥ 3×").verdict == "missed"
    assert Row("c", "a", 2.0, "p", 1.0).ratio == 0.5
    assert Row("c", "a", 2.0, "p", 1.0).verdict == "info"
    skipped = Row("c", "a", 1.0, "p", None, 1.5, note="PyTorch not installed")
    assert skipped.ratio is None and skipped.verdict == "skipped"
    no_peer = CaseResult("x", missing="PyTorch not installed")
    assert table_rows([no_peer])[0][-1] == "not run: PyTorch not installed"


def test_measure_interleaves_and_counts():
    calls = {"a": 0, "b": 0}

    def side(k):
        def f():
            calls[k] += 1
        return f

    t = measure({"a": side("a"), "b": side("b")}, SCALES["quick"], slow=("b",))
    assert set(t) == {"a", "b"} and all(v >= 0 for v in t.values())
    assert calls["b"] == SCALES["quick"].slow_repeats  # slow side: no warm-up, one call each
    assert calls["a"] > SCALES["quick"].repeats        # fast side: batched calls per repeat


def test_select():
    assert bench.select(None) == list(bench.CASES)
    assert bench.select("pca") == ["pca"]
    assert bench.select("mlp") == ["mlp_digits", "mlp_mnist"]
    with pytest.raises(UserError, match="no benchmark case matches"):
        bench.select("nonesuch")


def test_cli_prints_table_and_json(tmp_path, capsys):
    from mlmath_jax.cli import main

    out = tmp_path / "bench.json"
    assert main(["bench", "--toy", "--only", "matmul_peak", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ratio peer/mlmath" in printed and "matmul_peak" in printed and "cpu" in printed
    report = json.loads(out.read_text())
    assert report["machine"]["backend"] and report["machine"]["cores"] >= 1
    (case,) = report["cases"]
    assert case["name"] == "matmul_peak" and case["rows"][0]["ours_s"] > 0


def test_cli_refuses_unknown_case(capsys):
    from mlmath_jax.cli import main

    assert main(["bench", "--only", "nonesuch"]) == 2
    assert "no benchmark case matches 'nonesuch'" in capsys.readouterr().err


def test_cli_profile_writes_a_trace(tmp_path, monkeypatch):
    import jax

    from mlmath_jax.cli import main

    monkeypatch.setenv("XLA_FLAGS", os.environ.get("XLA_FLAGS", ""))  # restored afterwards
    enabled = jax.config.jax_enable_compilation_cache
    try:
        assert main(["bench", "--toy", "--only", "matmul_peak", "--profile",
                     str(tmp_path)]) == 0
    finally:
        jax.config.update("jax_enable_compilation_cache", enabled)
    assert list((tmp_path / "matmul_peak").rglob("*.xplane.pb"))


def test_isolated_sides_run_in_their_own_processes_in_turns(monkeypatch):
    """Each side is its own process; the NumPy-style side runs with OPENBLAS_CORETYPE
    and OPENBLAS_L2_SIZE removed from its environment alone."""
    from mlmath_jax.bench.isolated import (
        NUMPY_ENV_UNSET,
        Side,
        Timing,
        blas_info,
        measure_isolated,
    )

    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("OPENBLAS_L2_SIZE", "1048576")
    builder = "mlmath_jax.bench.isolated:side_environment"
    names = list(NUMPY_ENV_UNSET)
    t = measure_isolated({"a": Side(builder, {"names": names}),
                          "b": Side(builder, {"names": names}, unset=NUMPY_ENV_UNSET)},
                         SCALES["toy"])
    assert all(isinstance(v, Timing) and v.times and v.best > 0 for v in t.values())
    assert t["a"].info["pid"] != t["b"].info["pid"] != os.getpid()
    assert t["a"].info["env"] == {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1048576"}
    assert t["b"].info["env"] == {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None}
    assert isinstance(blas_info(), dict)
