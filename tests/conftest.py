"""Fixtures shared by the tests (the root conftest.py sets up JAX before this runs)."""

import pytest

# A helper script the distributed test starts as a subprocess, not a test module (it reads
# its arguments at import).
collect_ignore = ["_distributed_worker.py"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test worker (see tests/browser.py)."""
    from tests.browser import launch

    pw, b = launch()
    yield b
    b.close()
    pw.stop()
