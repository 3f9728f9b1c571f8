"""The exercises: every correct solution passes, typical wrong ones get their diagnosis,
the CLI grades a file in a limited child process, and docs/exercises.md is generated."""

from __future__ import annotations

import os

import pytest

from mlmath_jax import exercises
from tests.exercise_solutions import CORRECT, WRONG
from tests.helpers import ROOT, mlmath


def test_catalogue_covers_every_chapter_with_40_or_more():
    groups = exercises.by_chapter()
    assert len(exercises.names()) >= 40
    assert set(groups) == set(exercises.CHAPTERS)
    assert all(len(v) >= 4 for v in groups.values()), {k: len(v) for k, v in groups.items()}


def test_every_exercise_has_a_solution_and_three_wrong_ones():
    assert set(CORRECT) == set(exercises.names())
    counts = {n: sum(w[0] == n for w in WRONG) for n in exercises.names()}
    assert min(counts.values()) >= 3, {k: v for k, v in counts.items() if v < 3}


# Grading every solution compiles each learner function (jit, vmap) and every reference:
# about 2 minutes of CPU for the whole matrix. The default suite grades a sample — one
# correct solution per chapter and the first wrong solution of each diagnosis — and
# MLMATH_EXERCISES=all grades all of them (docs/exercises.md says so).
FULL = os.environ.get("MLMATH_EXERCISES") == "all"


def _sample_correct():
    if FULL:
        return sorted(CORRECT)
    return [exs[0].name for exs in exercises.by_chapter().values()]


def _sample_wrong():
    if FULL:
        return WRONG
    seen: dict[str, int] = {}
    out = []
    for w in WRONG:
        kind = "mistake" if w[2].startswith("mistake:") else w[2]
        if seen.get(kind, 0) < 1:
            seen[kind] = seen.get(kind, 0) + 1
            out.append(w)
    return out


@pytest.mark.parametrize("name", _sample_correct())
def test_correct_solution_passes(name):
    report = exercises.check(CORRECT[name], name)
    assert report.solved, report.text()


@pytest.mark.parametrize(("name", "fn", "diagnosis"), _sample_wrong(),
                         ids=[f"{n}-{d}" for n, _, d in _sample_wrong()])
def test_wrong_solution_gets_its_diagnosis(name, fn, diagnosis):
    report = exercises.check(fn, name)
    assert not report.solved
    assert diagnosis in report.diagnoses, report.text()


def test_each_diagnosis_is_exercised():
    from mlmath_jax.exercises import _grading

    documented = {"raised", "structure", "transposed", "shape", "dtype", "not_finite",
                  "conjugated", "sign", "factor", "offset", "half_domain", "values", "jit",
                  "drift"}
    assert all(f"``{d}``" in _grading.__doc__ for d in documented)
    used = {d.split(":")[0] if not d.startswith("mistake:") else "mistake" for _, _, d in WRONG}
    assert documented - {"raised"} <= used, documented - used


def test_messages_teach():
    import jax.numpy as jnp

    msg = exercises.check(lambda p, t: (p - t) / p.size, "mse_grad").checks[0].message
    assert msg == "off by a factor of 1/2 at every point"
    rep = exercises.check(lambda a, b: (a @ b).T, "matmul")
    assert rep.checks[0].message == "returned (5, 3), expected (3, 5)"
    rep = exercises.check(lambda x: jnp.exp(x) / jnp.exp(x).sum(-1, keepdims=True), "softmax")
    assert "overflows to inf at x = 1e4: subtract the maximum first" in rep.text()
    rep = exercises.check(lambda x: jnp.where(x > 0, 1 / (1 + jnp.exp(-x)), 0.5), "sigmoid")
    assert "right for x > 0, wrong for x < 0" in rep.text()


def test_another_input_set_gives_other_inputs_and_same_verdict():

    a = exercises.rng_for("softmax").normal()
    b = exercises.rng_for("softmax", 1).normal()
    assert a != b
    assert exercises.check(CORRECT["softmax"], "softmax", inputs=1).solved


def test_unknown_name_and_non_callable():
    with pytest.raises(ValueError, match="did you mean softmax"):
        exercises.check(len, "softmaxx")
    with pytest.raises(TypeError):
        exercises.check(3, "softmax")


def test_docs_page_is_generated_from_the_catalogue():
    page = (ROOT / "docs" / "exercises.md").read_text()
    assert page == exercises.markdown()
    assert all(f"`{n}(" in page for n in exercises.names())


def test_template_is_valid_python_with_signature_and_task():
    import ast

    for name in exercises.names():
        src = exercises.template(name, hints=True)
        tree = ast.parse(src)
        fn = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert [f.name for f in fn] == [name]
        assert exercises.get(name).task.splitlines()[0] in ast.get_docstring(fn[0])


