"""Configs generated from every experiment's SCHEMA: each is refused with one ConfigError
line before anything exists on disk, or accepted with values inside the schema.

Values are drawn per key from the key's own field (valid values, values just outside its
bounds, extreme integers and floats, wrong types, nested garbage), plus unknown keys and
``--set`` texts. The default profile draws a few examples per experiment; run
``pytest tests/test_fuzz_configs.py --hypothesis-profile=thorough`` for the long run.
"""

from __future__ import annotations

import math
import string
from collections import Counter

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mlmath_jax.errors import ConfigError
from mlmath_jax.runner import prepare_raw
from mlmath_jax.runner import schema as S
from mlmath_jax.runner.core import list_experiments, load_experiment, parse_set

EXPERIMENTS = list_experiments()
COUNTS: Counter = Counter()  # (class of input, outcome) -> generated inputs; printed at the end
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
            HealthCheck.data_too_large]

extreme_ints = st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, 2**63, 10**12, 10**300, -(10**20)])
extreme_floats = st.sampled_from([0.0, -0.0, 1e-308, 5e-324, 1e308, -1e308, math.inf,
                                  -math.inf, math.nan, 1e300])
garbage = st.recursive(
    st.one_of(st.booleans(), st.integers(), st.floats(), st.text(max_size=8), extreme_ints),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(string.ascii_lowercase, min_size=1,
                                                    max_size=4), inner, max_size=3)),
    max_leaves=8)


def deep(depth: int):
    v: object = 1
    for _ in range(depth):
        v = [v]
    return v


def field_values(spec, tmp):
    """A strategy of values for one schema field: valid, edge, extreme and wrong."""
    if isinstance(spec, S.Int):
        lo = -(2**40) if spec.min is None else spec.min
        hi = spec.upper
        valid = st.integers(lo, min(hi, lo + 10**6))
        edge = st.sampled_from([lo - 1, hi + 1, hi, lo])
        return st.one_of(valid, edge, extreme_ints, garbage)
    if isinstance(spec, S.Float):
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), extreme_floats,
                         extreme_ints, garbage)
    if isinstance(spec, S.Bool):
        return st.one_of(st.booleans(), st.sampled_from([0, 1, "true"]), garbage)
    if isinstance(spec, S.Str):
        choices = list(spec.choices or ()) or ["x"]
        return st.one_of(st.sampled_from(choices), st.text(max_size=12), garbage)
    if isinstance(spec, S.Path):
        return st.one_of(st.sampled_from([str(tmp / "file.csv"), str(tmp), str(tmp / "nope"),
                                          "", "a\x00b", "x" * 5000, "~/nothing/here",
                                          "~nosuchuser/x", "a/" + "y" * 300]),
                         garbage)
    if isinstance(spec, S.List):
        return st.one_of(st.lists(field_values(spec.item, tmp), max_size=6),
                         st.just(deep(300)), garbage)
    return garbage


def table_values(schema: dict, tmp, depth: int = 0):
    """A strategy of raw tables following ``schema`` loosely: a random subset of its keys,
    sometimes an unknown key, sometimes a table where a value belongs or the reverse."""
    parts = {}
    for key, spec in schema.items():
        if isinstance(spec, dict):
            parts[key] = st.one_of(table_values(spec, tmp, depth + 1), garbage)
        else:
            parts[key] = field_values(spec, tmp)
    keys = sorted(parts)

    @st.composite
    def build(draw):
        chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=4)) if keys else []
        out = {k: draw(parts[k]) for k in chosen}
        if draw(st.integers(0, 9)) == 0:
            out[draw(st.text(string.ascii_lowercase, min_size=1, max_size=6))] = draw(garbage)
        return out

    return build()


def check_outcome(raw: dict, sets: list[str], tmp, out_root, kind: str = "schema") -> str:
    """Prepare; assert the refusal is one ConfigError line and nothing was made."""
    try:
        prep = prepare_raw(raw, tmp / "fuzz.toml", sets)
    except ConfigError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg, msg
        assert len(msg) < 1200, msg[:200]
        assert not out_root.exists()
        event("refused")
        COUNTS[kind, "refused"] += 1
        return "refused"
    assert prep.cfg.experiment == raw["experiment"]
    assert not out_root.exists()
    event("accepted")
    COUNTS[kind, "accepted"] += 1
    return "accepted"


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print("\ngenerated inputs:", ", ".join(f"{k} {o}: {n}" for (k, o), n in
                                           sorted(COUNTS.items())))


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    (d / "file.csv").write_text("a,b\n1,2\n")
    return d


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_generated_configs_are_refused_in_one_line_or_accepted(name, tmp, tmp_path):
    module = load_experiment(name)
    schema = {k: v for k, v in S.TOP_LEVEL.items() if k != "experiment"} | module.SCHEMA

    @settings(suppress_health_check=SUPPRESS, max_examples=max(2, settings().max_examples // 8))
    @given(table_values(schema, tmp))
    def run(raw):
        check_outcome({"experiment": name, **raw}, [], tmp, tmp_path / "runs")

    run()


def set_texts(schema: dict):
    keys = [r[0] for r in S.describe(schema)]
    value = st.one_of(st.text(max_size=20), st.sampled_from(
        ["1", "1e400", "-0", "nan", "inf", "[1, 2", "true", "'x'", "1\n[x]", "9" * 5000,
         "[" * 600 + "]" * 600, "{a = 1}", '"~"', "0x10"]))
    key = st.one_of(st.sampled_from(keys), st.sampled_from(["experiment", "", ".", "a..b"]),
                    st.text(max_size=6))
    return st.lists(st.builds(lambda k, v: f"{k}={v}", key, value), max_size=3)


@pytest.mark.parametrize("name", ["gradient_descent", "gd_variants", "monte_carlo_pi",
                                  "linear_regression"])
def test_generated_set_overrides_are_refused_in_one_line_or_accepted(name, tmp, tmp_path):
    schema = load_experiment(name).SCHEMA

    @settings(suppress_health_check=SUPPRESS, max_examples=max(2, settings().max_examples // 2))
    @given(set_texts(schema))
    def run(sets):
        check_outcome({"experiment": name}, sets, tmp, tmp_path / "runs", kind="--set")

    run()


def test_set_without_equals_and_experiment_override_are_refused():
    for bad in (["train.steps"], ["experiment=pagerank"], ["a.b=1\n[x]"]):
        with pytest.raises(ConfigError):
            parse_set(bad)
