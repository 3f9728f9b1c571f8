"""poly_roots refuses coefficients its dtype cannot hold, and rescales the others exactly."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlmath_jax.errors import ConfigError
from mlmath_jax.runner import prepare

from .helpers import CONFIGS


@given(st.floats(min_value=40, max_value=308), st.booleans())
def test_coefficients_beyond_the_dtype_range_are_one_config_error(exp, big_first):
    coeffs = [10.0 ** exp, 1.0, 3.0] if big_first else [1.0, 10.0 ** exp, 3.0]
    with pytest.raises(ConfigError, match="more than float32 can hold"):
        prepare(CONFIGS / "poly_roots.toml", [f"polynomial.coeffs={coeffs}"])


def test_large_but_representable_ratios_run(tmp_path):
    from mlmath_jax.runner import execute

    prep = prepare(CONFIGS / "poly_roots.toml", ["polynomial.coeffs=[1e30, -3e30, 2e30]"],
                   tour=True)
    out = execute(prep, tmp_path, quiet=True)
    assert out.status == "ok"
    m = out.summary["metrics"]
    assert m["degree"] == 2 and m["real_roots"] == 2       # 1e30 (x − 1)(x − 2)
    assert m["max_distance_to_numpy"] < 1e-4
