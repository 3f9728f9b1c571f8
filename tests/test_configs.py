"""The tour: every config in configs/ runs with its [tour] budget and ends as it expects,
and every page it writes (the index and each lesson) passes a real browser's checks.

The tour runs once per test session (the tests share the ``tour`` xdist group, so one
worker runs them all; the fixture is session-scoped because that worker may interleave
other modules' tests, which would tear a module-scoped fixture down).
"""

from __future__ import annotations

import json
import re

import pytest

from mlmath_jax.runner import find_configs, run_tour

from .browser import image_problems, math_problems, open_page, overflowing
from .helpers import CONFIGS

ALL = find_configs(CONFIGS)
pytestmark = pytest.mark.xdist_group("tour")


@pytest.fixture(scope="session")
def tour(tmp_path_factory):
    tour_dir, rows, _ = run_tour(CONFIGS, tmp_path_factory.mktemp("tour"), quiet=True)
    return tour_dir, {r["config"]: r for r in rows}


def test_there_are_configs():
    assert len(ALL) >= 6


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_config_smoke(path, tour):
    tour_dir, rows = tour
    row = rows[path.name]
    assert row["status"] == row["expected"], row.get("description")
    summary = json.loads((tour_dir / row["run_dir"] / "summary.json").read_text())
    assert summary["status"] == row["expected"]
    assert summary["description"], f"{path.name} has no description"
    if row["expected"] == "ok":
        assert summary["metrics"], "an experiment returns its final metrics"
        assert summary["figures"], "an experiment draws at least one figure"


_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_report_reads_as_text(path, tour):
    tour_dir, rows = tour
    page = (tour_dir / rows[path.name]["run_dir"] / "report.html").read_text(encoding="utf-8")
    assert not _ESCAPE.search(page), "a JSON escape is shown to the reader"
    assert "None" not in re.sub(r"<[^>]+>", " ", page).split(), "a field that does not apply"
    assert "A tour run" in page or not rows[path.name].get("tour"), "no tour banner"


def test_index_and_reports_in_a_browser(tour, browser):
    tour_dir, rows = tour
    with open_page(browser, tour_dir / "index.html") as page:
        links = page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.href)")
        assert sum(h.endswith("/report.html") for h in links) >= len(rows)
        assert image_problems(page) == []
        assert overflowing(page, "td") == []
        assert page.errors == [] and page.external_requests == []
        page.screenshot(path=str(tour_dir / "index.png"), full_page=True)
    for row in rows.values():
        with open_page(browser, tour_dir / row["run_dir"] / "report.html") as page:
            where = row["config"]
            assert page.errors == [], where
            assert page.external_requests == [], where
            assert image_problems(page) == [], where
            assert math_problems(page) == [], where
