"""Complete ML Pipeline from Scratch: raw table → trained, evaluated, saved, reloaded model.

1. raw table: a CSV/TSV file from ``data.path``, or a bundled set (iris, wine,
   breast_cancer) written into the run directory as ``raw.csv`` and read back from there;
2. schema check (``pipeline.check_schema``): label column present, numeric features;
3. stratified split (``data.train_test_split(stratify=...)``);
4. standardization fitted on the training part only (``data.Standardizer``);
5. training: an MLP, or softmax regression when ``model.hidden = []`` (``nn`` + ``train.fit``);
6. evaluation: accuracy, per-class precision / recall / F1, confusion matrix;
7. the model saved to ``model/`` in the run directory (``params.npz`` + ``model.json``);
8. reloaded, and its predictions on ``test.csv`` (the held-out rows as a raw table) checked
   identical to the evaluation's; ``predictions.csv`` is what ``mlmath predict`` writes.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import data, nn, pipeline, train
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Path, Str

from . import _nn

DESCRIPTION = "complete pipeline: raw CSV → split → scale → MLP → evaluate → save → reload"

SCHEMA = {
    "data": {
        "source": Str("iris", choices=("iris", "wine", "breast_cancer", "digits", "file"),
                      help="a bundled set written as raw.csv, or 'file'"),
        "path": Path(None, help="file: a CSV or TSV table with a header row"),
        "label": Str("", help="the label column (default: 'label' for bundled sets, else "
                              "the last column)"),
        "test_fraction": Float(0.25, gt=0.0, lt=1.0, help="held-out share, per class"),
    },
    **_nn.mlp_schema(hidden=[16], steps=500, log_every=50),
}


LESSON = Lesson(
    title="A complete machine-learning pipeline",
    chapter="neural networks",
    concept="A model is only as trustworthy as the path from raw data to prediction. This "
            "run reads a raw table, checks its columns, splits it into training and test "
            "rows with every class in both, standardizes the features with statistics of "
            "the training rows only (so nothing leaks from the test rows), trains a network, "
            "evaluates it on the held-out rows, saves it, loads it back, and checks that the "
            "reloaded model predicts exactly what the trained one did.",
    equations=(r"z_j = \frac{x_j - \mu_j^{\text{train}}}{\sigma_j^{\text{train}}}",
               r"\text{precision} = \frac{TP}{TP + FP}, \quad \text{recall} = "
               r"\frac{TP}{TP + FN}, \quad F_1 = \frac{2 \cdot \text{precision} \cdot "
               r"\text{recall}}{\text{precision} + \text{recall}}"),
    try_next=(
        TryNext(("model.hidden=[]",), "no hidden layer: softmax regression on the same "
                "pipeline."),
        TryNext(("data.test_fraction=0.5",), "half the rows held out: fewer to train on, "
                "more to test on."),
        TryNext(("train.steps=20",), "a short run: lower test accuracy."),
    ),
    main_figure="confusion_matrix.png",
    headline="test_accuracy",
)


def check(cfg):
    if cfg.data.source == "file" and cfg.data.path is None:
        raise ConfigError("data.path is required when data.source = 'file'")
    if cfg.train.devices > len(jax.devices()):
        raise ConfigError(f"train.devices = {cfg.train.devices} but only "
                          f"{len(jax.devices())} device(s) are available")
    if cfg.train.batch_size % cfg.train.devices:
        raise ConfigError(f"train.batch_size = {cfg.train.batch_size} must be a multiple of "
                          f"train.devices = {cfg.train.devices}")


def raw_table(cfg, ctx) -> tuple[data.Table, str]:
    """The raw table and its label column's name."""
    if cfg.data.source == "file":
        table = data.read_table(cfg.data.path)
        return table, cfg.data.label or table.columns[-1]
    ds = data.load_bundled(cfg.data.source)
    names = [n.replace(" (cm)", "").replace(" ", "_") for n in ds.feature_names]
    rows = [[*map(float, x), ds.target_names[int(t)]] for x, t in zip(ds.X, ds.y, strict=True)]
    path = ctx.path("raw.csv")
    data.write_table(path, [*names, "label"], rows)
    return data.read_table(path), cfg.data.label or "label"


