"""Batch, stochastic and mini-batch gradient descent on one linear-regression problem.

All three run through the shared loop :func:`mlmath_jax.train.fit` for the same number of
epochs (passes over the data): batch GD makes one update per epoch from the whole data,
stochastic GD (batch size 1) makes n noisy ones, mini-batch GD n/b. The full-data MSE is
measured after every epoch. The figure shows it against epochs and against seconds (the
seconds are measured on this machine and appear only in the figure and the summary, never
in metrics.jsonl, which stays identical from run to run), and the path of the first two
weights: the smooth path of batch GD against the noisy one of SGD.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mlmath_jax import data, losses, optim, plotting, train
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "batch vs stochastic vs mini-batch gradient descent: loss per epoch and per second"

VARIANTS = ("batch", "minibatch", "stochastic")

SCHEMA = {
    "data": {
        "n": Int(512, min=8, max=100_000, help="examples"),
        "features": Int(5, min=2, max=200),
        "noise": Float(0.5, min=0.0),
    },
    "optimizer": {
        "impl": Str("handwritten", choices=optim.IMPLS),
        "name": Str("sgd", choices=optim.OPTIMIZERS, help="update rule for all three"),
        "lr_batch": Float(0.2, gt=0.0),
        "lr_minibatch": Float(0.05, gt=0.0),
        "lr_stochastic": Float(0.005, gt=0.0),
        "batch_size": Int(32, min=2, max="data.n", help="mini-batch size"),
    },
    "train": {"epochs": Int(20, min=1, max=10_000)},
}


LESSON = Lesson(
    title="Batch, mini-batch and stochastic gradient descent",
    chapter="optimization",
    concept="Gradient descent on a training set can compute the gradient from all the "
            "examples at once (batch), from one example at a time (stochastic), or from small "
            "groups of b examples (mini-batch). Over one pass through the data (an epoch) "
            "batch gradient descent makes one exact step, stochastic gradient descent n noisy "
            "ones and mini-batch gradient descent n/b. The noisy steps are cheap and make "
            "early progress fast, but they keep jittering around the minimum unless the "
            "learning rate is small.",
    equations=(r"L(w) = \frac{1}{n} \sum_{i=1}^{n} (x_i^\top w - y_i)^2",
               r"w \leftarrow w - \alpha\, \frac{1}{|B|} \sum_{i \in B} \nabla_w (x_i^\top w"
               r" - y_i)^2"),
    try_next=(
        TryNext(("optimizer.batch_size=128",), "larger mini-batches: fewer, less noisy "
                "updates per epoch."),
        TryNext(("optimizer.lr_stochastic=0.05",), "a ten times larger step for stochastic "
                "gradient descent: a noisier path around the least-squares weights."),
        TryNext(("train.epochs=100",), "five times as many epochs for all three variants."),
    ),
    main_figure="gd_variants.png",
    headline="minibatch_final_mse",
)


def mse_loss(w, batch):
    """L(w) = mean (Xw − y)² on a batch (X carries a bias column)."""
    X, y = batch
    return losses.mse(X @ w, y)


def run(cfg, key, ctx):
    X_np, y_np, w_true = data.make_regression(key, cfg.data.n, cfg.data.features,
                                              cfg.data.noise)
    X = jnp.asarray(data.add_bias_column(X_np), ctx.dtype)
    y = jnp.asarray(y_np, ctx.dtype)
    n, epochs = cfg.data.n, cfg.train.epochs
    w0 = jnp.zeros(X.shape[1], ctx.dtype)
    w_best = np.linalg.lstsq(np.asarray(X, float), np.asarray(y, float), rcond=None)[0]
    best = float(np.mean((np.asarray(X, float) @ w_best - np.asarray(y, float)) ** 2))
    sizes = {"batch": None, "minibatch": cfg.optimizer.batch_size, "stochastic": 1}
    curves, seconds, paths, metrics = {}, {}, {}, {}
    for variant in VARIANTS:
        b = sizes[variant]
        per_epoch = 1 if b is None else n // b
        lr = cfg.optimizer[f"lr_{variant}"]
        opt = optim.by_name(cfg.optimizer.name, lr, impl=cfg.optimizer.impl)
        full = []

        def measure(w, full=full):
            full.append(float(mse_loss(w, (X, y))))
            return {}

        res = train.fit(mse_loss, w0, opt, (X, y), steps=epochs * per_epoch,
                        log_every=per_epoch, batch_size=b, shuffle_key=key, eval_fn=measure,
                        record_params=True, desc=variant)
        ctx.add_timing(res.compile_seconds, res.run_seconds, res.steps)
        curves[variant] = np.asarray(full)
        # Every epoch runs the same compiled chunk, so epoch e ends at e/epochs of the
        # measured (compile-free) run time.
        seconds[variant] = res.run_seconds * np.arange(epochs + 1) / epochs
        paths[variant] = np.asarray(res.trace, float)
        metrics[f"{variant}_final_mse"] = full[-1]
        metrics[f"{variant}_updates"] = res.steps
        metrics[f"{variant}_weight_error"] = float(np.max(np.abs(np.asarray(res.params)
                                                                 - w_best)))
        metrics[f"{variant}_seconds"] = float(seconds[variant][-1])  # summary only
    metrics["least_squares_mse"] = best
    for e in range(epochs + 1):
        ctx.log(e, **{v: float(curves[v][e]) for v in VARIANTS})
    ctx.print("final MSE after " + f"{epochs} epochs: " + ", ".join(
        f"{v} {curves[v][-1]:.4g}" for v in VARIANTS) + f" (least squares {best:.4g})")

    gaps = {v: metrics[f"{v}_final_mse"] - best for v in VARIANTS}
    order = sorted(VARIANTS, key=gaps.get)
    ctx.observe(f"After {epochs} epochs the full-data MSE was {fmt(best)} (least squares) plus "
                + ", ".join(f"{fmt(gaps[v])} for {v}" for v in order)
                + f"; batch gradient descent made {metrics['batch_updates']:,} updates, "
                f"stochastic {metrics['stochastic_updates']:,}.",
                all(g >= -1e-6 * max(1.0, best) for g in gaps.values()),
                "a variant ended below the least-squares MSE, which only rounding allows.")
    ctx.observe(f"After {epochs} epochs batch gradient descent ended closest to least "
                f"squares ({fmt(gaps['batch'])} above it); the noisy updates of mini-batch "
                f"({fmt(gaps['minibatch'])}) and stochastic ({fmt(gaps['stochastic'])}) "
                f"gradient descent keep jittering around the minimum.",
                gaps["batch"] < gaps["minibatch"] and gaps["batch"] < gaps["stochastic"],
                f"After {epochs} epochs the variants that update more often were ahead: "
                f"batch gradient descent ended {fmt(gaps['batch'])} above least squares, "
                f"mini-batch {fmt(gaps['minibatch'])}, stochastic {fmt(gaps['stochastic'])}.")

    fig, (ax1, ax2, ax3) = plotting.subplots(1, 3, size=(4.6, 4.0))
    for v in VARIANTS:
        ax1.plot(np.arange(epochs + 1), curves[v] - best + 1e-12, "o-", ms=3, label=v)
        ax2.plot(seconds[v], curves[v] - best + 1e-12, "o-", ms=3, label=v)
    for ax, xl in ((ax1, "epoch"), (ax2, "seconds (this machine, compile excluded)")):
        ax.set_yscale("log")
        ax.set_xlabel(xl)
        ax.set_ylabel("MSE − least-squares MSE")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    ax1.set_title("loss against epochs", fontsize=10)
    ax2.set_title("loss against seconds", fontsize=10)
    for v in ("stochastic", "minibatch", "batch"):
        ax3.plot(paths[v][:, 0], paths[v][:, 1], "-", lw=0.8 if v == "stochastic" else 1.5,
                 label=v, alpha=0.8)
    ax3.plot(*w_best[:2], "*", color="yellow", mec="k", ms=14, label="least squares")
    ax3.plot(0, 0, "s", color="white", mec="k", label="start")
    ax3.set_xlabel("w₀")
    ax3.set_ylabel("w₁")
    ax3.set_title("path of the first two weights", fontsize=10)
    ax3.legend(fontsize=8)
    ctx.save_figure(fig, "gd_variants")
    return metrics
