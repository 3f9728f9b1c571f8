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

A saved model (format version 2) is a directory with two files and no pickle:

* ``params.npz``: the layers' arrays ``W0, b0, W1, b1, …`` (read with
  ``allow_pickle=False``);
* ``model.json``: ``format`` and ``format_version``, the input schema (feature columns in
  order, label column, class names), the preprocessing (per-feature mean and scale), the
  model (layer sizes, activation, dtype), the training config, metadata (library and JAX
  versions, metrics), and ``checksums``: the SHA-256 of params.npz and of model.json
  itself (its canonical JSON — sorted keys, no spaces — with ``checksums.model.json``
  left out), so an edit to either file is recognized.

Loading checks, in order: the format and version; both checksums; then a schema of
every entry (types, lengths, unique names, finite numbers, scale > 0, a known activation
and dtype) and of every array (exactly the expected names, the declared float dtype, the
shapes the sizes imply, finite values). Predictions refuse to be NaN: a model whose
output is not a finite probability row raises instead of printing ``nan``.

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

from mlmath_jax import data, nn  # noqa: F401  (data: the docstring examples' tables)
from mlmath_jax.data import Table
from mlmath_jax.errors import UserError
from mlmath_jax.explog import softmax
from mlmath_jax.metrics import classification_report, confusion_matrix  # noqa: F401

FORMAT = "mlmath_jax.model"
FORMAT_VERSION = 2
PARAMS_FILE = "params.npz"
META_FILE = "model.json"
MAX_META_BYTES = 10_000_000      # a model.json beyond this is not one this library wrote


class Model(NamedTuple):
    """Everything prediction needs: parameters, input schema and preprocessing.

    Attributes:
      params: layers in the :func:`mlmath_jax.nn.init_mlp` layout (one layer = softmax
        regression).
      features: input columns, in the order the model reads them.
      label: the label column's name.
      classes: class names; class i is ``classes[i]``.
      mean, scale: standardization z = (x − mean) / scale fitted on the training part.
      activation: hidden activation's name in :data:`mlmath_jax.nn.ACTIVATIONS`.
      config, metadata: the training config and free-form metadata (saved as JSON).

    Example:
      >>> m = Model([{"W": np.array([[-1.], [1.]]), "b": np.zeros(2)}], ("x",), "y",
      ...           ("neg", "pos"), np.zeros(1), np.ones(1))
      >>> m.classes, m.features
      (('neg', 'pos'), ('x',))
    """

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

    Args:
      table: a :class:`~mlmath_jax.data.Table`.
      features: the feature column names.
      label: the label column name.

    Returns:
      (X (n, d) float64, label texts (n,)).

    Raises:
      UserError: a missing column, a non-number, an empty label, one class, or a class
        with one example.

    Example:
      >>> import tempfile, os
      >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
      >>> data.write_table(path, ["x", "y"], [[1.0, "a"], [2.0, "a"], [3.0, "b"], [4.0, "b"]])
      >>> X, labels = check_schema(data.read_table(path), ["x"], "y")
      >>> X.ravel().tolist(), labels
      ([1.0, 2.0, 3.0, 4.0], ['a', 'a', 'b', 'b'])
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
    """Class names (sorted) and integer labels: ``classes[y[i]] == labels[i]``.

    Args:
      labels: label texts.

    Returns:
      (classes, y int32 (n,)).

    Example:
      >>> classes, y = encode_labels(["b", "a", "b"])
      >>> classes, y.tolist()
      (('a', 'b'), [1, 0, 1])
    """
    classes, y = np.unique(np.asarray(labels), return_inverse=True)
    return tuple(str(c) for c in classes), y.astype(np.int32)