def run(cfg, key, ctx):
    # 1–2. Raw table and its schema.
    table, label = raw_table(cfg, ctx)
    features = [c for c in table.columns if c != label]
    if label not in table.columns:
        raise UserError(f"{table.path}: no label column {label!r}; columns: "
                        f"{', '.join(table.columns)}")
    X, y_text = pipeline.check_schema(table, features, label)
    classes, y = pipeline.encode_labels(y_text)
    ctx.print(f"{table.path}: {len(y)} rows, {len(features)} features, classes "
              f"{', '.join(classes)}")

    # 3. Stratified split (row indices too, to write the held-out rows as a raw table).
    rows = np.arange(len(y))
    Xtr, Xte, ytr, yte, rtr, rte = data.train_test_split(
        key, X, y, rows, test_fraction=cfg.data.test_fraction, stratify=y)

    # 4. Standardization fitted on the training part only.
    scaler = data.Standardizer.fit(Xtr)

    # 5. Training.
    act = cfg.model.activation
    sizes = [len(features), *cfg.model.hidden, len(classes)]
    params = nn.init_mlp(key, sizes, cfg.model.init, ctx.dtype)
    Ztr = jnp.asarray(scaler.transform(Xtr), ctx.dtype)
    Zte = jnp.asarray(scaler.transform(Xte), ctx.dtype)
    batch = cfg.train.batch_size or None
    if batch is None and len(ytr) % cfg.train.devices:
        raise UserError(f"full-batch training on {cfg.train.devices} devices needs the "
                        f"{len(ytr)} training rows to divide evenly; set train.batch_size")
    eval_fn, records = _nn.accuracy_logger(act, (Ztr, ytr), (Zte, yte))

    result = train.fit(lambda p, b: nn.mlp_loss(p, *b, act), params,
                       _nn.make_optimizer(cfg.optimizer), (Ztr, jnp.asarray(ytr)),
                       steps=cfg.train.steps, log_every=cfg.train.log_every, ctx=ctx,
                       batch_size=batch, shuffle_key=jax.random.fold_in(key, 1),
                       devices=cfg.train.devices,
                       grad_fn=((lambda p, b: nn.mlp_backward(p, *b, act))
                                if cfg.train.gradients == "manual" else None),
                       eval_fn=eval_fn, desc="pipeline")
    model = pipeline.Model(
        params=[{k: np.asarray(v) for k, v in layer.items()} for layer in result.params],
        features=tuple(features), label=label, classes=classes, mean=scaler.mean,
        scale=scaler.scale, activation=act, config=cfg.to_dict(),
        metadata={"source": str(table.path), "train_rows": int(len(ytr)),
                  "test_rows": int(len(yte))})

    # 6. Evaluation on the held-out part.
    probs = pipeline.predict_proba(model, Xte)
    y_pred = np.argmax(probs, axis=1)
    report = pipeline.classification_report(y_pred, yte, len(classes))._asdict()
    train_acc = float(np.mean(pipeline.predict(model, Xtr) == ytr))

    # 7. Save; 8. reload and predict the held-out rows from a raw table, as `mlmath predict`.
    model_dir = pipeline.save_model(ctx.path("model"), model._replace(
        metadata={**model.metadata, "test_accuracy": report["accuracy"]}))
    test_csv = ctx.path("test.csv")
    data.write_table(test_csv, table.columns, [table.rows[i] for i in rte])
    reloaded = pipeline.load_model(model_dir)
    labels, probs2 = pipeline.predict_table(reloaded, data.read_table(test_csv))
    pipeline.write_predictions(ctx.path("predictions.csv"), reloaded, labels, probs2)
    identical = bool(labels == [classes[i] for i in y_pred] and np.array_equal(probs, probs2))
    if not identical:
        raise RuntimeError("the reloaded model's predictions differ from the evaluation's")

    steps = list(range(0, cfg.train.steps, cfg.train.log_every)) + [cfg.train.steps]
    _nn.curves(ctx, result.losses,
               [{"step": s, **r} for s, r in zip(steps, records, strict=False)])
    _nn.confusion(ctx, report["confusion"], classes)
    te = float(report["accuracy"])
    ctx.observe(f"Test accuracy {fmt(te)} on {len(yte)} held-out rows (training accuracy "
                f"{fmt(train_acc)}), macro F1 {fmt(float(report['macro_f1']))}.", te >= 0.9,
                f"test accuracy was {fmt(te)} on {len(yte)} held-out rows (training "
                f"accuracy {fmt(train_acc)}), below 0.9.")
    ctx.observe(f"The model reloaded from model/ predicted the {len(yte)} rows of test.csv "
                f"exactly as the trained model did.", identical,
                "the reloaded model's predictions differed.")
    ctx.print(f"test accuracy {report['accuracy']:.4f}; model saved to {model_dir}; "
              f"try: mlmath predict {model_dir} {test_csv}")
    per_class = {f"f1_{c}": f for c, f in zip(classes, report["f1"], strict=True)}
    return {"test_accuracy": report["accuracy"], "train_accuracy": train_acc,
            "macro_f1": report["macro_f1"], **per_class,
            "precision": report["precision"], "recall": report["recall"],
            "confusion": report["confusion"], "reload_identical": identical,
            "final_loss": float(result.losses[-1]), "model_dir": "model"}