def test_progress_lives_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLMATH_DATA_DIR", str(tmp_path / "d"))
    assert exercises.solved() == {}
    exercises.mark_solved("softmax")
    exercises.mark_solved("softmax")
    assert list(exercises.solved()) == ["softmax"]
    assert (tmp_path / "d" / "progress.json").exists()
    monkeypatch.delenv("MLMATH_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "x"))
    assert exercises.data_dir() == tmp_path / "x" / "mlmath_jax"


# ------------------------------------------------------------------ end to end (CLI)

def _cli(tmp_path, *args, timeout=300):
    import os

    env_dir = tmp_path / "data"
    old = os.environ.get("MLMATH_DATA_DIR")
    os.environ["MLMATH_DATA_DIR"] = str(env_dir)
    try:
        return mlmath(*args, cwd=tmp_path, timeout=timeout)
    finally:
        if old is None:
            del os.environ["MLMATH_DATA_DIR"]
        else:
            os.environ["MLMATH_DATA_DIR"] = old


SOFTMAX_WRONG = """import jax.numpy as jnp

def softmax(x):
    e = jnp.exp(x)
    return e / e.sum(-1, keepdims=True)
"""
SOFTMAX_RIGHT = """import jax.numpy as jnp

def softmax(x):
    e = jnp.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)
"""


def _main(capsys, *args):
    """``mlmath ARGS`` in this process: (exit code, stdout, stderr)."""
    from mlmath_jax.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_cli_start_wrong_then_right_marks_solved(tmp_path, monkeypatch, capsys):
    """The learner's round trip. The file that does not import is graded by a real
    ``mlmath`` process (its exit status and single stderr line, no traceback); the other
    steps call the same ``main`` in this process (each check still grades in its limited
    child process), as a second interpreter start per step would check nothing more."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLMATH_DATA_DIR", str(tmp_path / "data"))
    code, _, err = _main(capsys, "exercise", "start", "softmax", "work")
    assert code == 0, err
    path = tmp_path / "work" / "softmax.py"
    assert "def softmax(x):" in path.read_text()
    assert _main(capsys, "exercise", "start", "softmax", "work")[0] == 2
    path.write_text("def softmax(x:\n")
    r = _cli(tmp_path, "exercise", "check", "work/softmax.py")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "does not import (line 1)" in r.stderr and "Traceback" not in r.stderr
    path.write_text(SOFTMAX_WRONG)
    code, out, err = _main(capsys, "exercise", "check", "work/softmax.py")
    assert code == 1, out + err
    assert "subtract the maximum first" in out
    path.write_text(SOFTMAX_RIGHT)
    code, out, err = _main(capsys, "exercise", "check", "work/softmax.py")
    assert code == 0, out + err
    code, out, _ = _main(capsys, "exercises")
    assert code == 0 and "✓ softmax" in out and "1 of" in out


@pytest.mark.slow
@pytest.mark.parametrize(("source", "expected"), [
    ("import jax.numpy as jnp\ndef softmax(x:\n", "does not import (line 2)"),
    ("def soft_max(x):\n    return x\n", "has no function softmax"),
])
def test_unimportable_or_missing_function_is_one_line_exit_2(tmp_path, source, expected):
    (tmp_path / "softmax.py").write_text(source)
    res = exercises.run_file(tmp_path / "softmax.py")
    assert res.exit_code == 2 and res.report is None
    assert expected in res.message and "\n" not in res.message, res.message


def test_cli_bad_name_exit_2(tmp_path):
    (tmp_path / "nope.py").write_text("def nope(x):\n    return x\n")
    r = _cli(tmp_path, "exercise", "check", "nope.py")
    assert r.returncode == 2 and "no exercise named 'nope'" in r.stderr
    assert _cli(tmp_path, "exercise", "hint", "softmaxx").returncode == 2


@pytest.mark.slow
def test_endless_loop_and_huge_allocation_end_in_one_line(tmp_path):
    (tmp_path / "softmax.py").write_text("def softmax(x):\n    while True:\n        pass\n")
    # 8 s of CPU: the child's start (import jax, ~2 s) fits, then the loop spins
    res = exercises.run_file(tmp_path / "softmax.py", time_limit_s=8)
    assert res.exit_code == 1 and "limit" in res.message, res
    (tmp_path / "sigmoid.py").write_text(
        "import numpy as np\ndef sigmoid(x):\n    return np.ones((40_000, 40_000))\n")
    res = exercises.run_file(tmp_path / "sigmoid.py")
    assert res.exit_code == 1, res
    assert (res.report is not None and "MemoryError" in res.report.text()) or (
        "memory" in res.message), res
