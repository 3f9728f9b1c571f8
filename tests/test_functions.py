"""functions: composition, inverse, domain/range, and analysis.

Oracles: closed forms (roots of x³ − 3x + 1 are 2cos(2π/9), 2cos(4π/9), 2cos(8π/9);
numpy.roots agrees), numpy for values.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import functions
from mlmath_jax.errors import UserError


def test_seed_composition_g_of_f_of_4_is_11():
    # Functions, worked example: f(x) = 2x, g(x) = x + 3, (g∘f)(4) = g(8) = 11.
    f = lambda x: 2 * x
    g = lambda x: x + 3
    assert float(functions.compose(g, f)(4.0)) == 11.0
    assert float(functions.compose("x + 3", "2*x")(4.0)) == 11.0
    assert float(functions.compose(f, g)(4.0)) == 14.0          # order matters
    assert float(functions.compose(g, f, lambda x: x - 1)(5.0)) == 11.0


def test_seed_inverse_of_2x_plus_3():
    # f(x) = 2x + 3  ⇒  f⁻¹(y) = (y − 3)/2
    ys = jnp.array([-7.0, 0.0, 3.0, 11.0, 20.5])
    got = functions.inverse("2*x + 3", ys, -100.0, 100.0)
    np.testing.assert_allclose(np.asarray(got), (np.asarray(ys) - 3) / 2, atol=1e-4)
    assert float(functions.inverse(lambda x: 2 * x + 3, 11.0, -10, 10)) == pytest.approx(
        4.0, abs=1e-5)
    f_inv = functions.inverse_function(jnp.exp, -5.0, 5.0)
    assert float(f_inv(math.e)) == pytest.approx(1.0, abs=1e-5)


def test_seed_x_squared_is_not_invertible_on_a_symmetric_interval():
    # f(x) = x² sends −2 and 2 to 4, so it has no inverse on [−2, 2]; on [0, 2] it does.
    with pytest.raises(UserError, match="monotone"):
        functions.inverse("x^2", 4.0, -2.0, 2.0)
    assert float(functions.inverse("x^2", 4.0, 0.0, 2.0)) == pytest.approx(2.0, abs=1e-5)
    assert functions.value_range("x^2", -2.0, 2.0) == pytest.approx((0.0, 4.0))
    with pytest.raises(UserError, match="range"):
        functions.inverse("x^2", 5.0, 0.0, 2.0)


def test_domain_and_range_probing():
    (lo, hi), = functions.domain("sqrt(x)", -1.0, 1.0)
    assert lo == pytest.approx(0.0, abs=1e-3) and hi == 1.0
    pieces = functions.domain("log(x^2 - 1)", -3.0, 3.0)
    assert len(pieces) == 2 and pieces[0][1] < -1.0 < 1.0 < pieces[1][0]
    assert functions.value_range("1/(x - 2)", -5.0, 5.0) == (-math.inf, math.inf)
    lo, hi = functions.value_range("sin(x)", 0.0, 2 * math.pi)
    assert lo == pytest.approx(-1.0, abs=1e-5) and hi == pytest.approx(1.0, abs=1e-5)


def test_analyze_cubic():
    a = functions.analyze("x^3 - 3*x + 1", -3.0, 3.0)
    exact = sorted(2 * math.cos(2 * math.pi * k / 9) for k in (1, 2, 4))
    np.testing.assert_allclose(a.roots, exact, atol=1e-5)
    np.testing.assert_allclose(sorted(a.roots), np.sort(np.roots([1, 0, -3, 1]).real),
                               atol=1e-5)
    assert [(e.kind, round(e.x, 4), round(e.y, 4)) for e in a.extrema] == [
        ("max", -1.0, 3.0), ("min", 1.0, -1.0)]                 # f' = 3x² − 3 = 0
    assert a.increasing == [(-3.0, pytest.approx(-1.0, abs=1e-5)),
                            (pytest.approx(1.0, abs=1e-5), 3.0)]
    assert a.decreasing == [(pytest.approx(-1.0, abs=1e-5), pytest.approx(1.0, abs=1e-5))]
    assert a.vertical_asymptotes == [] and a.horizontal_asymptotes == {"-inf": None,
                                                                       "+inf": None}


def test_analyze_reciprocal_has_asymptotes_with_signs():
    a = functions.analyze(lambda x: 1 / (x - 2), -5.0, 5.0)
    (va,) = a.vertical_asymptotes
    assert va.x == pytest.approx(2.0, abs=1e-3)
    assert (va.left, va.right) == (-1, 1)                   # −∞ from the left, +∞ right
    assert a.horizontal_asymptotes == {"-inf": 0.0, "+inf": 0.0}
    assert a.roots == [] and a.extrema == [] and a.increasing == []
    assert len(a.decreasing) == 2


def test_analyze_even_pole_and_touching_root():
    a = functions.analyze("1/x^2", -3.0, 3.0)
    (va,) = a.vertical_asymptotes
    assert (va.left, va.right) == (1, 1)
    b = functions.analyze("(x - 1)^2", -3.0, 3.0)
    assert b.roots == [pytest.approx(1.0, abs=1e-4)]          # no sign change, still a zero
    c = functions.analyze("tanh(x)", -4.0, 4.0)
    assert c.horizontal_asymptotes == {"-inf": -1.0, "+inf": 1.0}
    assert c.increasing == [(-4.0, 4.0)]


def test_bad_input():
    with pytest.raises(UserError):
        functions.analyze("x + y", -1.0, 1.0)
    with pytest.raises(UserError):
        functions.analyze("x", 1.0, -1.0)
    with pytest.raises(UserError):
        functions.compose()


def test_function_analyzer_config_refuses_bad_expressions():
    from pathlib import Path

    from mlmath_jax.errors import ConfigError
    from mlmath_jax.runner.core import prepare

    cfg = Path(__file__).resolve().parents[1] / "configs" / "function_analyzer_cubic.toml"
    assert prepare(cfg).cfg.function.expression == "x^3 - 3*x + 1"
    with pytest.raises(ConfigError, match="syntax error"):
        prepare(cfg, ['function.expression="x^3 +"'])
    with pytest.raises(ConfigError, match="only the variable x"):
        prepare(cfg, ['function.expression="x*y"'])


def test_extrema_are_polished_to_working_precision():
    a = functions.analyze("x^3 - 3*x + 1", -3, 3)
    xs = sorted(e.x for e in a.extrema)
    assert abs(xs[0] + 1.0) <= 2e-7 and abs(xs[1] - 1.0) <= 2e-7   # float32 ulp near 1


def test_results_are_named_tuples_with_documented_fields():
    a = functions.analyze("1/(x - 1)^2", -3, 3)
    assert isinstance(a, tuple) and a._fields == (
        "roots", "extrema", "increasing", "decreasing", "vertical_asymptotes",
        "horizontal_asymptotes")
    (va,) = a.vertical_asymptotes
    assert isinstance(va, functions.VerticalAsymptote) and va._fields == ("x", "left",
                                                                          "right")
    assert functions.Extremum._fields == ("x", "y", "kind")
    for cls in (functions.Analysis, functions.Extremum, functions.VerticalAsymptote):
        assert "Fields:" in cls.__doc__


def test_issue_15_even_pole_off_the_grid():
    a = functions.analyze("1/(x - 1)^2", -3, 3)
    (va,) = a.vertical_asymptotes
    assert abs(va.x - 1.0) < 1e-5 and (va.left, va.right) == (1, 1)
    assert a.extrema == []                               # no "maximum of 1e30"
    assert a.increasing == [(-3.0, va.x)] and a.decreasing == [(va.x, 3.0)]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=8)
@given(st.floats(-2.0, 2.0).map(lambda c: round(c, 3)), st.sampled_from([1, 2, 3, 4]),
       st.sampled_from([-1.0, 1.0]), st.sampled_from([201, 2001]))
def test_poles_of_any_order_wherever_the_grid_falls(c, order, sign, n):
    a = functions.analyze(f"{sign}/(x - {c})^{order}", -3.1, 2.9, n=n)
    (va,) = a.vertical_asymptotes
    h = 6.0 / (n - 1)
    assert abs(va.x - c) < h
    right = int(sign)
    left = right if order % 2 == 0 else -right
    assert (va.left, va.right) == (left, right)
    assert all(abs(e.y) < 1e6 for e in a.extrema)


def test_a_tall_bump_is_not_a_pole():
    a = functions.analyze("1/((x - 1)^2 + 1e-6)", -3, 3)
    assert a.vertical_asymptotes == []
    (e,) = a.extrema
    assert e.kind == "max" and abs(e.x - 1) < 1e-3


def test_function_analyzer_refuses_undefined_constants():
    from pathlib import Path

    from mlmath_jax.errors import ConfigError
    from mlmath_jax.runner.core import prepare

    cfg = Path(__file__).resolve().parents[1] / "configs" / "function_analyzer_cubic.toml"
    for text, what in [("x + 1/0", "division by zero"), ("x*log(-1)", "log of a negative"),
                       ("x\\n+1", "one line")]:
        with pytest.raises(ConfigError, match=what):
            prepare(cfg, [f'function.expression="{text}"'])
