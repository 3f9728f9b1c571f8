"""Run directories, summaries, reports, determinism, divergence, interrupts, the tour."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

from mlmath_jax.cli import main
from mlmath_jax.runner import execute, prepare, run_tour

from .helpers import CONFIGS, ROOT

SUMMARY_KEYS = {"status", "experiment", "config", "seed", "dtype", "metrics",
                "compile_seconds", "run_seconds", "steps", "steps_per_second",
                "jax_version", "backend", "devices", "started", "wall_seconds", "figures"}


def run_one(config, tmp_path, *sets):
    return execute(prepare(CONFIGS / config, sets), tmp_path, quiet=True)


def test_run_directory_contents(tmp_path):
    out = run_one("linear_regression.toml", tmp_path, "train.steps=60", "train.log_every=20")
    assert out.status == "ok" and out.exit_code == 0
    names = {p.name for p in out.run_dir.iterdir()}
    assert {"config.json", "metrics.jsonl", "summary.json", "report.html"} <= names
    assert any(n.endswith(".png") for n in names)
    summary = json.loads((out.run_dir / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    assert summary["status"] == "ok" and summary["steps"] == 60
    assert summary["steps_per_second"] > 0 and summary["devices"]
    config = json.loads((out.run_dir / "config.json").read_text())
    assert config["config"]["train"]["steps"] == 60
    lines = (out.run_dir / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["step"] for r in records] == [0, 20, 40, 60]
    assert all(set(r) == {"step", "loss"} for r in records)
    assert records[-1]["loss"] < records[0]["loss"]
    # the report embeds its figures: one file is enough to share
    report = (out.run_dir / "report.html").read_text()
    assert "data:image/png;base64," in report and not re.search(r'src="(?!data:)', report)


def test_runs_never_overwrite(tmp_path):
    a = run_one("gd_bowl.toml", tmp_path, "train.steps=5")
    b = run_one("gd_bowl.toml", tmp_path, "train.steps=5")
    assert a.run_dir != b.run_dir and a.run_dir.exists() and b.run_dir.exists()


def test_same_config_and_seed_give_identical_metrics(tmp_path):
    a = run_one("linear_regression.toml", tmp_path, "train.steps=40", "train.log_every=10")
    b = run_one("linear_regression.toml", tmp_path, "train.steps=40", "train.log_every=10")
    assert (a.run_dir / "metrics.jsonl").read_bytes() == (b.run_dir / "metrics.jsonl").read_bytes()
    c = run_one("linear_regression.toml", tmp_path, "train.steps=40", "train.log_every=10",
                "seed=1")
    assert (a.run_dir / "metrics.jsonl").read_bytes() != (c.run_dir / "metrics.jsonl").read_bytes()


def test_divergence_stops_with_status_exit_1_and_keeps_metrics(tmp_path, capsys):
    code = main(["run", str(CONFIGS / "gd_too_large.toml"), "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    m = re.search(r"diverged at step (\d+)", err)
    assert m, err
    (run_dir,) = tmp_path.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "diverged"
    assert summary["message"] == f"diverged at step {m.group(1)}"
    records = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert records and all(r["step"] < int(m.group(1)) for r in records)
    assert (run_dir / "path.png").exists()  # the figure is drawn up to the divergence


def test_user_error_during_run_keeps_directory(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,y\n1,2\nx,3\n")
    code = main(["run", str(CONFIGS / "linear_regression.toml"), "--set", "data.source=file",
                 "--set", f"data.path={bad}", "--out", str(tmp_path / "runs"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "every cell must be a number" in err and "Traceback" not in err
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert json.loads((run_dir / "summary.json").read_text())["status"] == "error"


def test_ctrl_c_marks_interrupted_and_keeps_metrics(tmp_path):
    cmd = [sys.executable, "-m", "mlmath_jax", "run", str(CONFIGS / "gd_bowl.toml"),
           "--set", "train.steps=2000000000", "--set", "train.log_every=20000",
           "--out", str(tmp_path), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 120
    metrics = None
    while time.time() < deadline:
        found = list(tmp_path.glob("*/metrics.jsonl"))
        if found and found[0].read_text().count("\n") >= 2:
            metrics = found[0]
            break
        time.sleep(0.2)
    assert metrics is not None, "the run never logged"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    summary = json.loads((metrics.parent / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert metrics.read_text().count("\n") >= 2


def test_tour_writes_index_linking_reports(tmp_path):
    tour_dir, rows, code = run_tour(CONFIGS, tmp_path, only="gd_too_*", quiet=True)
    assert code == 0
    assert {r["config"] for r in rows} == {"gd_too_small.toml", "gd_too_large.toml"}
    assert {r["config"]: r["status"] for r in rows}["gd_too_large.toml"] == "diverged"
    index = (tour_dir / "index.html").read_text()
    for r in rows:
        assert f'href="{r["run_dir"]}/report.html"' in index
        assert (tour_dir / r["run_dir"] / "report.html").exists()


def test_list_and_info_commands(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "linear_regression" in out and "gd_too_large.toml" in out
    assert main(["list", "--keys", "gradient_descent"]) == 0
    assert "optimizer.lr" in capsys.readouterr().out
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "cpu" in out and "jax_version" in out
