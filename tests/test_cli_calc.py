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
