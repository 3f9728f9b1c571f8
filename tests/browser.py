"""A real browser for the page tests: Debian's headless Chromium driven by Playwright.

Every page a learner sees (lessons, the tour's index, explorers, the documentation site)
is opened here and checked like the numbers. ``.ci/run`` installs Chromium when it is
missing, so in CI (``CI`` set) a missing browser fails the test instead of skipping it.

Use::

    from tests.browser import open_page

    def test_page(browser):              # the session fixture from tests/conftest.py
        with open_page(browser, path) as page:
            ...                          # page.errors, page.external_requests
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch():
    """Start Playwright and Chromium; returns (playwright, browser). Skips outside CI when
    no browser or no Playwright is installed; fails in CI."""
    exe = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the dev extra
        exe = None
    if exe is None:
        msg = "headless Chromium + Playwright are needed for the page tests (.ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
    return pw, browser


@dataclass
class Page:
    """A loaded page with what it reported: console errors, uncaught exceptions, and every
    request that left the file system (anything but ``file:``, ``data:``, ``blob:``)."""

    page: object
    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.page, name)


@contextlib.contextmanager
def open_page(browser, path: str | Path, *, width: int = 1280, height: int = 900):
    """Open ``path`` (a local HTML file) in a fresh context; yields a :class:`Page`."""
    context = browser.new_context(viewport={"width": width, "height": height})
    raw = context.new_page()
    page = Page(raw)
    raw.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    raw.on("pageerror", lambda e: page.errors.append(str(e)))

    def on_request(req):
        if not req.url.startswith(("file:", "data:", "blob:", "about:")):
            page.external_requests.append(req.url)

    raw.on("request", on_request)
    raw.goto(Path(path).resolve().as_uri())
    raw.wait_for_load_state("load")
    try:
        yield page
    finally:
        context.close()


def image_problems(page) -> list[str]:
    """Images on the page that did not load or have zero size."""
    return page.evaluate("""() => [...document.images]
        .filter(i => !i.complete || i.naturalWidth === 0 || i.getBoundingClientRect().width === 0)
        .map(i => i.getAttribute('src').slice(0, 60))""")


def math_problems(page) -> list[str]:
    """``<math>`` elements that the browser drew with zero width or height."""
    return page.evaluate("""() => [...document.querySelectorAll('math')]
        .filter(m => { const r = m.getBoundingClientRect();
                        return r.width === 0 || r.height === 0; })
        .map(m => m.textContent.slice(0, 60))""")


def overflowing(page, selector: str) -> list[str]:
    """Elements matching ``selector`` whose content overflows their box horizontally."""
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.slice(0, 60))""", selector)
