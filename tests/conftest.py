"""Fixtures shared by the tests (the root conftest.py sets up JAX before this runs)."""

import pytest


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test worker (see tests/browser.py)."""
    from tests.browser import launch

    pw, b = launch()
    yield b
    b.close()
    pw.stop()
