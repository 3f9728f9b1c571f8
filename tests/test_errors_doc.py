"""docs/errors.md, the table of what each bad input gets, is generated here and checked
against the file, so it cannot drift from what the command does.

Regenerate after a deliberate change: ``MLMATH_WRITE_DOCS=1 pytest tests/test_errors_doc.py``.
"""

from __future__ import annotations

import errno
import os
import types
from pathlib import Path

import pytest

from mlmath_jax.cli import main
from mlmath_jax.errors import ConfigError, Diverged
from mlmath_jax.runner import Int, execute
from mlmath_jax.runner import core as C
from mlmath_jax.runner import schema as S

from .helpers import ROOT

DOC = ROOT / "docs" / "errors.md"
GD = "configs/gd_bowl.toml"

# (the user's mistake, the command's arguments after `mlmath`)
CLI_CASES = [
    ("config file that does not exist", ["run", "configs/nope.toml"]),
    ("config that is not TOML", ["run", "<tmp>/broken.toml"]),
    ("array nested 2,000 levels deep", ["run", "<tmp>/deep.toml"]),
    ("integer of 5,000 digits in a file", ["run", "<tmp>/digits.toml"]),
    ("config without `experiment`", ["run", "<tmp>/noexp.toml"]),
    ("unknown experiment", ["run", "<tmp>/unknown.toml"]),
    ("unknown key (a typo)", ["run", GD, "--set", "train.stpes=5"]),
    ("wrong type", ["run", GD, "--set", "train.steps=ten"]),
    ("out of range", ["run", GD, "--set", "train.steps=0"]),
    ("count too large to run", ["run", GD, "--set", "train.steps=1000000000000"]),
    ("integer of 5,000 digits in --set", ["run", GD, "--set", "train.steps=" + "9" * 5000]),
    ("not a finite number", ["run", GD, "--set", "optimizer.lr=nan"]),
    ("choice misspelt", ["run", "configs/gd_variants.toml", "--set", "optimizer.name=adma"]),
    ("bound set by another key", ["run", "configs/gd_variants.toml", "--set",
                                  "optimizer.batch_size=100000"]),
    ("`experiment` overridden", ["run", GD, "--set", "experiment=pagerank"]),
    ("--set smuggling a table", ["run", GD, "--set", "train.steps=1\n[x]"]),
    ("--set without `=`", ["run", GD, "--set", "train.steps"]),
    ("path key naming a folder", ["run", "configs/linear_regression.toml", "--set",
                                  "data.path=configs"]),
    ("path key naming nothing", ["run", "configs/linear_regression.toml", "--set",
                                 "data.path=nope.csv"]),
    ("graph too large for the schema", ["run", "configs/pagerank.toml", "--set",
                                        "graph.nodes=1000000000000"]),
]


def _files(tmp: Path) -> None:
    (tmp / "broken.toml").write_text('experiment = "gradient_descent"\n[train\n')
    (tmp / "deep.toml").write_text('experiment = "poly_roots"\nx = ' + "[" * 2000 + "]" * 2000)
    (tmp / "digits.toml").write_text('experiment = "gradient_descent"\n[train]\nsteps = '
                                     + "9" * 5000 + "\n")
    (tmp / "noexp.toml").write_text("seed = 1\n")
    (tmp / "unknown.toml").write_text('experiment = "gradient_decent"\n')


def _kept(out: Path) -> str:
    runs = sorted(out.iterdir()) if out.exists() else []
    if not runs:
        return "nothing (no run directory)"
    import json

    status = json.loads((runs[0] / "summary.json").read_text())["status"]
    return f"run directory, summary.json status `{status}`"


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", "\\n")
    return text if len(text) <= 160 else text[:157] + "…"


