"""Command-line behaviour shared by every command: one line and exit 2 for user mistakes."""

from __future__ import annotations

import pytest

from mlmath_jax.cli import main

from .helpers import CONFIGS


@pytest.mark.parametrize("argv,expected", [
    (["calc", "-2^2"], "-4"),
    (["calc", "-x^2", "--var", "x=3"], "-9"),
    (["calc", "--var", "x=3", "-x"], "-3"),
    (["calc", "--", "-2^2"], "-4"),
])
def test_expression_may_start_with_a_minus(argv, expected, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == expected


@pytest.mark.parametrize("expression,point,message", [
    ("1/x", "x=0", "division by zero in 1/x"),
    ("sqrt(x)", "x=-1", "square root of a negative number"),
    ("exp(x)", "x=1000", "overflow"),
])
def test_diff_at_a_point_outside_the_domain(expression, point, message, capsys):
    assert main(["diff", expression, "--at", point]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_unwritable_paths_are_one_line_errors(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(["run", str(CONFIGS / "gd_bowl.toml"), "--out", str(afile), "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == (f"error: --out {afile}: is a file, not a folder "
                                               f"for run directories")
    missing = tmp_path / "no" / "such" / "dir" / "g.json"
    assert main(["gradcheck", "--only", "explog.sigmoid", "--json", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: --json {missing}: the folder")
    assert "does not exist" in captured.err
    assert "gradcheck (" not in captured.out  # refused before any work
    assert main(["predict", "m", "in.csv", "--out", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