def check_columns(model: Model, table: Table) -> None:
    """An input table must have exactly the model's feature columns (any order), and may
    also have the label column.

    Args:
      model: the :class:`Model`.
      table: the input :class:`~mlmath_jax.data.Table`.

    Returns:
      None.

    Raises:
      UserError: missing or unexpected columns, named.

    Example:
      >>> import tempfile, os
      >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
      >>> data.write_table(path, ["w"], [[1.0]])
      >>> m = Model([{"W": np.array([[-1.], [1.]]), "b": np.zeros(2)}], ("x",), "y",
      ...           ("neg", "pos"), np.zeros(1), np.ones(1))
      >>> check_columns(m, data.read_table(path))
      Traceback (most recent call last):
      ...
      mlmath_jax.errors.UserError: ...missing column(s) 'x'; unexpected column(s) 'w'...
    """
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

    Args:
      model: the :class:`Model`.
      X: (n, d) raw feature rows.

    Returns:
      (n, classes) probabilities, each row finite and summing to 1.

    Raises:
      UserError: X has the wrong width, or the model's output is not finite (never a
        NaN row).

    Example:
      >>> m = Model([{"W": np.array([[-1.], [1.]]), "b": np.zeros(2)}], ("x",), "y",
      ...           ("neg", "pos"), np.zeros(1), np.ones(1))
      >>> print(np.round(predict_proba(m, np.array([[2.0]])), 4).tolist())
      [[0.018, 0.982]]
    """
    X = np.asarray(X, np.float64)
    if X.ndim != 2 or X.shape[1] != len(model.features):
        raise UserError(f"expected rows of {len(model.features)} features, got shape "
                        f"{X.shape}")
    Z = (X - model.mean) / model.scale
    with jax.enable_x64(_is64(model)):
        dtype = jnp.float64 if _is64(model) else jnp.float32
        params = jax.tree.map(lambda a: jnp.asarray(a, dtype), model.params)
        P = np.asarray(_probabilities_jit(params, jnp.asarray(Z, dtype), model.activation))
    bad = ~np.all(np.isfinite(P), axis=1) if P.size else np.zeros(0, bool)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise UserError(f"the model gives non-finite probabilities for row {i + 1} (input "
                        f"{X[i].tolist()}); refusing to print NaN")
    return P


def predict(model: Model, X: np.ndarray) -> np.ndarray:
    """The most probable class index of each raw feature row.

    Args:
      model: the :class:`Model`.
      X: (n, d) raw feature rows.

    Returns:
      (n,) int32 class indices.

    Example:
      >>> m = Model([{"W": np.array([[-1.], [1.]]), "b": np.zeros(2)}], ("x",), "y",
      ...           ("neg", "pos"), np.zeros(1), np.ones(1))
      >>> predict(m, np.array([[2.0], [-1.0]])).tolist()
      [1, 0]
    """
    return np.argmax(predict_proba(model, X), axis=1).astype(np.int32)


def predict_table(model: Model, table: Table) -> tuple[list[str], np.ndarray]:
    """Check the table's columns against the model's schema, then predict every row.

    Args:
      model: the :class:`Model`.
      table: a :class:`~mlmath_jax.data.Table` with the model's feature columns.

    Returns:
      (predicted class names, probabilities (n, classes)).

    Example:
      >>> import tempfile, os
      >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
      >>> data.write_table(path, ["x"], [[2.0], [-1.0]])
      >>> m = Model([{"W": np.array([[-1.], [1.]]), "b": np.zeros(2)}], ("x",), "y",
      ...           ("neg", "pos"), np.zeros(1), np.ones(1))
      >>> predict_table(m, data.read_table(path))[0]
      ['pos', 'neg']
    """
    check_columns(model, table)
    probs = predict_proba(model, table.numeric(list(model.features)))
    return [model.classes[i] for i in np.argmax(probs, axis=1)], probs


# ------------------------------------------------------------------------ save and load


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _meta_digest(meta: dict) -> str:
    """SHA-256 of model.json's canonical form, leaving out its own checksum entry."""
    body = {**meta, "checksums": {k: v for k, v in meta.get("checksums", {}).items()
                                  if k != META_FILE}}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_model(directory: str | Path, model: Model) -> Path:
    """Write ``params.npz`` and ``model.json`` into ``directory`` (created if needed).

    Args:
      directory: the model directory.
      model: a :class:`Model` with finite parameters and preprocessing.

    Returns:
      The directory, as a Path.

    Raises:
      UserError: the model holds a non-finite number (it would not load back).

    Example:
      >>> import tempfile
      >>> m = Model([{"W": np.ones((2, 1)), "b": np.zeros(2)}], ("x",), "y", ("a", "b"),
      ...           np.zeros(1), np.ones(1))
      >>> d = save_model(tempfile.mkdtemp(), m)
      >>> sorted(p.name for p in d.iterdir())
      ['model.json', 'params.npz']
    """
    from mlmath_jax import __version__

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for i, layer in enumerate(model.params):
        arrays[f"W{i}"] = np.asarray(layer["W"])
        arrays[f"b{i}"] = np.asarray(layer["b"])
    if not all(np.all(np.isfinite(a)) for a in arrays.values()) or not (
            np.all(np.isfinite(model.mean)) and np.all(np.isfinite(model.scale))):
        raise UserError(f"{d}: the model holds non-finite numbers; not saving it")
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
                     "jax_version": jax.__version__},
        "checksums": {PARAMS_FILE: _sha256(d / PARAMS_FILE)},
    }
    meta["checksums"][META_FILE] = _meta_digest(meta)
    tmp = d / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    tmp.replace(d / META_FILE)
    return d


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class _Bad(Exception):
    """A schema violation inside model.json: the message names the entry."""


