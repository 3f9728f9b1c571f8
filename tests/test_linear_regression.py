"""Linear regression: three solutions agree; the manual gradient equals jax.grad."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import data
from mlmath_jax.models import linear
from mlmath_jax.runner import execute, prepare

from .helpers import CONFIGS


@pytest.mark.parametrize("dtype,tol", [(jnp.float32, 1e-5), (jnp.float64, 1e-12)])
def test_manual_gradient_equals_autodiff(dtype, tol):
    with jax.enable_x64(dtype == jnp.float64):
        k1, k2, k3 = jax.random.split(jax.random.key(0), 3)
        X = jax.random.normal(k1, (30, 4), dtype)
        y = jax.random.normal(k2, (30,), dtype)
        w = jax.random.normal(k3, (4,), dtype)
        g = linear.mse_loss_grad(w, X, y)
        np.testing.assert_allclose(g, jax.grad(linear.mse_loss)(w, X, y), rtol=tol * 10,
                                   atol=tol)


def test_normal_equation_and_lstsq_match_numpy():
    with jax.enable_x64(True):
        X, y, w_true = data.make_regression(jax.random.key(0), 100, 4, noise=0.01)
        Xb = jnp.asarray(data.add_bias_column(X))
        ref = np.linalg.lstsq(np.asarray(Xb), y, rcond=None)[0]
        np.testing.assert_allclose(linear.normal_equation(Xb, jnp.asarray(y)), ref, rtol=1e-10)
        np.testing.assert_allclose(linear.least_squares(Xb, jnp.asarray(y)), ref, rtol=1e-10)
        np.testing.assert_allclose(ref, w_true, atol=0.01)


@pytest.mark.parametrize("config", ["linear_regression.toml", "linear_regression_diabetes.toml"])
def test_three_methods_agree_within_1e_3(config, tmp_path):
    out = execute(prepare(CONFIGS / config), tmp_path, quiet=True)
    m = out.summary["metrics"]
    assert out.status == "ok"
    assert m["weights_max_abs_diff"] < 1e-3
    assert m["manual_grad_rel_err"] < 1e-5
