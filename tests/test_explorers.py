"""The explorers in a real browser (headless Chromium, tests/browser.py): each page loads
offline without console errors or outside requests, every control changes what is drawn,
and the numbers the page shows equal the library's and the references' (numpy,
jnp.linalg, train.fit) for the control positions hypothesis picks.

Pages are written straight from the explorer functions (small sizes), not by a tour."""

from __future__ import annotations

import math
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax import explorers, optim, train
from mlmath_jax.errors import Diverged, UserError
from tests.browser import open_page

GD_STEPS = 40
FOURIER_POINTS = 256


def bowl(p):
    return p[0] ** 2 + 5.0 * p[1] ** 2


def rosenbrock(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    d = tmp_path_factory.mktemp("explorers")
    made = {
        "gd": explorers.gradient_descent(bowl, jnp.array([-4.0, 2.0]), ((-5, 5), (-3, 3)),
                                         steps=GD_STEPS, lr=0.05),
        "matrix": explorers.transformation(),
        "power": explorers.power_iteration(jnp.array([[2.0, 1.0], [1.0, 2.0]]), steps=25),
        "fourier": explorers.fourier_series(max_terms=40, points=FOURIER_POINTS),
    }
    out = {}
    for name, page in made.items():
        out[name] = d / f"{name}.html"
        out[name].write_text(page, encoding="utf-8")
    return out


def set_range(page, selector: str, value: int) -> None:
    page.evaluate("""([sel, v]) => { const e = document.querySelector(sel); e.value = v;
                     e.dispatchEvent(new Event('input')); }""", [selector, value])


def readout(page) -> str:
    return page.evaluate("() => document.getElementById('readout').textContent")


def number_after(text: str, label: str) -> float:
    m = re.search(re.escape(label) + r"\s*=?\s*(−?-?[0-9.]+(?:e[-+]?[0-9]+)?)", text)
    assert m, (label, text)
    return float(m.group(1).replace("−", "-"))


def state(page) -> dict:
    return page.evaluate("() => window.explorer")


@pytest.mark.parametrize("name", ["gd", "matrix", "power", "fourier"])
def test_page_loads_offline_without_errors(browser, pages, name):
    with open_page(browser, pages[name]) as page:
        page.wait_for_timeout(100)
        assert page.errors == []
        assert page.external_requests == []
        assert state(page) is not None
        assert page.locator("canvas").count() >= 1
    text = pages[name].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)   # nothing to fetch


def test_gradient_descent_slider_and_final_losses_match_fit(browser, pages):
    with open_page(browser, pages["gd"]) as page:
        before = state(page)
        canvas = page.locator("#surface").screenshot()
        page.focus("#lr")
        page.keyboard.press("ArrowLeft")              # a learner's move of the slider
        after = state(page)
        assert after["index"] == before["index"] - 1 and after["lr"] < before["lr"]
        assert after["path"] != before["path"] and after["losses"] != before["losses"]
        assert page.locator("#surface").screenshot() != canvas
        # 2/L with L the largest Hessian eigenvalue of x² + 5y² (10), via numpy
        L = np.max(np.linalg.eigvalsh(np.diag([2.0, 10.0])))
        assert math.isclose(after["threshold"], 2.0 / L, rel_tol=1e-6)
        assert number_after(readout(page), "2/L") == pytest.approx(2.0 / L, rel=1e-4)
        n = int(page.get_attribute("#lr", "max")) + 1

        @settings(max_examples=6)
        @given(st.integers(0, n - 1))
        def check(i):
            set_range(page, "#lr", i)
            s = state(page)
            shown = readout(page)
            lr = number_after(shown, "α")
            assert lr == pytest.approx(s["lr"], rel=1e-4)
            try:
                ref = train.fit(bowl, jnp.array([-4.0, 2.0]), optim.sgd(s["lr"]),
                                steps=GD_STEPS, log_every=GD_STEPS)
            except Diverged:
                assert "diverged" in shown
                return
            final = float(ref.losses[-1])
            # float32, 40 steps of the same update; paths past 2/L grow ~2.2× a step, so
            # rounding differences grow with them: relative 1e-4, absolute 1e-6.
            assert s["final_loss"] == pytest.approx(final, rel=1e-4, abs=1e-6)
            text = shown.split("steps:")[1].strip()
            assert float(text) == pytest.approx(final, rel=1e-4, abs=1e-6)
            assert (s["lr"] < s["threshold"]) == (final < float(ref.losses[0]))

        check()


