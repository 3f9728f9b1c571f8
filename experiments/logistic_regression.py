"""Logistic Regression Classifier: sigmoid + binary cross-entropy, trained with the manual
gradient Xᵀ(σ(Xw) − y)/n (checked against ``jax.grad`` at the start), and softmax
regression for more than two classes.

Data sets: scikit-learn's breast-cancer set (569 tumours, 30 features), a 2-D toy set (two
Gaussian blobs, or the two moons) whose decision boundary Xw = 0 is drawn, and the 8×8
digits (softmax regression, 10 classes). Features are standardized on the training split
(constant pixels of the digits are left at 0); a bias column is appended. Returned:
train/test accuracy, the manual-vs-autodiff gradient error, and the final loss.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import data, metrics, optim, plotting, train
from mlmath_jax.models import logistic
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "logistic regression (breast cancer, 2-D toy) and softmax regression (digits)"

SCHEMA = {
    "data": {
        "source": Str("breast_cancer", choices=("breast_cancer", "toy", "digits")),
        "toy": Str("blobs", choices=("blobs", "moons"), help="toy: which 2-D set"),
        "n": Int(400, min=10, help="toy: examples"),
        "noise": Float(1.0, min=0.0, help="toy: blob spread / moon noise"),
        "test_fraction": Float(0.25, gt=0.0, lt=1.0),
    },
    "model": {"l2": Float(1e-3, min=0.0, help="L2 penalty λ on the weights (not the bias)")},
    "optimizer": {
        "impl": Str("handwritten", choices=optim.IMPLS),
        "name": Str("adam", choices=optim.OPTIMIZERS),
        "lr": Float(0.05, gt=0.0),
    },
    "train": {
        "steps": Int(1000, min=1),
        "log_every": Int(50, min=1),
        "gradients": Str("manual", choices=("manual", "autodiff")),
    },
}


LESSON_TEXT = ("Logistic regression turns a weighted sum of the features into a probability "
               "with the sigmoid σ(z) = 1/(1 + e⁻ᶻ), and is trained by minimizing the binary "
               "cross-entropy between those probabilities and the 0/1 labels. Its gradient "
               "has a simple form, Xᵀ(σ(Xw) − y)/n, which is written by hand here and checked "
               "against automatic differentiation. The decision boundary, where the "
               "probability is ½, is the straight line (or plane) xᵀw = 0. With more than two "
               "classes, softmax regression gives each class its own weights and turns the "
               "scores into probabilities with the softmax.")


def lesson(cfg) -> Lesson:
    softmax = cfg.data.source == "digits"
    eqs = ((r"p_{ik} = \frac{e^{x_i^\top w_k}}{\sum_j e^{x_i^\top w_j}}",
            r"L(W) = -\frac{1}{n} \sum_i \log p_{i, y_i} + \lambda \lVert W \rVert^2")
           if softmax else
           (r"\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad p_i = \sigma(x_i^\top w)",
            r"L(w) = -\frac{1}{n} \sum_i \left[ y_i \log p_i + (1 - y_i) \log (1 - p_i) "
            r"\right] + \lambda \lVert w \rVert^2",
            r"\nabla L(w) = \frac{1}{n} X^\top (\sigma(X w) - y) + 2 \lambda w"))
    return Lesson(
        title="Softmax regression" if softmax else "Logistic regression",
        chapter="optimization", concept=LESSON_TEXT, equations=eqs,
        try_next=(
            TryNext(("model.l2=1.0",), "a strong L2 penalty: smaller weights and a softer "
                    "fit."),
            TryNext(('train.gradients="autodiff"',), "jax.grad in place of the hand-written "
                    "gradient: the same training."),
            TryNext(("train.steps=20",), "a short run: lower accuracy before training "
                    "settles."),
        ),
        main_figure="logistic.png", headline="test_accuracy")


def load(cfg):
    """(X, y, class names) as NumPy arrays."""
    if cfg.data.source == "breast_cancer":
        ds = data.load_bundled("breast_cancer")
        return ds.X, ds.y, list(ds.target_names)
    if cfg.data.source == "digits":
        ds = data.load_bundled("digits")
        return ds.X / 16.0, ds.y, [str(i) for i in range(10)]
    if cfg.data.toy == "moons":
        X, y = data.make_moons(jax.random.key(cfg.seed), cfg.data.n,
                               noise=cfg.data.noise * 0.2)
        return X, y, ["0", "1"]
    rng = np.random.default_rng(cfg.seed)
    half = cfg.data.n // 2
    centers = np.array([[-1.5, -1.0], [1.5, 1.0]])
    X = np.concatenate([centers[0] + cfg.data.noise * rng.standard_normal((half, 2)),
                        centers[1] + cfg.data.noise * rng.standard_normal((cfg.data.n - half,
                                                                            2))])
    y = np.concatenate([np.zeros(half, int), np.ones(cfg.data.n - half, int)])
    return X, y, ["0", "1"]


def run(cfg, key, ctx):
    X, y, names = load(cfg)
    Xtr, Xte, ytr, yte = data.train_test_split(key, X, y,
                                               test_fraction=cfg.data.test_fraction,
                                               stratify=y)
    scaler = data.Standardizer.fit(Xtr)  # constant pixels keep scale 1
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    Xtr_b, Xte_b = data.add_bias_column(Xtr), data.add_bias_column(Xte)
    Xj, Xtj = jnp.asarray(Xtr_b, ctx.dtype), jnp.asarray(Xte_b, ctx.dtype)
    l2 = cfg.model.l2
    softmax = cfg.data.source == "digits"
    if softmax:
        k = len(names)
        yj, ytj = jnp.asarray(ytr, jnp.int32), jnp.asarray(yte, jnp.int32)
        w0 = jnp.zeros((Xj.shape[1], k), ctx.dtype)
        loss_fn, grad_fn = logistic.softmax_loss, logistic.softmax_loss_grad
        predict = logistic.softmax_predict
    else:
        yj, ytj = jnp.asarray(ytr, ctx.dtype), jnp.asarray(yte, ctx.dtype)
        w0 = jnp.zeros(Xj.shape[1], ctx.dtype)
        loss_fn, grad_fn = logistic.loss, logistic.loss_grad
        predict = logistic.predict

    # The manual gradient beside jax.grad, at a random point.
    probe = jax.random.normal(key, w0.shape, ctx.dtype) * 0.1
    g_auto = jax.grad(loss_fn)(probe, Xj, yj, l2)
    g_manual = grad_fn(probe, Xj, yj, l2)
    grad_err = float(jnp.linalg.norm(g_manual - g_auto) / jnp.linalg.norm(g_auto))

    loss = lambda w, b: loss_fn(w, b[0], b[1], l2)
    manual = lambda w, b: (loss_fn(w, b[0], b[1], l2), grad_fn(w, b[0], b[1], l2))
    acc = jax.jit(lambda w, X_, y_: logistic.accuracy(predict(w, X_), y_))
    opt = optim.by_name(cfg.optimizer.name, cfg.optimizer.lr, impl=cfg.optimizer.impl)
    res = train.fit(loss, w0, opt, (Xj, yj), steps=cfg.train.steps,
                    log_every=cfg.train.log_every, ctx=ctx,
                    grad_fn=manual if cfg.train.gradients == "manual" else None,
                    eval_fn=lambda w: {"train_accuracy": float(acc(w, Xj, yj)),
                                       "test_accuracy": float(acc(w, Xtj, ytj))},
                    desc=cfg.data.source)
    w = res.params
    metrics = {
        "train_accuracy": float(acc(w, Xj, yj)),
        "test_accuracy": float(acc(w, Xtj, ytj)),
        "final_loss": float(res.losses[-1]),
        "manual_grad_rel_err": grad_err,
        "n_train": int(len(ytr)),
        "n_test": int(len(yte)),
    }
    ctx.print(f"test accuracy {metrics['test_accuracy']:.4f} on {len(yte)} examples")
    tol = 1e-10 if ctx.dtype == jnp.float64 else 1e-5
    ctx.observe(f"The hand-written gradient matched jax.grad to a relative error of "
                f"{fmt(grad_err)}.", grad_err < tol,
                f"the hand-written gradient differed from jax.grad by {fmt(grad_err)}.")
    te, tr = metrics["test_accuracy"], metrics["train_accuracy"]
    ctx.observe(f"Test accuracy {fmt(te)} on {len(yte)} held-out examples (training accuracy "
                f"{fmt(tr)}).", te >= 0.9,
                f"test accuracy was {fmt(te)} on {len(yte)} held-out examples (training "
                f"accuracy {fmt(tr)}), below 0.9.")

    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.2, 4.4))
    plotting.loss_curve(ax1, np.arange(len(res.losses)), res.losses, label="training loss")
    ax1.set_title(f"cross-entropy ({cfg.optimizer.name}, {cfg.train.gradients} gradients)",
                  fontsize=10)
    if cfg.data.source == "toy":
        _boundary(ax2, np.asarray(w, float), Xtr, ytr, Xte, yte)
    else:
        _confusion(ax2, np.asarray(predict(w, Xtj)), yte, names)
    ax2.set_title(f"{cfg.data.source}: test accuracy {metrics['test_accuracy']:.3f}",
                  fontsize=10)
    ctx.save_figure(fig, "logistic")
    return metrics


def _boundary(ax, w, Xtr, ytr, Xte, yte):
    """P(y = 1 | x) as filled contours, the line x·w = 0, and the points."""
    lo, hi = np.minimum(Xtr.min(0), Xte.min(0)) - 0.5, np.maximum(Xtr.max(0), Xte.max(0)) + 0.5
    xs, ys = np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200)
    G = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    P = np.asarray(logistic.predict_proba(jnp.asarray(w), jnp.asarray(
        data.add_bias_column(G), jnp.asarray(w).dtype))).reshape(200, 200)
    ax.contourf(xs, ys, P, levels=np.linspace(0.0, 1.0, 21), cmap="RdBu_r", alpha=0.6)
    ax.contour(xs, ys, P, levels=[0.5], colors="k", linewidths=2)
    for X_, y_, marker in ((Xtr, ytr, "o"), (Xte, yte, "^")):
        ax.scatter(X_[:, 0], X_[:, 1], c=y_, cmap="RdBu_r", edgecolors="w", s=16,
                   marker=marker, linewidths=0.6, vmin=0, vmax=1,
                   label="train" if marker == "o" else "test")
    ax.set_xlabel("x₁ (standardized)")
    ax.set_ylabel("x₂ (standardized)")
    ax.plot([], [], "k-", label="boundary σ(xᵀw) = ½")
    ax.legend(fontsize=8, loc="upper left")


def _confusion(ax, predicted, labels, names):
    plotting.confusion_matrix(ax, metrics.confusion_matrix(predicted, labels, len(names)),
                              names, title="")
