"""The benchmark suite runs: every case once at toy size through the same code path as
``mlmath bench`` (no time is asserted; the sides must agree on the answer).

Every case runs (a missing mlmath_jax feature is a failure); a missing peer (PyTorch) is a
row note inside the suite, not a skip.
"""

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

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
# Cases with a test of their own below (which checks what the generic test checks).
OWN_TEST = ("scaling",)
DEFAULT_CASES = [n for n in bench.CASES if n not in OWN_TEST
                 and (os.environ.get("MLMATH_BENCH_ALL") or n not in HEAVY)]


def test_heavy_cases_exist():
    assert set(HEAVY) <= set(bench.CASES) and set(OWN_TEST) <= set(bench.CASES)


# Cases whose every side runs in a worker process of its own (bench.isolated).
ISOLATED = ("matmul_peak", "mlp_digits", "mlp_mnist", "noise_floor", "optimizers",
            "train_loop", "pagerank", "pca", "naive_bayes")


@pytest.mark.parametrize("name", DEFAULT_CASES)
def test_case_runs_at_toy_size(name, monkeypatch):
    from mlmath_jax.bench import cases, isolated

    measured = []
    original = isolated.measure_isolated

    def recording(sides, scale, **kw):
        out = original(sides, scale, **kw)
        measured.append(out)
        return out

    monkeypatch.setattr(cases, "measure_isolated", recording)
    monkeypatch.setattr(isolated, "measure_isolated", recording)  # measure_replicated's
    res = bench.run_case(name, CTX, catch=False)
    if name in ISOLATED:  # each side in its own process: one pid per side, none ours
        pids = [t.info["pid"] for out in measured for t in out.values()
                if isinstance(t, isolated.Timing)]
        assert measured and len(pids) == len(set(pids)) and os.getpid() not in pids, pids
        assert len(pids) >= 2
    check_case_result(res)


def check_case_result(res):
    """Every row timed, ratios consistent, every agreement check within its bound."""
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


def test_isolated_repeat_counts_slow_sides_and_a_reused_pool():
    """``slow`` sides get ``slow_repeats`` repeats and no warm-up, as does a side whose
    warm-up call took over a second; ``repeats`` sets a count; a ``pool`` keeps one
    process per side name across calls, and ``close_pool`` ends them."""
    from mlmath_jax.bench.isolated import Side, close_pool, measure_isolated

    quick = SCALES["quick"]
    assert quick.repeats > 3 > quick.slow_repeats
    sleep = "mlmath_jax.bench.isolated:side_sleep"
    pool = {}
    try:
        t = measure_isolated({"fast": Side(sleep, {"seconds": 0.0}),
                              "slow": Side(sleep, {"seconds": 0.0}),
                              "long": Side(sleep, {"seconds": 1.05})},
                             quick, slow=("slow",), pool=pool)
        assert len(t["fast"].times) == quick.repeats
        assert len(t["slow"].times) == quick.slow_repeats
        assert len(t["long"].times) == quick.slow_repeats and t["long"].best >= 1.0
        again = measure_isolated({"fast": Side(sleep, {"seconds": 0.001}),
                                  "slow": Side(sleep, {"seconds": 0.0})}, SCALES["toy"],
                                 repeats={"fast": 3}, pool=pool)
        assert again["fast"].info["seconds"] == 0.001  # built anew in the same process
        assert len(again["fast"].times) == 3 and len(again["slow"].times) == 1
        pids = {name: t[name].info["pid"] for name in t}
        assert len(set(pids.values())) == 3 and os.getpid() not in pids.values()
        assert {name: again[name].info["pid"] for name in again} == {
            "fast": pids["fast"], "slow": pids["slow"]}
        workers = list(pool.values())
    finally:
        close_pool(pool)
    assert not pool and all(w.proc.poll() is not None for w in workers)


# --------------------------------------------------------------------------- scaling


def test_scaling_case_at_toy_size(tmp_path, monkeypatch):
    """Each study at its toy sizes: a row per size, both sides timed in processes of
    their own (never the test's, never each other's), slopes in the notes, a PNG."""
    from mlmath_jax.bench import scaling

    studies = []
    real = scaling.run_studies
    monkeypatch.setattr(scaling, "run_studies",
                        lambda ctx, res: studies.extend(real(ctx, res)) or studies)
    png = tmp_path / "scaling.png"
    ctx = bench.Context(SCALES["toy"], shared_data(), figure=png)
    res = bench.run_case("scaling", ctx, catch=False)
    check_case_result(res)
    assert list(bench.CASES)[-1] == "scaling"
    assert [st.key for st in studies] == list(scaling.TOY_SIZES)
    assert len(res.rows) == sum(len(v) for v in scaling.TOY_SIZES.values())
    assert all(row.peer_s is not None and row.verdict == "info" for row in res.rows)
    assert {"scaling_pagerank_l1_diff", "scaling_pca_explained_variance_ratio_max_abs_diff",
            "scaling_mlp_initial_loss_spread",
            "scaling_naive_bayes_prediction_agreement"} <= set(res.checks)
    ours = set().union(*(st.pids["ours"] for st in studies))
    peers = set().union(*(st.pids["peer"] for st in studies))
    assert ours and peers and not ours & peers and os.getpid() not in ours | peers
    for st in studies:
        assert len(st.ours_s) == len(st.peer_s) == len(st.sizes)
        assert any(n.startswith(f"scaling {st.key}: log-log slope") for n in res.notes)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    height, width, _ = matplotlib.image.imread(png).shape
    assert width > 800 and height > 600


power_law_sizes = hst.lists(hst.integers(1, 10**7), min_size=2, max_size=8, unique=True)


@given(power_law_sizes, hst.floats(1e-7, 1e3), hst.floats(-1.0, 3.0),
       hst.lists(hst.floats(-0.5, 0.5), min_size=8, max_size=8))
@settings(max_examples=60, deadline=None)
def test_scaling_slope_is_the_least_squares_fit(sizes, a, b, noise):
    """The slope of log time on log size, against numpy.polyfit, on noisy power laws;
    sizes without a time are left out."""
    import numpy as np

    from mlmath_jax.bench.scaling import slope

    times = [a * s**b * np.exp(e) for s, e in zip(sizes, noise, strict=False)]
    expected = np.polyfit(np.log(sizes), np.log(times), 1)[0]
    assert slope(sizes, times) == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert slope(sizes + [10**8], times + [None]) == pytest.approx(expected, rel=1e-6,
                                                                   abs=1e-9)
    if not any(noise[: len(sizes)]):
        assert slope(sizes, times) == pytest.approx(b, abs=1e-6)
    assert np.isnan(slope(sizes[:1], times[:1]))


def test_scaling_ratio_trend_words():
    from mlmath_jax.bench.scaling import Study, ratio_trend

    def study(ours, peer):
        return Study("x", "x", "n", "a", "b", [10, 100, 1000], ours, peer)

    assert ratio_trend(study([1, 10, 100], [2, 22, 190])).startswith("the ratio holds")
    turns = ratio_trend(study([1, 10, 100], [3, 10, 50]))
    assert turns.startswith("the ratio turns") and "crosses 1 between 100 and 1,000" in turns
    assert "too few" in ratio_trend(study([1, 10, 100], [2, None, None]))


def test_cli_refuses_an_unwritable_figure(tmp_path, capsys):
    from mlmath_jax.cli import main

    for bad in (tmp_path / "no" / "such" / "scaling.png", tmp_path):
        assert main(["bench", "--toy", "--only", "scaling", "--figure", str(bad)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "--figure" in err and "Traceback" not in err