def test_gradient_descent_rosenbrock_and_momentum_threshold():
    page = explorers.gradient_descent(rosenbrock, jnp.array([-1.5, 2.0]),
                                      ((-2, 2), (-1, 3)), steps=10, momentum=0.9,
                                      hessian_at=jnp.array([1.0, 1.0]), log_levels=True)
    H = np.array([[802.0, -400.0], [-400.0, 200.0]])          # ∇²f at (1, 1)
    assert f"2(1+μ)/L = {2 * 1.9 / np.max(np.linalg.eigvalsh(H)):.4g}" in page
    with pytest.raises(UserError, match="1-D or 2-D start"):
        explorers.gradient_descent(lambda p: p[0] ** 2, jnp.zeros(3), (-1, 1))


def test_transformation_shows_the_library_det_and_eigenpairs(browser, pages):
    with open_page(browser, pages["matrix"]) as page:
        values = page.evaluate("() => DATA.values")
        n = len(values)

        @settings(max_examples=12)
        @given(st.lists(st.integers(0, n - 1), min_size=4, max_size=4))
        def check(ix):
            before = state(page)
            for k, i in enumerate(ix):
                set_range(page, f"#m{k}", i)
            s = state(page)
            M = np.array([[values[ix[0]], values[ix[1]]], [values[ix[2]], values[ix[3]]]])
            assert s["matrix"] == M.tolist()
            if M.tolist() != before["matrix"]:
                assert s["square"] != before["square"]
            shown = readout(page)
            det = float(jnp.linalg.det(jnp.asarray(M, jnp.float32)))
            assert number_after(shown, "det M") == pytest.approx(det, rel=1e-4, abs=1e-9)
            assert s["det"] == pytest.approx(np.linalg.det(M), abs=1e-5)
            # the drawn square's signed area (shoelace) is det M: the area scaling seen
            sq = np.array(s["square"][:-1])
            area = 0.5 * np.sum(sq[:, 0] * np.roll(sq[:, 1], -1) - sq[:, 1] * np.roll(sq[:, 0], -1))
            assert area == pytest.approx(np.linalg.det(M), abs=1e-9)
            lam = np.array([complex(*e) for e in s["eigenvalues"]])
            ref = np.linalg.eigvals(M)
            key = lambda z: (round(z.real, 3), round(z.imag, 3))  # noqa: E731
            assert sorted(lam, key=key) == pytest.approx(sorted(ref, key=key), abs=2e-3)
            # each eigenvector shown solves M v = λ v (a defective M repeats its vector)
            for j, v in enumerate(s["eigenvectors"]):
                vec = np.array([complex(*v[0]), complex(*v[1])])
                assert np.linalg.norm(M @ vec - lam[j] * vec) <= 2e-3 * max(1, abs(lam[j]))
            real = bool(np.all(np.abs(ref.imag) < 1e-6))
            if not real:
                assert "complex eigenvalues" in shown and "i" in shown.split("λ₁ =")[1]

        check()


@settings(max_examples=3)
@given(st.floats(-2.0, 2.0), st.floats(0.3, 2.0), st.floats(-2.0, 2.0))
def test_power_iteration_steps_follow_numpy(browser, tmp_path_factory, a, b, d):
    A = np.array([[a, b], [b, d]], np.float32)                 # symmetric, λ₁ ≠ λ₂
    w = np.linalg.eigvalsh(A.astype(np.float64))
    if abs(abs(w[0]) - abs(w[1])) < 0.2 * max(abs(w).max(), 1e-3):
        return                                                 # no dominant eigenvalue
    path = tmp_path_factory.mktemp("power") / "p.html"
    path.write_text(explorers.power_iteration(jnp.asarray(A), steps=20), encoding="utf-8")
    with open_page(browser, path) as page:
        assert page.errors == []
        first = state(page)
        page.click("#next")
        page.click("#next")
        s = state(page)
        assert s["step"] == 2 and s["v"] != first["v"]
        set_range(page, "#start", 0)
        assert state(page)["v"] != s["v"]                      # the start slider moves v
        for t in (0, 3, 20):
            set_range(page, "#step", t)
            s = state(page)
            theta = math.radians(page.evaluate("() => DATA.start_angles[0]"))
            v = np.array([math.cos(theta), math.sin(theta)])
            for _ in range(t):                                 # numpy's power iteration
                v = A.astype(np.float64) @ v
                v /= np.linalg.norm(v)
            assert s["v"] == pytest.approx(v.tolist(), abs=1e-4)
            assert s["rayleigh"] == pytest.approx(v @ A @ v, abs=1e-4 * max(1, abs(w).max()))
        ratio = abs(w).min() / abs(w).max()
        assert number_after(readout(page), "|λ₂/λ₁|") == pytest.approx(ratio, rel=2e-4)
        lam, _ = jax.numpy.linalg.eigh(jnp.asarray(A))
        dominant = float(lam[jnp.argmax(jnp.abs(lam))])
        # the Rayleigh quotient's error after 20 steps is about ratio^40·|λ₁ − λ₂|, and
        # ratio <= 0.8 here: within 1e-3 of the scale
        assert s["rayleigh"] == pytest.approx(dominant, abs=1e-3 * max(1, abs(w).max()))