def cli_rows(tmp: Path, capsys, monkeypatch) -> list[str]:
    monkeypatch.chdir(ROOT)
    _files(tmp)
    rows = []
    for i, (mistake, argv) in enumerate(CLI_CASES):
        out = tmp / f"out{i}"
        argv = [a.replace("<tmp>", str(tmp)) for a in argv]
        extra = ["--out", str(out), "--quiet"] if argv[0] == "run" else []
        code = main([*argv, *extra])
        err = capsys.readouterr().err.strip().replace(str(tmp), "<tmp>")
        lines = err.splitlines()
        assert len(lines) == 1 and "Traceback" not in err, (mistake, err)
        assert code == 2, (mistake, code)
        shown = " ".join(a if len(a) < 40 else a[:20] + "…"
                         for a in (a.replace(str(tmp), "<tmp>") for a in argv))
        rows.append(f"| {mistake} | `mlmath {_cell(shown)}` | `{_cell(lines[0])}` | {code} | "
                    f"{_kept(out)} |")
    return rows


def _fake(run):
    module = types.SimpleNamespace(DESCRIPTION="fake", SCHEMA={"n": Int(3, min=1)}, run=run,
                                   __name__="fake")
    cfg = S.resolve({"experiment": "fake"}, module.SCHEMA)
    return C.Prepared(Path("fake.toml"), "fake", module, cfg)


def _log_then(exc):
    def run(cfg, key, ctx):
        ctx.log(0, loss=1.0)
        raise exc
    return run


RUN_CASES = [
    ("the loss becomes NaN (divergence)", _log_then(Diverged(7))),
    ("a mistake found during the run", _log_then(ConfigError("data.path: the file has no "
                                                               "numeric column"))),
    ("Ctrl-C, or SIGTERM", _log_then(KeyboardInterrupt())),
    ("disk full while writing", _log_then(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC),
                                                  "<run>/metrics.jsonl"))),
]


def run_rows(tmp: Path) -> list[str]:
    rows = []
    for i, (mistake, run) in enumerate(RUN_CASES):
        outcome = execute(_fake(run), tmp / f"run{i}", quiet=True)
        files = sorted(p.name for p in outcome.run_dir.iterdir())
        kept = (f"run directory, summary.json status `{outcome.status}`; "
                + ", ".join(files))
        rows.append(f"| {mistake} | `fake.toml: {_cell(outcome.message)}` | "
                    f"{outcome.exit_code} | {kept} |")
    return rows


HEADER = """# What each bad input gets

The `mlmath` promise: a mistake in what you give it (a config, an override, a file) gets
**one line** on stderr naming what is wrong and what is allowed, **exit status 2**, and no
traceback; a refused config leaves **nothing** on disk (it is checked before any run
directory exists). A run that starts always leaves its directory with `summary.json`,
`metrics.jsonl` and `report.html`, and its status never says `ok` when something failed.

This page is generated by `tests/test_errors_doc.py`, which runs every case below and
fails if the page and the command disagree (regenerate with `MLMATH_WRITE_DOCS=1`).
Paths of temporary files show as `<tmp>`.

## Refused before any work

| mistake | command | line printed (stderr) | exit | kept |
|---|---|---|---|---|
"""

MIDDLE = """
## Ended during a run

The line is printed after the run's summary, as `<config>: <message>`; exit 1 for a
divergence, 2 for an error, 130 for an interrupt.

| what happened | line printed (stderr) | exit | kept |
|---|---|---|---|
"""


def render(cli: list[str], runs: list[str]) -> str:
    return HEADER + "\n".join(cli) + "\n" + MIDDLE + "\n".join(runs) + "\n"


def test_errors_doc_matches_the_command(tmp_path, capsys, monkeypatch):
    text = render(cli_rows(tmp_path, capsys, monkeypatch), run_rows(tmp_path))
    if os.environ.get("MLMATH_WRITE_DOCS"):
        DOC.write_text(text, encoding="utf-8")
    if not DOC.exists():
        pytest.fail("docs/errors.md is missing; run with MLMATH_WRITE_DOCS=1")
    assert DOC.read_text(encoding="utf-8") == text
