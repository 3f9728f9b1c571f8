"""A multi-layer perceptron on two moons, scikit-learn's digits, or MNIST from IDX files.

Data → (standardize on the training part) → ``nn.init_mlp`` → ``train.fit`` with the
hand-written ``nn.mlp_backward`` (``train.gradients = "manual"``) or ``jax.grad``
("autodiff"), optionally data-parallel over ``train.devices`` → test accuracy, confusion
matrix, misclassified examples, first-layer weights as images (or the decision boundary
for the 2-D moons).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import data, explog, nn, pipeline, train
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Path, Str

from . import _nn

DESCRIPTION = "MLP with manual backprop: two moons, digits or MNIST (IDX files)"

SCHEMA = {
    "data": {
        "source": Str("digits", choices=("moons", "digits", "mnist"), help="data set"),
        "n": Int(400, min=8, help="moons: examples"),
        "noise": Float(0.2, min=0.0, help="moons: noise"),
        "test_fraction": Float(0.2, gt=0.0, lt=1.0, help="moons, digits: held-out share"),
        "images": Path(None, help="mnist: IDX images file (gzip or not)"),
        "labels": Path(None, help="mnist: IDX labels file (gzip or not)"),
        "n_train": Int(8000, min=1, help="mnist: the first n_train images train"),
        "n_test": Int(2000, min=1, help="mnist: the last n_test images test"),
    },
    **_nn.mlp_schema(hidden=[64], steps=2000, log_every=200),
}


def lesson(cfg) -> Lesson:
    moons = cfg.data.source == "moons"
    return Lesson(
        title=f"A multi-layer perceptron on {'two moons' if moons else cfg.data.source}",
        chapter="neural networks",
        concept=('A multi-layer perceptron passes its input through layers, each a matrix product '
                 'plus a bias followed by a non-linear activation, and ends with a softmax over '
                 'the classes. It is trained by minimizing the cross-entropy with gradients from '
                 'backpropagation: the chain rule applied layer by layer from the loss back to the'
                 ' first weights, here written by hand and checked against automatic '
                 'differentiation. The non-linear layers let the network draw curved decision '
                 'boundaries that no linear model can.'),
        equations=(r"a_0 = x, \qquad a_{l} = \phi(W_l a_{l-1} + b_l), \qquad "
                   r"p = \operatorname{softmax}(W_L a_{L-1} + b_L)",
                   r"L = -\frac{1}{n} \sum_i \log p_{i, y_i}",
                   r"\frac{\partial L}{\partial W_l} = \delta_l\, a_{l-1}^\top, \qquad "
                   r"\delta_{l-1} = (W_l^\top \delta_l) \odot \phi'(z_{l-1})"),
        try_next=(
            TryNext(("model.hidden=[4]",), "a much narrower hidden layer."),
            TryNext(('train.gradients="autodiff"',), "jax.grad in place of the hand-written "
                    "backward pass: the same training."),
            TryNext(("optimizer.lr=0.1",), "a much larger step size for Adam."),
        ),
        main_figure="decision_boundary.png" if moons else "curves.png",
        headline="test_accuracy")


def check(cfg):
    if cfg.data.source == "mnist" and (cfg.data.images is None or cfg.data.labels is None):
        raise ConfigError("data.images and data.labels are required when data.source = "
                          "'mnist'")
    if cfg.data.source in ("moons", "digits"):
        n = cfg.data.n if cfg.data.source == "moons" else 1797
        n_test = int(round(n * cfg.data.test_fraction))
        if n - n_test < 2 or n_test < 1:
            raise ConfigError(f"data.test_fraction = {cfg.data.test_fraction:g} of "
                              f"{n} examples leaves {n - n_test} for training and {n_test} "
                              f"for testing; at least 2 training and 1 test example are "
                              f"needed")
    available = len(jax.devices())
    if cfg.train.devices > available:
        raise ConfigError(f"train.devices = {cfg.train.devices} but only {available} "
                          f"device(s) are available")
    if cfg.train.batch_size and cfg.train.batch_size % cfg.train.devices:
        raise ConfigError(f"train.batch_size = {cfg.train.batch_size} must be a multiple of "
                          f"train.devices = {cfg.train.devices}")


def load(cfg):
    """(X_train, y_train, X_test, y_test, image side or None, class names, raw X_test):
    features standardized (moons, digits) or scaled to [0, 1] (MNIST) using the training
    part only; the raw test rows are kept for drawing images."""
    d = cfg.data
    if d.source == "moons":
        X, y = data.make_moons(jax.random.key(cfg.seed), d.n, d.noise)
        Xtr, Xte, ytr, yte = data.train_test_split(jax.random.key(cfg.seed), X, y,
                                                   test_fraction=d.test_fraction, stratify=y)
        side, names = None, ("0", "1")
    elif d.source == "digits":
        ds = data.load_bundled("digits")
        Xtr, Xte, ytr, yte = data.train_test_split(jax.random.key(cfg.seed), ds.X, ds.y,
                                                   test_fraction=d.test_fraction, stratify=ds.y)
        side, names = 8, tuple(str(i) for i in range(10))
    else:
        images, labels = data.read_idx(d.images), data.read_idx(d.labels)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise UserError(f"{d.images}: expected images (n, rows, cols) and labels (n,), got "
                            f"{images.shape} and {labels.shape}")
        if d.n_train + d.n_test > len(images):
            raise UserError(f"data.n_train + data.n_test = {d.n_train + d.n_test} but "
                            f"{d.images} has {len(images)} images")
        X = images.reshape(len(images), -1).astype(np.float64) / 255.0
        Xtr, ytr = X[:d.n_train], labels[:d.n_train]
        Xte, yte = X[len(X) - d.n_test:], labels[len(X) - d.n_test:]
        side, names = images.shape[1], tuple(str(i) for i in range(10))
        return Xtr, ytr.astype(np.int32), Xte, yte.astype(np.int32), side, names, Xte
    scaler = data.Standardizer.fit(Xtr)
    return (scaler.transform(Xtr), ytr.astype(np.int32), scaler.transform(Xte),
            yte.astype(np.int32), side, names, Xte)


def run(cfg, key, ctx):
    Xtr_np, ytr_np, Xte_np, yte_np, side, names, Xte_pixels = load(cfg)
    if cfg.data.source == "mnist" and side is not None:
        ctx.print(f"MNIST: {len(Xtr_np)} training and {len(Xte_np)} test images of "
                  f"{side}×{side}")
    Xtr, ytr = jnp.asarray(Xtr_np, ctx.dtype), jnp.asarray(ytr_np)
    Xte, yte = jnp.asarray(Xte_np, ctx.dtype), jnp.asarray(yte_np)
    k_init, k_batch = jax.random.split(key)
    sizes = [Xtr.shape[1], *cfg.model.hidden, len(names)]
    params = nn.init_mlp(k_init, sizes, cfg.model.init, ctx.dtype)
    act = cfg.model.activation

    eval_fn, _ = _nn.accuracy_logger(act, (Xtr, ytr), (Xte, yte))

    batch = cfg.train.batch_size or None
    if batch is None and len(Xtr_np) % cfg.train.devices:
        raise UserError(f"full-batch training on {cfg.train.devices} devices needs the "
                        f"{len(Xtr_np)} training examples to divide evenly; set "
                        f"train.batch_size")
    result = train.fit(lambda p, b: nn.mlp_loss(p, *b, act), params,
                       _nn.make_optimizer(cfg.optimizer), (Xtr, ytr), steps=cfg.train.steps,
                       log_every=cfg.train.log_every, batch_size=batch, shuffle_key=k_batch,
                       grad_fn=((lambda p, b: nn.mlp_backward(p, *b, act))
                                if cfg.train.gradients == "manual" else None),
                       eval_fn=eval_fn, ctx=ctx, desc=f"MLP on {cfg.data.source}",
                       devices=cfg.train.devices)
    p = result.params
    y_pred = np.asarray(nn.mlp_predict(p, Xte, act))
    report = pipeline.classification_report(y_pred, yte_np, len(names))._asdict()
    records = list(result.history)  # {"step", "loss", "train_accuracy", "test_accuracy"}

    _nn.curves(ctx, result.losses, records)
    _nn.confusion(ctx, report["confusion"], names)
    if side is not None:
        wrong = np.flatnonzero(y_pred != yte_np)[:24]
        _nn.image_grid(ctx, [Xte_pixels[i].reshape(side, side) for i in wrong],
                       [f"{yte_np[i]}→{y_pred[i]}" for i in wrong], "misclassified",
                       f"misclassified test images (true→predicted): {len(wrong)} shown of "
                       f"{int(np.sum(y_pred != yte_np))}")
        _nn.first_layer_weights(ctx, p[0]["W"], side)
    else:
        prob = jax.jit(lambda pts: explog.softmax(nn.mlp_forward(p, pts, act))[:, 1])
        X_all = np.concatenate([Xtr_np, Xte_np])
        _nn.decision_boundary(ctx, lambda pts: prob(jnp.asarray(pts, ctx.dtype)), X_all,
                              np.concatenate([ytr_np, yte_np]),
                              title=f"two moons: MLP {sizes} decision boundary")
    ctx.print(f"test accuracy: {report['accuracy']:.4f}")
    te, tr = float(report["accuracy"]), float(records[-1]["train_accuracy"])
    ctx.observe(f"Test accuracy {fmt(te)} on {len(yte_np):,} held-out examples after "
                f"{cfg.train.steps:,} steps (training accuracy {fmt(tr)}).", te >= 0.9,
                f"test accuracy was {fmt(te)} on {len(yte_np):,} held-out examples after "
                f"{cfg.train.steps:,} steps (training accuracy {fmt(tr)}), below 0.9.")
    return {"test_accuracy": report["accuracy"], "train_accuracy": records[-1]["train_accuracy"],
            "final_loss": float(result.losses[-1]), "macro_f1": report["macro_f1"],
            "test_examples": int(len(yte_np)), "devices": cfg.train.devices}
