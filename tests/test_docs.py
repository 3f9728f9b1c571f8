"""The documentation site: built with warnings as errors, with an API reference that holds
every public function of every module, the chapter pages listing their exercises, and
pages that render offline in headless Chromium (no console error, no request leaving the
machine, MathML drawn with a size, images loaded).

The notebooks are executed by tests/test_notebooks.py (same xdist group, so the same
worker); the build reads those executed files (myst-nb ``nb_execution_mode = "off"``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import time
from pathlib import Path

import pytest

from tests.browser import image_problems, math_problems, open_page
from tests.test_notebooks import NAMES, executed, site

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.xdist_group("docs"), pytest.mark.slow]

#: chapter page -> the exercise chapters it lists
CHAPTER_PAGES = {
    "algebra_functions": ["algebra & functions", "exponents & logs", "trigonometry"],
    "linalg": ["linear algebra"],
    "calculus": ["calculus"],
    "probability": ["probability"],
    "optimization": ["optimization"],
    "neural_networks": ["neural networks"],
}
CONCEPT_MODULES = ["algebra", "expr", "functions", "explog", "trig", "linalg", "calculus",
                   "probability", "probability.normal", "losses", "optim", "schedules", "nn",
                   "models.pca", "models.pagerank", "models.linear", "surfaces", "metrics",
                   "data", "train", "registry", "exercises"]


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    for name in NAMES:  # reuse test_notebooks' executions when they ran first
        seconds, error = executed(name)
        assert error is None, f"{name} failed:\n{error}"
    out = tmp_path_factory.mktemp("html")
    start = time.perf_counter()
    proc = site().build(out, fresh=True)
    print(f"docs build: {time.perf_counter() - start:.1f} s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    return out


def _public_functions():
    """(module, name, object) for every public function of every public module, found
    here independently of the site's generator: ``__all__`` where a module has one, else
    the functions defined in it."""
    pkg = importlib.import_module("mlmath_jax")
    mods = ["mlmath_jax"] + [i.name for i in pkgutil.walk_packages(pkg.__path__, "mlmath_jax.")
                             if not any(p.startswith("_") for p in i.name.split("."))]
    for modname in mods:
        mod = importlib.import_module(modname)
        names = getattr(mod, "__all__", None)
        if names is None:
            names = [n for n, o in vars(mod).items() if not n.startswith("_")
                     and inspect.isfunction(o) and o.__module__ == modname]
        for n in names:
            obj = getattr(mod, n, None)
            if inspect.isfunction(obj):
                yield modname, n, obj


def test_build_without_warnings_and_offline(html):
    index = (html / "index.html").read_text()
    for chapter in CHAPTER_PAGES:
        assert f'href="{chapter}.html"' in index
    for page in ("CONVENTIONS", "errors", "exercises", "tour", "api/index"):
        assert (html / f"{page}.html").exists()
    for name in NAMES:
        assert (html / "notebooks" / f"{name}.html").exists()
    for page in html.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r"""<(script|link)[^>]+(src|href)=["']https?:""", text), page
        assert not re.search(r"<script[^>]*mathjax|MathJax\s*=", text, re.I), page


def test_every_public_function_is_in_the_api_reference(html):
    ids = set()
    for page in (html / "api").glob("*.html"):
        ids.update(re.findall(r'<dt class="sig sig-object py" id="([^"]+)"', page.read_text()))
    for name in CONCEPT_MODULES:
        assert (html / "api" / f"mlmath_jax.{name}.html").exists(), name
    missing = [f"{m}.{n}" for m, n, obj in _public_functions()
               if f"{m}.{n}" not in ids and f"{obj.__module__}.{n}" not in ids]
    assert not missing, f"not in the API reference: {missing}"
    assert len(ids) > 200


def test_chapter_pages_list_their_exercises(html):
    from mlmath_jax import exercises

    groups = exercises.by_chapter()
    for page, chapters in CHAPTER_PAGES.items():
        text = (html / f"{page}.html").read_text()
        for chapter in chapters:
            for ex in groups[chapter]:
                assert f"{ex.name}(" in text, f"{page}.html lacks exercise {ex.name}"


def test_notebook_pages_show_outputs(html):
    for name in NAMES:
        text = (html / "notebooks" / f"{name}.html").read_text()
        assert "cell_output" in text and "<img" in text and "<math" in text, name


@pytest.mark.parametrize("page", ["index.html", "notebooks/{first}.html",
                                  "api/mlmath_jax.explog.html", "calculus.html"])
def test_pages_render_offline(html, browser, page):
    path = html / page.format(first=NAMES[0])
    with open_page(browser, path) as p:
        assert p.errors == []
        assert p.external_requests == []
        assert image_problems(p) == []
        assert math_problems(p) == []
        if "api/" not in page:
            assert p.evaluate("document.querySelectorAll('math').length") > 0
        if "notebooks/" in page:
            assert p.evaluate("document.images.length") > 0
