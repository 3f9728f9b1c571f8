"""Figures for experiments: matplotlib on the non-interactive Agg backend.

The concept modules never import this; experiments do.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def subplots(nrows: int = 1, ncols: int = 1, *, size: tuple[float, float] = (5.0, 4.0),
             **kwargs):
    """``plt.subplots`` with each panel ``size`` inches; returns (fig, axes)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             **kwargs)
    return fig, axes


def loss_curve(ax, steps, losses, *, label: str | None = None, log: bool = True) -> None:
    """A loss curve, on a log axis when every value is positive."""
    losses = np.asarray(losses, dtype=float)
    ax.plot(steps, losses, label=label)
    if log and np.all(losses[np.isfinite(losses)] > 0):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)


def contour(ax, f, xlim, ylim, *, n: int = 200, levels: int = 30, log: bool = False):
    """Filled contours of a vectorized ``f(X, Y)`` over a box; returns the contour set."""
    xs = np.linspace(*xlim, n)
    ys = np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    Z = np.asarray(f(X, Y), dtype=float)
    if log:
        Z = np.log10(Z - Z.min() + 1e-3)
    cs = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", alpha=0.85)
    ax.contour(X, Y, Z, levels=levels, colors="k", linewidths=0.3, alpha=0.4)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return cs


def confusion_matrix(ax, C, class_names, *, title: str = "confusion matrix (test)") -> None:
    """Draw C[true, predicted] as an image with the counts written in the cells."""
    C = np.asarray(C)
    k = len(class_names)
    ax.imshow(C, cmap="Blues")
    for (i, j), v in np.ndenumerate(C):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v > C.max() / 2 else "black")
    ax.set_xticks(range(k), class_names, rotation=45 if k > 3 else 0, fontsize=8)
    ax.set_yticks(range(k), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
