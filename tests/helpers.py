"""Shared test helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"


def shared_data(*parts: str) -> Path | None:
    """A file under the shared data folder beside the checkout, or None when absent."""
    env = os.environ.get("MLMATH_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared" / "data", Path("/work/shared/data")]
    for base in candidates:
        p = base.joinpath(*parts)
        if p.exists():
            return p
    return None


def mlmath(*args: str, cwd: Path | None = None, timeout: float = 300, **kw):
    """Run ``python -m mlmath_jax ARGS`` in a subprocess; returns CompletedProcess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "mlmath_jax", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env, **kw)


def tol(dtype) -> dict:
    """Tolerances for exact formulas at a dtype, as ``assert_allclose`` keyword arguments
    (docs/CONVENTIONS.md §5): float32 rtol 1e-5 / atol 1e-6, float64 rtol 1e-10 / atol 1e-12.
    Iterative methods loosen these explicitly, with the reason beside the test."""
    import numpy as np

    if np.dtype(dtype) == np.float64:
        return {"rtol": 1e-10, "atol": 1e-12}
    return {"rtol": 1e-5, "atol": 1e-6}
