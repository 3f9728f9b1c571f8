"""Every config in configs/ runs with its [tour] budget and ends as it expects."""

from __future__ import annotations

import json

import pytest

from mlmath_jax.runner import execute, find_configs, prepare

from .helpers import CONFIGS

ALL = find_configs(CONFIGS)


def test_there_are_configs():
    assert len(ALL) >= 6


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_config_smoke(path, tmp_path):
    prep = prepare(path, tour=True)
    assert prep.cfg.description, f"{path.name} has no description"
    out = execute(prep, tmp_path, quiet=True)
    assert out.status == prep.expect, out.message
    summary = json.loads((out.run_dir / "summary.json").read_text())
    assert summary["status"] == prep.expect
    if prep.expect == "ok":
        assert summary["metrics"], "an experiment returns its final metrics"
        assert summary["figures"], "an experiment draws at least one figure"
