"""A complete ML pipeline from scratch: raw table → schema check → stratified split →
standardization (fitted on the training part only) → an MLP or softmax regression →
evaluation → a saved model directory → predictions on new tables.

The pieces, each a plain function (the experiment ``experiments/ml_pipeline.py`` composes
them, and ``mlmath predict MODEL INPUT.csv`` runs the last ones)::

    table = data.read_table("flowers.csv")
    X, y_text = pipeline.check_schema(table, features, "species")
    classes, y = pipeline.encode_labels(y_text)
    ...train nn.mlp_loss with train.fit...
    model = pipeline.Model(params, features, "species", classes, mean, scale, "relu")
    report = pipeline.classification_report(pipeline.predict(model, X_test), y_test, len(classes))
    pipeline.save_model("runs/model", model)
    labels, probs = pipeline.predict_table(pipeline.load_model("runs/model"), new_table)

Evaluation: accuracy = (1/n) Σ [ŷᵢ = yᵢ]; for each class c, with the confusion matrix
C[true, predicted]: precision_c = C[c, c] / Σᵢ C[i, c], recall_c = C[c, c] / Σⱼ C[c, j],
F1_c = 2·precision·recall / (precision + recall) (0 where undefined, as scikit-learn's
``zero_division=0``).

A saved model is a directory with two files and no pickle:

* ``params.npz``: the layers' arrays ``W0, b0, W1, b1, …`` (read with
  ``allow_pickle=False``);
* ``model.json``: ``format`` and ``format_version``, the input schema (feature columns in
  order, label column, class names), the preprocessing (per-feature mean and scale), the
  model (layer sizes, activation, dtype), the training config, and metadata (library and
  JAX versions, metrics, and the SHA-256 of params.npz so a damaged file is recognized).

A model of another format version, a corrupted or edited file, and an input table whose
columns do not match the schema each raise :class:`~mlmath_jax.errors.UserError` with one
line that says what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import nn
from mlmath_jax.data import Table
from mlmath_jax.errors import UserError
from mlmath_jax.explog import softmax
from mlmath_jax.metrics import classification_report, confusion_matrix  # noqa: F401

FORMAT = "mlmath_jax.model"
FORMAT_VERSION = 1
PARAMS_FILE = "params.npz"
META_FILE = "model.json"


class Model(NamedTuple):
    """Everything prediction needs: parameters, input schema and preprocessing."""

    params: list[dict[str, np.ndarray]]   # nn.init_mlp layout; no hidden layer = softmax regression
    features: tuple[str, ...]             # input columns, in the order the model reads them
    label: str                            # the label column's name
    classes: tuple[str, ...]              # class names; class i is classes[i]
    mean: np.ndarray                      # standardization fitted on the training part
    scale: np.ndarray
    activation: str = "relu"
    config: dict = {}
    metadata: dict = {}


# ------------------------------------------------------------------ schema and labels


def check_schema(table: Table, features: list[str] | tuple[str, ...],
                 label: str) -> tuple[np.ndarray, list[str]]:
    """Check a training table: the label column and every feature column exist, features
    are finite numbers, labels non-empty, at least two classes with two examples each.

    Returns:
      (X (n, d) float64, label texts (n,)).
    """
    if label in features:
        raise UserError(f"{table.path}: the label column {label!r} cannot also be a feature")
    if not features:
        raise UserError(f"{table.path}: no feature columns beside the label {label!r}")
    labels = table.column(label)
    X = table.numeric(list(features))
    for i, v in enumerate(labels):
        if not v:
            raise UserError(f"{table.path}:{table.lines[i]}: empty label in column {label!r}")
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    if len(values) < 2:
        raise UserError(f"{table.path}: column {label!r} has a single class; need two or more")
    if counts.min() < 2:
        rare = str(values[np.argmin(counts)])
        raise UserError(f"{table.path}: class {rare!r} has one example; a stratified split "
                        f"needs at least two per class")
    return X, labels


def encode_labels(labels: list[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """Class names (sorted) and integer labels: ``classes[y[i]] == labels[i]``."""
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    return tuple(str(c) for c in classes), y.astype(np.int32)


def check_columns(model: Model, table: Table) -> None:
    """An input table must have exactly the model's feature columns (any order), and may
    also have the label column."""
    have = set(table.columns) - {model.label}
    want = set(model.features)
    missing = [c for c in model.features if c not in have]
    extra = [c for c in table.columns if c not in want and c != model.label]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(repr, extra))}")
        raise UserError(f"{table.path}: columns do not match the model's schema: "
                        f"{'; '.join(parts)} (expected {', '.join(model.features)})")


# --------------------------------------------------------------------------- prediction


def _is64(model: Model) -> bool:
    return np.asarray(model.params[0]["W"]).dtype == np.float64


def _probabilities(params, z, activation):
    return softmax(nn.mlp_forward(params, z, activation))


_probabilities_jit = jax.jit(_probabilities, static_argnums=2)


def predict_proba(model: Model, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, classes) for raw (unscaled) feature rows X (n, d).

    The rows are standardized with the training mean and scale (in float64 on the host),
    cast to the parameters' dtype and run through one compiled forward pass; a float64
    model runs in float64 whatever the global JAX setting.
    """
    X = np.asarray(X, np.float64)
    if X.ndim != 2 or X.shape[1] != len(model.features):
        raise UserError(f"expected rows of {len(model.features)} features, got shape "
                        f"{X.shape}")
    Z = (X - model.mean) / model.scale
    with jax.enable_x64(_is64(model)):
        dtype = jnp.float64 if _is64(model) else jnp.float32
        params = jax.tree.map(lambda a: jnp.asarray(a, dtype), model.params)
        return np.asarray(_probabilities_jit(params, jnp.asarray(Z, dtype), model.activation))