def _get(obj, path: str, kind):
    cur = obj
    for key in path.split("."):
        if not isinstance(cur, dict) or key not in cur:
            raise _Bad(f"missing entry {path!r}")
        cur = cur[key]
    if kind is float:
        ok = isinstance(cur, int | float) and not isinstance(cur, bool) and np.isfinite(cur)
    elif kind is int:
        ok = isinstance(cur, int) and not isinstance(cur, bool)
    else:
        ok = isinstance(cur, kind)
    if not ok:
        want = {float: "a finite number", int: "an integer", str: "a string",
                list: "a list", dict: "an object"}[kind]
        raise _Bad(f"{path!r} must be {want}, found {type(cur).__name__} {_short(cur)}")
    return cur


def _short(x) -> str:
    t = json.dumps(x) if not isinstance(x, float) else repr(x)
    return t if len(t) <= 40 else t[:37] + "..."


def _list_of(meta, path: str, kind, length: int | None = None) -> list:
    items = _get(meta, path, list)
    if length is not None and len(items) != length:
        raise _Bad(f"{path!r} has {len(items)} entries, expected {length}")
    holder = {"v": None}
    for i, x in enumerate(items):
        holder["v"] = x
        try:
            _get(holder, "v", kind)
        except _Bad:
            raise _Bad(f"{path}[{i}] must be "
                       f"{ {float: 'a finite number', int: 'an integer', str: 'a string'}[kind]}"
                       f", found {_short(x)}") from None
    return items


def _validate(meta: dict) -> tuple:
    """Every entry of model.json, checked; returns what :class:`Model` needs."""
    features = _list_of(meta, "schema.features", str)
    label = _get(meta, "schema.label", str)
    classes = _list_of(meta, "schema.classes", str)
    if not features or len(set(features)) != len(features) or label in features:
        raise _Bad("'schema.features' must be distinct, non-empty and not the label")
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise _Bad("'schema.classes' must be two or more distinct names")
    d = len(features)
    mean = _list_of(meta, "preprocessing.standardize.mean", float, d)
    scale = _list_of(meta, "preprocessing.standardize.scale", float, d)
    if not all(s > 0 for s in scale):
        raise _Bad("'preprocessing.standardize.scale' must be positive")
    kind = _get(meta, "model.kind", str)
    sizes = _list_of(meta, "model.sizes", int)
    activation = _get(meta, "model.activation", str)
    dtype = _get(meta, "model.dtype", str)
    if len(sizes) < 2 or sizes[0] != d or sizes[-1] != len(classes) or min(sizes) < 1:
        raise _Bad(f"'model.sizes' {_short(sizes)} must start with {d} features, end with "
                   f"{len(classes)} classes and be positive")
    if max(sizes) > 100_000 or len(sizes) > 1_000:
        raise _Bad("'model.sizes' is larger than any model this library trains")
    if kind != ("mlp" if len(sizes) > 2 else "softmax_regression"):
        raise _Bad(f"'model.kind' {kind!r} does not match {len(sizes) - 1} layer(s)")
    if activation not in nn.ACTIVATIONS:
        raise _Bad(f"'model.activation' {activation!r} is not one of "
                   f"{', '.join(sorted(nn.ACTIVATIONS))}")
    if dtype not in ("float32", "float64"):
        raise _Bad(f"'model.dtype' {dtype!r} is not float32 or float64")
    config = _get(meta, "config", dict)
    metadata = _get(meta, "metadata", dict)
    return (tuple(features), label, tuple(classes), np.asarray(mean, np.float64),
            np.asarray(scale, np.float64), sizes, activation, np.dtype(dtype), config,
            metadata)


