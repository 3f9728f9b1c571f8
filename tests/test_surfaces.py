"""mlmath_jax.surfaces: every manual gradient against jax.grad on generated points (and
Rosenbrock against scipy.optimize.rosen / rosen_der), every listed minimizer a stationary
point with the listed value and a positive semi-definite Hessian, and the experiments
taking their surfaces from the library."""

import ast
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen, rosen_der

from mlmath_jax import registry, surfaces
from mlmath_jax.surfaces import SURFACES

coord = st.floats(-3.0, 3.0, allow_nan=False)


@pytest.mark.parametrize("name", sorted(SURFACES))
@settings(max_examples=20, deadline=None)
@given(x=coord, y=coord)
def test_manual_gradient_matches_jax_grad(name, x, y):
    s = SURFACES[name]
    dim = len(s.minima[0]) if s.minima else 2
    with jax.enable_x64(True):
        p = jnp.array([x, y][:dim])
        np.testing.assert_allclose(s.grad(p), jax.grad(s.fn)(p), rtol=1e-10, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(x=coord, y=coord)
def test_rosenbrock_against_scipy(x, y):
    with jax.enable_x64(True):
        p = jnp.array([x, y])
        assert float(surfaces.rosenbrock(p)) == pytest.approx(rosen(np.array([x, y])),
                                                              rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(surfaces.rosenbrock_grad(p), rosen_der(np.array([x, y])),
                                   rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("name", [n for n, s in SURFACES.items() if s.minima])
def test_listed_minima_are_minima(name):
    s = SURFACES[name]
    with jax.enable_x64(True):
        for m in s.minima:
            p = jnp.asarray(m, jnp.float64)
            # Himmelblau's three irrational minima are listed to 6 decimals.
            assert float(s.fn(p)) == pytest.approx(s.minimum, abs=1e-9)
            assert float(jnp.linalg.norm(s.grad(p))) < 1e-4
            assert float(jnp.min(jnp.linalg.eigvalsh(jax.hessian(s.fn)(p)))) > -1e-8


def test_saddles_are_saddles_and_grids_evaluate_like_points():
    with jax.enable_x64(True):
        for f in (surfaces.saddle, surfaces.double_well_saddle):
            H = jax.hessian(f)(jnp.zeros(2))
            w = jnp.linalg.eigvalsh(H)
            assert float(w[0]) < 0 < float(w[-1])
    X, Y = np.meshgrid(np.linspace(-2, 2, 4), np.linspace(-1, 3, 3))
    for s in SURFACES.values():
        if s.minima and len(s.minima[0]) == 1:
            continue
        grid = s.fn(np.stack([X, Y]))
        pts = np.array([[float(s.fn(np.array([a, b]))) for a, b in zip(rx, ry, strict=True)]
                        for rx, ry in zip(X, Y, strict=True)])
        np.testing.assert_allclose(grid, pts, rtol=1e-12)


def test_every_surface_is_registered():
    # (test_gradcheck runs every registered entry through gradcheck in both dtypes.)
    entries = registry.entries("surfaces.*", load=False)
    assert {e.name for e in entries} == {f"surfaces.{n}" for n in SURFACES}
    for e in entries:
        assert e.fn is SURFACES[e.name.split(".", 1)[1]].fn
        (p,) = e.sample(jax.random.key(0), jnp.float32)
        assert e.manual(p).shape == p.shape


def test_experiments_import_surfaces_from_the_library_only():
    root = Path(__file__).resolve().parents[1] / "experiments"
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "experiments."):
                pytest.fail(f"{path.name} imports from {node.module}")
            if isinstance(node, ast.FunctionDef):
                assert node.name not in {"bowl", "rosenbrock", "beale", "himmelblau",
                                         "saddle", "double_well_saddle"}, path.name
