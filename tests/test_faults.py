"""Faults: float64 scoped to its run, disk full, memory estimates, real signals."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest

from mlmath_jax.cli import main
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner import Int, execute, prepare_raw
from mlmath_jax.runner import core as C
from mlmath_jax.runner import schema as S

from .helpers import CONFIGS, ROOT


@jax.jit
def _double(x):
    return 2 * x


def fake_experiment(run, **extra):
    return types.SimpleNamespace(DESCRIPTION="fake", SCHEMA={"n": Int(3, min=1)}, run=run,
                                 __name__="fake", **extra)


def fake_prepared(module, dtype="float32", tmp=Path(".")):
    cfg = S.resolve({"experiment": "fake", "dtype": dtype}, module.SCHEMA)
    return C.Prepared(tmp / "fake.toml", "fake", module, cfg)


def test_float64_run_then_float32_run_leave_the_global_flag_alone(tmp_path):
    seen = []

    def run(cfg, key, ctx):
        x = _double(jnp.ones(cfg.n, ctx.dtype))  # one jitted function, both dtypes
        seen.append((str(x.dtype), str(jnp.zeros(2).dtype), str(ctx.dtype.dtype)))
        return {"sum": float(x.sum())}

    before = bool(jax.config.jax_enable_x64)
    module = fake_experiment(run)
    a = execute(fake_prepared(module, "float64"), tmp_path, quiet=True)
    b = execute(fake_prepared(module, "float32"), tmp_path, quiet=True)
    assert (a.status, b.status) == ("ok", "ok")
    assert seen == [("float64", "float64", "float64"), ("float32", "float32", "float32")]
    assert bool(jax.config.jax_enable_x64) == before
    assert jnp.ones(1).dtype == (jnp.float64 if before else jnp.float32)
    assert a.summary["x64"] is True and b.summary["x64"] is False
    src = (ROOT / "mlmath_jax" / "runner" / "core.py").read_text()
    assert 'config.update("jax_enable_x64"' not in src


def _enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_on_the_report_names_it_and_never_says_ok(tmp_path, monkeypatch, capsys):
    real = Path.write_text

    def write_text(self, *a, **k):
        if self.name.startswith("report.html"):
            _enospc()
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "write_text", write_text)
    code = main(["run", str(CONFIGS / "gd_bowl.toml"), "--set", "train.steps=4",
                 "--set", "train.log_every=2", "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "report.html: cannot write: No space left on device" in err
    (run_dir,) = tmp_path.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "error" and "report.html" in summary["message"]
    assert not (run_dir / "report.html").exists()  # no truncated page left behind
    assert (run_dir / "metrics.jsonl").read_text().count("\n") >= 1


def test_disk_full_on_metrics_ends_as_error_naming_the_file(tmp_path):
    class Full:
        closed = False

        def write(self, text):
            _enospc()

        flush = close = lambda self: None

    def run(cfg, key, ctx):
        ctx._metrics = Full()
        ctx.log(0, loss=1.0)
        return {"loss": 1.0}

    out = execute(fake_prepared(fake_experiment(run)), tmp_path, quiet=True)
    assert out.status == "error" and out.exit_code == 2
    assert out.message.endswith("metrics.jsonl: cannot write: No space left on device")
    assert json.loads((out.run_dir / "summary.json").read_text())["status"] == "error"


def test_disk_full_on_the_summary_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(C.json, "dump", _enospc)
    code = main(["run", str(CONFIGS / "gd_bowl.toml"), "--set", "train.steps=2",
                 "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].endswith("config.json: cannot write: No space left on device")


def test_memory_estimate_refuses_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "available_memory", lambda: 16 * 10**9)
    module = fake_experiment(lambda cfg, key, ctx: {}, memory_bytes=lambda cfg: cfg.n * 10**9)
    monkeypatch.setattr(C, "load_experiment", lambda name: module)
    assert prepare_raw({"experiment": "fake", "n": 3}, tmp_path / "f.toml").cfg.n == 3
    with pytest.raises(ConfigError) as e:
        prepare_raw({"experiment": "fake", "n": 320}, tmp_path / "f.toml")
    assert str(e.value).endswith("needs about 320 GB of memory and 16 GB is available; "
                                 "lower the sizes")
    assert list(tmp_path.iterdir()) == []


def test_schema_maxima_fit_the_machine():
    """At each schema maximum the memory named in the issue would not fit; the maxima now
    are far below (the estimates: 32 bytes a point, ~10.6 bytes a sample, 40 an edge)."""
    from mlmath_jax import experiments  # noqa: F401

    mc = C.load_experiment("monte_carlo_pi").SCHEMA
    assert 32 * mc["sample"]["n"].max <= 4 * 10**9
    assert 8 * mc["convergence"]["batches"].max * mc["convergence"]["batch_size"].max <= 4 * 10**9
    it = C.load_experiment("integration").SCHEMA["sweep"]
    assert 10.6 * 2 ** it["mc_max_log2_n"].max * it["mc_repeats"].max <= 4 * 10**9
    pg = C.load_experiment("pagerank").SCHEMA["graph"]
    assert 40 * pg["edges"].max <= 1 * 10**9


def _spawn(tmp_path, *sets):
    cmd = [sys.executable, "-m", "mlmath_jax", "run", str(CONFIGS / "gd_bowl.toml"),
           "--set", "train.steps=2000000000", "--set", "train.log_every=20000", *sets,
           "--out", str(tmp_path), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _wait_for(pred, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("moment,sig", [("compile", signal.SIGINT),
                                        ("train", signal.SIGTERM)])
def test_real_signals_end_as_interrupted_exit_130(tmp_path, moment, sig):
    """SIGINT as the run starts (its summary says running: tracing and compilation under
    way) and SIGTERM while it trains both end as interrupted, exit 130, metrics kept."""
    proc = _spawn(tmp_path)
    if moment == "compile":
        ok = _wait_for(lambda: any(tmp_path.glob("*/summary.json")))
    else:
        ok = _wait_for(lambda: any(p.read_text().count("\n") >= 2
                                   for p in tmp_path.glob("*/metrics.jsonl")))
    assert ok, "the run never started"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Exception ignored" not in err
    (run_dir,) = tmp_path.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert (run_dir / "metrics.jsonl").exists() and (run_dir / "report.html").exists()


def test_a_signal_swallowed_by_a_callback_still_interrupts(tmp_path):
    """The first KeyboardInterrupt lands where it is ignored (as in JAX's GC callback);
    the flag ends the run at its next safe point all the same."""
    def run(cfg, key, ctx):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass  # swallowed
        ctx.log(0, loss=1.0)  # a safe point
        raise AssertionError("not reached")

    out = execute(fake_prepared(fake_experiment(run)), tmp_path, quiet=True)
    assert out.status == "interrupted" and out.exit_code == 130


def test_packages_in_pyproject_are_the_package_folders():
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "mlmath_jax").rglob("__init__.py")}
    on_disk.add("mlmath_jax.experiments")
    assert listed == on_disk
    assert pyproject["tool"]["setuptools"]["package-dir"]["mlmath_jax.experiments"] == \
        "experiments"
    assert pyproject["project"]["license"] == "MIT"


def test_help_list_and_import_do_not_import_jax_and_submodules_are_lazy():
    code = ("import sys, contextlib, io\n"
            "import mlmath_jax\n"
            "from mlmath_jax.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['list'])\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "print('jax' in sys.modules, 'numpy' in sys.modules)\n"
            "assert {'explog', 'linalg', 'experiments', 'runner'} <= set(dir(mlmath_jax))\n"
            "import mlmath_jax.experiments as e\n"
            "print(mlmath_jax.explog.__name__, e.__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False", "mlmath_jax.explog",
                                  "mlmath_jax.experiments"]
