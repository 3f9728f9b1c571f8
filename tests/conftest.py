"""Fixtures shared by the tests (the root conftest.py sets up JAX before this runs)."""

import pytest

# A helper script the distributed test starts as a subprocess, not a test module (it reads
# its arguments at import).
collect_ignore = ["_distributed_worker.py"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep ``--dist loadgroup`` grouping on pytest 9.

    pytest-xdist (3.8) names a test's group by assigning ``item._nodeid``, which pytest 9
    no longer reads (a node's id lives in ``item._id``), so every ``xdist_group`` mark was
    ignored: the tour and the notebook executions and docs build each ran on both workers,
    twice. Where xdist's suffix is missing, this adds it the way xdist means to."""
    if not (hasattr(config, "workerinput") and config.getvalue("loadgroup")):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test worker (see tests/browser.py)."""
    from tests.browser import launch

    pw, b = launch()
    yield b
    b.close()
    pw.stop()
