"""Every tutorial notebook (notebooks/*.md, jupytext MyST) executes in a fresh kernel of
this interpreter: a cell that raises fails here, and the numbers the text quotes are
``assert`` cells inside the notebooks. The executed ``.ipynb`` files are written to
``notebooks/_build/``, where tests/test_docs.py (same xdist group, same worker) reads them
instead of executing the notebooks a second time."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.xdist_group("docs"), pytest.mark.slow]

CHAPTERS = ["algebra", "exponents", "trigonometry", "linear_algebra", "calculus",
            "probability", "optimization", "neural_networks"]


def site():
    """docs/site.py, loaded once per process."""
    if "mlmath_docs_site" not in sys.modules:
        spec = importlib.util.spec_from_file_location("mlmath_docs_site",
                                                      ROOT / "docs" / "site.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["mlmath_docs_site"] = module
        spec.loader.exec_module(module)
    return sys.modules["mlmath_docs_site"]


NAMES = [p.stem for p in site().sources()]


@functools.cache
def executed(name: str) -> tuple[float, str | None]:
    """Execute one notebook once per test process: (seconds, error or None)."""
    return site().execute(ROOT / "notebooks" / f"{name}.md")


def _kernels_left() -> list[int]:
    """Process ids of ipykernels still running as children of this process (Linux)."""
    me, left = str(os.getpid()), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = stat.read_text().rsplit(")", 1)[1].split()[1]
            cmd = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if ppid == me and b"ipykernel_launcher" in cmd:
            left.append(int(stat.parent.name))
    return left


def test_one_notebook_per_chapter():
    for chapter in CHAPTERS:
        assert any(chapter in n for n in NAMES), f"no notebook for {chapter}: {NAMES}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name):
    import nbformat

    seconds, error = executed(name)
    assert error is None, error
    print(f"{name}: executed in {seconds:.1f} s")  # reported, never asserted
    assert _kernels_left() == [], "the notebook's kernel was not shut down"
    nb = nbformat.read(site().EXECUTED / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    sources = "\n".join(c.source for c in code)
    # what the issue asks every tutorial to hold
    assert sources.count("assert ") >= 5, "the quoted numbers are asserted"
    assert "jax.grad" in sources or "jax.jacfwd" in sources, "manual beside jax.grad"
    assert "jax.jit" in sources and "jax.vmap" in sources, "a cell that jits and vmaps"
    assert "exercises.by_chapter()" in sources and "exercises.check(" in sources
    outputs = [o for c in code for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "a figure inline"
    assert not any(o.output_type == "error" for o in outputs)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$" in markdown, "the text states its equations"
