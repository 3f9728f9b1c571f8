"""Linear Regression from scratch: normal equation vs gradient descent vs least squares.

Load data (synthetic with known weights, or scikit-learn's diabetes set), fit the same
model three ways, check the hand-written MSE gradient against ``jax.grad``, and report how
far apart the three weight vectors are.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mlmath_jax import data, plotting, train
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.models import linear
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Path, Str

DESCRIPTION = "linear regression: normal equation vs gradient descent vs lstsq"

SCHEMA = {
    "data": {
        "source": Str("synthetic", choices=("synthetic", "diabetes", "file"), help="data set"),
        "path": Path(None, help="file: a CSV with a header row of names, numbers below"),
        "target": Str("", help="file: the target column (default: the last)"),
        "n": Int(200, min=2, help="synthetic: examples"),
        "features": Int(3, min=1, max=1000, help="synthetic: features"),
        "noise": Float(0.1, min=0.0, help="synthetic: noise standard deviation"),
    },
    "optimizer": {"lr": Float(0.1, gt=0.0, help="gradient-descent learning rate")},
    "train": {
        "steps": Int(500, min=1),
        "log_every": Int(50, min=1),
        "gradients": Str("manual", choices=("manual", "autodiff")),
    },
}


LESSON = Lesson(
    title="Linear regression three ways",
    chapter="optimization",
    concept="Linear regression predicts y as a weighted sum of the features plus a bias, "
            "and chooses the weights that minimize the mean squared error. That minimum can "
            "be computed in closed form from the normal equation, by a least-squares solver "
            "that avoids forming XᵀX, or approached step by step by gradient descent on the "
            "error. All three should give the same weights; the gradient written by hand is "
            "checked against automatic differentiation.",
    equations=(r"L(w) = \frac{1}{n} \lVert X w - y \rVert^2, \qquad \nabla L(w) = "
               r"\frac{2}{n} X^\top (X w - y)",
               r"X^\top X\, w = X^\top y"),
    try_next=(
        TryNext(("train.steps=20",), "a short run: gradient descent stops before the "
                "closed-form weights."),
        TryNext(('train.gradients="autodiff"',), "jax.grad in place of the hand-written "
                "gradient: the same fit."),
        TryNext(("optimizer.lr=0.01",), "a ten times smaller step: gradient descent "
                "approaches the minimum more slowly."),
    ),
    main_figure="fit_and_loss.png",
    headline="r2",
)


def check(cfg):
    if cfg.data.source == "file" and cfg.data.path is None:
        raise ConfigError("data.path is required when data.source = 'file'")


def read_csv(path: str, target: str):
    """Numeric CSV with a header row → (X, y, feature names)."""
    try:
        table = np.genfromtxt(path, delimiter=",", names=True, dtype=float, encoding="utf-8")
    except (ValueError, OSError) as exc:
        raise UserError(f"{path}: cannot read as a numeric CSV with a header row ({exc})") from None
    names = list(table.dtype.names or ())
    if len(names) < 2 or table.ndim != 1 or len(table) < 2:
        raise UserError(f"{path}: need a header row, at least two columns and two rows")
    target = target or names[-1]
    if target not in names:
        raise UserError(f"{path}: no column {target!r}; columns: {', '.join(names)}")
    features = [n for n in names if n != target]
    X = np.stack([table[n] for n in features], axis=1)
    y = np.asarray(table[target])
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise UserError(f"{path}: every cell must be a number (found a blank or text cell)")
    return X, y, features


def load(cfg):
    """Design matrix with a bias column, targets, and the true weights when known."""
    if cfg.data.source == "file":
        X, y, names = read_csv(cfg.data.path, cfg.data.target)
        X = data.Standardizer.fit(X).transform(X)
        w_true = None
    elif cfg.data.source == "synthetic":
        X, y, w_true = data.make_regression(jax.random.key(cfg.seed), cfg.data.n,
                                            cfg.data.features, cfg.data.noise)
        names = [f"x{i}" for i in range(cfg.data.features)]
    else:
        ds = data.load_bundled("diabetes")
        # Standardize features and target so one learning rate suits every weight.
        X = data.Standardizer.fit(ds.X).transform(ds.X)
        y = (ds.y - ds.y.mean()) / ds.y.std()
        w_true, names = None, list(ds.feature_names)
    return data.add_bias_column(X), y, w_true, names + ["bias"]


def run(cfg, key, ctx):
    X_np, y_np, w_true, names = load(cfg)
    X, y = jnp.asarray(X_np, ctx.dtype), jnp.asarray(y_np, ctx.dtype)
    w0 = jnp.zeros(X.shape[1], ctx.dtype)

    # 1. Manual gradient beside jax.grad at a random point.
    w_probe = jax.random.normal(key, w0.shape, ctx.dtype)
    g_manual = linear.mse_loss_grad(w_probe, X, y)
    g_auto = jax.grad(linear.mse_loss)(w_probe, X, y)
    grad_rel_err = float(jnp.linalg.norm(g_manual - g_auto) / jnp.linalg.norm(g_auto))

    # 2. Closed form and least squares.
    w_normal = linear.normal_equation(X, y)
    w_lstsq = linear.least_squares(X, y)

    # 3. Gradient descent through the shared training loop.
    loss = lambda w, batch: linear.mse_loss(w, *batch)
    manual = lambda w, batch: (linear.mse_loss(w, *batch), linear.mse_loss_grad(w, *batch))
    result = train.fit(loss, w0, optax.sgd(cfg.optimizer.lr), (X, y), steps=cfg.train.steps,
                       log_every=cfg.train.log_every, ctx=ctx,
                       grad_fn=manual if cfg.train.gradients == "manual" else None,
                       desc="gradient descent")
    w_gd = result.params

    ws = {"normal_equation": np.asarray(w_normal), "gradient_descent": np.asarray(w_gd),
          "lstsq": np.asarray(w_lstsq)}
    pairs = [("normal_equation", "gradient_descent"), ("normal_equation", "lstsq"),
             ("gradient_descent", "lstsq")]
    max_diff = max(float(np.max(np.abs(ws[a] - ws[b]))) for a, b in pairs)
    metrics = {
        "weights_max_abs_diff": max_diff,
        "final_mse": float(result.losses[-1]),
        "lstsq_mse": float(linear.mse_loss(w_lstsq, X, y)),
        "r2": float(linear.r2_score(linear.predict(w_lstsq, X), y)),
        "manual_grad_rel_err": grad_rel_err,
        **{f"w_{k}": v.tolist() for k, v in ws.items()},
    }
    if w_true is not None:
        metrics["true_weights_max_abs_err"] = float(np.max(np.abs(ws["lstsq"] - w_true)))
    ctx.print(f"largest difference between the three weight vectors: {max_diff:.3g}")
    tol = 1e-10 if ctx.dtype == jnp.float64 else 1e-5
    ctx.observe(f"The hand-written gradient matched jax.grad to a relative error of "
                f"{fmt(grad_rel_err)}.", grad_rel_err < tol,
                f"the hand-written gradient differed from jax.grad by {fmt(grad_rel_err)}.")
    ctx.observe(f"After {cfg.train.steps:,} steps the three weight vectors agreed to within "
                f"{fmt(max_diff)}; R² = {fmt(metrics['r2'])}.",
                max_diff < 1e-2 * max(1.0, float(np.max(np.abs(ws["lstsq"])))),
                f"after {cfg.train.steps:,} steps the weight vectors differed by up to "
                f"{fmt(max_diff)}: gradient descent had not reached the minimum.")

    _figures(ctx, X_np, y_np, ws, names, result.losses, cfg.train.steps)
    return metrics


def _figures(ctx, X, y, ws, names, losses, steps):
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.5, 4.2))
    w = ws["lstsq"]
    if X.shape[1] == 2:  # one feature: the data and the fitted line
        xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 100)
        ax1.scatter(X[:, 0], y, s=10, alpha=0.6, label="data")
        for label, wv in ws.items():
            ax1.plot(xs, wv[0] * xs + wv[1], label=label)
        ax1.set_xlabel(names[0])
        ax1.set_ylabel("y")
    else:  # several features: predicted against actual
        y_hat = X @ w
        ax1.scatter(y, y_hat, s=10, alpha=0.6)
        lo, hi = float(min(y.min(), y_hat.min())), float(max(y.max(), y_hat.max()))
        ax1.plot([lo, hi], [lo, hi], "k--", lw=1, label="ŷ = y")
        ax1.set_xlabel("y")
        ax1.set_ylabel("ŷ (least squares)")
    ax1.legend(fontsize=8)
    ax1.set_title("fit")
    plotting.loss_curve(ax2, np.arange(steps + 1), losses, label="gradient descent")
    ax2.axhline(float(np.mean((y - X @ w) ** 2)), color="k", ls="--", lw=1,
                label="least-squares minimum")
    ax2.legend(fontsize=8)
    ax2.set_title("MSE during gradient descent")
    ctx.save_figure(fig, "fit_and_loss")

    fig, ax = plotting.subplots(size=(7, 3.5))
    idx = np.arange(len(names))
    for i, (label, wv) in enumerate(ws.items()):
        ax.bar(idx + (i - 1) * 0.27, wv, width=0.27, label=label)
    ax.set_xticks(idx, names, rotation=45, fontsize=8)
    ax.set_title("weights by method")
    ax.legend(fontsize=8)
    ctx.save_figure(fig, "weights")
