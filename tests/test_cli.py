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


@pytest.mark.parametrize("argv", [["list"], ["--help"], ["calc", "1+1"]])
def test_start_up_commands_import_no_jax(argv):
    """The real entry point (`python -m mlmath_jax ...`) as a process: -X importtime lists
    every module it imported; JAX (and NumPy) must not be among them."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "mlmath_jax", *argv],
                         capture_output=True, text=True, timeout=120, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert out.returncode in (0, 2) and out.stdout.strip(), out.stderr[-500:]
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines()
                if line.startswith("import time:")}
    assert "mlmath_jax.cli" in imported  # the importtime report is what we think it is
    assert not {m for m in imported if m.split(".")[0] in ("jax", "jaxlib", "numpy")}


def test_module_literal_reads_what_a_full_parse_reads(tmp_path):
    """`mlmath list` and `--help` read DESCRIPTION / HELP from a module's head only; the
    value equals a full parse's for every experiment and command, and a look-alike line
    inside a docstring is not taken for the assignment."""
    import ast
    from pathlib import Path

    from mlmath_jax._source import module_literal

    root = Path(__file__).resolve().parents[1]

    def full(path, name):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == name):
                return ast.literal_eval(node.value)
        raise LookupError

    pairs = [(p, "DESCRIPTION") for p in (root / "experiments").glob("[a-z]*.py")]
    pairs += [(p, "HELP") for p in (root / "mlmath_jax" / "cli").glob("[a-z]*.py")]
    assert len(pairs) > 20
    for path, name in pairs:
        assert module_literal(str(path), name) == full(path, name), path
    tricky = tmp_path / "tricky.py"
    tricky.write_text('"""Doc.\n\nHELP = "not this"\n"""\nimport os\n\nHELP = (\n'
                      '    "the real "\n    "one"\n)\n', encoding="utf-8")
    assert module_literal(str(tricky), "HELP") == "the real one"
    (tmp_path / "none.py").write_text("X = 1\n", encoding="utf-8")
    with pytest.raises(LookupError):
        module_literal(str(tmp_path / "none.py"), "HELP")
