"""Screenshots of the four explorers with a control at two positions, for a reader to look
at (the browser tests check the numbers; this shows the drawing).

    PYTHONPATH=. python scripts/explorer_shots.py [OUT_DIR]     # default /tmp/explorer-shots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import jax.numpy as jnp

from mlmath_jax import explorers
from tests.browser import launch, open_page


def bowl(p):
    return p[0] ** 2 + 5.0 * p[1] ** 2


def rosenbrock(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def saddle(p):
    return p[0] ** 2 - p[1] ** 2


# name: (page, [(label, {selector: value}), (label, {...})])
def pages():
    return {
        "gd_bowl": (explorers.gradient_descent(bowl, jnp.array([-4.0, 2.0]), ((-5, 5), (-3, 3)),
                                               steps=100, lr=0.09, hessian_at=[0.0, 0.0]),
                    [("lr-0.09", {}), ("lr-above-2overL", {"#lr": 56})]),
        "gd_rosenbrock": (explorers.gradient_descent(
            rosenbrock, jnp.array([-1.5, 2.0]), ((-2, 2), (-1, 3)), steps=1000, lr=0.0005,
            momentum=0.9, hessian_at=[1.0, 1.0], log_levels=True),
            [("lr-0.0005", {}), ("lr-small", {"#lr": 10})]),
        "gd_parabola": (explorers.gradient_descent(lambda p: p[0] ** 2, jnp.array([3.0]), (-4, 4),
                                                   steps=50, lr=0.1),
                        [("lr-0.1", {}), ("lr-above-2overL", {"#lr": 55})]),
        "gd_saddle": (explorers.gradient_descent(saddle, jnp.array([1.5, 0.01]),
                                                 ((-2, 2), (-2, 2)), steps=60, lr=0.05),
                      [("lr-0.05", {}), ("lr-large", {"#lr": 50})]),
        "matrix": (explorers.transformation(),
                   [("shear", {}), ("complex", {"#m0": 5, "#m1": 1, "#m2": 7, "#m3": 5}),
                    ("flip", {"#m0": 2, "#m1": 4, "#m2": 5, "#m3": 6})]),
        "power": (explorers.power_iteration(jnp.array([[2.0, 1.0], [1.0, 2.0]])),
                  [("step-0", {}), ("step-3", {"#step": 3})]),
        "fourier": (explorers.fourier_series(), [("n-3", {}), ("n-25", {"#n": 25})]),
    }


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pw, browser = launch()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, (page_html, positions) in pages().items():
                path = Path(tmp) / f"{name}.html"
                path.write_text(page_html, encoding="utf-8")
                with open_page(browser, path, width=1200, height=860) as page:
                    for label, moves in positions:
                        for sel, v in moves.items():
                            page.evaluate("""([s, v]) => { const e = document.querySelector(s);
                                e.value = v; e.dispatchEvent(new Event('input')); }""", [sel, v])
                        shot = out / f"{name}-{label}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        print(shot, "errors:", page.errors or "none")
    finally:
        browser.close()
        pw.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/explorer-shots"))
