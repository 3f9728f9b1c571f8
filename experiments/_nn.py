"""Pieces shared by the neural-network experiments (seed_network, mlp, ml_pipeline):
the optimizer from a config table, and their figures."""

from __future__ import annotations

import numpy as np
import optax

from mlmath_jax import nn, optim, plotting
from mlmath_jax.runner.schema import Float, Int, List, Str

OPTIMIZER_SCHEMA = {
    "name": Str("adam", choices=optim.OPTIMIZERS, help="optimizer"),
    "impl": Str("handwritten", choices=optim.IMPLS,
                help="the library's hand-written update rule, or optax's"),
    "lr": Float(1e-2, gt=0.0, help="learning rate"),
    "momentum": Float(0.0, min=0.0, lt=1.0, help="sgd: momentum (0 = none)"),
}


def mlp_schema(hidden: list[int], steps: int, log_every: int) -> dict:
    """The [model] and [train] tables of the MLP experiments, with their defaults."""
    return {
        "model": {
            "hidden": List(hidden, item=Int(1, min=1, max=4096),
                           help="hidden layer widths; [] = softmax regression"),
            "activation": Str("relu", choices=tuple(nn.ACTIVATIONS)),
            "init": Str("he", choices=nn.INITS),
        },
        "optimizer": OPTIMIZER_SCHEMA,
        "train": {
            "steps": Int(steps, min=1),
            "log_every": Int(log_every, min=1),
            "batch_size": Int(0, min=0, help="mini-batch size; 0 = full batch"),
            "gradients": Str("manual", choices=("manual", "autodiff"),
                             help="manual: nn.mlp_backward; autodiff: jax.grad"),
            "devices": Int(1, min=1, help="data-parallel over this many devices"),
        },
    }


def accuracy_logger(activation: str, train_set, test_set):
    """An ``eval_fn`` for ``train.fit`` logging train and test accuracy at each record;
    returns (eval_fn, records) — ``records`` fills as training runs."""
    import jax

    predict = jax.jit(lambda p, x: nn.mlp_predict(p, x, activation))
    records: list[dict] = []

    def eval_fn(p):
        records.append({"train_accuracy": float(nn.accuracy(predict(p, train_set[0]),
                                                            train_set[1])),
                        "test_accuracy": float(nn.accuracy(predict(p, test_set[0]),
                                                           test_set[1]))})
        return records[-1]

    return eval_fn, records


def make_optimizer(opt) -> optax.GradientTransformation:
    """The [optimizer] table's optimizer, hand-written (mlmath_jax.optim) or optax's."""
    kwargs = {"momentum": opt.momentum or None} if opt.name == "sgd" else {}
    return optim.by_name(opt.name, opt.lr, impl=opt.impl, **kwargs)


def curves(ctx, losses, records, name="curves"):
    """Loss per step, and train / test accuracy at each logged step."""
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5, 3.8))
    plotting.loss_curve(ax1, np.arange(len(losses)), losses, label="training loss")
    ax1.set_title("loss")
    steps = [r["step"] for r in records]
    for key in ("train_accuracy", "test_accuracy"):
        if records and key in records[0]:
            ax2.plot(steps, [r[key] for r in records], marker="o", ms=3,
                     label=key.replace("_", " "))
    ax2.set_xlabel("step")
    ax2.set_ylabel("accuracy")
    ax2.set_ylim(0, 1.02)
    ax2.grid(True, alpha=0.3)
    ax2.legend(fontsize=8)
    ax2.set_title("accuracy")
    ctx.save_figure(fig, name)


def confusion(ctx, C, class_names, name="confusion_matrix"):
    """The confusion matrix C[true, predicted] with counts written in the cells."""
    k = len(class_names)
    fig, ax = plotting.subplots(size=(0.45 * k + 3, 0.45 * k + 2.6))
    plotting.confusion_matrix(ax, C, class_names)
    ctx.save_figure(fig, name)


def image_grid(ctx, images, titles, name, title, cols=8):
    """Small grey-scale images with a caption each (e.g. misclassified examples)."""
    n = max(len(images), 1)
    rows = (n + cols - 1) // cols
    fig, axes = plotting.subplots(rows, cols, size=(1.2, 1.35), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, t in zip(axes.ravel(), images, titles, strict=False):
        ax.imshow(img, cmap="gray_r")
        ax.set_title(t, fontsize=7)
    fig.suptitle(title, fontsize=9)
    ctx.save_figure(fig, name)


def first_layer_weights(ctx, W, side, name="first_layer_weights", limit=32):
    """Rows of the first weight matrix (one per hidden unit) drawn as side×side images."""
    W = np.asarray(W)[:limit]
    fig, axes = plotting.subplots((len(W) + 7) // 8, 8, size=(1.1, 1.1), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, w in zip(axes.ravel(), W, strict=False):
        m = np.abs(w).max() or 1.0
        ax.imshow(w.reshape(side, side), cmap="RdBu_r", vmin=-m, vmax=m)
    fig.suptitle("first-layer weights (one image per hidden unit)", fontsize=9)
    ctx.save_figure(fig, name)


def decision_boundary(ctx, predict_grid, X, y, name="decision_boundary", title=""):
    """The predicted class over a grid, with the data on top; ``predict_grid(points)``
    returns class labels (or P(class 1)) for an (m, 2) array."""
    pad = 0.5
    xlim = (X[:, 0].min() - pad, X[:, 0].max() + pad)
    ylim = (X[:, 1].min() - pad, X[:, 1].max() + pad)
    xs, ys = np.linspace(*xlim, 200), np.linspace(*ylim, 200)
    GX, GY = np.meshgrid(xs, ys)
    Z = np.asarray(predict_grid(np.stack([GX.ravel(), GY.ravel()], axis=1))).reshape(GX.shape)
    fig, ax = plotting.subplots(size=(5, 4.2))
    cs = ax.contourf(GX, GY, Z, levels=20, cmap="RdBu_r", alpha=0.7)
    ax.contour(GX, GY, Z, levels=[0.5], colors="k", linewidths=1.2)
    fig.colorbar(cs, ax=ax, label="P(class 1)")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=18)
    ax.set_title(title or "decision boundary")
    ctx.save_figure(fig, name)