def load_model(directory: str | Path) -> Model:
    """Read a directory written by :func:`save_model`, checking every file.

    Args:
      directory: the model directory.

    Returns:
      The :class:`Model`.

    Raises:
      UserError: not a model directory, another format version, a corrupted or edited
        file (checksums, JSON, schema, array names, dtypes, shapes or non-finite values),
        each as one line naming the file.

    Example:
      >>> import tempfile
      >>> m = Model([{"W": np.ones((2, 1)), "b": np.zeros(2)}], ("x",), "y", ("a", "b"),
      ...           np.zeros(1), np.ones(1))
      >>> back = load_model(save_model(tempfile.mkdtemp(), m))
      >>> back.classes, back.params[0]["W"].tolist()
      (('a', 'b'), [[1.0], [1.0]])
    """
    d = Path(directory)
    meta_path, params_path = d / META_FILE, d / PARAMS_FILE
    if not d.is_dir():
        raise UserError(f"{d}: no such model directory")
    for p in (meta_path, params_path):
        if not p.is_file():
            raise UserError(f"{d}: not a saved model (missing {p.name})")
    if meta_path.stat().st_size > MAX_META_BYTES:
        raise UserError(f"{meta_path}: corrupted model file (larger than "
                        f"{MAX_META_BYTES} bytes)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"),
                          parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise UserError(f"{meta_path}: corrupted model file (not valid JSON: {why})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise UserError(f"{meta_path}: not an mlmath_jax model (format is not {FORMAT!r})")
    version = meta.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise UserError(f"{meta_path}: model format version {_short(version)} is not "
                        f"supported; this mlmath_jax reads version {FORMAT_VERSION} (retrain "
                        f"or export the model with a matching version)")
    checksums = meta.get("checksums")
    if not (isinstance(checksums, dict) and isinstance(checksums.get(META_FILE), str)
            and isinstance(checksums.get(PARAMS_FILE), str)):
        raise UserError(f"{meta_path}: corrupted model file (no checksums for "
                        f"{META_FILE} and {PARAMS_FILE})")
    try:
        own = _meta_digest(meta)
    except (ValueError, TypeError, RecursionError):
        own = ""
    if own != checksums[META_FILE]:
        raise UserError(f"{meta_path}: corrupted or edited model file (its checksum does "
                        f"not match its contents)")
    if _sha256(params_path) != checksums[PARAMS_FILE]:
        raise UserError(f"{params_path}: corrupted model file (checksum does not match "
                        f"model.json)")
    try:
        (features, label, classes, mean, scale, sizes, activation, dtype, config,
         metadata) = _validate(meta)
    except _Bad as exc:
        raise UserError(f"{meta_path}: invalid model file: {exc}") from None
    names = [f"{k}{i}" for i in range(len(sizes) - 1) for k in ("W", "b")]
    try:
        with np.load(params_path, allow_pickle=False) as z:
            if sorted(z.files) != sorted(names):
                raise UserError(f"{params_path}: invalid model file: arrays "
                                f"{', '.join(sorted(z.files))}, expected {', '.join(names)}")
            arrays = {k: np.asarray(z[k]) for k in names}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, UserError):
            raise
        raise UserError(f"{params_path}: corrupted model file ({exc})") from None
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        for key, shape in ((f"W{i}", (n_out, n_in)), (f"b{i}", (n_out,))):
            a = arrays[key]
            if a.dtype != dtype or a.shape != shape:
                raise UserError(f"{params_path}: invalid model file: {key} is {a.dtype} "
                                f"{a.shape}, model.json says {dtype} {shape}")
            if not np.all(np.isfinite(a)):
                raise UserError(f"{params_path}: invalid model file: {key} holds "
                                f"non-finite values")
        params.append({"W": arrays[f"W{i}"], "b": arrays[f"b{i}"]})
    return Model(params, features, label, classes, mean, scale, activation, config, metadata)


def write_predictions(path: str | Path | None, model: Model, labels: list[str],
                      probs: np.ndarray) -> str:
    """Predictions as CSV: a ``prediction`` column then ``p(<class>)`` per class (floats
    written exactly with ``repr``). Written to ``path``, and returned as text.

    Args:
      path: the output file, or None to only return the text.
      model: the :class:`Model` (for the class names).
      labels: predicted class names.
      probs: (n, classes) probabilities.

    Returns:
      The CSV text.

    Example:
      >>> m = Model([{"W": np.array([[-1.], [1.]]), "b": np.zeros(2)}], ("x",), "y",
      ...           ("neg", "pos"), np.zeros(1), np.ones(1))
      >>> print(write_predictions(None, m, ["pos"], np.array([[0.25, 0.75]])), end="")
      prediction,p(neg),p(pos)
      pos,0.25,0.75
    """
    lines = [",".join(["prediction"] + [_csv_cell(f"p({c})") for c in model.classes])]
    for lab, row in zip(labels, np.asarray(probs), strict=True):
        lines.append(",".join([_csv_cell(lab)] + [repr(float(v)) for v in row]))
    text = "\n".join(lines) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _csv_cell(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s