def predict(model: Model, X: np.ndarray) -> np.ndarray:
    """The most probable class index of each raw feature row."""
    return np.argmax(predict_proba(model, X), axis=1).astype(np.int32)


def predict_table(model: Model, table: Table) -> tuple[list[str], np.ndarray]:
    """Check the table's columns against the model's schema, then predict every row.

    Returns:
      (predicted class names, probabilities (n, classes)).
    """
    check_columns(model, table)
    probs = predict_proba(model, table.numeric(list(model.features)))
    return [model.classes[i] for i in np.argmax(probs, axis=1)], probs


# ------------------------------------------------------------------------ save and load


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_model(directory: str | Path, model: Model) -> Path:
    """Write ``params.npz`` and ``model.json`` into ``directory`` (created if needed)."""
    from mlmath_jax import __version__

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for i, layer in enumerate(model.params):
        arrays[f"W{i}"] = np.asarray(layer["W"])
        arrays[f"b{i}"] = np.asarray(layer["b"])
    with open(d / PARAMS_FILE, "wb") as f:
        np.savez(f, **arrays)
    sizes = [int(model.params[0]["W"].shape[1])] + [int(p["W"].shape[0])
                                                    for p in model.params]
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema": {"features": list(model.features), "label": model.label,
                   "classes": list(model.classes)},
        "preprocessing": {"standardize": {"mean": np.asarray(model.mean, float).tolist(),
                                          "scale": np.asarray(model.scale, float).tolist()}},
        "model": {"kind": "mlp" if len(model.params) > 1 else "softmax_regression",
                  "sizes": sizes, "activation": model.activation,
                  "dtype": str(np.asarray(model.params[0]["W"]).dtype)},
        "config": model.config,
        "metadata": {**model.metadata, "mlmath_jax_version": __version__,
                     "jax_version": jax.__version__,
                     "params_sha256": _sha256(d / PARAMS_FILE)},
    }
    tmp = d / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    tmp.replace(d / META_FILE)
    return d


def load_model(directory: str | Path) -> Model:
    """Read a directory written by :func:`save_model`.

    Raises:
      UserError: not a model directory, another format version, a corrupted or edited
        file (checksum, JSON or array shapes), each as one line naming the file.
    """
    d = Path(directory)
    meta_path, params_path = d / META_FILE, d / PARAMS_FILE
    if not d.is_dir():
        raise UserError(f"{d}: no such model directory")
    for p in (meta_path, params_path):
        if not p.is_file():
            raise UserError(f"{d}: not a saved model (missing {p.name})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{meta_path}: corrupted model file (not valid JSON: {exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise UserError(f"{meta_path}: not an mlmath_jax model (format is not {FORMAT!r})")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise UserError(f"{meta_path}: model format version {version!r} is not supported; "
                        f"this mlmath_jax reads version {FORMAT_VERSION} (retrain or export "
                        f"the model with a matching version)")
    try:
        schema, prep, spec = meta["schema"], meta["preprocessing"]["standardize"], meta["model"]
        features = tuple(str(f) for f in schema["features"])
        label, classes = str(schema["label"]), tuple(str(c) for c in schema["classes"])
        mean = np.asarray(prep["mean"], np.float64)
        scale = np.asarray(prep["scale"], np.float64)
        sizes, activation = [int(s) for s in spec["sizes"]], str(spec["activation"])
        expected_sha = str(meta["metadata"]["params_sha256"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{meta_path}: corrupted model file (bad or missing entry: "
                        f"{exc})") from None
    if _sha256(params_path) != expected_sha:
        raise UserError(f"{params_path}: corrupted model file (checksum does not match "
                        f"model.json)")
    try:
        with np.load(params_path, allow_pickle=False) as z:
            params = [{"W": np.asarray(z[f"W{i}"]), "b": np.asarray(z[f"b{i}"])}
                      for i in range(len(sizes) - 1)]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise UserError(f"{params_path}: corrupted model file ({exc})") from None
    shapes_ok = (activation in nn.ACTIVATIONS and len(sizes) >= 2
                 and sizes[0] == len(features) == mean.shape[0] == scale.shape[0]
                 and sizes[-1] == len(classes)
                 and all(p["W"].shape == (o, i) and p["b"].shape == (o,)
                         for p, i, o in zip(params, sizes[:-1], sizes[1:], strict=True)))
    if not shapes_ok or not np.all(scale > 0):
        raise UserError(f"{d}: corrupted model (parameter shapes, activation or "
                        f"preprocessing do not match model.json)")
    return Model(params, features, label, classes, mean, scale, activation,
                 meta.get("config", {}), meta.get("metadata", {}))


def write_predictions(path: str | Path | None, model: Model, labels: list[str],
                      probs: np.ndarray) -> str:
    """Predictions as CSV: a ``prediction`` column then ``p(<class>)`` per class (floats
    written exactly with ``repr``). Written to ``path``, and returned as text."""
    lines = [",".join(["prediction"] + [_csv_cell(f"p({c})") for c in model.classes])]
    for lab, row in zip(labels, np.asarray(probs), strict=True):
        lines.append(",".join([_csv_cell(lab)] + [repr(float(v)) for v in row]))
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _csv_cell(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s