def test_fourier_terms_slider_matches_numpy(browser, pages):
    x = np.linspace(-math.pi, math.pi, FOURIER_POINTS, endpoint=False)
    # sign(sin x), 0 at the jumps x = −π, 0 (where every partial sum is 0)
    square = np.where(np.isclose(np.mod(x, math.pi), 0), 0.0, np.sign(np.sin(x)))
    with open_page(browser, pages["fourier"]) as page:
        nmax = int(page.get_attribute("#n", "max"))

        @settings(max_examples=8)
        @given(st.integers(1, nmax))
        def check(n):
            before = state(page)
            set_range(page, "#n", n)
            s = state(page)
            k = 2 * np.arange(1, n + 1) - 1
            ref = 4 / math.pi * np.sum(np.sin(np.outer(x, k)) / k, axis=1)
            assert s["n"] == n
            if n != before["n"]:
                assert s["sum"] != before["sum"]
            # the drawn sums are embedded to 5 significant digits (|S| < 1.2): 6e-5
            assert s["sum"] == pytest.approx(ref.tolist(), abs=6e-5)
            mse = float(np.mean((ref - square) ** 2))
            assert number_after(readout(page), "mean-square error") == pytest.approx(
                mse, rel=2e-4)
            assert s["overshoot"] == pytest.approx(ref.max() - 1, abs=2e-5)

        check()


def test_save_explorer_is_recorded_and_linked(tmp_path):
    from mlmath_jax.runner.context import RunContext
    from mlmath_jax.runner.report import write_index, write_report

    run = tmp_path / "run"
    run.mkdir()
    ctx = RunContext(run, jnp.float32, quiet=True)
    page = explorers.fourier_series(max_terms=3, points=32)
    path = ctx.save_explorer("explore_terms", page, "partial sums")
    ctx.save_explorer("explore_terms", page, "partial sums")       # once, not twice
    ctx.close()
    assert path.read_text(encoding="utf-8") == page
    assert ctx.explorers == [{"file": "explore_terms.html", "title": "partial sums"}]
    summary = {"status": "ok", "experiment": "x", "explorers": ctx.explorers}
    report = write_report(run, summary, {}).read_text(encoding="utf-8")
    assert "<h2>Explore</h2>" in report and 'href="explore_terms.html"' in report
    assert "Explore" not in write_report(run, {"status": "ok"}, {}).read_text(encoding="utf-8")
    rows = [{"config": "c.toml", "experiment": "x", "status": "ok", "expected": "ok",
             "run_dir": "run", "metrics": {}, "explorers": ctx.explorers}]
    index = write_index(tmp_path, rows).read_text(encoding="utf-8")
    assert 'href="run/explore_terms.html"' in index


def test_gradient_descent_on_a_curve(browser, tmp_path):
    """A 1-D function is drawn as a curve with the path on it; the numbers still match."""
    path = tmp_path / "parabola.html"
    path.write_text(explorers.gradient_descent(lambda p: p[0] ** 2, jnp.array([3.0]), (-4, 4),
                                               steps=30, num_rates=20), encoding="utf-8")
    with open_page(browser, path) as page:
        assert page.errors == [] and page.external_requests == []
        for i in (0, 19):                       # 1% of 2/L, and 160% of it
            set_range(page, "#lr", i)
            s = state(page)
            ref = train.fit(lambda p: p[0] ** 2, jnp.array([3.0]), optim.sgd(s["lr"]),
                            steps=30, log_every=30)
            assert s["final_loss"] == pytest.approx(float(ref.losses[-1]), rel=1e-4)
            assert s["threshold"] == pytest.approx(1.0)          # 2/L, f'' = 2
            assert (s["final_loss"] < 9.0) == (s["lr"] < 1.0)


def test_gradient_descent_long_runs_are_capped():
    page = explorers.gradient_descent(bowl, jnp.array([-4.0, 2.0]), ((-5, 5), (-3, 3)),
                                      steps=2_000_000_000, num_rates=3, max_steps=50)
    assert '"steps":50' in page and "the page shows the first 50" in page
