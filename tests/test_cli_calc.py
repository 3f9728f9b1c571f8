"""``mlmath calc`` and ``mlmath diff`` (in-process through the CLI's main, as a user runs
them; plus one real subprocess for the exit status)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jax
import pytest

from mlmath_jax import expr
from mlmath_jax.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out.strip(), out.err.strip()


def test_calc_example_prints_7(capsys):
    assert run(capsys, "calc", "3 + 4 * (2 - 1) ^ 2") == (0, "7", "")


@pytest.mark.parametrize("text, printed", [
    ("2^10", "1024"), ("log(8)/log(2)", "3"), ("log(1)", "0"), ("-2^2", "-4"),
    ("0.1 + 0.2", "0.3"), ("sin(pi/6)", "0.5"),
])
def test_calc_seed_values(capsys, text, printed):
    code, out, _ = run(capsys, "calc", "--", text) if text.startswith("-") else \
        run(capsys, "calc", text)
    assert (code, out) == (0, printed)


def test_calc_with_variables(capsys):
    assert run(capsys, "calc", "x^2 + y", "--var", "x=3", "--var", "y=0.5")[:2] == (0, "9.5")


@pytest.mark.parametrize("text, message", [
    ("log(-3)", "log of a negative number"), ("sqrt(-4)", "square root of a negative"),
    ("1/0", "division by zero"), ("log(0)", "log of zero"),
    ("3 + * 4", "syntax error"), ("foo(1)", "known: constants pi, e; functions sin"),
    ("y + 1", "unknown name"), ("(" * 200 + "1" + ")" * 200, "deeper than"),
])
def test_calc_bad_input_exits_2_with_a_message(capsys, text, message):
    code, out, err = run(capsys, "calc", text)
    assert code == 2 and out == ""
    assert message in err
    assert "nan" not in err.split("\n")[0].lower().split() and "Traceback" not in err


def test_calc_syntax_error_is_one_line(capsys):
    code, _, err = run(capsys, "calc", "3 + * 4")
    assert code == 2 and len(err.splitlines()) == 1
    assert "position 5" in err and "3 + * 4" in err


def test_diff_prints_simplified_derivative(capsys):
    code, out, _ = run(capsys, "diff", "x^3 + sin(x*2)")
    assert code == 0
    derivative = out.split("=", 1)[1].strip()
    f = expr.to_function(derivative, "x")
    g = jax.grad(expr.to_function("x^3 + sin(x*2)", "x"))
    for x in (-1.0, 0.3, 2.0):
        assert float(f(x)) == pytest.approx(float(g(x)), rel=1e-5)
    assert "0*" not in derivative and "1*" not in derivative


def test_diff_at_point_shows_both_values(capsys):
    code, out, _ = run(capsys, "diff", "x^3 + sin(x*2)", "--at", "x=1.5")
    assert code == 0
    line = out.splitlines()[-1]
    words = line.split()
    symbolic = float(words[words.index("symbolic") + 1])
    auto = float(words[words.index("jax.grad") + 1])
    import math
    exact = 3 * 1.5 ** 2 + 2 * math.cos(3.0)
    assert symbolic == pytest.approx(exact, rel=1e-9) and auto == pytest.approx(exact,
                                                                                rel=1e-9)


def test_diff_bad_input(capsys):
    assert run(capsys, "diff", "x +")[0] == 2
    assert run(capsys, "diff", "x*y", "--at", "x=1")[0] == 2          # y has no value
    assert run(capsys, "diff", "a*b")[0] == 2                         # which variable?


def test_exit_status_in_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "mlmath_jax", "calc",
                           "sqrt(-1)"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "square root of a negative" in proc.stderr


# ------------------------------------------------------------------ diff: the new paths

def test_diff_prints_the_expression_in_parentheses(capsys):
    code, out, _ = run(capsys, "diff", "x^3 + sin(x*2)")
    assert code == 0 and out.startswith("d/dx (x^3 + sin(x*2)) = ")


def test_diff_steps_is_a_numbered_derivation(capsys):
    code, out, _ = run(capsys, "diff", "x^2*sin(x)", "--steps", "--at", "x=1")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("1. product rule: d/dx (x^2*sin(x)) = ")
    assert lines[3] == "4. result: d/dx (x^2*sin(x)) = 2*x*sin(x) + x^2*cos(x)"
    assert "symbolic" in lines[4]


def test_diff_partial_with_wrt_and_several_at(capsys):
    code, out, _ = run(capsys, "diff", "x^2*y + y^3", "--wrt", "y", "--at", "x=1,y=2")
    assert code == 0 and out.splitlines()[0] == "d/dy (x^2*y + y^3) = x^2 + 3*y^2"
    words = out.splitlines()[1].split()
    assert float(words[words.index("symbolic") + 1]) == 13.0
    code, out, _ = run(capsys, "diff", "x*y", "--var", "y", "--at", "x=3", "--at", "y=1")
    assert code == 0 and "symbolic 3" in out


@pytest.mark.parametrize("text, at, left, right", [
    ("abs(x)", "x=0", "-1", "1"),
    ("abs(x - 1)*2 + x", "x=1", "-1", "3"),
    ("sqrt(x)", "x=0", "undefined", "+inf"),
    ("floor(x)", "x=2", "+inf", "0"),
])
def test_diff_at_a_kink_says_not_differentiable(capsys, text, at, left, right):
    code, out, err = run(capsys, "diff", text, "--at", at)
    line = out.splitlines()[-1]
    assert code == 0 and err == ""
    assert "not differentiable" in line and "jax.grad" not in line
    assert f"left derivative {left}" in line and f"right derivative {right}" in line


def test_diff_smooth_through_abs_is_compared(capsys):
    code, out, _ = run(capsys, "diff", "abs(x)^2", "--at", "x=0")
    assert code == 0 and "symbolic 0" in out and "jax.grad 0" in out


def test_diff_issue_15_example_now_agrees(capsys):
    code, out, _ = run(capsys, "diff", "(2*x)^4", "--at", "x=1")
    assert code == 0 and "d/dx ((2*x)^4) = 64*x^3" in out and "symbolic 64" in out


def test_diff_disagreement_is_a_failure_exit_1(capsys, monkeypatch):
    real = expr.diff
    monkeypatch.setattr(expr, "diff", lambda t, v="x", **k: expr.simplify(
        expr.BinOp("*", expr.Num(0.25), real(t, v))))
    code, out, err = run(capsys, "diff", "(2*x)^4", "--at", "x=1")
    assert code == 1 and "disagree" in err and len(err.splitlines()) == 1
    assert "symbolic" not in out


@pytest.mark.parametrize("argv", [
    ["diff", "(x^2)^1e308"], ["diff", "x + 1/0"], ["calc", "x\n+1"],
    ["diff", "x", "--at", "x=1\n"], ["diff", "5!"], ["calc", "2 % 0"],
])
def test_issue_14_inputs_exit_0_or_2_in_one_line(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert len(err.splitlines()) == 1


def test_calc_help_lists_every_function_of_the_table(capsys):
    with pytest.raises(SystemExit):
        main(["calc", "--help"])
    out = capsys.readouterr().out
    for name in expr.FUNCTIONS:
        assert f"  {name}(" in out
    assert "% (modulo" in out and "n! (factorial)" in out
    for line in out.splitlines():       # each signature once: "atan2(y, x): the angle …"
        sig, _, text = line.strip().partition(": ")
        if "(" in sig and text:
            assert sig.split(" or ")[0] not in text, line


def test_diff_kink_in_a_real_process():
    from tests.helpers import mlmath

    proc = mlmath("diff", "abs(x)", "--at", "x=0", timeout=120)
    assert proc.returncode == 0 and "not differentiable" in proc.stdout
